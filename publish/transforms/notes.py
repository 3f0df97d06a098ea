"""Transform: number note uses per group and resolve their notes; fill each group's list (Document → Document).

Before::

    Paragraph(… NoteRef(source="s1", locator=(Text("第32页"),)) … NoteRef("s7", group="lower-alpha"))
    Bibliography(sources=())   Bibliography(sources=(), group="lower-alpha")

After::

    Paragraph(… NoteRef(source="s1", locator=…, number=3) … NoteRef("s7", number=4, group=…))
    Bibliography(sources=("s1", …))   Bibliography(sources=("s7",), group="lower-alpha")
    Document.notes = (…, Note(3, "s1", (<short form of s1>, Text("，第32页。")), label="2"),
                      Note(4, "s7", (…), group="lower-alpha", label="a"))

``number`` identifies each use's note across the document; ``label`` is what it prints,
counted within its group: citations (group ``""``) 1, 2, 3 … a use each, a source's first note
carrying its full entry and later ones its short form; every other group (explanatory notes)
a label per note, a, b, c … for ``lower-alpha``, 注1, 注2 … for ``note``, and a note used again
keeps its label. A note's own notes (a citation inside an ``{{efn}}``) are numbered where the
note is. Sources no note cites are dropped; each group's notes are listed once, where the
first list of that group stood (``{{Reflist}}``, ``{{notelist}}``, ``<references group=…/>``),
or in a closing section if there was none.
"""
from __future__ import annotations

import dataclasses

from ..labels import is_chinese, labels
from ..model import (Bibliography, Document, Note, NoteRef, Paragraph, Section, Text,
                     plain_text, rebuild)
from ..report import Report

__all__ = ["apply", "label"]

END_PUNCTUATION = "。．.！？!?"
_ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90),
          ("l", 50), ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
_GREEK = "αβγδεζηθικλμνξοπρστυφχψω"


def label(group: str, number: int) -> str:
    """The mark of the ``number``-th note of ``group``, as MediaWiki prints it."""
    if group in ("lower-alpha", "upper-alpha", "lower-greek"):
        letters = _GREEK if group == "lower-greek" else "abcdefghijklmnopqrstuvwxyz"
        out = ""
        while number:
            number, rest = divmod(number - 1, len(letters))
            out = letters[rest] + out
        return out.upper() if group == "upper-alpha" else out
    if group in ("lower-roman", "upper-roman"):
        out = ""
        for numeral, value in _ROMAN:
            while number >= value:
                out, number = out + numeral, number - value
        return out.upper() if group == "upper-roman" else out
    if group == "note":
        return f"注{number}"
    return f"{group} {number}" if group else str(number)


def apply(document: Document, script: str | None, report: Report) -> Document:
    sources = {source.id: source for source in document.sources}
    # The edition's words; as read (no script), the article's own language.
    words = labels(script or document.meta.language or "zh")
    chinese = is_chinese(script or document.meta.language or "zh")
    notes: list[Note | None] = []
    # Each group's sources in the order of their first call (a dict: an ordered set).
    cited: dict[str, dict[str, None]] = {}
    counts: dict[str, int] = {}
    marks: dict[tuple[str, str], str] = {}
    listed: set[str] = set()
    expanding: list[str] = []

    def visit(node):
        if isinstance(node, NoteRef):
            return number(node)
        if isinstance(node, Bibliography):
            if node.group in listed:
                report.warn("bibliography-repeated",
                            f"more than one list of the notes of group {node.group or '(citations)'}"
                            "; they are listed once")
                return []
            listed.add(node.group)
        return node

    def number(node: NoteRef):
        if node.source in expanding:
            report.warn("ref-nested", "a note that calls itself; the inner call is dropped")
            return []
        group = node.group
        in_group = cited.setdefault(group, {})
        first = node.source not in in_group
        if first:
            in_group[node.source] = None
        if group == "" or first:
            counts[group] = counts.get(group, 0) + 1
            marks[group, node.source] = label(group, counts[group])
        source = sources[node.source]
        body = list(source.full if first or group else source.short)
        if node.locator:
            body += [Text("，" if chinese else ", "), *node.locator]
        if group == "" and not plain_text(body).rstrip().endswith(tuple(END_PUNCTUATION)):
            body.append(Text("。" if chinese else "."))
        index = len(notes)
        notes.append(None)  # its place: the notes it holds are numbered after it
        expanding.append(node.source)
        try:
            body = list(rebuild(Paragraph(tuple(body)), visit).children)
        finally:
            expanding.pop()
        notes[index] = Note(index + 1, node.source, tuple(body), group,
                            marks[group, node.source])
        return dataclasses.replace(node, number=index + 1)

    # The text's calls only: a note's own calls are numbered with it, from its source.
    kept = document.sources
    document = dataclasses.replace(rebuild(dataclasses.replace(document, sources=(), notes=()),
                                           visit), sources=kept)

    def fill(node):
        if isinstance(node, Bibliography):
            return dataclasses.replace(node, sources=tuple(cited.get(node.group, ())))
        return node

    document = rebuild(document, fill)
    sections = document.sections
    for group in sorted(set(cited) - listed, key=lambda g: (g == "", g)):
        title = words["bibliography"] if group == "" else words["notes"]
        sections = (*sections, Section((Text(title),), 2,
                                       (Bibliography(tuple(cited[group]), group),)))
    order = [source_id for source_id in sources
             if any(source_id in ids for ids in cited.values())]
    return dataclasses.replace(document, sections=sections,
                               notes=tuple(note for note in notes if note is not None),
                               sources=tuple(sources[id_] for id_ in order))
