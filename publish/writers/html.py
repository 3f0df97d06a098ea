"""Writer: a converted Document → HTML (print) or XHTML (EPUB) markup through Jinja2 templates.

:class:`Translator` turns nodes into markup, one method a node type, and raises on a node it
does not know; the templates in ``templates/`` lay out the pages around it. The same translator
serves both back ends: ``target="print"`` sets notes as CSS footnotes and prints URLs after
their links, ``target="epub"`` sets notes as popup footnotes linked both ways.
"""
from __future__ import annotations

import functools
import re

import jinja2
from markupsafe import Markup, escape
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ..model import (Bibliography, Block, BulletList, Code, CodeBlock, ConversionRule,
                     DefinitionDetails, DefinitionList, DefinitionTerm, DisplayFormula, Document,
                     Emphasis, ExternalLink, Figure, Formula, Gallery, Hatnote, Infobox, Inline,
                     InternalLink, LineBreak, NeedsSource, Note, NoteRef, OrderedList, Paragraph,
                     Poem, Protected, Quotation, Rule, Ruby, Section, Strong, Styled, Table,
                     TableCell, Text, Variant, no_rule, plain_text, walk)
from ..labels import MONTHS, is_chinese, labels
from ..report import Report
from . import TEMPLATES, formulas

__all__ = ["Translator", "environment", "TEMPLATES", "LANG_TAGS", "render_attribution",
           "render_credits", "is_bibliography", "without_notes", "date_text", "wrap_runs",
           "highlight", "layout_runs", "is_note_list", "table_columns", "WIDE_COLUMNS",
           "running_head", "shortened", "MAX_INDENTS"]

#: Quotations, lists and definitions inside this many others are not indented further (class
#: ``deep``): 60 nested quotations, 2 em a side each, pushed their text off an A4 page.
MAX_INDENTS = 6
#: BCP 47 tags per edition: ``lang`` picks the glyph forms (SC, TC or HK) in every renderer.
LANG_TAGS = {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant",
             "zh-CN": "zh-Hans-CN", "zh-TW": "zh-Hant-TW", "zh-HK": "zh-Hant-HK", "en": "en"}

#: Marks that must not begin a line, and that a note call is glued to (clreq 3.1.7).
CLOSING = "，。、；：？！）」』》〉】〕］｝”’·…—～%"
#: Closing marks whose ink sits in their left half, so their right half can be dropped (halt)
#: before another mark; in traditional fonts ，。、：；！？ are centred and keep their width.
COMPRESSIBLE_CLOSING = {"zh-Hans": "，。、：；！？）》」』〉】〕］｝”’",
                        "zh-Hant": "）》」』〉】〕］｝”’", "en": ""}
COMPRESSIBLE_CLOSING.update({"zh-CN": COMPRESSIBLE_CLOSING["zh-Hans"],
                             "zh-TW": COMPRESSIBLE_CLOSING["zh-Hant"],
                             "zh-HK": COMPRESSIBLE_CLOSING["zh-Hant"]})
#: Opening marks whose ink sits in their right half.
COMPRESSIBLE_OPENING = "（《「『〈【〔［｛“‘"
#: Marks the CJK face sets proportionally unless asked for full width (fwid).
FULL_WIDTH = "·"
#: Pango (UAX #14 before LB19a) allows no break on either side of “ ” ‘ ’, which makes long
#: unbreakable runs in Chinese text; a zero-width space after a closing and before an opening
#: quotation mark restores the break Chinese typesetting allows there.
#: It looks past the end of a span of compressed marks: ”</span>， keeps ” with its comma.
_QUOTE_BREAK = re.compile(rf"(?<=[”’])(?=(?:</span>)?[^{CLOSING}\s<])"
                          r"|(?<=[^（《「『〈【“‘\s])(?=[“‘])")
#: Runs the print CSS sets apart: adjacent marks to compress and marks to set full width;
#: everything else is escaped as it is.
_PRINT_RUNS = re.compile(
    r"(?P<pair>[，。、：；！？）》」』〉】〕］｝”’（《「『〈【〔［｛“‘]{2,})"
    rf"|(?P<fw>[{FULL_WIDTH}])")


_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff]")


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment (one a process, so each template is compiled once):
    autoescaping, strict about undefined names."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=lambda name: not (name or "").endswith(".css.jinja"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


class Translator:
    """Turns document nodes into markup for one target (``print`` or ``epub``)."""

    def __init__(self, document: Document, target: str, report: Report | None = None):
        if target not in ("print", "epub"):
            raise ValueError(f"unknown target {target!r}")
        self.document = document
        #: Where a formula set as TeX (the library could not lay it out) is reported.
        self.report = report
        self.target = target
        self.labels = labels(document.script)
        self.notes = {note.number: note for note in document.notes}
        self.sources = {source.id: source for source in document.sources}
        #: EPUB: the notes called in the current chapter, written at its end.
        self.pending_notes: list[Note] = []
        #: Print: while a footnote is written, the notes called inside it (else None).
        self.inner_notes: list[Note] | None = None
        #: While a group's list is written: its notes' own calls print as marks only (their
        #: notes are already set where the text calls them).
        self.plain_calls = False
        #: Each group's first note of a source: the text its group's list shows.
        self.first_notes: dict[tuple[str, str], Note] = {}
        for note in document.notes:
            self.first_notes.setdefault((note.group, note.source), note)
        #: How many indented blocks (quotations, lists, definitions) hold the one being written.
        self.indents = 0

    # ------------------------------------------------------------ inlines

    def inlines(self, nodes, paragraph_end: bool = False) -> Markup:
        """A run of inlines; a note call is glued to the character before it and the closing
        punctuation after it, so no line starts with the call or with that punctuation. At a
        paragraph's end (print) the last two characters are glued too, so no last line holds
        a single character."""
        items: list = []
        nodes = list(nodes)
        index = 0
        while index < len(nodes):
            node = nodes[index]
            if isinstance(node, InternalLink):
                # Reads as its text: spliced in, so a note call after it glues to that text.
                nodes[index:index + 1] = list(node.children)
                continue
            if isinstance(node, NeedsSource) and node.children and self.target == "print":
                # Its text, then its mark (a NeedsSource without text), glued as a call is.
                nodes[index:index + 1] = [*node.children, NeedsSource(())]
                continue
            if not self._is_call(node):
                items.append(node)
                index += 1
                continue
            calls = []
            while index < len(nodes) and self._is_call(nodes[index]):
                calls.append(nodes[index])
                index += 1
            before = ""
            if items and isinstance(items[-1], (Text, Protected)) and items[-1].text:
                before = items[-1].text[-1]
                items[-1] = type(items[-1])(items[-1].text[:-1])
            after = ""
            if index < len(nodes) and isinstance(nodes[index], (Text, Protected)):
                text = nodes[index].text
                rest = text.lstrip(CLOSING)
                after = text[:len(text) - len(rest)]
                if rest:
                    nodes[index] = type(nodes[index])(rest)
                else:
                    index += 1
            items.append((before, calls, after))
        if paragraph_end and self.target == "print":
            self._glue_paragraph_end(items)
        return Markup("".join(self._glued(*item) if isinstance(item, tuple) else self.inline(item)
                              for item in items))

    def _is_call(self, node) -> bool:
        """A note call, or (print) the mark of a statement that needs a source."""
        return isinstance(node, NoteRef) or (self.target == "print"
                                             and isinstance(node, NeedsSource)
                                             and not node.children)

    @staticmethod
    def _glue_paragraph_end(items: list) -> None:
        """Move one more character into the glue of a final note call, or glue the last two
        characters (and closing marks) of a final run of text."""
        runs = (Text, Protected)
        last = items[-1] if items else None
        if isinstance(last, tuple) and len(items) > 1 and isinstance(items[-2], runs):
            before, calls, after = last
            text = items[-2].text
            while text and len(before.strip(CLOSING)) < 2:
                before, text = text[-1] + before, text[:-1]
            items[-2:] = [type(items[-2])(text), (before, calls, after)]
        elif isinstance(last, runs):
            match = re.search(rf"(?:[A-Za-z0-9.,:/%+\-–]+|[^{CLOSING}]){{2}}[{CLOSING}]*$",
                              last.text)
            if match and match.start() > 0:
                items[-1:] = [type(last)(last.text[:match.start()]),
                              (match.group(0), [], "")]

    def _glued(self, before: str, calls: list, after: str) -> str:
        parts = []
        for number, call in enumerate(calls):
            if not isinstance(call, NoteRef):
                parts.append(self.inline(call))
                continue
            if number and isinstance(calls[number - 1], NoteRef):
                parts.append('<span class="call-sep">,</span>')
            parts.append(self.note_call(call))
        inner = self._text(before) + "".join(parts) + self._text(after)
        return f'<span class="glue">{inner}</span>'

    def inline(self, node: Inline) -> str:
        match node:
            case Text():
                return self.visit_Text(node)
            case Protected():
                return self.visit_Protected(node)
            case Strong():
                return self.visit_Strong(node)
            case Emphasis():
                return self.visit_Emphasis(node)
            case InternalLink():
                return self.visit_InternalLink(node)
            case ExternalLink():
                return self.visit_ExternalLink(node)
            case LineBreak():
                return self.visit_LineBreak(node)
            case NeedsSource():
                return self.visit_NeedsSource(node)
            case NoteRef():
                return self.note_call(node)
            case Formula():
                return self.formula(node.tex, node.chem, display=False)
            case Code():
                return f'<code class="{_code_class("code", node.text)}">{escape(node.text)}</code>'
            case Ruby():
                return (f"<ruby><rb>{self.inlines(node.base)}</rb><rp>（</rp>"
                        f"<rt>{self.inlines(node.annotation)}</rt><rp>）</rp></ruby>")
            case Styled():
                return self.visit_Styled(node)
            case Variant() | ConversionRule():
                # The script transform resolves both before any writer runs.
                raise TypeError(f"a {type(node).__name__} reached the HTML writer unconverted")
            case _:
                no_rule(node, "the HTML writer")

    def _text(self, text: str) -> str:
        if self.target != "print":
            return str(escape(text))

        def run(match: re.Match) -> str:
            if match.group("fw"):
                return f'<span class="fw">{escape(match.group("fw"))}</span>'
            return self._compressed(match.group("pair"))

        if len(text) > LAYOUT_RUN:
            # WeasyPrint re-encodes a text box's whole remaining text for every line it sets,
            # so one long run costs the square of its length: set it as runs of its own.
            return "".join(f'<span class="run">{self._text(piece)}</span>'
                           for piece in layout_runs(text))
        return _QUOTE_BREAK.sub("\u200b", wrap_runs(text, _PRINT_RUNS, run))

    def _compressed(self, marks: str) -> str:
        """Adjacent marks (clreq 3.1.6): a closing mark before another loses its blank half,
        else an opening mark after another does."""
        closing = COMPRESSIBLE_CLOSING[self.document.script]
        halt = [False] * len(marks)
        for index in range(len(marks) - 1):
            if marks[index] in closing:
                halt[index] = True
            elif marks[index + 1] in COMPRESSIBLE_OPENING:
                halt[index + 1] = True
        return "".join(f'<span class="halt">{mark}</span>' if compress else mark
                       for mark, compress in zip(marks, halt))

    def visit_Text(self, node: Text) -> str:
        return self._text(node.text)

    def visit_Protected(self, node: Protected) -> str:
        return self._text(node.text)

    def visit_Strong(self, node: Strong) -> str:
        return f"<strong>{self.inlines(node.children)}</strong>"

    def visit_Emphasis(self, node: Emphasis) -> str:
        return f"<em>{self.inlines(node.children)}</em>"

    def visit_InternalLink(self, node: InternalLink) -> str:
        # A link to another wiki article reads as plain text in a book.
        return self.inlines(node.children)

    def visit_ExternalLink(self, node: ExternalLink) -> str:
        text = self.inlines(node.children)
        href = escape(node.url)
        if self.target == "print" and plain_text(node.children).strip() != node.url:
            words = labels(self.document.script)
            opening, closing = words["paren_open"], words["paren_close"]
            return (f'<a class="external" href="{href}">{text}</a>'
                    f'<span class="url">{opening}<a href="{href}">{escape(node.url)}</a>'
                    f'{closing}</span>')
        return f'<a class="external" href="{href}">{text}</a>'

    def visit_LineBreak(self, node: LineBreak) -> str:
        return "<br/>"

    def visit_NeedsSource(self, node: NeedsSource) -> str:
        mark = f'<sup class="needs-source">［{escape(self.labels["needs_source"])}］</sup>'
        if not node.children:
            return mark
        return f'<span class="unsourced">{self.inlines(node.children)}</span>{mark}'

    def note_call(self, node: NoteRef) -> str:
        note = self.notes[node.number]
        n, mark = note.number, escape(note.label or str(note.number))
        kind = " fn-explain" if note.group else ""
        if self.target == "print":
            if self.plain_calls:
                return f'<sup class="inner-call">{mark}</sup>'
            if self.inner_notes is not None:
                # A note inside a footnote: its mark here; its text a footnote of its own,
                # set just after the one that calls it.
                self.inner_notes.append(note)
                return f'<a class="inner-call" href="#note-{n}">{mark}</a>'
            self.inner_notes = []
            try:
                footnotes = [self.footnote(note, kind)]
                while self.inner_notes:
                    inner = self.inner_notes.pop(0)
                    footnotes.append(self.footnote(inner, " fn-explain" if inner.group else "",
                                                   inner_call=True))
            finally:
                self.inner_notes = None
            return "".join(footnotes)
        if self.plain_calls:
            return f'<sup class="inner-call">{mark}</sup>'
        self.pending_notes.append(note)
        return (f'<a class="noteref{kind}" epub:type="noteref" role="doc-noteref" id="ref-{n}" '
                f'href="#note-{n}">{mark}</a>')

    def footnote(self, note: Note, kind: str, inner_call: bool = False) -> str:
        """Print: a note as a footnote; ``inner_call`` for one called inside another note,
        whose call is already printed there (a footnote's own call would land in the text)."""
        mark = escape(note.label or str(note.number))
        size = " n2" if len(note.label or str(note.number)) >= 2 else ""
        inner = " fn-inner" if inner_call else ""
        return (f'<span class="fn{size}{kind}{inner}" id="note-{note.number}" data-n="{mark}">'
                f'{self.inlines(note.children)}</span>')

    def footnotes(self) -> Markup:
        """EPUB: the asides for the notes called since the last call, in order, each note's own
        notes right after it (as print sets them)."""
        out: list[str] = []
        waiting, self.pending_notes = self.pending_notes, []
        while waiting:
            note = waiting.pop(0)
            n = note.number
            body = self.inlines(note.children)
            out.append(
                f'<aside class="footnote" epub:type="footnote" role="doc-footnote" '
                f'id="note-{n}"><p><a class="backlink" href="#ref-{n}" role="doc-backlink" '
                f'title="{escape(self.labels["back_to_text"])}">'
                f'{self._text(note.label or str(n))}.</a> {body}</p></aside>')
            # The notes this one calls come next, before the text's next note.
            waiting[:0], self.pending_notes = self.pending_notes, []
        return Markup("\n".join(out))

    # ------------------------------------------------------------ blocks

    def blocks(self, blocks) -> Markup:
        return Markup("\n".join(self.block(block) for block in blocks))

    def block(self, node: Block) -> str:
        match node:
            case Paragraph():
                return self.block_Paragraph(node)
            case BulletList():
                return self.block_BulletList(node)
            case OrderedList():
                return self.block_OrderedList(node)
            case Hatnote():
                return self.block_Hatnote(node)
            case Figure():
                return self.block_Figure(node)
            case Infobox():
                return self.block_Infobox(node)
            case Bibliography():
                return self.block_Bibliography(node)
            case DisplayFormula():
                return (f'<div class="display-formula">'
                        f"{self.formula(node.tex, node.chem, display=True)}</div>")
            case CodeBlock():
                return self.block_CodeBlock(node)
            case Quotation():
                return self.block_Quotation(node)
            case Poem():
                return self.block_Poem(node)
            case Gallery():
                return self.block_Gallery(node)
            case Table():
                return self.block_Table(node)
            case DefinitionList():
                return self.block_DefinitionList(node)
            case Rule():
                return "<hr/>"
            case _:
                no_rule(node, "the HTML writer")

    def block_Paragraph(self, node: Paragraph) -> str:
        body = self.inlines(node.children, paragraph_end=True)
        if node.number:
            return (f'<p class="numbered"><span class="para-number">{node.number}</span>'
                    f"{body}</p>")
        return f"<p>{body}</p>"

    def _indented(self, write) -> tuple[str, str]:
        """(`` class="deep"`` or "", what ``write()`` returns) for an indented block: past
        :data:`MAX_INDENTS` indented blocks around it, it is set without indentation of its
        own, so deep nesting never narrows the text to nothing (or past the page's edge)."""
        deep = ' class="deep"' if self.indents >= MAX_INDENTS else ""
        self.indents += 1
        try:
            return deep, write()
        finally:
            self.indents -= 1

    def _items(self, items) -> str:
        out = []
        for item in items:
            sub = "".join(self.block(block) for block in item.sublists)
            out.append(f"<li>{self.inlines(item.children)}{sub}</li>")
        return "".join(out)

    def block_BulletList(self, node: BulletList) -> str:
        deep, items = self._indented(lambda: self._items(node.items))
        return f"<ul{deep}>{items}</ul>"

    def block_OrderedList(self, node: OrderedList) -> str:
        deep, items = self._indented(lambda: self._items(node.items))
        return f"<ol{deep}>{items}</ol>"

    def block_Hatnote(self, node: Hatnote) -> str:
        return f'<p class="hatnote hatnote-{escape(node.kind)}">{self.inlines(node.children)}</p>'

    def block_Figure(self, node: Figure) -> str:
        caption = f"<figcaption>{self.inlines(node.caption)}</figcaption>" if node.caption else ""
        alt = escape(plain_text(node.caption) or node.file)
        if not node.path:
            # The image is missing: its caption is kept, under a mark saying so (the file's
            # name only in the mark's title: digits and Latin are noise in the text).
            opening, closing = ("［", "］") if is_chinese(self.document.script) else ("[", "]")
            return (f'<figure class="figure missing-image"><p class="missing-image-mark" '
                    f'title="{escape(node.file)}">{opening}'
                    f'{escape(self.labels["missing_image"])}{closing}</p>{caption}</figure>')
        return (f'<figure class="figure"><img src="{escape(self.image_src(node))}" alt="{alt}"/>'
                f"{caption}</figure>")

    # ------------------------------------------------------------ formulas, code, verse

    def formula(self, tex: str, chem: bool, display: bool) -> str:
        """EPUB: MathML; print: SVG paths at the text size on the baseline, the TeX as its
        label. What the library cannot lay out is set as TeX in monospace, with a warning."""
        if self.target == "epub":
            markup = formulas.mathml(tex, chem, display)
            if markup is not None:
                return markup
        else:
            laid = formulas.svg(tex, chem, display)
            if laid is not None:
                svg = re.sub(r'width="[\d.]+" height="[\d.]+"',
                             f'width="{laid.width:.3f}em" height="{laid.height:.3f}em"',
                             laid.markup, count=1)
                label = escape(tex)
                svg = svg.replace("<svg ", f'<svg class="formula" role="img" '
                                  f'aria-label="{label}" style="vertical-align: '
                                  f'{-laid.depth:.3f}em" ', 1)
                opening = svg.index(">") + 1
                return f"{svg[:opening]}<title>{label}</title>{svg[opening:]}"
        if self.report is not None:
            self.report.warn("formula-as-tex", f"formula set as TeX (cannot lay it out): "
                             f"{tex[:80]}")
        return f'<code class="{_code_class("tex", tex)}">{escape(tex)}</code>'

    def block_CodeBlock(self, node: CodeBlock) -> str:
        language = f' data-language="{escape(node.language)}"' if node.language else ""
        return f'<pre class="code"{language}>{highlight(node.text, node.language)}</pre>'

    def block_Quotation(self, node: Quotation) -> str:
        attribution = f'<p class="attribution">{self.inlines(node.attribution)}</p>' \
            if node.attribution else ""
        deep, blocks = self._indented(lambda: self.blocks(node.blocks))
        return f"<blockquote{deep}>{blocks}{attribution}</blockquote>"

    def block_Poem(self, node: Poem) -> str:
        lines = []
        for line in node.lines:
            if not line.children:
                lines.append('<span class="stanza-break"></span>')
                continue
            # Indented by ideographic spaces, which hold in either writing direction.
            indent = "\u3000" * line.indent
            lines.append(f'<span class="line">{indent}{self.inlines(line.children)}</span>')
        return f'<div class="poem">{"".join(lines)}</div>'

    def block_Gallery(self, node: Gallery) -> str:
        caption = f"<figcaption>{self.inlines(node.caption)}</figcaption>" if node.caption else ""
        figures = "".join(self.block_Figure(figure) for figure in node.figures)
        return f'<figure class="gallery">{figures}{caption}</figure>'

    def image_src(self, node: Figure) -> str:
        """Where the writer's output finds the image: set by each back end."""
        return node.path

    def block_Infobox(self, node: Infobox) -> str:
        rows = "".join(f'<tr><th scope="row">{self.inlines(row.label)}</th>'
                       f"<td>{self.inlines(row.value)}</td></tr>" for row in node.rows)
        return (f'<table class="infobox"><caption>{self.inlines(node.title)}</caption>'
                f"<tbody>{rows}</tbody></table>")

    def block_Bibliography(self, node: Bibliography, start: int = 1) -> str:
        """The list of sources (numbered from ``start``: a long one is written in pieces),
        or a group's list of notes."""
        if node.group:
            return self.block_NoteList(node)
        entries = []
        for source_id in node.sources:
            source = self.sources[source_id]
            isbn = f'<span class="isbn">ISBN {escape(source.isbn)}</span>' if source.isbn else ""
            sep = "。" if isbn else ""
            entries.append(f'<li id="source-{escape(source.id)}">'
                           f'{self.inlines(without_notes(source.full))}'
                           f"{sep}{isbn}</li>")
        # WeasyPrint numbers from the counter, not from the start attribute.
        first = f' start="{start}" style="counter-reset: list-item {start - 1}"' \
            if start > 1 else ""
        return f'<ol class="bibliography"{first}>{"".join(entries)}</ol>'

    # ------------------------------------------------------------ tables, definitions, notes

    def visit_Styled(self, node: Styled) -> str:
        inner = self.inlines(node.children)
        if node.style == "big":  # not an HTML5 element
            return f'<span class="big">{inner}</span>'
        return f"<{node.style}>{inner}</{node.style}>"

    def block_NoteList(self, node: Bibliography) -> str:
        """A group's list of notes (注释), each with its label, where the article put it."""
        entries = []
        for source_id in node.sources:
            note = self.first_notes.get((node.group, source_id))
            if note is None:
                continue
            self.plain_calls = True
            try:
                body = self.inlines(note.children)
            finally:
                self.plain_calls = False
            entries.append(f'<li><span class="note-label">{escape(note.label)}.</span> '
                           f"{body}</li>")
        return f'<ol class="notelist">{"".join(entries)}</ol>' if entries else ""

    def block_Table(self, node: Table) -> str:
        columns = table_columns(node)
        size = " very-wide" if columns >= WIDE_COLUMNS[1] else \
            " wide" if columns >= WIDE_COLUMNS[0] else ""
        caption = f"<caption>{self.inlines(node.caption)}</caption>" if node.caption else ""
        head = "".join(self._row(row.cells, "col") for row in node.rows[:node.head_rows])
        body = "".join(self._row(row.cells, "row") for row in node.rows[node.head_rows:])
        head = f"<thead>{head}</thead>" if head else ""
        return (f'<div class="table-wrap{size}"><table class="data">{caption}{head}'
                f"<tbody>{body}</tbody></table></div>")

    def _row(self, cells, scope: str) -> str:
        out = []
        for cell in cells:
            attributes = ""
            if cell.rowspan > 1:
                attributes += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attributes += f' colspan="{cell.colspan}"'
            classes = [f"align-{cell.align}"] if cell.align else []
            if _is_short(cell):
                classes.append("short")
            if classes:
                attributes += f' class="{" ".join(classes)}"'
            if cell.header:
                spans = cell.colspan > 1 if scope == "col" else cell.rowspan > 1
                group = "group" if spans else ""
                out.append(f'<th scope="{scope}{group}"{attributes}>{self._cell(cell)}</th>')
            else:
                out.append(f"<td{attributes}>{self._cell(cell)}</td>")
        return f"<tr>{''.join(out)}</tr>"

    def _cell(self, cell: TableCell) -> str:
        if len(cell.blocks) == 1 and isinstance(cell.blocks[0], Paragraph):
            return self.inlines(cell.blocks[0].children)
        return self.blocks(cell.blocks)

    def block_DefinitionList(self, node: DefinitionList) -> str:
        """Terms and their definitions as ``<dl>``; definitions before any term (lines indented
        with ``:``) as indented blocks, since HTML's ``<dd>`` follows a ``<dt>``."""
        out = []
        last = ""  # "dt" or "dd" inside an open <dl>, "" outside one
        for item in node.items:
            if isinstance(item, DefinitionTerm):
                out.append(("" if last else "<dl>") + f"<dt>{self.inlines(item.children)}</dt>")
                last = "dt"
            elif last:
                deep, details = self._indented(lambda: self._details(item))
                out.append(f"<dd{deep}>{details}</dd>")
                last = "dd"
            else:
                deep, details = self._indented(lambda: self._details(item))
                out.append(f'<div class="indent{" deep" if deep else ""}">{details}</div>')
        if last:
            out.append(("<dd></dd>" if last == "dt" else "") + "</dl>")
        return "".join(out)

    def _details(self, item: DefinitionDetails) -> str:
        text = self.inlines(item.children)
        return text + "".join(self.block(block) for block in item.blocks)

    # ------------------------------------------------------------ sections

    def heading(self, section: Section) -> str:
        level = min(section.level, 6)
        running = escape(running_head(plain_text(without_notes(section.title))))
        return (f'<h{level} id="{section.id}" data-running="{running}">'
                f'{self.inlines(section.title)}</h{level}>')

    def section(self, section: Section) -> Markup:
        body = [self.heading(section), self.blocks(section.blocks)]
        body += [self.section(sub) for sub in section.sections]
        role = ' epub:type="bibliography" role="doc-bibliography"' \
            if self.target == "epub" and is_bibliography(section) else ""
        if self.target == "epub" and not role and is_note_list(section):
            role = ' epub:type="endnotes" role="doc-endnotes"'

        return Markup(f'<section class="level{section.level}" aria-labelledby="{section.id}"'
                      f'{role}>' + "\n".join(body) + "</section>")


#: The longest text run the print writer gives WeasyPrint as one box (see ``layout_runs``).
LAYOUT_RUN = 2000
#: Where a long run may be cut: after a sentence's end, a comma or a space, before a character
#: that may begin a line.
_RUN_CUT = re.compile(rf"(?<=[。！？；，、 ])(?=[^{CLOSING}\s])")


def layout_runs(text: str) -> list[str]:
    """``text`` cut into runs of at most about :data:`LAYOUT_RUN` characters, each ending where
    a line may end anyway (a hard cut only where no such place is near)."""
    runs: list[str] = []
    while len(text) > LAYOUT_RUN:
        cuts = [match.start() for match in _RUN_CUT.finditer(text, LAYOUT_RUN // 2, LAYOUT_RUN)]
        cut = cuts[-1] if cuts else LAYOUT_RUN
        runs.append(text[:cut])
        text = text[cut:]
    runs.append(text)
    return runs


def _code_class(kind: str, text: str) -> str:
    """Code holding Chinese is set as one unbreakable box (``cjk``), which the print's
    inter-character justification does not spread."""
    return f"{kind} cjk" if _CJK.search(text) else kind


def highlight(text: str, language: str) -> str:
    """Code as escaped markup, coloured by Pygments when it knows the language."""
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return str(escape(text))
    formatter = HtmlFormatter(nowrap=True, noclasses=True, style="friendly")
    return pygments_highlight(text, lexer, formatter).rstrip("\n")


#: The most characters of a title a running head shows: a long one is cut, with "…" (print
#: sets the running head on every page, and measures it there each time).
RUNNING_HEAD = 40


def running_head(title: str) -> str:
    """``title`` as a running head shows it: whole, or cut to :data:`RUNNING_HEAD` characters."""
    return shortened(title, RUNNING_HEAD)


def shortened(title: str, most: int) -> str:
    """``title`` on one line, whole or cut to ``most`` characters with an ellipsis."""
    title = " ".join(title.split())
    return title if len(title) <= most else title[:most - 1] + "…"


def wrap_runs(text: str, pattern: re.Pattern, render) -> str:
    """``text`` escaped, each match of ``pattern`` replaced by ``render(match)`` (markup)."""
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[position:match.start()])))
        out.append(render(match))
        position = match.end()
    out.append(str(escape(text[position:])))
    return "".join(out)


def is_bibliography(section: Section) -> bool:
    """Whether the section holds the list of sources (where ``{{Reflist}}`` stood)."""
    return any(isinstance(block, Bibliography) and not block.group for block in section.blocks)


def is_note_list(section: Section) -> bool:
    """Whether the section holds a group's list of notes (where ``{{notelist}}`` stood)."""
    return any(isinstance(block, Bibliography) and block.group for block in section.blocks)


#: A table of this many columns or more is set in smaller type; of the second, on a
#: landscape page in print.
WIDE_COLUMNS = (7, 11)


def table_columns(table: Table) -> int:
    """How many columns ``table`` has (its widest row, counting column spans and the cells
    that rows spanning from above take)."""
    widest = 0
    carried: list[int] = []  # rows still covered by a rowspan, per column position
    for row in table.rows:
        width = sum(1 for left in carried if left > 0)
        width += sum(cell.colspan for cell in row.cells)
        widest = max(widest, width)
        carried = [left - 1 for left in carried if left > 1]
        for cell in row.cells:
            if cell.rowspan > 1:
                carried.extend([cell.rowspan - 1] * cell.colspan)
    return widest


#: A cell of at most this many characters (a name, 提名, a year) is never broken.
SHORT_CELL = 4


def _is_short(cell: TableCell) -> bool:
    """Whether ``cell`` is one short paragraph, set on one line on any screen."""
    if len(cell.blocks) != 1 or not isinstance(cell.blocks[0], Paragraph):
        return False
    text = plain_text(without_notes(cell.blocks[0].children)).strip()
    return 0 < len(text) <= SHORT_CELL


def without_notes(inlines) -> tuple:
    """A heading's inlines without note calls, for contents, bookmarks and running heads."""
    return tuple(node for node in inlines if not isinstance(node, NoteRef))


def date_text(iso: str, tag: str = "zh-Hans") -> str:
    """``2026-11-01`` → ``2026年11月1日`` (the same in both scripts), ``1 November 2026`` in
    English (the words of :mod:`publish.labels`)."""
    year, month, day = (iso.split("-") + ["", ""])[:3]
    if not (year and month and day and month.isdigit() and day.isdigit()):
        return iso
    return labels(tag)["date_ymd"].format(y=year, m=int(month), d=int(day),
                                          month=MONTHS[int(month) - 1])


def render_attribution(document: Document) -> Markup:
    """The attribution text the licence asks for, in the document's script."""
    meta = document.meta
    # Without a source address the page says so plainly, and how to supply it.
    text = labels(document.script)["attribution_text" if meta.source_url
                                   else "attribution_unknown"]
    parts = re.split(r"(\{\w+\})", text)
    values = {"{title}": escape(meta.title), "{url}": _link(meta.source_url),
              "{licence_url}": _link(meta.licence_url), "{history}": _link(meta.history_url)}
    return Markup("".join(str(values.get(part, escape(part))) for part in parts))


def render_credits(document: Document) -> Markup:
    """The credits of the images the book shows (a list under its own heading), or nothing."""
    shown = {node.path for node in walk(document) if isinstance(node, Figure)}
    credits = [credit for credit in document.meta.credits
               if f"media/{credit.file}" in shown]
    if not credits:
        return Markup("")
    words = labels(document.script)
    colon, comma = escape(words["colon"]), escape(words["comma"])
    items = []
    for credit in credits:
        licence = escape(credit.licence or words["licence_unknown"])
        if credit.licence_url:
            licence = Markup(f"{licence}{escape(words['paren_open'])}{_link(credit.licence_url)}"
                             f"{escape(words['paren_close'])}")
        source = Markup(f"{escape(words['semicolon'])}{escape(words['source_label'])}{colon}"
                        f"{_link(credit.source_url)}") if credit.source_url else ""
        items.append(f'<li>{escape(credit.title or credit.file)}{colon}'
                     f'{escape(credit.artist or words["artist_unknown"])}{comma}{licence}{source}'
                     '</li>')
    return Markup(f'<h3 class="credits-title">{escape(words["image_credits"])}</h3>'
                  f'<ul class="credits">{"".join(items)}</ul>')


def _link(url: str) -> str:
    return f'<a href="{escape(url)}">{escape(url)}</a>' if url else ""
