"""Test helpers: what a reader's device shows of an EPUB, laid out by WeasyPrint."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

#: Marks that must not begin a line (clreq 3.1.7).
CLOSING = "，。、；：？！）」』》〉】〕］｝”’"
#: The classes of a note call's parts.
CALL_CLASSES = {"noteref", "call-sep"}


def unpack(epub: Path, folder: Path) -> Path:
    """The EPUB's files under ``folder``; returns the folder of its package document."""
    with zipfile.ZipFile(epub) as book:
        book.extractall(folder)
    return folder / "EPUB"


def line_starts(xhtml: Path, width: int) -> list[tuple[str, bool]]:
    """Each laid-out line of ``xhtml`` (with its own stylesheet and fonts) on a screen
    ``width`` CSS pixels wide: its first characters, and whether they belong to a note call."""
    import weasyprint

    screen = weasyprint.CSS(string=f"@page {{ size: {width}px 4000px; margin: 0 }}")
    document = weasyprint.HTML(filename=str(xhtml)).render(stylesheets=[screen])
    starts = []
    for page in document.pages:
        _lines(page._page_box, starts)
    return starts


def _lines(box, starts: list) -> None:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.LineBox):
        first = _first_text(box, False)
        if first is not None:
            starts.append(first)
        return
    for child in getattr(box, "children", ()):
        _lines(child, starts)


def _first_text(box, in_call: bool):
    from weasyprint.formatting_structure import boxes

    classes = set((box.element.get("class") or "").split()) if box.element is not None \
        and box.element_tag in ("a", "span", "sup") else set()
    in_call = in_call or bool(classes & CALL_CLASSES)
    if isinstance(box, boxes.TextBox):
        return (box.text[:3], in_call) if box.text.strip() else None
    for child in getattr(box, "children", ()):
        found = _first_text(child, in_call)
        if found is not None:
            return found
    return None


def bad_line_starts(package: Path, width: int) -> list[str]:
    """Lines of the book's chapters that start with a note call or closing punctuation."""
    bad = []
    for xhtml in sorted((package / "text").glob("*.xhtml")):
        for text, in_call in line_starts(xhtml, width):
            if in_call or text[0] in CLOSING:
                bad.append(f"{xhtml.name}: {text}")
    return bad


#: Characters of a number or a Latin word: a line break between two of them splits it.
_WORD = re.compile(r"[0-9A-Za-z%]")


def table_faults(package: Path, width: int) -> list[str]:
    """What a screen ``width`` CSS pixels wide does wrong to the book's tables: a number or a
    Latin word split across the lines of a cell (``165,5`` / ``41``), and a table wider than
    its wrapper (clipped, or scrolled sideways at the reader's default type size)."""
    import weasyprint

    screen = weasyprint.CSS(string=f"@page {{ size: {width}px 4000px; margin: 0 }}")
    faults: list[str] = []
    for xhtml in sorted((package / "text").glob("*.xhtml")):
        document = weasyprint.HTML(filename=str(xhtml)).render(stylesheets=[screen])
        for page in document.pages:
            _check_tables(page._page_box, None, xhtml.name, faults)
    return faults


def _check_tables(box, wrapper, name: str, faults: list[str]) -> None:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.BlockBox) and "table-wrap" in (
            box.element.get("class") or "").split() and box.element_tag == "div":
        wrapper = box
    if isinstance(box, boxes.TableBox) and wrapper is not None:
        right = wrapper.content_box_x() + wrapper.width
        if box.position_x + box.margin_width() > right + 0.5:
            faults.append(f"{name}: a table {box.margin_width():.0f}px wide in "
                          f"{wrapper.width:.0f}px")
    if isinstance(box, boxes.TableCellBox):
        faults.extend(f"{name}: {split}" for split in _splits(box))
        return
    for child in getattr(box, "children", ()):
        _check_tables(child, wrapper, name, faults)


def _splits(cell) -> list[str]:
    """The words and numbers a cell's line breaks split: each block's lines are found in
    order in its element's text; a break with no space there, between two characters of a
    word or number, splits it."""
    from weasyprint.formatting_structure import boxes

    by_block: dict[int, tuple] = {}

    def collect(box, parent):
        if isinstance(box, boxes.LineBox):
            by_block.setdefault(id(parent), (parent, []))[1].append(_line_text(box))
            return
        for child in getattr(box, "children", ()):
            collect(child, box)

    collect(cell, None)
    splits = []
    for parent, texts in by_block.values():
        source = re.sub(r"\s+", " ", _element_text(parent.element))
        cursor = 0
        for before, after in zip(texts, texts[1:] + [None]):
            before = before.strip()
            found = source.find(before, cursor)
            assert found >= 0, f"a line not in its cell's text: {before!r} in {source!r}"
            cursor = found + len(before)
            if after is None or not before or not after.strip():
                continue
            joined = source[cursor:cursor + 1] != " "
            tail = re.search(r"[0-9A-Za-z%][.,]?$", before)
            if joined and tail and _WORD.match(after.strip()[0]):
                splits.append(f"{before[-8:]} / {after.strip()[:8]}")
    return splits


def _element_text(element) -> str:
    """An element's text, a forced line break (``<br>``) read as a space."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        parts.append(" " if tag.rsplit("}", 1)[-1] == "br" else _element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _line_text(line) -> str:
    from weasyprint.formatting_structure import boxes

    if isinstance(line, boxes.TextBox):
        return line.text
    return "".join(_line_text(child) for child in getattr(line, "children", ()))
