"""PDF writer helper: every change publish makes to WeasyPrint's internals, installed by one call.

:func:`install` imports WeasyPrint and, on a release the patches were
written and tested for (:data:`TESTED_VERSIONS`), makes five changes; on any other release it
makes none and says why, so the book is still built, as WeasyPrint sets it. Each patch has a
test against WeasyPrint's own layout or pydyf's own answer (tests/test_weasyprint_patches.py;
the two made for speed also tests/test_sizes.py) and a report ready to send upstream
(docs/upstream/). Documented CSS cannot replace any of them: with
``p { orphans: 1; widows: 1 }`` a paragraph's first line alone still pushes notes on (the
seed's A4 book then moves notes 1 and 44 off their calls' pages), WeasyPrint 70 reads no
``text-justify``, and the footnote area's cost is not a matter of style.

**Inter-character justification** (``inline.justify_line``). WeasyPrint justifies only by
widening spaces, so a Chinese line, which has none, stays ragged whenever the line-breaking
rules (no 。 at a line start) push a character down. CSS Text 3 calls the fix
``text-justify: inter-character``: spread the extra width over the gaps between characters.
The replacement does this for lines holding CJK text, through each text box's
``letter-spacing`` (a copied style), the one spacing WeasyPrint reapplies when it draws the
box, so layout and drawing agree; other lines go to WeasyPrint's own function.

**Notes stay with their calls** (``block._linebox_layout``). When a paragraph's first lines (as
many as ``orphans``) do not fit at the foot of a page, WeasyPrint moves the page's last notes
to the next page to make room (upstream #2432). That breaks ``footnote-policy: line``, which
promises every note the page of its call, and it never lays out the notes called in the line
it makes room for: without the patch the seed's A4 handout moves seven notes on and loses note
31. Where a note on the page has that policy, the line now goes to the next page, as the
policy says.

**The footnote area is measured note by note** (``LayoutContext._update_footnote_area``).
WeasyPrint lays out the whole footnote area again each time a note joins a page, so a page
with k notes lays out k(k+1)/2 of them: about a third of the seed's layout time. Each note is
now laid out alone, once per area width, and the heights are added up. The sum is what
WeasyPrint's own layout gives when no margins collapse between the notes (bar float rounding:
WeasyPrint's own sum sometimes finds an area overflowing by 2e-13 px and moves a line on; this
one does not). Notes with vertical margins, an area with anything but its notes in it, and
areas in columns go back to WeasyPrint's method. The page's final footnote area is still laid
out by WeasyPrint.

**A line's note calls are found directly** (``block._linebox_layout`` again). For every box of
every line WeasyPrint asks whether its note is among the document's notes not yet laid out, a
list; a box without a note asks too, with ``None``, and that walks the whole list. A book with
n notes and n lines spent time in n²: 20,000 notes did not finish in 900 s. The boxes without
a note now skip the question; the answer is the same.

**Page references are built once** (``pydyf.PDF.page_references``). The property builds the
tuple of every page's reference each time it is read, and WeasyPrint reads it for each tagged
box and each link: pages × boxes. It is now built once for a given list of pages.
"""
from __future__ import annotations

import inspect
import re
from math import inf
from numbers import Real

__all__ = ["TESTED_VERSIONS", "install"]

#: The WeasyPrint releases the patches were written for and pass their tests on.
TESTED_VERSIONS = ("70.0",)

_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff]")
#: Beyond this share of an em per gap the line is left as it is (a short line before a forced
#: break, or a line WeasyPrint could not fill): wide letter-spacing reads worse than a ragged end.
MAX_SPACING_EM = 0.25

#: The test in ``weasyprint.layout.block._linebox_layout`` that lets a line which does not fit
#: take room from the page's notes, and what it becomes: not if a note must keep its call's page.
_REPORT = "report = not context.in_column and can_break_now and not could_break_before"
_REPORT_KEEPING_CALLS = (_REPORT + " and not any(note.style['footnote_policy'] == 'line'"
                         " for note in context.current_page_footnotes)")

#: The test in the same function that picks out a line's note calls, and what it becomes:
#: ``None in context.footnotes`` (every box without a note) no longer walks the document's
#: notes yet to be laid out.
_NOTE_LOOKUP = "if descendant.footnote in context.footnotes)"
_NOTE_LOOKUP_DIRECT = ("if descendant.footnote is not None"
                       " and descendant.footnote in context.footnotes)")
#: Every change made to ``_linebox_layout``'s source: (WeasyPrint's text, publish's).
_LINEBOX_CHANGES = ((_REPORT, _REPORT_KEEPING_CALLS), (_NOTE_LOOKUP, _NOTE_LOOKUP_DIRECT))

#: None until :func:`install` runs; then "" (patched) or why WeasyPrint was left as it is.
_outcome: str | None = None


def install() -> str:
    """Import WeasyPrint and patch it, once per process; "" when patched, else the one-line
    reason it is left unpatched (for the build report)."""
    global _outcome
    if _outcome is None:
        import weasyprint

        if weasyprint.__version__ not in TESTED_VERSIONS:
            _outcome = (f"WeasyPrint {weasyprint.__version__} is not one publish's layout "
                        f"patches were tested with ({', '.join(TESTED_VERSIONS)}): set without "
                        "inter-character justification and with WeasyPrint's own footnotes")
        else:
            linebox_layout = _patched_linebox_layout()
            if linebox_layout is None:
                _outcome = ("WeasyPrint's layout source is not installed (make setup): set "
                            "without publish's layout patches")
            else:
                _patch(linebox_layout)
                _outcome = ""
    return _outcome


def _patch(linebox_layout) -> None:
    import pydyf
    from weasyprint.layout import LayoutContext, block, inline

    inline.justify_line = _justifying(inline.justify_line)
    block._linebox_layout = linebox_layout
    LayoutContext._update_footnote_area = _measuring_by_note(LayoutContext._update_footnote_area)
    pydyf.PDF.page_references = property(_page_references)


# ------------------------------------------------------------------ justification

def _justifying(original):
    """``justify_line`` spreading a Chinese line's extra width between its characters."""

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

    return justify_line


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


# ------------------------------------------------------------------ notes with their calls

def _patched_linebox_layout():
    """``_linebox_layout`` recompiled with :data:`_LINEBOX_CHANGES` made (a note keeps its
    call's page; a line's calls found without walking every note), or None where its source
    is not the one the changes were written for."""
    from weasyprint.layout import block

    try:
        source = inspect.getsource(block._linebox_layout)
    except (OSError, TypeError):
        return None
    if any(source.count(old) != 1 for old, _ in _LINEBOX_CHANGES):
        return None
    for old, new in _LINEBOX_CHANGES:
        source = source.replace(old, new)
    defined: dict = {}
    exec(compile(source, block.__file__, "exec"), vars(block), defined)
    return defined["_linebox_layout"]


# ------------------------------------------------------------------ page references

def _page_references(pdf) -> tuple[bytes, ...]:
    """``pydyf.PDF.page_references``, built once for a given list of pages instead of at each
    look-up (WeasyPrint looks one page up for every tagged box and every link)."""
    kids = pdf.pages["Kids"]
    key = (id(kids), len(kids))
    cached = pdf.__dict__.get("_publish_page_references")
    if cached is None or cached[0] != key:
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = pdf.__dict__["_publish_page_references"] = (key, references)
    return cached[1]


# ------------------------------------------------------------------ the footnote area

def _measuring_by_note(original):
    """``LayoutContext._update_footnote_area`` adding up notes laid out one by one."""

    def _update_footnote_area(context) -> bool:
        area = context.current_footnote_area
        if context.in_column or not context.current_page_footnotes:
            return original(context)
        sizes = [_note_size(context, area, note) for note in context.current_page_footnotes]
        if any(size is None for size in sizes) or not _numeric(area):
            return original(context)
        if area.height != "auto":
            context.page_bottom += area.margin_height()
        area.children = context.current_page_footnotes
        content = sum(size for size in sizes if size is not None)  # none is, by now
        area.height = max(min(content, area.max_height), area.min_height)
        context.page_bottom -= area.margin_height()
        # Overflow as WeasyPrint tells it: the last note ends below the area's border box.
        return content > area.height + area.padding_bottom + area.border_bottom_width

    return _update_footnote_area


def _note_size(context, area, note) -> float | None:
    """The border-box height of ``note`` laid out alone in ``area`` (cached on the layout
    context), or None where a sum of such heights would not be the area's content height."""
    from weasyprint.formatting_structure import build
    from weasyprint.layout.block import block_level_layout

    cache = context.__dict__.setdefault("_publish_note_sizes", {})
    key = (id(note), area.width)
    if key not in cache:
        children, area.children = area.children, [note]
        try:
            alone = block_level_layout(context, build.create_anonymous_boxes(area.deepcopy()),
                                       -inf, None, area.page)[0]
        finally:
            area.children = children
        laid = alone.children[-1] if len(alone.children) == 1 else None
        exact = (laid is not None and laid.margin_top == 0 and laid.margin_bottom == 0
                 and alone.height == laid.margin_height())
        size = laid.margin_height() if exact and laid is not None else None
        cache[key] = (note, size)  # note: keeps id() unique
    return cache[key][1]


def _numeric(area) -> bool:
    return all(isinstance(getattr(area, name), Real) for name in (
        "max_height", "min_height", "padding_bottom", "border_bottom_width", "margin_top",
        "margin_bottom", "padding_top", "border_top_width"))
