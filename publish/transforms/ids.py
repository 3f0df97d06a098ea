"""Transform: give each section a stable id from its place in the outline (Document → Document).

Before: ``Section(title=…, id="")``; after: ``Section(title=…, id="s2-1")`` for the first
subsection of the second section. Ids are ASCII and the same in every script, so links and
file names never depend on conversion.
"""
from __future__ import annotations

import dataclasses

from ..model import Document, Section
from ..report import Report

__all__ = ["apply"]


def apply(document: Document, script: str | None, report: Report) -> Document:
    def number(sections: tuple[Section, ...], prefix: str) -> tuple[Section, ...]:
        out = []
        for index, section in enumerate(sections, 1):
            id_ = f"{prefix}{index}"
            out.append(dataclasses.replace(section, id=id_,
                                           sections=number(section.sections, id_ + "-")))
        return tuple(out)

    return dataclasses.replace(document, sections=number(document.sections, "s"))
