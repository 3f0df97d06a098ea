"""Tables and note groups in real outputs: a long table breaking across pages repeats its
header, a wide one is fitted (smaller type, then a landscape page) and never clipped, the EPUB
has captions and scoped header cells, and the two note groups are numbered apart."""
from __future__ import annotations

import re
import zipfile

import pdfplumber
import pytest
from lxml import etree

from tests.helpers import read
from publish.transforms import apply
from publish.writers.epub import write_epub
from publish.writers.pdf import write_pdf

pytestmark = pytest.mark.e2e

XHTML = "{http://www.w3.org/1999/xhtml}"

LONG_TABLE = "\n".join([
    "导言。",
    '{| class="wikitable"',
    "|+ 各县市投票结果",
    "! 县市 !! 得票数 !! 得票率",
    *[f"|-\n| 第{n}县 || {n * 1371:,} || {n % 97}.{n % 10}%" for n in range(1, 91)],
    "|}",
    "后文。",
])
WIDE_TABLE = "\n".join([
    "导言。",
    '{| class="wikitable"',
    "! " + " !! ".join(f"第{n}栏标题" for n in range(1, 15)),
    "|-",
    "| " + " || ".join(f"Q{n:02d}Z https://example.org/very/long/path/{n}/without/spaces"
                       for n in range(1, 15)),
    "|}",
    "后文。",
])
NOTE_GROUPS = (
    "正文甲{{efn|第一条说明。}}乙<ref>某书，第1页。</ref>丙{{efn|第二条说明<ref>某刊。</ref>}}丁。\n"
    "== 注释 ==\n{{notelist}}\n== 参考资料 ==\n{{reflist}}\n")


def _build(wikitext: str, tmp_path, script: str = "zh-Hans"):
    """The PDF and the EPUB of ``wikitext`` in ``script``."""
    document, report = read(wikitext)
    document = apply(document, script, report)
    pdf, epub = tmp_path / f"{script}.pdf", tmp_path / f"{script}.epub"
    write_pdf(document, pdf, report)
    write_epub(document, epub, report)
    return pdf, epub


def _pages(pdf) -> list[tuple[str, float, float, float]]:
    """Each page's text (no spaces), width, height and the right edge of its rightmost char."""
    out = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            text = re.sub(r"\s+", "", page.extract_text() or "")
            right = max((char["x1"] for char in page.chars), default=0.0)
            out.append((text, float(page.width), float(page.height), right))
    return out


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_a_long_table_repeats_its_header_on_every_page_it_spans(tmp_path, script):
    pdf, _ = _build(LONG_TABLE, tmp_path, script)
    pages = _pages(pdf)
    spanned = [text for text, *_ in pages if "县" in text and "%" in text
               or "縣" in text and "%" in text]
    assert len(spanned) >= 2
    header = "县市得票数得票率" if script == "zh-Hans" else "縣市得票數得票率"
    assert all(header in text for text in spanned)
    body = "".join(text for text, *_ in pages)
    for n in range(1, 91):  # every row is printed once
        assert body.count(f"第{n}{'县' if script == 'zh-Hans' else '縣'}") == 1


def test_a_wide_table_is_set_on_a_landscape_page_and_never_clipped(tmp_path):
    pdf, epub = _build(WIDE_TABLE, tmp_path)
    pages = _pages(pdf)
    landscape = [page for page in pages if page[1] > page[2]]
    assert landscape and "第14栏标题" in landscape[0][0]
    assert all(right <= width for _, width, _, right in pages)
    body = "".join(text for text, *_ in pages)
    # Each cell's URL is broken over lines inside its cell, all of it printed.
    assert body.count("spaces") == 14
    assert all(f"Q{n:02d}Z" in body for n in range(1, 15))


def test_the_epub_table_has_caption_scoped_headers_and_spans(tmp_path):
    _, epub = _build(LONG_TABLE.replace("| 第1县 ||", '| rowspan="2" | 第1县 ||'), tmp_path)
    with zipfile.ZipFile(epub) as book:
        root = etree.fromstring(book.read("EPUB/text/lead.xhtml"))
    table = next(root.iter(f"{XHTML}table"))
    assert table.findtext(f"{XHTML}caption") == "各县市投票结果"
    head = table.find(f"{XHTML}thead")
    assert [th.get("scope") for th in head.iter(f"{XHTML}th")] == ["col"] * 3
    assert any(td.get("rowspan") == "2" for td in table.iter(f"{XHTML}td"))


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_explanatory_notes_and_citations_are_numbered_apart(tmp_path, script):
    pdf, epub = _build(NOTE_GROUPS, tmp_path, script)
    text = "".join(text for text, *_ in _pages(pdf))
    # Footnotes: a and b for the explanatory notes, 1 and 2 for the citations.
    assert re.search(r"a\.第一(条|條)(说明|說明)", text) and re.search(r"b\.第二(条|條)", text)
    assert "1.某书" in text or "1.某書" in text
    with zipfile.ZipFile(epub) as book:
        chapters = "".join(book.read(name).decode() for name in book.namelist()
                           if name.endswith(".xhtml"))
    calls = re.findall(r'epub:type="noteref"[^>]*>([^<]+)</a>', chapters)
    assert calls[:3] == ["a", "1", "b"]
    # The note inside note b is a citation numbered in its own group.
    assert "2" in calls
    assert 'class="notelist"' in chapters and 'class="bibliography"' in chapters
