"""PDF writer helper: WeasyPrint 70's footnotes kept on the page of their call, and measured
note by note. :func:`install` makes two changes.

**Notes stay with their calls.** When a paragraph's first lines (as many as ``orphans``) do not
fit at the foot of a page, WeasyPrint moves the page's last notes to the next page to make room
(``_linebox_layout``, upstream #2432). That breaks ``footnote-policy: line``, which promises
every note the page of its call, and it never lays out the notes called in the line it makes
room for: on Letter paper the seed lost note 14 and moved note 13 on. Where a note on the page
has that policy, the line now goes to the next page, as the policy says.

**The area is measured note by note.** WeasyPrint lays out the whole footnote area again each
time a note joins a page (``LayoutContext._update_footnote_area``), so a page with k notes
lays out k(k+1)/2 of them: about a third of the seed's layout time. Each note is now laid out
alone, once per area width, and the heights are added up. The sum is what WeasyPrint's own
layout gives when no margins collapse between the notes (bar float rounding: WeasyPrint's own
sum sometimes finds an area overflowing by 2e-13 px and moves a line on; this one does not).
Notes with vertical margins, an area with anything but its notes in it, and areas in columns
go back to WeasyPrint's method. The page's final footnote area is still laid out by WeasyPrint.
"""
from __future__ import annotations

import inspect
from math import inf
from numbers import Real

from ..report import PublishError

__all__ = ["install"]

_installed = False


#: The test in ``weasyprint.layout.block._linebox_layout`` that lets a line which does not fit
#: take room from the page's notes, and what it becomes: not if a note must keep its call's page.
_REPORT = "report = not context.in_column and can_break_now and not could_break_before"
_REPORT_KEEPING_CALLS = (_REPORT + " and not any(note.style['footnote_policy'] == 'line'"
                         " for note in context.current_page_footnotes)")


def install() -> None:
    """Patch WeasyPrint once per process (it is pinned to the 70 series in pyproject.toml)."""
    global _installed
    if _installed:
        return
    _keep_notes_with_calls()
    _measure_area_by_note()
    _installed = True


def _keep_notes_with_calls() -> None:
    """Recompile ``_linebox_layout`` with the one test changed (see the module's docstring)."""
    from weasyprint.layout import block

    try:
        source = inspect.getsource(block._linebox_layout)
    except (OSError, TypeError):
        source = ""
    if source.count(_REPORT) != 1:
        from weasyprint import __version__

        raise PublishError(f"publish's footnote layout does not fit WeasyPrint {__version__}: "
                           "it needs the 70 series, with its sources (make setup)")
    defined: dict = {}
    exec(compile(source.replace(_REPORT, _REPORT_KEEPING_CALLS), block.__file__, "exec"),
         vars(block), defined)
    block._linebox_layout = defined["_linebox_layout"]


def _measure_area_by_note() -> None:
    """Replace ``LayoutContext._update_footnote_area`` (see the module's docstring)."""
    from weasyprint.layout import LayoutContext

    original = LayoutContext._update_footnote_area

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
        content = sum(sizes)
        area.height = max(min(content, area.max_height), area.min_height)
        context.page_bottom -= area.margin_height()
        # Overflow as WeasyPrint tells it: the last note ends below the area's border box.
        return content > area.height + area.padding_bottom + area.border_bottom_width

    LayoutContext._update_footnote_area = _update_footnote_area


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
        cache[key] = (note, laid.margin_height() if exact else None)  # note: keeps id() unique
    return cache[key][1]


def _numeric(area) -> bool:
    return all(isinstance(getattr(area, name), Real) for name in (
        "max_height", "min_height", "padding_bottom", "border_bottom_width", "margin_top",
        "margin_bottom", "padding_top", "border_top_width"))
