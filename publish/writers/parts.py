"""Writer: a long book's body cut into parts that WeasyPrint lays out one at a time.

WeasyPrint keeps every page's boxes until the document is written: measured on the size
rule's shapes, about 175 KB a footnote and 0.6 KB a character of text (a 2 MB source with
20,420 notes took 3.5 GB as one document). A body heavier than :data:`PART_WEIGHT` is cut
into parts of about that weight, each laid out, written and freed before the next, and the
written parts are joined (``pdf_join``). Cuts fall between top-level sections where they can;
a section heavier than a part is cut between its subsections, one without subsections
between its blocks, and a list of sources heavier than a part between its entries. Each part
starts on a new page.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from markupsafe import Markup

from ..model import (Bibliography, Block, Document, NoteRef, Section, Source, Text,
                     plain_text, walk)
from .html import Translator, running_head, without_notes

__all__ = ["PART_WEIGHT", "Part", "cut", "weight"]

#: A part's weight in notes, a character of text counting :data:`NOTE_CHARACTERS`-th of one
#: note: about 440 MB of boxes at the figures above.
PART_WEIGHT = 2_500
#: The characters of text that take the memory one footnote takes (175 KB / 0.6 KB).
NOTE_CHARACTERS = 300


#: An entry of a list of sources, in notes, besides its text (measured: 20,420 entries took
#: about 1 GB, 0.4 of a footnote each).
ENTRY_WEIGHT = 0.5


def weight(node: Block | Section, sources: Mapping[str, Source]) -> float:
    """What laying out ``node`` (a block, or a section with its subsections) costs in memory,
    in notes (see :data:`PART_WEIGHT`); ``sources`` are the document's, by id."""
    notes = characters = 0.0
    for item in walk(node):
        if isinstance(item, NoteRef):
            notes += 1
        elif isinstance(item, Text):
            characters += len(item.text)
        elif isinstance(item, Bibliography):
            notes += sum(_entry_weight(sources.get(source_id)) for source_id in item.sources)
    return notes + characters / NOTE_CHARACTERS


def _entry_weight(source: Source | None) -> float:
    text = len(plain_text(source.full)) if source is not None else 0
    return ENTRY_WEIGHT + text / NOTE_CHARACTERS


@dataclass
class Part:
    """One part of a body: its markup, and where the running heads stand as it begins."""
    #: The body's markup in this part, every section it opens closed.
    markup: Markup
    #: The running head of the top-level section the part begins in ("" before the first).
    chapter: str = ""
    first: bool = False


@dataclass
class _Unit:
    """A piece of the body no cut goes through: a block, a heading, or a whole section."""
    #: The sections open around it, outermost first (a whole section is not among them).
    path: tuple[Section, ...]
    markup: str
    weight: float
    #: The section this unit is the heading of (it opens that section), else None.
    opens: Section | None = None
    #: The second-level sections whose headings it holds, in order: the last one's is the
    #: running head (print.css: ``main h2``) where the next unit begins.
    chapters: list[Section] = field(default_factory=list)
    #: Whether it begins with a second-level heading (the first of ``chapters``).
    begins_chapter: bool = False


def cut(document: Document, translator: Translator, limit: float = PART_WEIGHT) -> list[Part]:
    """The body of ``document`` (the lead and the sections) in parts of about ``limit``; one
    part when the whole weighs less."""
    units = list(_units(document, translator, limit))
    parts: list[list[_Unit]] = [[]]
    load = 0.0
    for unit in units:
        if parts[-1] and load + unit.weight > limit:
            # A heading goes with what follows it: the headings that end the part begin the
            # next one (unless they are all the part holds).
            carried: list[_Unit] = []
            while parts[-1] and parts[-1][-1].opens is not None:
                carried.insert(0, parts[-1].pop())
            if parts[-1]:
                parts.append(carried)
            else:
                parts[-1] = carried
            load = sum(member.weight for member in parts[-1])
        parts[-1].append(unit)
        load += unit.weight
    out = []
    chapter = ""
    for index, members in enumerate(parts):
        # A part that begins with a chapter's heading has that chapter's running head on its
        # first page, as the heading gives it in a book laid out whole.
        begins = members[0].chapters[0] if members[0].begins_chapter else None
        out.append(Part(_markup(members), chapter=_running(begins) if begins else chapter,
                        first=index == 0))
        for unit in members:
            for section in unit.chapters:
                chapter = _running(section)
    return out


def _running(section: Section) -> str:
    return running_head(plain_text(without_notes(section.title)))


def _units(document: Document, translator: Translator, limit: float) -> Iterator[_Unit]:
    sources = {source.id: source for source in document.sources}
    for block in document.blocks:
        yield from _blocks(block, (), sources, translator, limit)
    # Sections nest as deep as heading levels go (six), so a stack of them stays small.
    stack: list[tuple[tuple[Section, ...], Section]] = [((), section)
                                                        for section in reversed(document.sections)]
    while stack:
        path, section = stack.pop()
        whole = weight(section, sources)
        if whole <= limit:
            yield _Unit(path, translator.section(section), whole,
                        chapters=[inner for inner in _sections(section) if inner.level == 2],
                        begins_chapter=section.level == 2)
            continue
        yield _Unit(path + (section,), translator.heading(section), 1.0, opens=section,
                    chapters=[section] if section.level == 2 else [],
                    begins_chapter=section.level == 2)
        for block in section.blocks:
            yield from _blocks(block, path + (section,), sources, translator, limit)
        stack.extend((path + (section,), sub) for sub in reversed(section.sections))


def _sections(section: Section) -> Iterator[Section]:
    """``section`` and the sections inside it, in reading order."""
    stack = [section]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.sections))


def _blocks(block: Block, path: tuple[Section, ...], sources: Mapping[str, Source],
            translator: Translator, limit: float) -> Iterator[_Unit]:
    """``block`` as one unit; a list of sources heavier than a part as pieces of a quarter of
    a part at most, numbered on."""
    heavy = weight(block, sources)
    if not isinstance(block, Bibliography) or heavy <= limit:
        yield _Unit(path, translator.blocks([block]), heavy)
        return
    piece: list[str] = []
    load, start = 0.0, 1
    for source_id in (*block.sources, None):
        entry = _entry_weight(sources.get(source_id)) if source_id is not None else 0.0
        if piece and (source_id is None or load + entry > limit / 4):
            yield _Unit(path, translator.block_Bibliography(replace(block, sources=tuple(piece)),
                                                            start=start), load)
            start += len(piece)
            piece, load = [], 0.0
        if source_id is not None:
            piece.append(source_id)
            load += entry


def _markup(units: list[_Unit]) -> Markup:
    """The units' markup with each section they lie in opened and closed around them (a
    section begun in an earlier part is opened again, without its heading)."""
    out: list[str] = []
    open_sections: list[Section] = []
    for unit in units:
        shared = 0
        while (shared < len(open_sections) and shared < len(unit.path)
               and open_sections[shared] is unit.path[shared]):
            shared += 1
        for _ in range(len(open_sections) - shared):
            out.append("</section>")
        del open_sections[shared:]
        for section in unit.path[shared:]:
            label = f' aria-labelledby="{section.id}"' if section is unit.opens else ""
            out.append(f'<section class="level{section.level}"{label}>')
            open_sections.append(section)
        out.append(unit.markup)
    out.extend("</section>" for _ in open_sections)
    return Markup("\n".join(out))
