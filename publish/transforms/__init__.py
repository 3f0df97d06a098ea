"""Transforms: Document → Document steps run in a fixed order for one script.

Notes are numbered once, before script conversion, so every edition numbers them alike.
"""
from __future__ import annotations

from ..model import Document
from ..report import Report
from . import citations, ids, notes, script

__all__ = ["STEPS", "apply"]

#: The steps, in order; each takes (document, script, report) and returns a new document.
#: Citations are formatted first, in the edition's words, so notes carry their text.
STEPS = (citations.apply, notes.apply, script.apply, ids.apply)


def apply(document: Document, script_name: str, report: Report) -> Document:
    """The document ready for the writers of one edition: a script (``zh-Hans``, ``zh-Hant``)
    for a Chinese article, the language (``en`` …) for any other."""
    for step in STEPS:
        document = step(document, script_name, report)
    return document
