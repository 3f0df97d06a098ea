"""Transform: number the paragraphs 1, 2, 3 … in reading order (Document → Document).

Before: ``P("甲…") P("乙…")``; after: ``P("甲…", number=1) P("乙…", number=2)``. Writers show
the number in the margin (print) or as a small marker (EPUB), so a class can say
"paragraph 12". Run after an excerpt is chosen, so numbers run without gaps through it.
"""
from __future__ import annotations

import dataclasses

from ..model import ConversionRule, Document, Paragraph, rebuild

__all__ = ["number"]


def number(document: Document) -> Document:
    count = 0

    def visit(node):
        nonlocal count
        # A paragraph of conversion rules alone (a {{NoteTA}}) prints nothing.
        if isinstance(node, Paragraph) and not all(isinstance(child, ConversionRule)
                                                   for child in node.children):
            count += 1
            return dataclasses.replace(node, number=count)
        return node

    return rebuild(document, visit)
