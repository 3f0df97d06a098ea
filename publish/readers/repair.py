"""Reader pre- and post-pass: broken wikitext → wikitext read as its author meant, text
without markup debris, and a document no deeper than every later stage can walk.

Before parsing, :func:`repair` closes headings written without their closing ``==`` and tables
without their ``|}``, and bounds the depth of lists and the nesting of ``{{ }}`` and ``[[ ]]``
(mwparserfromhell reads thousands of unclosed openers in quadratic time, and nothing that deep
is meant). After parsing, :func:`strip_debris` removes
the markers of constructs that never closed (``{{``, ``]]``, ``'''``, tags), keeping the text
around them, and :func:`bound_depth` sets what the document nests deeper than
:data:`MAX_DOCUMENT_DEPTH` as plain text.

The bounds on nesting, all of them here (the README's paragraph on bad input states them too).
Beyond each, the rest is kept as text, with one warning:

- :data:`MAX_LIST_DEPTH` (20): list markers (``*#:;``) beyond it are cut (``list-too-deep``).
- :data:`MAX_NESTING` (40): ``{{ }}`` and ``[[ ]]`` openers beyond it are dropped with their
  closers, the ``|`` and ``=`` between them kept as text (``nesting-too-deep``).
- :data:`MAX_CONVERSION_NESTING` (32): a ``-{ }-`` deeper than this is read as its text
  (``conversion-markup-depth``).
- :data:`MAX_MARKUP_DEPTH` (60): the reader reads tags, templates, links and notes inside each
  other this deep; below, their wikitext is kept as plain text (``nesting-too-deep``).
- :data:`MAX_DOCUMENT_DEPTH` (64): the document tree (:mod:`publish.model`) is cut this deep,
  whatever built it; below, each run of inlines or blocks becomes its plain text and its note
  calls (``document-too-deep``). Every recursive walk after the reader (transforms, the HTML
  writer, WeasyPrint's layout, the PDF's structure tree) recurses at most about this deep
  (WeasyPrint 70's block layout, about five frames a level, failed at 140 levels of lists in
  tables, measured; 130 passed).

One bound lives with the writers: past :data:`publish.writers.html.MAX_INDENTS` (6) indented
blocks, a block is not indented further, so deep nesting never narrows the text to nothing.
"""
from __future__ import annotations

import dataclasses
import re

from ..model import (CHILD_FIELDS, INLINE_ROOTS, Code, CodeBlock, ConversionRule,
                     DefinitionDetails, DisplayFormula, Document, Formula, Inline, LineBreak,
                     ListItem, NoteRef, Paragraph, Protected, Quotation, Rule, Ruby, Section,
                     TableCell, Text, Variant, children)
from ..report import Report

__all__ = ["repair", "strip_debris", "bound_depth", "MAX_NESTING", "MAX_LIST_DEPTH",
           "MAX_CONVERSION_NESTING", "MAX_MARKUP_DEPTH", "MAX_DOCUMENT_DEPTH"]

MAX_NESTING = 40
#: Lists nested deeper than this are set at this depth: no book needs more, every stage after
#: the reader (transforms, WeasyPrint's block layout) recurses once per level, and
#: mwparserfromhell makes a node of every marker (a 2,000-deep list is 2 million of them).
MAX_LIST_DEPTH = 20
#: ``-{ }-`` inside ``-{ }-`` deeper than this is text.
MAX_CONVERSION_NESTING = 32
#: How deep the reader reads markup inside markup (each level costs a few Python frames).
MAX_MARKUP_DEPTH = 60
#: How deep the document tree may nest. Each bound above holds for its own construct, but
#: constructs nest in each other (a 20-deep list in a table cell in a 20-deep list …); this
#: one holds for all of them together.
MAX_DOCUMENT_DEPTH = 64
_DEEP_LIST = re.compile(rf"^([*#:;]{{{MAX_LIST_DEPTH}}})[*#:;]+", re.M)
_HEADING = re.compile(r"^(={2,6})[ \t]*([^=\n][^\n]*?)[ \t]*(=*)[ \t]*$", re.M)
#: Tags MediaWiki knows: one of these left in text is a tag that never closed. Other ``<x>``
#: is text, as MediaWiki shows it.
_TAGS = ("ref|references|nowiki|pre|span|div|p|br|hr|b|i|u|s|em|strong|small|big|sup|sub|"
         "font|center|blockquote|poem|code|tt|del|ins|strike|abbr|cite|q|bdi|bdo|mark|ruby|rb|"
         "rt|rp|table|tr|td|th|caption|ul|ol|li|dl|dt|dd|gallery|math|chem|syntaxhighlight|"
         "source|score|timeline|includeonly|noinclude|onlyinclude|section|script|style|iframe|"
         "object|embed|img|link|meta|form|input|svg|audio|video")
_DEBRIS = re.compile(r"<!--|-->|\[\[|\]\]|\{\{|\}\}|\{\||\|\}|'{2,}|-\{|\}-|"
                     rf"</?(?:{_TAGS})\b(?:[^<>\n]{{0,200}}>)?", re.I)


def repair(text: str, report: Report) -> str:
    """Close unclosed headings and bound bracket nesting, warning for each kind of repair."""
    def close(match: re.Match) -> str:
        opening, title, closing = match.groups()
        if closing == opening:
            return match.group(0)
        if not closing:
            report.warn("heading-unclosed", f"heading {opening} {title[:40]} without its "
                        f"closing {opening}; closed")
        return f"{opening} {title} {opening}"

    text = _HEADING.sub(close, text)
    text, deep = _DEEP_LIST.subn(r"\1", text)
    if deep:
        report.warn("list-too-deep", f"{deep} list items nested deeper than {MAX_LIST_DEPTH} "
                    f"levels set {MAX_LIST_DEPTH} deep")
    text = _close_tables(text, report)
    return _bound_nesting(text, report)


def _close_tables(text: str, report: Report) -> str:
    """A table ``{|`` never closed by ``|}`` is closed where its paragraph ends. A blank line
    inside a table that is closed later (before the next heading) is kept, as MediaWiki does."""
    lines = text.split("\n")
    # closes_ahead[i]: a |} follows line i before any heading.
    closes_ahead = [False] * len(lines)
    state = False
    for index in range(len(lines) - 1, -1, -1):
        closes_ahead[index] = state
        stripped = lines[index].strip()
        if stripped.startswith("|}"):
            state = True
        elif stripped.startswith("=") and stripped.endswith("="):
            state = False
    open_tables = 0
    out: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if open_tables and not stripped and not closes_ahead[index]:
            out.extend(["|}"] * open_tables)
            open_tables = 0
            report.warn("table-unclosed", "a table without its closing |}; closed")
        if stripped.startswith("{|"):
            open_tables += 1
        elif stripped.startswith("|}") and open_tables:
            open_tables -= 1
        out.append(line)
    if open_tables:
        out.extend(["|}"] * open_tables)
        report.warn("table-unclosed", "a table without its closing |}; closed")
    return "\n".join(out)


_INERT = {"|": "&#124;", "=": "&#61;"}


def _bound_nesting(text: str, report: Report) -> str:
    """Drop ``{{``/``[[`` openers nested deeper than MAX_NESTING, and the closers that would
    have matched them; the ``|`` and ``=`` between them are kept as text."""
    if text.count("{{") <= MAX_NESTING and text.count("[[") <= MAX_NESTING:
        return text
    out: list[str] = []
    depth = {"{{": 0, "[[": 0}
    skipped = {"{{": 0, "[[": 0}
    closer = {"}}": "{{", "]]": "[["}
    # The closers still ahead: a dropped opener none of them closes holds nothing to protect.
    ahead = {"{{": text.count("}}"), "[[": text.count("]]")}
    dropped = False
    i, n = 0, len(text)
    while i < n:
        pair = text[i:i + 2]
        if pair in depth:
            if depth[pair] >= MAX_NESTING:
                skipped[pair] += 1
                dropped = True
            else:
                depth[pair] += 1
                out.append(pair)
            i += 2
        elif pair in closer:
            opener = closer[pair]
            ahead[opener] -= 1
            if skipped[opener]:
                skipped[opener] -= 1
            else:
                depth[opener] = max(0, depth[opener] - 1)
                out.append(pair)
            i += 2
        elif text[i] in _INERT and any(0 < skipped[kind] <= ahead[kind] for kind in skipped):
            # Between dropped brackets that close, a | or = would split the template or link
            # around them: it stays text, as an entity the reader prints as the character.
            out.append(_INERT[text[i]])
            i += 1
        else:
            out.append(text[i])
            i += 1
    if any(skipped.values()) or dropped:
        report.warn("nesting-too-deep", f"brackets nested deeper than {MAX_NESTING} levels; "
                    "the deeper ones were dropped")
    return "".join(out)


def strip_debris(text: str, report: Report) -> str:
    """Remove markers of markup that never closed, keeping the text between them."""
    cleaned = text
    while True:  # a removal can join two halves into a new marker: -{{ → {
        shorter = _DEBRIS.sub("", cleaned)
        if shorter == cleaned:
            break
        cleaned = shorter
    if cleaned != text:
        report.warn("markup-debris", "unclosed or stray wiki markup removed from the text")
    return cleaned


# ---------------------------------------------------------------- the document's depth

#: The child fields that hold blocks. The fields in :data:`~publish.model.INLINE_ROOTS` and the
#: inlines' own fields hold inlines; every other field holds structure (rows, cells, items,
#: sections, sources), which reaches a field of blocks or inlines within a few levels.
_BLOCK_FIELDS = {(Document, "blocks"), (Section, "blocks"), (Quotation, "blocks"),
                 (DefinitionDetails, "blocks"), (TableCell, "blocks"), (ListItem, "sublists")}
_INLINE_TYPES: tuple[type, ...] = Inline.__args__  # type: ignore[attr-defined]
#: Nodes that start a line of their own when what holds them is set as one run of text.
_LINE_STARTS = tuple(kind for kind in CHILD_FIELDS if kind not in _INLINE_TYPES
                     and kind is not TableCell)


def bound_depth(document: Document, report: Report) -> Document:
    """``document`` with every run of inlines or blocks that would stand deeper than
    :data:`MAX_DOCUMENT_DEPTH` set as its plain text and note calls, with one warning."""
    if _depth(document) <= MAX_DOCUMENT_DEPTH:
        return document
    report.warn("document-too-deep", f"content nested deeper than {MAX_DOCUMENT_DEPTH} levels "
                "set as plain text")
    return _cut(document, 0)


def _depth(root) -> int:
    deepest, stack = 0, [(root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children(node))
    return deepest


def _cut(node, depth: int):
    """``node``, standing at ``depth``, with its runs below the bound flattened. Recurses no
    deeper than the bound plus the few structure levels between two runs."""
    changes: dict = {}
    for name in CHILD_FIELDS[type(node)]:
        value = getattr(node, name)
        kind = _field_kind(node, name)
        if kind == "structure" or depth + 1 < MAX_DOCUMENT_DEPTH:
            if isinstance(node, Variant):
                changes[name] = tuple((code, tuple(_cut(child, depth + 1) for child in branch))
                                      for code, branch in value)
            else:
                changes[name] = tuple(_cut(child, depth + 1) for child in value)
        elif isinstance(node, Variant):
            changes[name] = tuple((code, tuple(_leaves(branch, code))) for code, branch in value)
        elif kind == "inlines":
            changes[name] = tuple(_leaves(value))
        else:
            leaves = _leaves(value)
            changes[name] = (Paragraph(tuple(leaves)),) if leaves else ()
    return dataclasses.replace(node, **changes) if changes else node


def _field_kind(node, name: str) -> str:
    if (type(node), name) in _BLOCK_FIELDS:
        return "blocks"
    if name in INLINE_ROOTS.get(type(node), ()) or isinstance(node, _INLINE_TYPES):
        return "inlines"
    return "structure"


def _leaves(nodes, code: str = "") -> list:
    """The text of ``nodes`` (inlines, blocks or structure) as one flat run of inlines in
    reading order: text, note calls, formulas, code, conversion rules and line breaks, a line
    for each block, item or row. A variant keeps its branches, each flattened; a variant inside
    the branch for ``code`` shows its own branch for that code (or its first)."""
    out: list = []
    stack: list = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if out and not isinstance(out[-1], LineBreak):
            if isinstance(node, _LINE_STARTS):
                out.append(LineBreak())
            elif isinstance(node, TableCell):
                out.append(Text(" "))
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif isinstance(node, (Text, Protected, Code, Formula, ConversionRule)):
            out.append(node)
        elif isinstance(node, (LineBreak, Rule)):
            if out and not isinstance(out[-1], LineBreak):
                out.append(LineBreak())
        elif isinstance(node, NoteRef):
            out.append(dataclasses.replace(node, locator=tuple(_leaves(node.locator, code))))
        elif isinstance(node, DisplayFormula):
            out.append(Formula(node.tex, node.chem))
        elif isinstance(node, CodeBlock):
            out.append(Code(" ".join(node.text.split()), node.language))
        elif isinstance(node, Ruby):
            stack.extend(reversed([*node.base, Text("（"), *node.annotation, Text("）")]))
        elif isinstance(node, Variant) and not code:
            out.append(Variant(tuple((branch, tuple(_leaves(inlines, branch)))
                                     for branch, inlines in node.branches), node.filtered))
        elif isinstance(node, Variant):
            chosen = dict(node.branches).get(code, node.branches[0][1] if node.branches else ())
            stack.extend(reversed(chosen))
        else:
            stack.extend(reversed(children(node)))
    while out and isinstance(out[-1], LineBreak):
        out.pop()
    return out
