"""Test helper: a small MediaWiki XML dump (export schema 0.11, bz2) made from article files."""
from __future__ import annotations

import bz2
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = ["ARTICLES", "write_dump"]

ARTICLES = Path(__file__).resolve().parent / "articles"

_HEAD = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://www.mediawiki.org/xml/export-0.11/ \
http://www.mediawiki.org/xml/export-0.11.xsd" version="0.11" xml:lang="zh">
  <siteinfo>
    <sitename>Wikipedia</sitename>
    <dbname>zhwiki</dbname>
    <base>https://zh.wikipedia.org/wiki/Wikipedia:%E9%A6%96%E9%A1%B5</base>
    <generator>MediaWiki 1.43.0-wmf.1</generator>
    <case>first-letter</case>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="1" case="first-letter">Talk</namespace>
      <namespace key="14" case="first-letter">Category</namespace>
    </namespaces>
  </siteinfo>
"""


def page_xml(title: str, text: str, page_id: int, revision: int, *, namespace: int = 0,
             redirect: str = "", timestamp: str = "2024-05-01T08:00:00Z") -> str:
    """One ``<page>`` as the dumps write it."""
    redirect_tag = f"    <redirect title={quoteattr(redirect)} />\n" if redirect else ""
    return (f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{namespace}</ns>\n"
            f"    <id>{page_id}</id>\n{redirect_tag}    <revision>\n"
            f"      <id>{revision}</id>\n      <parentid>{revision - 1}</parentid>\n"
            f"      <timestamp>{timestamp}</timestamp>\n"
            f"      <contributor>\n        <username>Example</username>\n"
            f"        <id>1</id>\n      </contributor>\n"
            f"      <comment>test</comment>\n      <origin>{revision}</origin>\n"
            f"      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
            f"      <text bytes=\"{len(text.encode())}\" sha1=\"x\" xml:space=\"preserve\">"
            f"{escape(text)}</text>\n      <sha1>x</sha1>\n    </revision>\n  </page>\n")


def write_dump(path: Path, pages: list[str]) -> Path:
    """Write ``pages`` (from :func:`page_xml`) as a dump, bz2-compressed if ``path`` says so."""
    data = (_HEAD + "".join(pages) + "</mediawiki>\n").encode("utf-8")
    path.write_bytes(bz2.compress(data) if path.suffix == ".bz2" else data)
    return path


def corpus_dump(path: Path, *, failing: bool = True) -> Path:
    """Three corpus articles, one redirect, one disambiguation page, one talk page, and (if
    ``failing``) an article with no text, which cannot be built."""
    pages = [
        page_xml("靜夜思", (ARTICLES / "jing_ye_si.wiki").read_text(encoding="utf-8"), 11, 101),
        page_xml("静夜思", "#重定向 [[靜夜思]]", 12, 102, redirect="靜夜思"),
        page_xml("古斯塔夫·克林姆", (ARTICLES / "gustav_klimt.wiki").read_text(encoding="utf-8"),
                 13, 103, timestamp="2024-06-02T09:30:00Z"),
        page_xml("Talk:靜夜思", "讨论", 14, 104, namespace=1),
        page_xml("君之代 (消歧义)", "'''君之代'''可以指：\n* [[君之代]]\n{{disambig}}", 15, 105),
        page_xml("君之代", (ARTICLES / "kimigayo.wiki").read_text(encoding="utf-8"), 16, 106),
    ]
    if failing:
        pages.insert(3, page_xml("空白条目", "  \n", 17, 107))
    return write_dump(path, pages)
