"""Transform: number citation uses and resolve their notes; fill the bibliography (Document → Document).

Before::

    Paragraph(… NoteRef(source="s1", locator=(Text("第32页"),)) …)   Bibliography(sources=())

After::

    Paragraph(… NoteRef(source="s1", locator=…, number=3) …)          Bibliography(sources=("s1", …))
    Document.notes = (…, Note(3, "s1", (<short form of s1>, Text("，第32页。"))), …)

A source's first note carries its full entry, later ones its short form. Sources no note
cites are dropped; every other one is listed once, in order of first citation, where the
first ``{{Reflist}}`` stood (or in a closing section if there was none).
"""
from __future__ import annotations

import dataclasses

from ..labels import is_chinese, labels
from ..model import Bibliography, Document, Note, NoteRef, Section, Text, plain_text, rebuild
from ..report import Report

__all__ = ["apply"]

END_PUNCTUATION = "。．.！？!?"


def apply(document: Document, script: str, report: Report) -> Document:
    sources = {source.id: source for source in document.sources}
    chinese = is_chinese(script)
    notes: list[Note] = []
    cited: list[str] = []
    bibliographies = 0

    def visit(node):
        nonlocal bibliographies
        if isinstance(node, NoteRef):
            first = node.source not in cited
            if first:
                cited.append(node.source)
            source = sources[node.source]
            body = list(source.full if first else source.short)
            if node.locator:
                body += [Text("，" if chinese else ", "), *node.locator]
            if not plain_text(body).rstrip().endswith(tuple(END_PUNCTUATION)):
                body.append(Text("。" if chinese else "."))
            number = len(notes) + 1
            notes.append(Note(number, node.source, tuple(body)))
            return dataclasses.replace(node, number=number)
        if isinstance(node, Bibliography):
            bibliographies += 1
            if bibliographies > 1:
                report.warn("bibliography-repeated",
                            "more than one {{Reflist}}/<references/>; the sources are listed once")
                return []
        return node

    document = rebuild(document, visit)
    order = tuple(cited)

    def fill(node):
        return dataclasses.replace(node, sources=order) if isinstance(node, Bibliography) else node

    document = rebuild(document, fill)
    sections = document.sections
    if bibliographies == 0 and notes:
        sections = (*sections, Section((Text(labels(script)["bibliography"]),), 2,
                                       (Bibliography(order),)))
    return dataclasses.replace(document, sections=sections, notes=tuple(notes),
                               sources=tuple(sources[id_] for id_ in order))
