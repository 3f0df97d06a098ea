"""Writer: a converted Document → HTML (print) or XHTML (EPUB) markup through Jinja2 templates.

:class:`Translator` turns nodes into markup, one method a node type, and raises on a node it
does not know; the templates in ``templates/`` lay out the pages around it. The same translator
serves both back ends: ``target="print"`` sets notes as CSS footnotes and prints URLs after
their links, ``target="epub"`` sets notes as popup footnotes linked both ways.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..model import (Bibliography, Block, BulletList, ConversionRule, Document, Emphasis,
                     ExternalLink, Figure, Hatnote, Infobox, Inline, InternalLink, LineBreak,
                     NeedsSource, Note, NoteRef, OrderedList, Paragraph, Protected, Section,
                     Strong, Text, Variant, no_rule, plain_text)
from ..labels import MONTHS, is_chinese, labels

__all__ = ["Translator", "environment", "TEMPLATES", "LANG_TAGS", "render_attribution",
           "is_bibliography", "without_notes", "date_text", "wrap_runs"]

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
#: BCP 47 tags per script: ``lang`` picks the glyph forms (SC or TC) in every renderer.
LANG_TAGS = {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "en": "en"}

#: Marks that must not begin a line, and that a note call is glued to (clreq 3.1.7).
CLOSING = "，。、；：？！）」』》〉】〕］｝”’·…—～%"
#: Closing marks whose ink sits in their left half, so their right half can be dropped (halt)
#: before another mark; in traditional fonts ，。、：；！？ are centred and keep their width.
COMPRESSIBLE_CLOSING = {"zh-Hans": "，。、：；！？）》」』〉】〕］｝”’",
                        "zh-Hant": "）》」』〉】〕］｝”’", "en": ""}
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

    def __init__(self, document: Document, target: str):
        if target not in ("print", "epub"):
            raise ValueError(f"unknown target {target!r}")
        self.document = document
        self.target = target
        self.labels = labels(document.script)
        self.notes = {note.number: note for note in document.notes}
        self.sources = {source.id: source for source in document.sources}
        #: EPUB: the notes called in the current chapter, written at its end.
        self.pending_notes: list[Note] = []

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
            opening, closing = ("（", "）") if is_chinese(self.document.script) else (" (", ")")
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
        n = note.number
        if self.target == "print":
            size = " n2" if n >= 10 else ""
            return (f'<span class="fn{size}" id="note-{n}" data-n="{n}">'
                    f'{self.inlines(note.children)}</span>')
        self.pending_notes.append(note)
        return (f'<a class="noteref" epub:type="noteref" role="doc-noteref" id="ref-{n}" '
                f'href="#note-{n}">{n}</a>')

    def footnotes(self) -> Markup:
        """EPUB: the asides for the notes called since the last call, in order."""
        out = []
        for note in self.pending_notes:
            n = note.number
            out.append(
                f'<aside class="footnote" epub:type="footnote" role="doc-footnote" '
                f'id="note-{n}"><p><a class="backlink" href="#ref-{n}" role="doc-backlink" '
                f'title="{escape(self.labels["back_to_text"])}">{n}.</a> '
                f'{self.inlines(note.children)}</p></aside>')
        self.pending_notes = []
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
            case _:
                no_rule(node, "the HTML writer")

    def block_Paragraph(self, node: Paragraph) -> str:
        body = self.inlines(node.children, paragraph_end=True)
        if node.number:
            return (f'<p class="numbered"><span class="para-number">{node.number}</span>'
                    f"{body}</p>")
        return f"<p>{body}</p>"

    def _items(self, items) -> str:
        out = []
        for item in items:
            sub = "".join(self.block(block) for block in item.sublists)
            out.append(f"<li>{self.inlines(item.children)}{sub}</li>")
        return "".join(out)

    def block_BulletList(self, node: BulletList) -> str:
        return f"<ul>{self._items(node.items)}</ul>"

    def block_OrderedList(self, node: OrderedList) -> str:
        return f"<ol>{self._items(node.items)}</ol>"

    def block_Hatnote(self, node: Hatnote) -> str:
        return f'<p class="hatnote hatnote-{escape(node.kind)}">{self.inlines(node.children)}</p>'

    def block_Figure(self, node: Figure) -> str:
        caption = f"<figcaption>{self.inlines(node.caption)}</figcaption>" if node.caption else ""
        alt = escape(plain_text(node.caption) or node.file)
        return (f'<figure class="figure"><img src="{escape(self.image_src(node))}" alt="{alt}"/>'
                f"{caption}</figure>")

    def image_src(self, node: Figure) -> str:
        """Where the writer's output finds the image: set by each back end."""
        return node.path

    def block_Infobox(self, node: Infobox) -> str:
        rows = "".join(f'<tr><th scope="row">{self.inlines(row.label)}</th>'
                       f"<td>{self.inlines(row.value)}</td></tr>" for row in node.rows)
        return (f'<table class="infobox"><caption>{self.inlines(node.title)}</caption>'
                f"<tbody>{rows}</tbody></table>")

    def block_Bibliography(self, node: Bibliography) -> str:
        entries = []
        for source_id in node.sources:
            source = self.sources[source_id]
            isbn = f'<span class="isbn">ISBN {escape(source.isbn)}</span>' if source.isbn else ""
            sep = "。" if isbn else ""
            entries.append(f'<li id="source-{escape(source.id)}">{self.inlines(source.full)}'
                           f"{sep}{isbn}</li>")
        return f'<ol class="bibliography">{"".join(entries)}</ol>'

    # ------------------------------------------------------------ sections

    def heading(self, section: Section) -> str:
        level = min(section.level, 6)
        return (f'<h{level} id="{section.id}">{self.inlines(section.title)}</h{level}>')

    def section(self, section: Section) -> Markup:
        body = [self.heading(section), self.blocks(section.blocks)]
        body += [self.section(sub) for sub in section.sections]
        role = ' epub:type="bibliography" role="doc-bibliography"' \
            if self.target == "epub" and is_bibliography(section) else ""
        return Markup(f'<section class="level{section.level}" aria-labelledby="{section.id}"'
                      f'{role}>' + "\n".join(body) + "</section>")


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
    return any(isinstance(block, Bibliography) for block in section.blocks)


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


def _link(url: str) -> str:
    return f'<a href="{escape(url)}">{escape(url)}</a>' if url else ""
