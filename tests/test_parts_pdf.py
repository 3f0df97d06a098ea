"""Writer: a book laid out in parts and joined reads as one book — page numbers running on,
the contents' numbers and links, bookmarks, notes on their calls' pages, one structure tree,
every note and the last word in it; and a long source is laid out in parts in bounded memory."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from publish import pipeline, transforms
from publish.media import Media
from publish.readers.source import read
from publish.report import Report
from publish.writers import pdf_join
from publish.writers.html import Translator
from publish.writers.parts import cut
from publish.writers.pdf import write_pdf
from tests.pdftext import note_pages
from tests.shapes import MB, SENTINEL, measured, notes

pytestmark = pytest.mark.e2e


def _document(source: Path, report: Report):
    document = read(source, report, encoding="utf-8", max_bytes=4 * MB)
    document = replace(document, meta=replace(
        document.meta, source_date=pipeline.source_date(document, source)))
    return transforms.apply(document, "zh-Hans", report)


def _pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, Path, Report]:
    """A source of 576 notes in twelve chapters of two sections each, laid out in parts of
    about 150 notes, and as one document."""
    folder = tmp_path_factory.mktemp("parts")
    source = folder / "notes.wiki"
    source.write_text(_chapters(), encoding="utf-8")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1793145600")
    report = Report(source=str(source))
    document = _document(source, report)
    in_parts, whole = folder / "parts.pdf", folder / "whole.pdf"
    write_pdf(document, in_parts, report, media=Media.of(source), part_weight=150)
    write_pdf(document, whole, Report(source=str(source)), media=Media.of(source))
    return in_parts, whole, report


def _chapters() -> str:
    """Twelve chapters of two sections of three paragraphs of eight sentences, each with a
    note of its own numbered on through the book (第1条 … 第576条)."""
    out, note = ["导言。"], 0
    for chapter in range(1, 13):
        out.append(f"== 第{chapter}节 ==")
        for section in range(1, 3):
            out.append(f"=== 第{chapter}.{section}小节 ===")
            for paragraph in range(3):
                sentences = []
                for _ in range(8):
                    note += 1
                    sentences.append(f"本节的第{note}句话说明一件事情，并且写得足够长，"
                                     f"好让一段文字占去几行。<ref>注释第{note}条。</ref>")
                out.append("".join(sentences))
    out += [SENTINEL, "== 参考文献 ==\n{{Reflist}}"]
    return "\n\n".join(out) + "\n"


def test_it_was_laid_out_in_parts_and_joined_without_a_warning(book):
    in_parts, whole, report = book
    # The source has no .toml: its address is unknown, and nothing else is said.
    assert [warning.code for warning in report.warnings] == ["metadata-missing"]
    # A part begins on a new page: a few more pages than the book as one document.
    with pikepdf.open(in_parts) as joined, pikepdf.open(whole) as one:
        assert len(one.pages) < len(joined.pages) < len(one.pages) + 8


def test_every_page_number_is_the_pages_place_in_the_book(book):
    pages = _pages(book[0])
    numbered = 0
    for index, text in enumerate(pages, 1):
        last = [line.strip() for line in text.splitlines() if line.strip()][-1]
        if last.isdigit():
            assert int(last) == index
            numbered += 1
    assert numbered > len(pages) - 4  # all but the title page, imprint and contents


def test_the_contents_give_the_page_each_heading_is_on_and_link_to_it(book):
    in_parts = book[0]
    pages = _pages(in_parts)
    # The contents are the pages of dot leaders (two here).
    listing = [index for index, text in enumerate(pages) if "……" in text]
    contents = "".join(pages[index] for index in listing)
    entries = re.findall(r"^\s*(\S+?)\s*…+\s*(\d+)\s*$", contents, re.MULTILINE)
    # Twelve chapters, 24 sections and the list of sources.
    assert len(entries) == 37 and entries[-1][0] == "参考文献"
    for title, number in entries:
        holding = [index for index, text in enumerate(pages[3:], 4)
                   if re.search(rf"^\s*{title}\s*$", text, re.MULTILINE)]
        assert holding[:1] == [int(number)], title
    with pikepdf.open(in_parts) as pdf:
        page_numbers = {page.objgen: index for index, page in enumerate(pdf.pages, 1)}
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        targets = []
        for index in listing:
            for annotation in pdf.pages[index].get("/Annots", []):
                if "/Dest" in annotation:
                    destination = names[str(annotation.Dest)]
                    targets.append(page_numbers[destination[0].objgen])
        assert sorted(set(targets)) == sorted({int(number) for _, number in entries})
        # The bookmarks, in order, to the same pages.
        with pdf.open_outline() as outline:
            marks, stack = [], list(reversed(outline.root))
            while stack:  # depth first: each chapter, then its sections
                item = stack.pop()
                marks.append((item.title, page_numbers[item.destination[0].objgen]))
                stack.extend(reversed(item.children))
        assert [(title, int(number)) for title, number in entries] == \
            [mark for mark in marks if mark[0] in dict(entries)]


def test_each_note_is_on_its_calls_page_and_every_note_and_the_last_word_is_there(book, tmp_path):
    in_parts = book[0]
    calls, notes_on = note_pages(in_parts)
    assert len(calls) > 500 and calls == {n: notes_on[n] for n in calls}
    text = "".join(_pages(in_parts))
    assert SENTINEL in text
    # Each note's text (and the list of sources) holds its own 第N条: all are there.
    wanted = set(re.findall(r"<ref>注释(第\d+条)。</ref>", _chapters()))
    assert len(wanted) == 576 and wanted <= set(re.findall(r"第\d+条", text))


def test_the_joined_book_has_one_structure_tree_retagged(book):
    with pikepdf.open(book[0]) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 if isinstance(root.K, pikepdf.Array) else True
        keys = [int(page.StructParents) for page in pdf.pages]
        assert len(set(keys)) == len(keys)
        tags = {str(element.S) for element in _elements(root)}
        # Retagged: notes and the contents' entries as the retagging makes them.
        assert {"/Note", "/TOCI", "/Link"} <= tags


def _elements(root):
    stack = list(root.K) if isinstance(root.K, pikepdf.Array) else [root.K]
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            yield element
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif kids is not None:
                stack.append(kids)



def _outline(path: Path) -> list[tuple[str, list]]:
    """A PDF's bookmarks as (title, the bookmarks under it)."""
    def items(container):
        out, item = [], container.get("/First")
        while item is not None:
            out.append((str(item.Title), items(item)))
            item = item.get("/Next")
        return out

    with pikepdf.open(path) as pdf:
        return items(pdf.Root.get("/Outlines", {}))


def test_a_book_cut_inside_its_chapters_has_the_bookmarks_of_the_book_laid_out_whole(
        tmp_path: Path):
    lines = []
    for chapter in (1, 2):
        lines.append(f"== 第{chapter}章 ==")
        for section in (1, 2, 3):
            lines.append(f"=== 第{chapter}.{section}节 ===")
            lines.append("".join(f"第{chapter}.{section}节的第{n}句。<ref>注{chapter}.{section}.{n}。"
                                 f"</ref>" for n in range(1, 9)))
    source = tmp_path / "cut.wiki"
    source.write_text("\n\n".join(lines) + "\n\n== 参考文献 ==\n{{Reflist}}\n",
                      encoding="utf-8")
    report = Report(source=str(source))
    document = _document(source, report)
    # Parts of about one section: each chapter is cut between its sections.
    assert len(cut(document, Translator(document, "print", report), 12)) > 4
    in_parts, whole = tmp_path / "parts.pdf", tmp_path / "whole.pdf"
    write_pdf(document, in_parts, report, media=Media.of(source), part_weight=12)
    write_pdf(document, whole, Report(source=str(source)), media=Media.of(source))
    assert "pdf-parts" not in [warning.code for warning in report.warnings]
    outline = _outline(in_parts)
    assert outline == _outline(whole)
    assert [title for title, _ in outline] == ["第1章", "第2章", "参考文献"]
    assert [title for title, _ in outline[1][1]] == ["第2.1节", "第2.2节", "第2.3节"]


def test_parts_that_cannot_be_joined_give_the_book_as_one_document_with_a_warning(
        tmp_path: Path, monkeypatch):
    source = tmp_path / "short.wiki"
    source.write_text("".join(f"== 第{n}节 ==\n\n第{n}节的正文。<ref>注释{n}。</ref>\n\n"
                              for n in range(1, 4)) + "== 参考文献 ==\n{{Reflist}}\n",
                      encoding="utf-8")
    report = Report(source=str(source))
    document = _document(source, report)

    def refuse(parts, target, levels=None):
        raise pdf_join.JoinError("a part of an unknown shape")

    monkeypatch.setattr(pdf_join, "join", refuse)
    target = tmp_path / "short.pdf"
    write_pdf(document, target, report, media=Media.of(source), part_weight=1)
    assert [warning.code for warning in report.warnings][-1:] == ["pdf-parts"]
    assert "a part of an unknown shape" in report.warnings[-1].message
    text = "".join(_pages(target))
    assert all(f"注释{n}" in text for n in range(1, 4))
    # No part's scratch file is left behind.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["short.pdf", "short.wiki"]


@pytest.mark.slow
def test_a_2_mb_source_of_20000_notes_builds_its_pdf_under_2_gb(tmp_path: Path):
    """The size rule's worst shape: as one document it took 3.5 GB."""
    source = tmp_path / "notes.wiki"
    source.write_text(notes(2 * MB), encoding="utf-8")
    command = [sys.executable, "-m", "publish", "build", str(source), "--out",
               str(tmp_path / "out"), "--script", "zh-Hans", "--format", "pdf", "--jobs", "1"]
    usage = measured(command, 1800, {**os.environ, "SOURCE_DATE_EPOCH": "1793145600"})
    assert usage is not None, "the PDF failed or took over 30 minutes"
    assert usage.peak_mb < 2048, usage
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "out" /
                                                          "notes.zh-Hans.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert SENTINEL in text and "第20000条" in text
