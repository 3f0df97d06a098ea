"""Reader stage, block builder: the dispatcher's tokens → the lead's blocks and nested sections.

mwparserfromhell gives flat headings, list markers and paragraphs as blank lines; the
dispatcher (:mod:`publish.readers.wikitext`) turns them into inlines, blocks and the line tokens
below, and this module gathers lines into paragraphs and lists and headings into sections.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import (Bibliography, Block, BulletList, CodeBlock, DefinitionDetails,
                     DefinitionList, DefinitionTerm, DisplayFormula, Figure, Formula, Gallery,
                     Hatnote, Infobox, ListItem, OrderedList, Paragraph, Poem, Quotation, Rule,
                     Section, Strong, Table, Text, plain_text)
from ..report import Report
from .refs import attach_locators
from .runs import cjk_pair, normalise, trim
from .templates import Locator

__all__ = ["Newline", "ListMarker", "Heading", "NEWLINE", "build", "build_blocks", "BLOCK_TOKENS"]


@dataclass(frozen=True)
class Newline:
    """A line end in the top-level markup."""


@dataclass(frozen=True)
class ListMarker:
    """A list or definition marker (``*``, ``#``, ``;``, ``:``) at a line's start."""
    char: str


@dataclass(frozen=True)
class Heading:
    """A heading line, before it opens a section."""
    level: int
    title: tuple


NEWLINE = Newline()

#: The block nodes the dispatcher hands over whole (a line holding one is split around it).
BLOCK_TOKENS = (Figure, Hatnote, Infobox, Bibliography, DisplayFormula, CodeBlock, Quotation,
                Poem, Gallery, Table, DefinitionList, Rule)
#: The blocks that stay inside the list item whose line holds them.
NESTED_IN_ITEMS = (Table, DefinitionList)


def build(tokens: list, report: Report) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    """Top-level tokens → the lead's blocks and the nested sections."""
    lead: list[Block] = []
    # A stack of open sections: [level, title, blocks, subsections].
    stack: list[list] = []

    def close_to(level: int) -> None:
        while stack and stack[-1][0] >= level:
            level_, title, blocks, subsections = stack.pop()
            section = Section(title, level_, tuple(blocks), tuple(subsections))
            (stack[-1][3] if stack else top).append(section)

    top: list[Section] = []
    current = lead
    for item in _blocks(tokens, report):
        if isinstance(item, Heading):
            level = max(2, item.level)
            close_to(level)
            stack.append([level, item.title, [], []])
            current = stack[-1][2]
        else:
            current.append(item)
    close_to(0)
    return tuple(lead), tuple(top)


def _blocks(tokens: list, report: Report):
    """Tokens → blocks and headings: lines gathered into paragraphs and lists."""
    paragraph: list = []
    list_items: list[tuple[str, tuple, tuple]] = []

    def flush_paragraph():
        inlines = normalise(attach_locators(paragraph, report), report)
        inlines = trim(inlines)
        paragraph.clear()
        if inlines:
            yield Paragraph(tuple(inlines))

    def flush_list():
        if list_items:
            yield from build_lists(list_items)
            list_items.clear()

    for line in split_lines(tokens):
        markers = ""
        while line and isinstance(line[0], ListMarker):
            markers += line.pop(0).char
        if markers and markers[0] == ";" and any(isinstance(t, ListMarker) for t in line):
            # ";term : definition" on one line: the term, then its definition.
            split = next(i for i, t in enumerate(line) if isinstance(t, ListMarker))
            term, definition = line[:split], line[split + 1:]
            yield from flush_paragraph()
            list_items.append((markers, tuple(trim(normalise(attach_locators(term, report),
                                                                report))), ()))
            list_items.append((markers[:-1] + ":", tuple(trim(normalise(
                attach_locators([t for t in definition if not isinstance(t, ListMarker)],
                                report), report))), ()))
            continue
        line = [Text(" ") if isinstance(t, ListMarker) else t for t in line]
        blocks_in_line = [t for t in line if isinstance(t, (*BLOCK_TOKENS, Heading))]
        if markers and not markers.strip(":") and (formula := _lone_formula(line)) is not None:
            # ":<math>…</math>" alone on its line is a display formula.
            yield from flush_paragraph()
            yield from flush_list()
            yield DisplayFormula(formula.tex, formula.chem)
            continue
        if markers:
            yield from flush_paragraph()
            inline = [t for t in line if t not in blocks_in_line]
            content = trim(normalise(attach_locators(inline, report), report))
            # A table or definition list in a list item belongs to the item.
            nested = tuple(t for t in blocks_in_line if isinstance(t, NESTED_IN_ITEMS))
            list_items.append((markers, tuple(content), nested))
            yield from (t for t in blocks_in_line if not isinstance(t, NESTED_IN_ITEMS))
            continue
        yield from flush_list()
        if not any(not (isinstance(t, Text) and not t.text.strip()) for t in line):
            yield from flush_paragraph()
            continue
        if paragraph and not isinstance(line[0], BLOCK_TOKENS):
            inline = [t for t in paragraph if not isinstance(t, Locator)]
            following = [t for t in line if not isinstance(t, Locator)]
            before, after = plain_text(inline[-1:])[-1:], plain_text(following[:1])[:1]
            paragraph.append(Text("" if cjk_pair(before, after) else " "))
        for token in line:
            if token in blocks_in_line:
                yield from flush_paragraph()
                yield token
            else:
                paragraph.append(token)
        if blocks_in_line:
            yield from flush_paragraph()
    yield from flush_paragraph()
    yield from flush_list()


def _lone_formula(line: list) -> Formula | None:
    """The one formula a line holds besides white space, or None."""
    rest = [t for t in line if not (isinstance(t, Text) and not t.text.strip())]
    return rest[0] if len(rest) == 1 and isinstance(rest[0], Formula) else None


def build_blocks(tokens: list, report: Report) -> tuple[Block, ...]:
    """Tokens inside a block (a quotation, a table cell) → its blocks; a heading there reads as
    a bold paragraph."""
    return tuple(Paragraph((Strong(item.title),)) if isinstance(item, Heading) else item
                 for item in _blocks(tokens, report))


def split_lines(tokens: list) -> list[list]:
    """Tokens → lines (a heading is a line of its own)."""
    lines: list[list] = [[]]
    for token in tokens:
        if isinstance(token, Newline):
            lines.append([])
        elif isinstance(token, Heading):
            lines.extend([[token], []])
        else:
            lines[-1].append(token)
    return lines


def build_lists(items: list[tuple[str, tuple, tuple]]) -> list[Block]:
    """``[("*", a, ()), ("**", b, ()), ("*", c, ())]`` → one list of a (with b under it) and
    c; the third member of each item is the blocks nested in it (a table on the item's line).

    Markers ``*`` and ``#`` make bullet and numbered lists, ``;`` terms and ``:`` definitions
    (or indented lines) of a definition list; a longer marker nests under the entry before.
    """
    def kind_of(char: str) -> str:
        return ":" if char in ";:" else char

    def build_from(start: int, depth: int) -> tuple[Block, int]:
        kind = kind_of(items[start][0][depth - 1])
        entries: list = []
        index = start
        while index < len(items) and len(items[index][0]) >= depth \
                and kind_of(items[index][0][depth - 1]) == kind:
            markers, content, nested_blocks = items[index]
            if len(markers) > depth:
                sub, index = build_from(index, depth + 1)
                nested = _nest(entries.pop() if entries else None, sub, kind)
                entries.extend(nested if isinstance(nested, list) else [nested])
                continue
            if kind != ":":
                entries.append(ListItem(content, nested_blocks))
            elif markers[depth - 1] == ";" and not nested_blocks:
                entries.append(DefinitionTerm(content))
            else:
                entries.append(DefinitionDetails(content, nested_blocks))
            index += 1
        node: Block
        if kind == ":":
            node = DefinitionList(tuple(entries))
        else:
            node = (OrderedList if kind == "#" else BulletList)(tuple(entries))
        return node, index

    blocks: list[Block] = []
    index = 0
    while index < len(items):
        block, index = build_from(index, 1)
        blocks.append(block)
    return blocks


def _nest(last, sub: Block, kind: str):
    """The entry ``last`` with the list ``sub`` nested under it (a new empty entry if none)."""
    if isinstance(last, ListItem):
        return ListItem(last.children, (*last.sublists, sub))
    if isinstance(last, DefinitionDetails):
        return DefinitionDetails(last.children, (*last.blocks, sub))
    if last is None and kind != ":":
        return ListItem((), (sub,))
    if last is not None:
        # A term: its nested list is a definition of its own after it.
        return [last, DefinitionDetails((), (sub,))]
    return DefinitionDetails((), (sub,))

