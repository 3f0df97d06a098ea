"""Test helpers: read small wikitext cases, show documents in a compact notation, and compare
markup by its structure."""
from __future__ import annotations

from pathlib import Path

from lxml import html

from publish.media import Media
from publish.model import (Bibliography, BulletList, Code, CodeBlock, ConversionRule,
                           DefinitionDetails, DefinitionList, DefinitionTerm, DisplayFormula,
                           Emphasis, ExternalLink, Figure, Formula, Gallery, Hatnote, Infobox,
                           InternalLink, LineBreak, NeedsSource, NoteRef, OrderedList,
                           Paragraph, Poem, Protected, Quotation, Rule, Ruby, Section, Strong,
                           Styled, Table, TableCell, Text, Variant)
from publish.readers.wikitext import read_text
from publish.report import Report

__all__ = ["ROOT", "SEED", "compact", "compact_document", "contains_markup", "epub_text",
           "markup_tree", "read"]

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "中苏关系.wiki"


def read(wikitext: str, media_dir: Path | None = None):
    """(document, report) for a wikitext string."""
    report = Report(source="<test>")
    media = Media(media_dir) if media_dir is not None else None
    return read_text(wikitext, report, media=media), report


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
        missing = "" if node.path else "MISSING "
        return f"FIG({missing}{node.file}|{compact(node.caption)})"
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
    if isinstance(node, (Formula, DisplayFormula)):
        kind = ("CHEM" if node.chem else "MATH") + ("-BLOCK" if isinstance(node, DisplayFormula)
                                                    else "")
        return f"{kind}({node.tex})"
    if isinstance(node, Code):
        return f"CODE({node.language}|{node.text})"
    if isinstance(node, CodeBlock):
        return f"PRE({node.language}|{node.text!r})"
    if isinstance(node, Ruby):
        return f"RUBY({compact(node.base)}|{compact(node.annotation)})"
    if isinstance(node, Quotation):
        attribution = f" -- {compact(node.attribution)}" if node.attribution else ""
        return f"QUOTE({compact(node.blocks)}{attribution})"
    if isinstance(node, Poem):
        return "POEM(" + " / ".join(f"{'>' * line.indent}{compact(line.children)}"
                                    for line in node.lines) + ")"
    if isinstance(node, Gallery):
        return f"GALLERY({compact(node.figures)}; {compact(node.caption)})"
    if isinstance(node, Section):
        inner = " ".join(part for part in (compact(node.blocks), compact(node.sections)) if part)
        return f"H{node.level}({compact(node.title)}){{{inner}}}"
    raise TypeError(type(node).__name__)


def compact_document(document) -> str:
    parts = [compact(document.blocks), compact(document.sections)]
    return " ".join(part for part in parts if part)


def markup_tree(markup: str) -> list:
    """HTML markup as a list of nodes ``[tag, {attributes}, text, child nodes…]`` (text after
    an element is a ``["#text", {}, text]`` node; whitespace-only text is left out): markup
    with the same structure compares equal however its attributes are ordered or quoted."""
    out: list = []
    for fragment in html.fragments_fromstring(str(markup)):
        if isinstance(fragment, str):
            if fragment.strip():
                out.append(["#text", {}, fragment.strip()])
        else:
            out.extend(_nodes(fragment))
    return out


def _nodes(element) -> list:
    node = [element.tag, dict(element.attrib), (element.text or "").strip()]
    for child in element:
        node.extend(_nodes(child))
    tail = (element.tail or "").strip()
    return [node, ["#text", {}, tail]] if tail else [node]


def contains_markup(markup: str, part: str) -> bool:
    """Whether the nodes of ``part`` stand side by side, in order, among the children of one
    element of ``markup`` (or at its top level)."""
    want = markup_tree(part)

    def search(nodes: list) -> bool:
        if any(nodes[i:i + len(want)] == want for i in range(len(nodes) - len(want) + 1)):
            return True
        return any(search(node[3:]) for node in nodes)

    return search(markup_tree(markup))


def epub_text(path: Path) -> str:
    """The text of every XHTML page of the EPUB at ``path``, in package order."""
    import zipfile

    from lxml import etree

    text = ""
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                text += "".join(etree.fromstring(book.read(name)).itertext())
    return text
