"""Reader stage, tables: a ``{| … |}`` or ``<table>`` tag → a :class:`~publish.model.Table`.

Takes mwparserfromhell table tags from :mod:`publish.readers.wikitext` and returns its tokens:
a Table (caption, rows of header and data cells, row and column spans, alignment; styles and
colours dropped), or for a layout table (a box that only places blocks side by side, like
``{| width="90%"`` holding lists and headings) the cells' contents one after the other, with a
warning. Also rewrites a table indented with ``:{|`` so that the parser sees it as a table.
"""
from __future__ import annotations

import re

from mwparserfromhell import nodes as mw

from ..model import Styled, Table, TableCell, TableRow, Text
from .blocks import NEWLINE, build_blocks
from .runs import trim

__all__ = ["read_table", "indent_tables", "TABLE_TEMPLATES", "INDENT_CLASS"]

#: The class of the ``<dl>`` that :func:`indent_tables` wraps an indented table in.
INDENT_CLASS = "publish-indent-"
_ALIGNS = {"left": "left", "center": "center", "centre": "center", "right": "right"}
_TEXT_ALIGN = re.compile(r"text-align\s*:\s*(left|center|right)", re.I)
_INDENTED_TABLE = re.compile(r"^(:+)[ \t]*(?=\{\|)")


def indent_tables(text: str) -> str:
    """``:{| … |}`` → the table inside ``<dl class="publish-indent-1">…</dl>``.

    MediaWiki's parser opens a table after ``:``; mwparserfromhell only at a line's start, so
    the indented table would be read as text. The wrapper keeps the indent's depth.
    """
    if ":{|" not in text and not re.search(r"^:+[ \t]+\{\|", text, re.M):
        return text
    lines = text.split("\n")
    out: list[str] = []
    depth = 0
    for line in lines:
        match = _INDENTED_TABLE.match(line) if depth == 0 else None
        if match:
            out.append(f'<dl class="{INDENT_CLASS}{len(match.group(1))}">')
            out.append(line[match.end():])
            depth = 1
            if line[match.end():].rstrip().endswith("|}") and line.count("{|") == 1:
                out.append("</dl>")
                depth = 0
            continue
        out.append(line)
        if depth:
            stripped = line.strip()
            if stripped.startswith("{|"):
                depth += 1
            elif stripped.startswith("|}"):
                depth -= 1
                if depth == 0:
                    out.append("</dl>")
    if depth:
        out.append("</dl>")
    return "\n".join(out)


def _attributes(tag) -> dict[str, str]:
    return {str(attr.name).strip().lower(): str(attr.value).strip() if attr.value is not None
            else "" for attr in tag.attributes}


def _align(attributes: dict[str, str], inherited: str = "") -> str:
    """A cell's alignment from ``align=`` or a ``text-align`` style (other styles dropped)."""
    align = _ALIGNS.get(attributes.get("align", "").lower(), "")
    if not align:
        match = _TEXT_ALIGN.search(attributes.get("style", ""))
        align = match.group(1).lower() if match else ""
    return align or inherited


def _span(value: str) -> int:
    match = re.match(r"\s*\"?'?(\d+)", value or "")
    return max(1, min(int(match.group(1)), 1000)) if match else 1


def _tag_name(node) -> str:
    return str(node.tag).strip().lower() if isinstance(node, mw.Tag) else ""


def read_table(reader, tag) -> list:
    """A table tag → its tokens: ``[NEWLINE, Table, NEWLINE]``, or a layout table's contents."""
    caption_nodes: list = []
    rows: list[tuple[dict, list]] = []  # (row attributes, cell tags)
    loose: list = []  # nodes outside any cell: templates, notes in row-attribute lines …
    implicit: list = []  # whether cells came before the first |-

    def gather(nodes, row_attributes=None):
        for node in nodes:
            name = _tag_name(node)
            if name == "caption":
                caption_nodes.extend(node.contents.nodes if node.contents is not None else [])
            elif name == "tr":
                rows.append((_attributes(node), []))
                for attr in node.attributes:
                    # A template or a note on a row-attribute line: text to keep.
                    loose.extend(part for part in attr.name.nodes
                                 if isinstance(part, (mw.Template, mw.Tag, mw.Wikilink)))
                gather(node.contents.nodes if node.contents is not None else [], rows[-1][0])
            elif name == "td" and str(node).startswith("|+"):
                # mwparserfromhell reads a |+ caption as a cell whose text starts with +.
                text = str(node.contents) if node.contents is not None else ""
                caption_nodes.append(mw.Text(text[1:] if text.startswith("+") else text))
            elif name in ("td", "th"):
                if row_attributes is None and not implicit:
                    # Cells before the first |- make the first row.
                    rows.append(({}, []))
                    implicit.append(True)
                rows[-1][1].append(node)
            elif name in ("thead", "tbody", "tfoot"):
                gather(node.contents.nodes if node.contents is not None else [], row_attributes)
            elif isinstance(node, mw.Text) and not str(node).strip():
                continue
            elif isinstance(node, mw.Comment):
                continue
            else:
                loose.append(node)

    gather(tag.contents.nodes if tag.contents is not None else [])
    attributes = _attributes(tag)
    if _is_layout(attributes, rows):
        reader.warn("table-flattened", "a layout table (no wikitable class, one row) was set "
                    "as its cells' contents one after the other")
        out: list = [NEWLINE, NEWLINE]
        out.extend(reader.tokens(caption_nodes))
        for _, cells in rows:
            for cell in cells:
                out.extend([NEWLINE, *reader.tokens(cell.contents.nodes
                                                    if cell.contents is not None else []),
                            NEWLINE, NEWLINE])
        out.extend(token for node in loose for token in reader.tokens([node]))
        return [*out, NEWLINE, NEWLINE]
    table_rows: list[TableRow] = []
    for row_attributes, cells in rows:
        row_align = _align(row_attributes)
        table_cells = []
        for cell in cells:
            cell_attributes = _attributes(cell)
            content = cell.contents.nodes if cell.contents is not None else []
            table_cells.append(TableCell(
                _cell_blocks(reader, content), header=_tag_name(cell) == "th",
                rowspan=_span(cell_attributes.get("rowspan", "")),
                colspan=_span(cell_attributes.get("colspan", "")),
                align=_align(cell_attributes, row_align)))
        if table_cells:
            table_rows.append(TableRow(tuple(table_cells)))
    caption = tuple(trim(reader.inlines_of(caption_nodes))) if caption_nodes else ()
    if loose:
        # Templates and notes on a row-attribute line or between cells: MediaWiki prints
        # their text before the table; so does the book, so nothing is lost.
        extra = reader.inlines_of(loose)
        if extra:
            caption = (*caption, Text(" "), *extra) if caption else extra
    head_rows = 0
    for row in table_rows:
        if all(cell.header for cell in row.cells):
            head_rows += 1
        else:
            break
    if head_rows == len(table_rows):
        head_rows = min(head_rows, 1) if len(table_rows) > 1 else 0
    if not table_rows and not caption:
        return []
    table = Table(tuple(caption), tuple(table_rows), head_rows)
    # An HTML <table> may stand inside a line (a list item's); {| always opens a line.
    return [NEWLINE, table, NEWLINE] if tag.wiki_markup else [table]


def _is_layout(attributes: dict[str, str], rows: list) -> bool:
    """A table is a layout box when it is not a ``wikitable`` and has a single row (columns
    of lists side by side), or holds headings (sections set in columns)."""
    if "wikitable" in attributes.get("class", "").split():
        return False
    cells = [cell for _, row in rows for cell in row]
    if any(_tag_name(cell) == "th" for cell in cells):
        return False
    if len([row for _, row in rows if row]) <= 1:
        return True
    return any(isinstance(node, mw.Heading) for cell in cells if cell.contents is not None
               for node in cell.contents.nodes)


def _cell_blocks(reader, nodes) -> tuple:
    tokens = reader.tokens(nodes)
    return build_blocks(tokens, reader.report)


# ---------------------------------------------------------------- cell templates

def _mark(default: str):
    def handler(ctx, params):
        positional = params.positional()
        if positional and ctx.plain(positional[0][1]).strip():
            return list(ctx.inlines(positional[0][1]))
        return [Text(default)]
    return handler


#: Templates that fill comparison-table cells, named as on Chinese Wikipedia: each prints its
#: text (the wiki also colours the cell, which a book leaves out).
TABLE_TEMPLATES = {
    # {{yes}} 是 / {{no}} 否 / {{partial}} 部分: a comparison table's answers.
    "yes": _mark("是"), "no": _mark("否"), "partial": _mark("部分"),
    "y": _mark("是"), "n": _mark("否"), "yes2": _mark("是"), "no2": _mark("否"),
    "maybe": _mark("可能"), "unknown": _mark("未知"), "dunno": _mark("未知"),
    "n/a": _mark("不适用"), "na": _mark("不适用"), "nd": _mark("无资料"),
    "good": _mark("良好"), "bad": _mark("不佳"), "free": _mark("免费"),
    "nonfree": _mark("非免费"), "table-yes": _mark("是"), "table-no": _mark("否"),
    # {{won}} 获奖 / {{nom}} 提名: an awards table's results.
    "won": _mark("获奖"), "nom": _mark("提名"), "nominated": _mark("提名"),
    "pending": _mark("待定"), "tba": _mark("待定"), "draw": _mark("平局"),
    # {{sup|x}} / {{sub|x}} print their text raised or lowered.
    "sup": lambda ctx, params: [Styled("sup", ctx.inlines(params.positional()[0][1]))]
    if params.positional() else [],
    "sub": lambda ctx, params: [Styled("sub", ctx.inlines(params.positional()[0][1]))]
    if params.positional() else [],
}

