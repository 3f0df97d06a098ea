"""End to end: the seed's books as readers' devices and tools read them (issue 16)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import ROOT, SEED
from tests.devices import bad_line_starts, table_faults, unpack
from publish.cli import main

pytestmark = pytest.mark.e2e

SCRIPTS = ("zh-Hans", "zh-Hant")
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
NOTES = 49


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    """Both scripts' EPUBs and the vertical one."""
    out = tmp_path_factory.mktemp("devices")
    assert main(["build", str(SEED), "--out", str(out), "--format", "epub", "--quiet"]) == 0
    assert main(["build", str(SEED), "--out", str(out), "--format", "epub", "--script",
                 "zh-Hant", "--vertical", "--quiet"]) == 0
    return out


def _epub(books: Path, script: str, vertical: bool = False) -> Path:
    return books / f"中苏关系.{script}{'.vertical' if vertical else ''}.epub"


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as book:
        return book.read(f"EPUB/{name}")


def _opf(path: Path):
    return etree.fromstring(_read(path, "content.opf"))


# ------------------------------------------------------------------ 1. phone widths

@pytest.mark.parametrize("script,width", [("zh-Hans", 360), ("zh-Hant", 360),
                                          ("zh-Hans", 400), ("zh-Hans", 600)])
def test_no_line_starts_with_a_note_call_or_closing_mark_on_a_phone(books, tmp_path, script,
                                                                     width):
    package = unpack(_epub(books, script), tmp_path)
    assert bad_line_starts(package, width) == []


#: Real articles with tables: a nine-column table of vote counts and percentages, an awards
#: table of short names and long cells, and lyrics in romaji with forced line breaks.
TABLE_ARTICLES = ("roc_presidential_election_1996", "happy_together_film", "kimigayo")


@pytest.fixture(scope="module")
def table_books(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("table-devices")
    sources = [str(ROOT / "tests" / "articles" / f"{name}.wiki") for name in TABLE_ARTICLES]
    assert main(["build", *sources, "--out", str(out), "--format", "epub", "--quiet"]) == 0
    return out


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("name", TABLE_ARTICLES)
def test_no_number_or_word_in_a_table_is_split_or_clipped_on_a_phone(table_books, tmp_path,
                                                                     name, script):
    package = unpack(table_books / f"{name}.{script}.epub", tmp_path)
    assert table_faults(package, 360) == []


# ------------------------------------------------------------------ 2 and 7. the package

def test_the_vertical_book_declares_its_writing_mode_and_page_order(books):
    vertical = _opf(_epub(books, "zh-Hant", vertical=True))
    assert vertical.xpath("//opf:meta[@name='primary-writing-mode']/@content",
                          namespaces=OPF) == ["vertical-rl"]
    assert vertical.find("opf:spine", OPF).get("page-progression-direction") == "rtl"
    horizontal = _opf(_epub(books, "zh-Hant"))
    assert horizontal.xpath("//opf:meta[@name='primary-writing-mode']", namespaces=OPF) == []
    assert horizontal.find("opf:spine", OPF).get("page-progression-direction") is None


@pytest.mark.parametrize("script", SCRIPTS)
def test_one_generator_a_language_with_its_script_and_an_identifier_calibre_keeps(books,
                                                                                  script):
    opf = _opf(_epub(books, script))
    assert opf.xpath("//opf:meta[@name='generator']/@content", namespaces=OPF) == \
        ["publish 0.1.0"]
    assert opf.xpath("//dc:language/text()", namespaces=OPF) == [script]
    package_id = opf.xpath("//dc:identifier[@id=$id]/text()", id=opf.get("unique-identifier"),
                           namespaces=OPF)[0]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", package_id)
    # calibre keeps an identifier of a named scheme and makes its urn:uuid the Kindle ASIN.
    assert opf.xpath("//dc:identifier/text()", namespaces=OPF) == \
        [package_id, "publish:" + package_id]


def test_each_rendition_has_its_own_stable_identifier(books, tmp_path):
    def identifier(path):
        opf = _opf(path)
        return opf.xpath("//dc:identifier[@id=$id]/text()", id=opf.get("unique-identifier"),
                         namespaces=OPF)[0]

    names = [identifier(_epub(books, "zh-Hans")), identifier(_epub(books, "zh-Hant")),
             identifier(_epub(books, "zh-Hant", vertical=True))]
    assert len(set(names)) == 3
    assert main(["build", str(SEED), "--out", str(tmp_path), "--format", "epub", "--script",
                 "zh-Hant", "--vertical", "--quiet"]) == 0
    again = _epub(tmp_path, "zh-Hant", vertical=True)
    assert again.read_bytes() == _epub(books, "zh-Hant", vertical=True).read_bytes()


# ------------------------------------------------------------------ 3. vertical numbers

def _spans(markup: str, kind: str) -> list[str]:
    return re.findall(rf'<span class="{kind}">([^<]*)</span>', markup)


def test_vertical_numbers_sit_across_the_column_or_stand_upright_whole(books):
    path = _epub(books, "zh-Hant", vertical=True)
    chapters = "".join(_read(path, f"text/chapter-{n:02d}.xhtml").decode() for n in (1, 2))
    tcy, upright = _spans(chapters, "tcy"), _spans(chapters, "upright")
    assert "1917" in tcy and "25" in tcy and "2.78" in tcy
    assert "1,049" in upright and "12.35" in upright  # the separators stay in the column
    assert all(len(number) <= 4 for number in tcy)
    assert all(len(number) > 4 for number in upright)
    titlepage = _read(path, "text/titlepage.xhtml").decode()
    assert _spans(titlepage, "tcy") == ["2026", "11", "25"]
    nav = _read(path, "text/nav.xhtml").decode()
    assert "1917" in _spans(nav, "tcy") and "1949" in _spans(nav, "tcy")
    backlinks = re.findall(r'role="doc-backlink"[^>]*>(.*?)</a>', chapters)
    assert backlinks and all(link.startswith('<span class="tcy">') for link in backlinks)
    css = _read(path, "styles/book.css").decode()
    rule = re.search(r"html\.vertical \.tcy, html\.vertical \.noteref \{([^}]*)\}", css)
    assert rule and "text-combine-upright: all" in rule.group(1)
    calls = re.search(r"html\.vertical \.noteref, [^{]*\{([^}]*)\}", css)
    assert calls and "vertical-align: super" in calls.group(1)


def test_no_digit_is_left_sideways_in_the_vertical_text(books):
    path = _epub(books, "zh-Hant", vertical=True)
    with zipfile.ZipFile(path) as book:
        names = [n for n in book.namelist() if n.endswith(".xhtml")]
    for name in names:
        root = etree.fromstring(_read(path, name.removeprefix("EPUB/")))
        for element in root.find(f"{XHTML}body").iter():
            classes = set((element.get("class") or "").split())
            if classes & {"tcy", "upright", "noteref", "isbn"} \
                    or "://" in (element.text or ""):
                continue  # numbers set upright; addresses and ISBNs are one sideways run
            for text in (element.text, *(child.tail for child in element)):
                assert not re.search(r"\d", text or ""), (name, text)


# ------------------------------------------------------------------ 6. notes and landmarks

@pytest.mark.parametrize("script", SCRIPTS)
def test_a_chapters_notes_follow_it_under_a_heading_and_the_landmarks_stay_hidden(books,
                                                                                 script):
    path = _epub(books, script)
    notes = 0
    for index in range(1, 6):
        root = etree.fromstring(_read(path, f"text/chapter-{index:02d}.xhtml"))
        asides = [a for a in root.iter(f"{XHTML}aside") if a.get(EPUB_TYPE) == "footnote"]
        if not asides:
            continue
        notes += len(asides)
        section = asides[0].getparent()
        assert section.get("class") == "notes"
        assert all(aside.getparent() is section for aside in asides)
        heading = section[0]
        assert heading.tag == f"{XHTML}h2" and heading.text == \
            ("注释" if script == "zh-Hans" else "註釋")
    assert notes == NOTES
    nav = etree.fromstring(_read(path, "text/nav.xhtml"))
    landmarks = [n for n in nav.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "landmarks"][0]
    assert landmarks.get("hidden") == "hidden"
    assert [child.tag for child in landmarks] == [f"{XHTML}ol"]  # no second 目录 heading
    css = _read(path, "styles/book.css").decode()
    assert re.search(r"\[hidden\] \{ display: none; \}", css)
    assert re.search(r"\.notes \{ border-top: thin solid", css)
