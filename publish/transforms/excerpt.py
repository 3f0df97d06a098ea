"""Transform: keep only the sections a teacher asked for (Document → Document), and the outline.

Sections are named by their number in the whole article's outline (``1.2``, ranges such as
``2.1-2.3``) or by their heading in either script (``抗日戰爭時期`` finds 抗日战争时期). A
chosen section keeps its subsections; its parents keep only their headings, so the excerpt
still says where it comes from. The lead is left out, but the conversion rules of what is
left out (a ``{{NoteTA}}`` at the top) still rule the text after them. Run before the notes transform, so notes
are numbered from 1 and the bibliography lists only what the excerpt cites.

Before: ``H2(甲){P H3(甲一){P} H3(甲二){P}} H2(乙){P}`` with ``1.2``;
after: ``H2(甲){H3(甲二){P}}``.
"""
from __future__ import annotations

import dataclasses
import re

from ..model import (Bibliography, ConversionRule, Document, Paragraph, Section, plain_text,
                     walk)
from ..report import PublishError
from .script import convert_text

__all__ = ["outline", "select"]


def outline(document: Document) -> list[tuple[str, Section]]:
    """Every section with its outline number, in reading order: ``[("1", s), ("1.1", s1) …]``."""
    out: list[tuple[str, Section]] = []

    def visit(sections, prefix):
        for index, section in enumerate(sections, 1):
            number = f"{prefix}{index}"
            out.append((number, section))
            visit(section.sections, number + ".")

    visit(document.sections, "")
    return out


def _key(text: str) -> str:
    """A heading compared across scripts and spacing."""
    return re.sub(r"\s+", "", convert_text(text, "zh-Hans"))


def _chosen_numbers(document: Document, spec: str) -> set[str]:
    entries = outline(document)
    numbers = [number for number, _ in entries]
    titles = {_key(plain_text(section.title)): number for number, section in entries}
    chosen: set[str] = set()
    for part in (p.strip() for p in re.split(r"[,，、]", spec)):
        if not part:
            continue
        range_match = re.fullmatch(r"(\d+(?:\.\d+)*)\s*[-–~]\s*(\d+(?:\.\d+)*)", part)
        if range_match:
            first, last = range_match.groups()
            if first not in numbers or last not in numbers:
                raise PublishError(f"--sections {part}: no such section (see publish parse "
                                   "--outline)")
            depth = first.count(".")
            start, end = numbers.index(first), numbers.index(last)
            chosen.update(n for n in numbers[start:end + 1] if n.count(".") == depth)
        elif re.fullmatch(r"\d+(?:\.\d+)*", part):
            if part not in numbers:
                raise PublishError(f"--sections {part}: no such section (see publish parse "
                                   "--outline)")
            chosen.add(part)
        elif _key(part) in titles:
            chosen.add(titles[_key(part)])
        else:
            raise PublishError(f"--sections: no section is headed {part!r} (see publish parse "
                               "--outline)")
    return chosen


def select(document: Document, spec: str) -> Document:
    """The document with only the sections ``spec`` names (and their parents' headings)."""
    chosen = _chosen_numbers(document, spec)
    # The rules of the parts left out, carried to the next part kept.
    pending: list[ConversionRule] = _rules(document.blocks)

    def carried(blocks: tuple) -> tuple:
        rules = tuple(pending)
        pending.clear()
        return (Paragraph(rules), *blocks) if rules else blocks

    def keep(sections, prefix) -> tuple[Section, ...]:
        out = []
        for index, section in enumerate(sections, 1):
            number = f"{prefix}{index}"
            if number in chosen:
                out.append(dataclasses.replace(section, blocks=carried(section.blocks)))
                continue
            pending.extend(_rules(section.blocks))
            inner = keep(section.sections, number + ".")
            if inner:
                blocks = tuple(b for b in section.blocks if isinstance(b, Bibliography))
                out.append(dataclasses.replace(section, blocks=blocks, sections=inner))
        return tuple(out)

    return dataclasses.replace(document, blocks=(), sections=keep(document.sections, ""))


def _rules(blocks) -> list[ConversionRule]:
    return [node for block in blocks for node in walk(block) if isinstance(node, ConversionRule)]

