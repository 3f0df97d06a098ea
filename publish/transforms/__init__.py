"""Transforms: Document → Document steps run in a fixed order for one edition's choices.

An excerpt is chosen first and its paragraphs numbered, so notes and paragraph numbers run
from 1 through it; notes are numbered once, before script conversion, so every edition
numbers them alike.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Document
from ..report import Report
from . import citations, excerpt, ids, links, notes, paragraphs, script

__all__ = ["STEPS", "Choices", "apply"]


@dataclass(frozen=True)
class Choices:
    """Represents what an edition asks of the transforms, like ``Choices("zh-Hant", "1.2")``:
    its script (None: as read, not converted), the sections to keep (all when ""), and
    whether its paragraphs are numbered."""
    script: str | None
    sections: str = ""
    para_numbers: bool = False


def _links(document: Document, choices: Choices, report: Report) -> Document:
    return links.apply(document, choices.script, report)


def _citations(document: Document, choices: Choices, report: Report) -> Document:
    # Formatted first, in the edition's words (as read: the article's own), so notes carry
    # their text.
    return citations.apply(document, choices.script or document.meta.language or "zh", report)


def _excerpt(document: Document, choices: Choices, report: Report) -> Document:
    return excerpt.select(document, choices.sections) if choices.sections else document


def _paragraph_numbers(document: Document, choices: Choices, report: Report) -> Document:
    return paragraphs.number(document) if choices.para_numbers else document


def _notes(document: Document, choices: Choices, report: Report) -> Document:
    return notes.apply(document, choices.script, report)


def _script(document: Document, choices: Choices, report: Report) -> Document:
    return script.apply(document, choices.script, report) if choices.script else document


def _ids(document: Document, choices: Choices, report: Report) -> Document:
    return ids.apply(document, choices.script, report)


#: The steps, in order; each takes (document, choices, report) and returns a new document.
STEPS = (_citations, _links, _excerpt, _paragraph_numbers, _notes, _script, _ids)


def apply(document: Document, script_name: str | None, report: Report, *, sections: str = "",
          para_numbers: bool = False) -> Document:
    """The document ready for the writers of one edition: a script (``zh-Hans``, ``zh-Hant`` …)
    for a Chinese article, the language (``en`` …) for any other; None leaves it as it was
    read. Cut to ``sections`` and numbered if asked."""
    choices = Choices(script_name, sections, para_numbers)
    for step in STEPS:
        document = step(document, choices, report)
    return document
