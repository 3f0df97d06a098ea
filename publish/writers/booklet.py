"""PDF writer helper: a PDF of half-size pages → the same PDF imposed for a saddle-stitched booklet.

Pages are padded with blanks to a multiple of four, then set two to a side of each sheet in
the order that, printed double-sided (flip on the short edge), stacked and folded, reads 1, 2,
3 …: the first sheet's front holds the last page and page 1, its back page 2 and the one
before last, and so on inwards.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["impose", "saddle_order"]


def saddle_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, 1-based, of each side of each sheet; 0 is a blank."""
    total = -(-pages // 4) * 4
    sides = []
    for sheet in range(total // 4):
        low, high = 2 * sheet + 1, total - 2 * sheet
        sides.append((high, low))          # front: last, first
        sides.append((low + 1, high - 1))  # back: second, one before last
    return [(left if left <= pages else 0, right if right <= pages else 0)
            for left, right in sides]


def impose(path: Path, sheet) -> None:
    """Rewrite the PDF at ``path`` as booklet sheets of ``sheet`` size, landscape."""
    from pypdf import PdfReader, PdfWriter, Transformation

    reader = PdfReader(path)
    width, height = sheet.height, sheet.width  # landscape
    writer = PdfWriter()
    for left, right in saddle_order(len(reader.pages)):
        side = writer.add_blank_page(width=width, height=height)
        for slot, number in ((0, left), (1, right)):
            if not number:
                continue
            page = reader.pages[number - 1]
            page_width = float(page.mediabox.width)
            page_height = float(page.mediabox.height)
            x = slot * width / 2 + (width / 2 - page_width) / 2
            y = (height - page_height) / 2
            side.merge_transformed_page(page, Transformation().translate(x, y))
    writer.add_metadata({key: value for key, value in (reader.metadata or {}).items()})
    with open(path, "wb") as out:
        writer.write(out)
