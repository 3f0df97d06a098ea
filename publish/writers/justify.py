"""PDF writer helper: inter-character justification for Chinese lines in WeasyPrint.

WeasyPrint 70 justifies only by widening spaces (``justify_line`` in ``layout/inline.py``), so
a Chinese line, which has none, stays ragged whenever the line-breaking rules (no 。 at a line
start) push a character down. CSS Text 3 calls the fix ``text-justify: inter-character``:
spread the extra width over the gaps between characters. :func:`install` replaces WeasyPrint's
``justify_line`` with one that does this for lines holding CJK text and falls back to the
original for others. It works through each text box's ``letter-spacing`` (a copied style), the
one spacing WeasyPrint reapplies when it draws the box, so layout and drawing agree.
"""
from __future__ import annotations

import re

__all__ = ["install"]

_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff]")
#: Beyond this share of an em per gap the line is left as it is (a short line before a forced
#: break, or a line WeasyPrint could not fill): wide letter-spacing reads worse than a ragged end.
MAX_SPACING_EM = 0.25

_installed = False


def install() -> None:
    """Patch WeasyPrint once per process (it is pinned to the 70 series in pyproject.toml)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import inline

    original = inline.justify_line

    def justify_line(context, line, extra_width):
        boxes = list(_text_boxes(line))
        # Only runs holding Chinese are spread: a URL or a Latin phrase keeps its spacing.
        spread = [box for box in boxes if _CJK.search(box.text)]
        if not spread or extra_width <= 0:
            return original(context, line, extra_width)
        count = sum(len(box.text) for box in spread)
        if boxes[-1] is spread[-1]:
            count -= 1  # nothing goes after the line's last character
        if count <= 0:
            return original(context, line, extra_width)
        spacing = extra_width / count
        if spacing > MAX_SPACING_EM * spread[0].style["font_size"]:
            return original(context, line, extra_width)
        _spread(context, line, spacing, 0, boxes[-1], {id(box) for box in spread})

    inline.justify_line = justify_line
    _installed = True


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _spread(context, box, spacing: float, x_advance: float, last, spread: set[int]) -> float:
    """Move ``box`` right by ``x_advance``; widen the text of the boxes in ``spread`` by
    ``spacing`` a character."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import create_layout

    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if id(box) not in spread:
            return x_advance
        gaps = len(box.text) - (1 if box is last else 0)
        if gaps <= 0:
            return x_advance
        style = box.style.copy()
        base = style["letter_spacing"]
        style["letter_spacing"] = (0 if base == "normal" else base) + spacing
        box.style = style
        layout = create_layout(box.text, style, context, max_width=None,
                               justification_spacing=box.justification_spacing)
        layout.deactivate()
        box.pango_layout = layout
        box.width += spacing * gaps
        return x_advance + spacing * gaps
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spacing, x_advance, last, spread)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)
    return x_advance
