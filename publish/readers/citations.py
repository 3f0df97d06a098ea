"""Reader helper: a cite template's parameters (as inlines) → full and short entries in Chinese style.

The style follows the common Chinese bibliographic order (GB/T 7714 in spirit, as Chinese
Wikipedia's 格式指引 shows it): author/editor, 《book》 or 〈article〉, place: publisher, date.
Labels are written in simplified characters; the script transform converts them like any text.
"""
from __future__ import annotations

import re

from ..model import ExternalLink, Inline, Text, plain_text

__all__ = ["CITE_TEMPLATES", "format_citation", "format_date", "page_locator"]

#: Citation templates read as sources. Chinese Wikipedia uses the English names, lower or
#: capitalised; `cite journal` is the article-in-periodical form.
CITE_TEMPLATES = {"cite book": "book", "cite news": "news", "cite web": "web",
                  "cite journal": "journal", "cite magazine": "journal", "citation": "book",
                  "cite paper": "journal", "cite report": "book", "cite thesis": "book"}

_ROLE_SUFFIX = re.compile(r"(编|編|编著|編著|主编|主編|编辑|編輯|撰|著|译|譯|校订|校訂|等)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_PAGES = re.compile(r"^[\dA-Za-z]+(?:\s*[-–—~、,，]\s*[\dA-Za-z]+)*$")


def format_date(value: str) -> str:
    """``2015-08-09`` → ``2015年8月9日``; ``1993`` → ``1993年``; anything else as written."""
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = match.groups()
        return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")
    if re.fullmatch(r"\d{4}", value):
        return value + "年"
    return value


def page_locator(value: str) -> str:
    """A ``{{rp}}`` or ``page=`` value as a locator: ``32`` → ``第32页``; text as written."""
    value = value.strip()
    if _PAGES.match(value):
        return f"第{value.replace('-', '–')}页"
    return value


def _bracketed(inlines: tuple[Inline, ...], opening: str, closing: str) -> list[Inline]:
    text = plain_text(inlines).strip()
    if text.startswith(("《", "〈", "「", "“")):
        return list(inlines)
    return [Text(opening), *inlines, Text(closing)]


def _authors(params: dict[str, tuple[Inline, ...]]) -> tuple[Inline, ...]:
    """``author``/``authors``, or the ``last``/``first`` pair (Chinese order: surname first)."""
    for key in ("author", "authors", "author1"):
        if params.get(key):
            return params[key]
    for suffix in ("", "1"):
        if params.get("last" + suffix):
            return (*params["last" + suffix], *params.get("first" + suffix, ()))
    return ()


def _join(parts: list[list[Inline]], sep: str) -> list[Inline]:
    out: list[Inline] = []
    for part in parts:
        if not part:
            continue
        if out:
            out.append(Text(sep))
        out.extend(part)
    return out


def format_citation(kind: str, params: dict[str, tuple[Inline, ...]]) -> tuple[
        tuple[Inline, ...], tuple[Inline, ...], str, str]:
    """Return ``(full, short, url, isbn)`` for a cite template of ``kind`` with ``params``.

    ``params`` maps lower-case parameter names to their values read as inlines.
    """
    text = {key: plain_text(value).strip() for key, value in params.items()}
    url = text.get("url", "")
    if text.get("archive-url") and text.get("dead-url", text.get("url-status", "")) in ("yes", "dead"):
        url = text["archive-url"]
    author = list(_authors(params))
    editor = list(params.get("editor") or params.get("editors") or params.get("editor1") or ())
    if editor and not _ROLE_SUFFIX.search(plain_text(editor)):
        editor.append(Text("编"))
    date = format_date(text.get("date") or text.get("year", ""))
    title = params.get("title", ()) or params.get("trans-title", ())

    if kind == "book":
        title_part = _bracketed(title, "《", "》")
        place = _join([list(params.get("location", ())), list(params.get("publisher", ()))], "：")
        full = _join([_join([author, editor], "；"), title_part], "：") if (author or editor) \
            else title_part
        full = _join([full, place, [Text(date)] if date else []], "，")
        short = _bracketed(title, "《", "》")
    else:
        title_part = _bracketed(title, "〈", "〉")
        if url and title_part:
            title_part = [ExternalLink(url, tuple(title_part))]
        work = params.get("work") or params.get("newspaper") or params.get("journal") \
            or params.get("website") or params.get("periodical") or ()
        work_part = _bracketed(work, "《", "》") if work else []
        publisher = list(params.get("publisher", ()))
        lead = _join([author or editor, title_part], "：") if (author or editor) else title_part
        full = _join([lead, work_part, publisher, [Text(date)] if date else [],
                      [Text(page_locator(text["page"]))] if text.get("page") else []], "，")
        access = format_date(text.get("access-date", text.get("accessdate", "")))
        if access:
            full += [Text(f"（{access}查阅）")]
        short = list(title_part) if title_part else list(work_part)
    if not full:
        full = [Text(text.get("url", ""))]
    return tuple(full), tuple(short or full), url, text.get("isbn", "")
