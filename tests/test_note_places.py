"""End to end: a note in every construct reaches every edition, the same calls and the same
notes in the PDF and the EPUB of both scripts (issue 17, "the same notes in every edition").

``tests/cases/note_places.wiki`` puts a note in an infobox, the lead, a heading, a list item, a
numbered item, a link label, a table caption, a table cell, a figure caption, a gallery
caption, a quotation, a poem, a term and a definition; a named ref used three times, a
list-defined ref, a ``<ref group>``, ``{{efn}}``, ``{{NoteTag}}``, an ``{{efn}}`` inside a
``<ref>`` and a ``<ref>`` inside an ``{{efn}}``. Each note's text starts with a marker ``Q…``.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from publish.cli import main
from tests.helpers import ROOT
from tests.pdftext import lines

pytestmark = pytest.mark.e2e

SOURCE = ROOT / "tests" / "cases" / "note_places.wiki"
SCRIPTS = ("zh-Hans", "zh-Hant")
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = {"opf": "http://www.idpf.org/2007/opf"}
#: The print edition's note size (publish/writers/pdf.py, the book profile).
NOTE_SIZE = 8.0
#: How many notes each group has: a citation a use (the named ref three times), an
#: explanatory note once each.
GROUPS = {"citations": 17, "lower-alpha": 6, "NoteTag": 2, "注": 1}
MARKERS = re.findall(r"Q[a-z-]+(?= )", SOURCE.read_text(encoding="utf-8"))


def _group(label: str) -> str:
    if label.isdigit():
        return "citations"
    if re.fullmatch(r"[a-z]+", label):
        return "lower-alpha"
    if re.fullmatch(r"注\d+", label):
        return "NoteTag"
    if re.fullmatch(r"注 \d+", label):
        return "注"
    raise AssertionError(f"a label of no known group: {label!r}")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("note-places")
    source = out / SOURCE.name
    shutil.copy(SOURCE, source)
    assert main(["build", str(source), "--out", str(out), "--quiet"]) == 0
    assert main(["build", str(source), "--out", str(out), "--format", "epub", "--script",
                 "zh-Hant", "--vertical", "--quiet"]) == 0
    return out


def _path(books: Path, script: str, kind: str) -> Path:
    return books / f"note_places.{script}.{kind}"


def _pages(epub: Path) -> list:
    """The EPUB's XHTML pages, parsed, in spine order."""
    with zipfile.ZipFile(epub) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        hrefs = {item.get("id"): item.get("href")
                 for item in opf.iterfind(".//opf:manifest/opf:item", OPF)}
        return [etree.fromstring(book.read("EPUB/" + hrefs[ref.get("idref")]))
                for ref in opf.iterfind(".//opf:spine/opf:itemref", OPF)]


def _text(element) -> str:
    return re.sub(r"\s+", "", "".join(element.itertext()))


def epub_notes(epub: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """(each note call's label, each footnote's (label, text)) in reading order; every call
    leads to its footnote and back."""
    calls, notes = [], []
    for page in _pages(epub):
        asides = {aside.get("id"): aside for aside in page.iter(f"{XHTML}aside")
                  if aside.get(EPUB_TYPE) == "footnote"}
        for ref in page.iter(f"{XHTML}a"):
            if ref.get(EPUB_TYPE) != "noteref":
                continue
            calls.append("".join(ref.itertext()))
            aside = asides[ref.get("href").removeprefix("#")]
            back = next(a for a in aside.iter(f"{XHTML}a") if a.get("role") == "doc-backlink")
            assert back.get("href") == "#" + ref.get("id")
        for aside in asides.values():
            back = next(a for a in aside.iter(f"{XHTML}a") if a.get("role") == "doc-backlink")
            label = "".join(back.itertext()).removesuffix(".")
            notes.append((label, _text(aside).removeprefix(_text(back))))
    return calls, notes


def epub_lists(epub: Path) -> list[tuple[str, str]]:
    """Each entry of the explanatory-note lists: (label, text)."""
    entries = []
    for page in _pages(epub):
        for item in page.iterfind(f".//{XHTML}ol[@class='notelist']/{XHTML}li"):
            label = item.find(f"{XHTML}span")
            entries.append((label.text.removesuffix("."), _text(item).removeprefix(_text(label))))
    return entries


def pdf_notes(pdf: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """(the note each call links to, each footnote's (label, text)) in page order: footnotes
    are the lines in note type, each starting with its bold label."""
    with pikepdf.open(pdf) as document:
        linked = []
        for page in document.pages:
            for annotation in page.get("/Annots", ()):
                action = annotation.get("/A")
                destination = str(action.get("/D")) if action is not None and "/D" in action \
                    else str(annotation.get("/Dest", ""))
                if destination.startswith("note-"):
                    linked.append(destination)
    notes: list[tuple[str, str]] = []
    for line in lines(pdf):
        if abs(line.size - NOTE_SIZE) > 0.2:
            continue
        start = re.match(r"(注 ?\d+|\d+|[a-z]+)\.(.*)", line.text)
        if start:
            notes.append((start.group(1), re.sub(r"\s+", "", start.group(2))))
        else:  # a note's next line
            label, text = notes[-1]
            notes[-1] = (label, text + re.sub(r"\s+", "", line.text))
    return linked, notes


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_note_reaches_both_editions_with_the_same_calls_and_texts(books, script):
    epub_calls, epub_footnotes = epub_notes(_path(books, script, "epub"))
    linked, pdf_footnotes = pdf_notes(_path(books, script, "pdf"))
    # The same notes, in the same order, with the same labels and texts.
    assert pdf_footnotes == epub_footnotes
    # Counted per group: the same in both, and what the source holds.
    assert Counter(_group(label) for label, _ in epub_footnotes) == GROUPS
    assert Counter(_group(label) for label in epub_calls) == GROUPS
    # A call for every note in both: the EPUB's links, the PDF's note links.
    assert sorted(epub_calls) == sorted(label for label, _ in epub_footnotes)
    assert len(linked) == len(set(linked)) == len(pdf_footnotes)
    # Each note's text is there, the named ref's three times (a citation a use).
    expected = Counter(MARKERS)
    expected["Qnamed"] = 3
    assert Counter(re.match(r"Q[a-z-]+", text).group(0) for _, text in epub_footnotes) == expected


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_note_inside_a_note_is_a_footnote_of_its_own_after_it(books, script):
    _, pdf_footnotes = pdf_notes(_path(books, script, "pdf"))
    _, epub_footnotes = epub_notes(_path(books, script, "epub"))
    for footnotes in (pdf_footnotes, epub_footnotes):
        for outer_marker, inner_marker in (("Qouter", "Qinner"), ("Qefn-outer", "Qefn-inner")):
            outer = next(index for index, (_, text) in enumerate(footnotes)
                         if text.startswith(outer_marker))
            inner_label, inner_text = footnotes[outer + 1]
            assert inner_text.startswith(inner_marker)
            # The outer note shows the inner one's mark, not its text.
            assert inner_label in footnotes[outer][1]
            assert inner_marker not in footnotes[outer][1]


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_note_lists_hold_each_explanatory_note_once(books, script):
    _, epub_footnotes = epub_notes(_path(books, script, "epub"))
    explanatory = sorted((label, text) for label, text in epub_footnotes if not label.isdigit())
    assert sorted(epub_lists(_path(books, script, "epub"))) == explanatory
    # In print each is there twice: its footnote and its entry in the list.
    pdf_text = subprocess.run(["pdftotext", str(_path(books, script, "pdf")), "-"],
                              capture_output=True, text=True, check=True).stdout
    pdf_text = re.sub(r"\s+", "", pdf_text)
    for label, text in explanatory:
        assert pdf_text.count(f"{label}.{text}".replace(" ", "")) == 2, (label, text)


def test_the_vertical_book_carries_the_same_notes(books):
    assert epub_notes(books / "note_places.zh-Hant.vertical.epub") == \
        epub_notes(_path(books, "zh-Hant", "epub"))
