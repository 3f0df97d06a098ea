"""Transform: format each source's structured citation for one edition (Document → Document).

Before::

    Source("s1", full=(), short=(), citation=(Citation("journal", authors=(Person(
           family=(Text("Yue"),), given=(Text("Audrey"),)),), title=…, volume="3",
           date="23 August 2011"),))

After, for ``zh-Hans``::

    Source("s1", full=(Text("Yue, Audrey：〈…〉，《…》，2011年8月23日，第3卷"),), short=…)

The one place citations are formatted. Chinese editions follow GB/T 7714's order in the
punctuation Chinese Wikipedia's 格式指引 shows: authors (Chinese names as written, Western
names "Last, First"; up to three, then 等), editors with 编, 〈article〉 or 《book》, work,
place: publisher, date (normalised to 2011年8月23日), volume, issue, pages, identifiers, access
date. English editions write the same fields in a Chicago-like order. The short form (repeated
citations) is the first author's family name and the title. Words come from
:mod:`publish.labels` in the edition's script.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ..labels import MONTHS, base_tag, labels
from ..model import (Citation, Document, Emphasis, ExternalLink, Inline, Person, Source, Text,
                     plain_text)
from ..report import Report

__all__ = ["apply", "format_citation", "format_date"]

_MONTH_NAMES = {name.casefold(): number for number, name in enumerate(MONTHS, 1)}
_MONTH_NAMES.update({name[:3].casefold(): number for number, name in enumerate(MONTHS, 1)})
_MONTH_NAMES["sept"] = 9
_CHINESE_MONTHS = {name: number for number, name in enumerate(
    ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"), 1)}
_GERMAN_MONTHS = {name: number for number, name in enumerate(
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "dezember"), 1)}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_ROLE_SUFFIX = re.compile(r"(编|編|编著|編著|主编|主編|编辑|編輯|撰|著|译|譯|校订|校訂|等)$")
_PAGES = re.compile(r"^[\dA-Za-z]+(?:\s*[-–—~、,，]\s*[\dA-Za-z]+)*$")


def apply(document: Document, script: str, report: Report) -> Document:
    """Write ``full`` and ``short`` of every source that has a structured citation."""
    sources = tuple(_formatted(source, script) for source in document.sources)
    return dataclasses.replace(document, sources=sources)


def _formatted(source: Source, tag: str) -> Source:
    if not source.citation:
        return source
    full, short = format_citation(source.citation[0], tag)
    return dataclasses.replace(source, full=full, short=short)


# ---------------------------------------------------------------- dates

def _parse_date(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) from ISO, English, German, Chinese and ``7 九月 2010`` dates; month
    and day 0 when not given; None when the value is not a date."""
    value = value.strip().rstrip(".")
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", value):
        year, month, day = match.groups()
        return int(year), int(month), int(day or 0)
    if match := re.fullmatch(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?", value):
        year, month, day = match.groups()
        return int(year), int(month or 0), int(day or 0)
    if re.fullmatch(r"\d{4}", value):
        return int(value), 0, 0
    words = re.findall(r"\d+|[^\W\d]+", value.casefold())
    numbers = [int(word) for word in words if word.isdigit()]
    names = [word for word in words if not word.isdigit()]
    month = 0
    for name in names:
        month = _MONTH_NAMES.get(name) or _GERMAN_MONTHS.get(name) \
            or _CHINESE_MONTHS.get(name.removesuffix("月")) or 0
        if month:
            break
    if not month or len(names) > 1 and not all(
            n in _MONTH_NAMES or n in _GERMAN_MONTHS or n.removesuffix("月") in _CHINESE_MONTHS
            for n in names):
        return None
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if 1 <= n <= 31]
    if len(years) != 1 or len(days) > 1 or len(numbers) != len(years) + len(days):
        return None
    return years[0], month, days[0] if days else 0


def format_date(value: str, tag: str) -> str:
    """A date as the edition writes it: ``23 August 2011`` → ``2011年8月23日`` (Chinese) or
    ``23 August 2011`` (English); a value that is not a date stays as written."""
    parsed = _parse_date(value)
    if parsed is None:
        return value.strip()
    year, month, day = parsed
    words = labels(tag)
    fields = {"y": year, "m": month, "d": day,
              "month": MONTHS[month - 1] if month else ""}
    key = "date_ymd" if month and day else "date_ym" if month else "date_y"
    return words[key].format(**fields)


# ---------------------------------------------------------------- names

def _is_western(inlines: tuple[Inline, ...]) -> bool:
    text = plain_text(inlines)
    return bool(text.strip()) and not _CJK.search(text)


def _person(person: Person, tag: str) -> list[Inline]:
    """Chinese names as written (family name first, no space); Western names "Last, First" in
    both Chinese and English editions."""
    if person.name:
        return list(person.name)
    if not person.given:
        return list(person.family)
    if _is_western(person.family) or _is_western(person.given):
        return [*person.family, Text(", "), *person.given]
    return [*person.family, *person.given]


def _people(people: tuple[Person, ...], more: bool, tag: str) -> list[Inline]:
    words = labels(tag)
    out: list[Inline] = []
    for index, person in enumerate(people[:3]):
        if index:
            out.append(Text(words["list_separator"]))
        out.extend(_person(person, tag))
    if len(people) > 3 or (more and people):
        out.append(Text(("" if base_tag(tag).startswith("zh") else " ") + words["et_al"]))
    return out


def _editors(people: tuple[Person, ...], tag: str) -> list[Inline]:
    if not people:
        return []
    out = _people(people, False, tag)
    words = labels(tag)
    if base_tag(tag).startswith("zh"):
        if not _ROLE_SUFFIX.search(plain_text(out)):
            out.append(Text(words["editor"]))
    else:
        out.append(Text(f" ({words['editor']})"))
    return out


def _family(person: Person) -> tuple[Inline, ...]:
    """The part of a name a short form keeps: the family name, or a Chinese name whole (less
    a role such as 校订)."""
    if person.family:
        return person.family
    text = plain_text(person.name).strip()
    if _ROLE_SUFFIX.search(text) and _CJK.search(text):
        return (Text(_ROLE_SUFFIX.sub("", text)),)
    if _is_western(person.name) and " " in text and "," not in text:
        return (Text(text.rsplit(" ", 1)[1]),)
    if "," in text:
        return (Text(text.split(",", 1)[0]),)
    return person.name


# ---------------------------------------------------------------- entries

def _join(parts: Sequence[Sequence[Inline]], sep: str) -> list[Inline]:
    out: list[Inline] = []
    for part in parts:
        if not part or not plain_text(part).strip() and not any(
                isinstance(node, ExternalLink) for node in part):
            continue
        if out:
            # "et al." and "ed." end with the full stop an English separator would add.
            out.append(Text(sep[1:] if sep.startswith(".") and plain_text(out).endswith(".")
                            else sep))
        out.extend(part)
    return out


def _bracketed(inlines: tuple[Inline, ...], opening: str, closing: str) -> list[Inline]:
    text = plain_text(inlines).strip()
    if not text:
        return []
    if text.startswith(("《", "〈", "「", "“", "『")) or not (opening or closing):
        return list(inlines)
    return [Text(opening), *inlines, Text(closing)]


def _pages(value: str, tag: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if not _PAGES.match(value):
        return value
    value = value.replace("-", "–")
    if base_tag(tag).startswith("zh"):
        return labels(tag)["pages"].format(value=value)
    return ("pp. " if re.search(r"[–,、]", value) else "p. ") + value


def _is_book(citation: Citation) -> bool:
    return citation.kind in ("book", "thesis", "report", "map") or (
        citation.kind in ("generic", "encyclopedia") and not citation.work and
        not citation.url) or (citation.kind == "encyclopedia" and bool(citation.chapter))


def format_citation(citation: Citation, tag: str) -> tuple[tuple[Inline, ...], tuple[Inline, ...]]:
    """(full entry, short form) of ``citation`` for an edition tagged ``tag``."""
    if base_tag(tag).startswith("zh"):
        full, short = _chinese(citation, tag)
    else:
        full, short = _english(citation, tag)
    if not plain_text(full).strip():
        fallback = citation.url or ", ".join(value for _, value in citation.ids)
        full = [Text(fallback)] if fallback else [Text(citation.kind)]
    return tuple(full), tuple(short or full)


def _chinese(citation: Citation, tag: str) -> tuple[list[Inline], list[Inline]]:
    words = labels(tag)
    authors = _people(citation.authors, citation.more_authors, tag)
    editors = _editors(citation.editors, tag)
    date = format_date(citation.date, tag) if citation.date else ""
    numbering = _join([
        [Text(words["edition"].format(value=plain_text(citation.edition).strip()))]
        if citation.edition and plain_text(citation.edition).strip().isdigit()
        else list(citation.edition),
        [Text(words["volume"].format(value=citation.volume))] if citation.volume else [],
        [Text(words["issue"].format(value=citation.issue))] if citation.issue else [],
    ], "")
    place = _join([list(citation.place), list(citation.publisher)], "：")
    pages = [Text(_pages(citation.pages, tag))] if citation.pages else []
    ids = [Text(f"{label} {value}") for label, value in citation.ids if label != "ISBN"]
    if _is_book(citation):
        whole = citation.work if citation.chapter else citation.title
        title = _bracketed(whole, "《", "》")
        if citation.chapter:
            title = _join([_bracketed(citation.chapter if citation.kind != "encyclopedia"
                                      or citation.title == () else citation.title,
                                      "〈", "〉"), title], "，")
        title = _link(title, citation.url)
        lead = _join([_join([authors, editors], "；"), title], "：")
        full = _join([lead, numbering, place, [Text(date)] if date else [], pages,
                      *[[i] for i in ids]], "，")
        short = _join([list(_family(citation.authors[0])) if citation.authors else [],
                       _bracketed(citation.title or whole, "《", "》")], "：")
    else:
        title = _link(_bracketed(citation.title or citation.chapter, "〈", "〉"), citation.url)
        work = _bracketed(citation.work, "《", "》")
        kind = {"press release": words["press_release"], "interview": words["interview"]}.get(
            citation.kind, "")
        lead = _join([_join([authors, editors], "；"), title], "：") if (authors or editors) \
            else title
        full = _join([lead, work, [Text(kind)] if kind else [], list(citation.publisher),
                      [Text(date)] if date else [], numbering, pages, *[[i] for i in ids]], "，")
        short = _join([list(_family(citation.authors[0])) if citation.authors else [],
                       _bracketed(citation.title or citation.chapter, "〈", "〉") or work], "：")
    if citation.access_date:
        full.append(Text("（" + words["accessed"].format(
            date=format_date(citation.access_date, tag)) + "）"))
    return full, short


def _english(citation: Citation, tag: str) -> tuple[list[Inline], list[Inline]]:
    words = labels(tag)
    authors = _people(citation.authors, citation.more_authors, tag)
    editors = _editors(citation.editors, tag)
    date = format_date(citation.date, tag) if citation.date else ""
    pages = [Text(_pages(citation.pages, tag))] if citation.pages else []
    numbering = _join([
        [Text(words["volume"].format(value=citation.volume))] if citation.volume else [],
        [Text(words["issue"].format(value=citation.issue))] if citation.issue else []], ", ")
    place = _join([list(citation.place), list(citation.publisher)], ": ")
    ids = [Text(f"{label} {value}") for label, value in citation.ids if label != "ISBN"]
    names = _join([authors, editors], "; ")
    if _is_book(citation):
        whole = citation.work if citation.chapter else citation.title
        title = _link([Emphasis(tuple(whole))] if whole else [], citation.url)
        if citation.chapter:
            title = _join([[Text("“"), *citation.chapter, Text("”")], [Text(words["in"] + " ")]
                           + title], ". ")
        edition = plain_text(citation.edition).strip()
        if edition.isdigit():
            edition = words["edition"].format(value=edition + _ordinal(int(edition)))
        full = _join([names, title, [Text(edition)] if edition else [], place,
                      [Text(date)] if date else [],
                      pages, *[[i] for i in ids]], ". ")
        short = _join([list(_family(citation.authors[0])) if citation.authors else [],
                       [Emphasis(tuple(citation.title or whole))]], ", ")
    else:
        title = _link(_bracketed(citation.title or citation.chapter, "“", "”"), citation.url)
        work = [Emphasis(tuple(citation.work))] if citation.work else []
        kind = {"press release": words["press_release"], "interview": words["interview"]}.get(
            citation.kind, "")
        full = _join([names, title, _join([work, numbering], " "), [Text(kind)] if kind else [],
                      list(citation.publisher), [Text(date)] if date else [], pages,
                      *[[i] for i in ids]], ". ")
        short = _join([list(_family(citation.authors[0])) if citation.authors else [],
                       _bracketed(citation.title or citation.chapter, "“", "”") or work], ", ")
    if citation.access_date:
        full += [Text(". " + words["accessed"].format(
            date=format_date(citation.access_date, tag)))]
    return full, short


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _link(title: list[Inline], url: str) -> list[Inline]:
    return [ExternalLink(url, tuple(title))] if url and title else title
