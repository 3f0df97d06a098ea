"""Shared helpers: read small wikitext cases, and show documents in a compact notation."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from publish.model import (Bibliography, BulletList, ConversionRule, Emphasis, ExternalLink,
                           Figure, Hatnote, Infobox, InternalLink, LineBreak, NeedsSource,
                           NoteRef, OrderedList, Paragraph, Protected, Section, Strong, Text,
                           Variant)
from publish.model import (DefinitionDetails, DefinitionList, DefinitionTerm, Rule, Styled,
                           Table, TableCell)
from publish.readers.wikitext import read_text
from publish.report import Report

settings.register_profile("default", max_examples=150, deadline=None)
settings.register_profile("fuzz", max_examples=20000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "中苏关系.wiki"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def read(wikitext: str, media_dir: Path | None = None):
    """(document, report) for a wikitext string."""
    report = Report(source="<test>")
    return read_text(wikitext, report, media_dir=media_dir), report


def compact(nodes) -> str:
    """A short notation for nodes: ``P(B("x") "y" L(t|"z"))``; text in double quotes."""
    if isinstance(nodes, (list, tuple)):
        return " ".join(compact(node) for node in nodes)
    node = nodes
    if isinstance(node, Text):
        return f'"{node.text}"'
    if isinstance(node, Protected):
        return f'!"{node.text}"'
    if isinstance(node, Strong):
        return f"B({compact(node.children)})"
    if isinstance(node, Emphasis):
        return f"I({compact(node.children)})"
    if isinstance(node, InternalLink):
        return f"L({node.target}|{compact(node.children)})"
    if isinstance(node, ExternalLink):
        return f"X({node.url}|{compact(node.children)})"
    if isinstance(node, NoteRef):
        locator = f"@{compact(node.locator)}" if node.locator else ""
        number = f"#{node.number}" if node.number else ""
        group = f"/{node.group}" if node.group else ""
        return f"N({node.source}{number}{group}{locator})"
    if isinstance(node, Variant):
        return "V(" + "; ".join(f"{code}: {compact(branch)}" for code, branch in node.branches) + ")"
    if isinstance(node, ConversionRule):
        return "R(" + "; ".join(f"{code}: {text}" for code, text in node.branches) + ")"
    if isinstance(node, NeedsSource):
        return f"FACT({compact(node.children)})"
    if isinstance(node, LineBreak):
        return "BR"
    if isinstance(node, Paragraph):
        return f"P({compact(node.children)})"
    if isinstance(node, (BulletList, OrderedList)):
        kind = "UL" if isinstance(node, BulletList) else "OL"
        items = []
        for item in node.items:
            sub = f" {compact(item.sublists)}" if item.sublists else ""
            items.append(f"LI({compact(item.children)}{sub})")
        return f"{kind}({' '.join(items)})"
    if isinstance(node, Hatnote):
        return f"HAT:{node.kind}({compact(node.children)})"
    if isinstance(node, Figure):
        return f"FIG({node.file}|{compact(node.caption)})"
    if isinstance(node, Infobox):
        rows = " ".join(f"{compact(r.label)}={compact(r.value)}" for r in node.rows)
        return f"BOX({compact(node.title)}; {rows})"
    if isinstance(node, Bibliography):
        group = f":{node.group}" if node.group else ""
        return f"BIB{group}({' '.join(node.sources)})"
    if isinstance(node, Styled):
        return f"{node.style.upper()}({compact(node.children)})"
    if isinstance(node, Rule):
        return "HR"
    if isinstance(node, DefinitionList):
        return f"DL({compact(node.items)})"
    if isinstance(node, DefinitionTerm):
        return f"DT({compact(node.children)})"
    if isinstance(node, DefinitionDetails):
        blocks = f" {compact(node.blocks)}" if node.blocks else ""
        return f"DD({compact(node.children)}{blocks})".replace("( ", "(")
    if isinstance(node, Table):
        caption = f"{compact(node.caption)}; " if node.caption else ""
        head = f"head={node.head_rows}; " if node.head_rows else ""
        rows = " ".join(f"ROW({compact(row.cells)})" for row in node.rows)
        return f"TABLE({caption}{head}{rows})"
    if isinstance(node, TableCell):
        kind = "TH" if node.header else "TD"
        spans = "".join(f"{name}{value}" for name, value in (("r", node.rowspan),
                                                             ("c", node.colspan)) if value > 1)
        extra = ",".join(part for part in (spans, node.align) if part)
        extra = f"[{extra}]" if extra else ""
        return f"{kind}{extra}({compact(node.blocks)})"
    if isinstance(node, Section):
        inner = " ".join(part for part in (compact(node.blocks), compact(node.sections)) if part)
        return f"H{node.level}({compact(node.title)}){{{inner}}}"
    raise TypeError(type(node).__name__)


def compact_document(document) -> str:
    parts = [compact(document.blocks), compact(document.sections)]
    return " ".join(part for part in parts if part)


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
