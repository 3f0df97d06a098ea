"""Test helpers: what a reader's device shows of an EPUB, laid out by WeasyPrint."""
from __future__ import annotations

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
