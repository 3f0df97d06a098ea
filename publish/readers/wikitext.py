"""Reader stage, node dispatch: wikitext → a :class:`~publish.model.Document`.

mwparserfromhell gives a tree that mirrors the markup: flat headings, list markers, paragraphs
as blank lines, templates unexpanded. This module dispatches on its nodes — text, links,
figures, templates (through the table in :mod:`.templates`), tags, ``-{…}-`` markup — and
hands references to :mod:`.refs`, runs to :mod:`.runs` and the line tokens to the block
builder (:mod:`.blocks`). mwparserfromhell types never leave the readers.
"""
from __future__ import annotations

import datetime
import html
import re
import unicodedata
from typing import Mapping

import mwparserfromhell
from mwparserfromhell import nodes as mw

from .. import images
from ..labels import base_tag
from ..media import FOLDER, Media
from ..model import (Bibliography, BulletList, CodeBlock, DefinitionDetails, DefinitionList,
                     DisplayFormula, Document, Emphasis, ExternalLink, Figure, Gallery, Hatnote,
                     Infobox, Inline, InternalLink, LineBreak, Meta, OrderedList, Paragraph,
                     Poem, Protected, Quotation, Rule, Strong, Styled, Text, plain_text, walk)
from ..report import Report
from . import blocks
from .blocks import BLOCK_TOKENS, NEWLINE, Heading, ListMarker, Newline, build_blocks
from . import conversion
from .conversion import PLACEHOLDER, Markup, lift
from .expansions import Expansions, lift_into
from .extensions import TAG_HANDLERS, TEMPLATE_HANDLERS, as_inlines, hoist_quotations
from .refs import References, attach_locators
from .repair import MAX_MARKUP_DEPTH, bound_depth, repair, strip_debris
from .language import detect_language
from .runs import DROPPED_MARK, clean_text, normalise, trim
from .tables import INDENT_CLASS, TABLE_TEMPLATES, indent_tables, read_table
from .templates import Locator, Params, handler_for, normalise_name

__all__ = ["read_text"]

FILE_PREFIXES = ("file", "image", "文件", "檔案", "档案", "图像", "圖像", "媒体", "媒體")
CATEGORY_PREFIXES = ("category", "分类", "分類")
IMAGE_OPTIONS = re.compile(
    r"^(thumb|thumbnail|缩略图|縮圖|缩图|frame|framed|frameless|border|left|right|center|centre|"
    r"none|upright(=[\d.]+)?|\d*x?\d+px|(alt|link|page|lang|class|upright)=.*|"
    r"baseline|middle|sub|super|top|text-top|bottom|text-bottom|左|右|居中|无框)$")
INTERLANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z]+)?:")
#: Tags whose content is kept as text (MediaWiki's allowed article HTML, less the structural ones).
INLINE_TAGS = {"span", "font", "u", "ins", "s", "del", "strike", "small", "big", "sup", "sub",
               "abbr", "tt", "kbd", "var", "samp", "q", "cite", "bdi", "bdo", "mark",
               "rb", "rt", "rp", "dfn", "time", "data", "wbr", "nowiki", "center", "div",
               "p", "section", "onlyinclude", "includeonly", "noinclude"}
#: Tags whose content never reaches a book.
DROPPED_TAGS = {"script", "style", "iframe", "object", "embed", "link", "meta", "form", "input",
                "button", "textarea", "select", "svg", "audio", "video", "graph",
                "templatedata", "timeline", "imagemap", "mapframe", "maplink", "inputbox",
                "categorytree", "score", "hiero", "indicator"}
#: A ``-{…}-`` block that may hold a quotation written once per script.
_QUOTATION = re.compile(r"\{\{\s*(?:c?quote|blockquote|quotation)|<blockquote", re.I)
#: Text-level tags set as styled runs, with the style each means (``<del>`` is struck out …).
STYLED_TAGS = {"sup": "sup", "sub": "sub", "s": "s", "del": "s", "strike": "s", "u": "u",
               "ins": "u", "small": "small", "big": "big"}
#: Characters that would read as markup again once an entity such as ``&lt;`` is decoded.
_MARKUP_CHARS = re.compile(r"[<>\[\]{}|']")


def read_text(text: str, report: Report, meta: Meta | None = None,
              media: Media | None = None, expansions: Expansions | None = None,
              groups: Mapping[str, tuple[str, ...]] | None = None) -> Document:
    """Read wikitext into a document; ``media`` is where figures' files are looked for,
    ``expansions`` the wiki's own expansions of templates the table does not know, ``groups``
    the conversion groups ``{{NoteTA|G1=…}}`` may name (group → rule strings)."""
    # CRLF (Windows) and lone CR (old Mac) line ends read exactly as LF.
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    text = clean_text(unicodedata.normalize("NFC", text), report)
    meta = meta or Meta(title="")
    text, table, switches = lift(text, report)
    text = repair(text, report)
    text = indent_tables(text)
    code = mwparserfromhell.parse(text)
    language = meta.language or detect_language(code)
    reader = _Reader(report, table, media, expansions or Expansions({}), base_tag(language),
                     meta.source_date)
    reader.groups = groups or {}
    reader.refs.collect_definitions(code)
    lead, sections = blocks.build(reader.tokens(code.nodes), report)
    meta = Meta(**{**meta.__dict__, "subjects": tuple(reader.subjects), "language": language,
                   "title": meta.title or reader.display_title or _lead_subject(lead),
                   "convert_content": not switches & {"NOCONTENTCONVERT", "NOCC"},
                   "convert_title": not switches & {"NOTITLECONVERT", "NOTC"}})
    document = Document(meta=meta, blocks=lead, sections=sections,
                        sources=tuple(reader.refs.sources))
    document = bound_depth(document, report)
    reader.account_dropped(document)
    return conversion.scrub(document, table, report)


class _Reader:
    """Dispatches mwparserfromhell nodes to model nodes and line tokens for one article."""

    def __init__(self, report: Report, table: list[Markup], media: Media | None,
                 expansions: Expansions, tag: str = "zh-Hans", source_date: str = ""):
        self.report = report
        self.table = table
        self.media = media
        self.expansions = expansions
        #: The labels' table for the article's language: template words (主条目, 英语：…)
        #: are written in it (Chinese in simplified characters, converted like the text).
        self.tag = tag
        self._source_date = source_date
        self.refs = References(self)
        self.subjects: list[str] = []
        self.depth = 0
        self.protecting = False
        self.literal = False
        self.groups: Mapping[str, tuple[str, ...]] = {}
        #: Inside ``<poem>``: spaces between Chinese or Japanese words are kept.
        self.in_poem = False
        #: ``{{DISPLAYTITLE:…}}``, the title the article shows.
        self.display_title = ""
        #: The heading of the section being read, for saying where something was dropped.
        self.section = ""
        #: Templates dropped for want of a rule: (name, characters of text held, section).
        self.dropped: list[tuple[str, int, str]] = []

    def warn(self, code: str, message: str) -> None:
        self.report.warn(code, message)

    def citation_inlines(self, kind: str, params: Params) -> tuple[Inline, ...]:
        """A cite template outside a ref (a further-reading entry): its full entry, inline."""
        return self.refs.citation_inlines(kind, params)

    # -------------------------------------------------------- templates, links, figures

    def source_date(self) -> tuple[int, int, int] | None:
        """The metadata's date of the text, for ages that would otherwise change daily."""
        try:
            date = datetime.date.fromisoformat(self._source_date)
        except ValueError:
            return None
        return date.year, date.month, date.day

    def block_tokens(self, wikitext: str) -> list:
        """Wikitext a template holds read as blocks (lists, paragraphs), in line tokens."""
        return [NEWLINE, *self.tokens(mwparserfromhell.parse(wikitext).nodes), NEWLINE]

    def _template(self, template: mw.Template) -> list:
        name = normalise_name(str(template.name))
        handler = handler_for(name) or TEMPLATE_HANDLERS.get(name) or TABLE_TEMPLATES.get(name)
        if handler is None and ":" in name and self._magic_word(template):
            return []
        if handler is None:
            expansion = self.expansions.get(str(template), self.table)
            if expansion is not None:
                text = clean_text(unicodedata.normalize("NFC", expansion), self.report)
                text = repair(lift_into(text, self.table, self.report), self.report)
                return self.tokens(mwparserfromhell.parse(text).nodes)
            return self._unknown(template)
        result = handler(self, Params(template))
        return [result] if isinstance(result, Locator) else result

    def _magic_word(self, template: mw.Template) -> bool:
        """``{{DISPLAYTITLE:…}}`` (kept as the title), ``{{DEFAULTSORT:…}}`` and parser
        functions (``{{#if:…}}``), which print nothing a book can use."""
        word, _, value = str(template.name).partition(":")
        word = word.strip().upper()
        if word in ("DISPLAYTITLE", "顯示標題", "显示标题"):
            self.display_title = _strip_markup(self.plain(value)).strip()
            return True
        return word.startswith("#") or word in ("DEFAULTSORT", "DEFAULTSORTKEY",
                                                "DEFAULTCATEGORYSORT", "PAGENAME",
                                                "FULLPAGENAME", "NAMESPACE")

    def _unknown(self, template: mw.Template) -> list:
        """A template without a rule: dropped, its text measured and its place recorded for
        the report; in running text it leaves a mark that takes empty brackets with it."""
        name = str(template.name).strip()
        held = sum(len(param.value.strip_code(normalize=True, collapse=True).strip())
                   for param in template.params)
        self.dropped.append((name, held, self.section))
        where = f" in “{self.section}”" if self.section else " in the lead"
        self.warn("template-unknown", f"unknown template {{{{{name}}}}} dropped{where}"
                  + (f" with {held} characters of text" if held else ""))
        return [Text(DROPPED_MARK)]

    def account_dropped(self, document: Document) -> None:
        """Tell the report how much text unknown templates held, against what reached the book."""
        kept = sum(len(node.text) for node in walk(document)
                   if isinstance(node, (Text, Protected)))
        for name, held, where in self.dropped:
            self.report.dropped(name, held, where)
        self.report.text_chars = kept

    def figure_file(self, name: str) -> str:
        """The media file for ``name`` relative to the source folder, or "" (with a warning):
        a plain file name, found in the media folder, that passes the media check."""
        if not Media.plain_name(name):
            self.warn("media-refused", f"media file name {name.strip()!r} refused "
                      "(not a plain file name)")
            return ""
        found = self.media.find(name) if self.media is not None else ""
        if not found or self.media is None:
            self.warn("media-missing", f"media file {Media.plain_name(name)} not found in "
                      f"{FOLDER}/; a caption is kept as a missing image")
            return ""
        try:
            images.prepare(self.media.path(found))
        except images.ImageRefused as refusal:
            self.warn("media-refused", f"{refusal}; a caption is kept as a missing image")
            return ""
        return found

    def _file_link(self, link: mw.Wikilink, spilled: list | None) -> list:
        title = str(link.title).strip()
        name = title.split(":", 1)[1].strip()
        caption: tuple = ()
        if link.text is not None:
            parts = _split_pipes(str(link.text))
            captions = [part for part in parts if not IMAGE_OPTIONS.match(part.strip())]
            if captions:
                caption = self.inlines(captions[-1])
        if spilled:
            caption = tuple(normalise([*caption, *spilled], self.report))
        path = self.figure_file(name)
        if not path and not caption:
            return []
        # A figure whose image is missing keeps its caption (the writers mark it).
        return [Figure(name, path, caption)]

    def _wikilink(self, link: mw.Wikilink) -> list:
        target = str(link.title).strip()
        prefix = target.split(":", 1)[0].strip().casefold() if ":" in target else ""
        if prefix in CATEGORY_PREFIXES:
            subject = target.split(":", 1)[1].strip()
            if subject and subject not in self.subjects:
                self.subjects.append(subject)
            return []
        if target.startswith(":"):
            target = target[1:]
        elif INTERLANGUAGE.match(target) and prefix not in ("wikipedia", "wp", "help", "portal"):
            return []
        target = target.replace("_", " ")
        if link.text is not None and not str(link.text):
            # The pipe trick: [[Help:目录|]] shows 目录, [[中国 (消歧义)|]] shows 中国.
            shown = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", target.split(":", 1)[-1])
            return [InternalLink(target, self.inlines(shown.split(",")[0].strip() or target))]
        text = self.inlines(link.text) if link.text is not None and str(link.text).strip() \
            else self.inlines(target.split("#")[0] or target)
        return [InternalLink(target, text)]

    # -------------------------------------------------------- inlines

    def plain(self, wikitext) -> str:
        return plain_text(self.inlines(wikitext))

    def inlines_of(self, nodes: list) -> tuple[Inline, ...]:
        """A list of mwparserfromhell nodes read as inline content."""
        return self.inlines(mwparserfromhell.parse("".join(str(node) for node in nodes)))

    def inlines(self, wikitext) -> tuple[Inline, ...]:
        """Wikitext (a string or parsed code) read as inline content: blocks flattened."""
        if isinstance(wikitext, str):
            wikitext = mwparserfromhell.parse(wikitext)
        return self._flatten(self.tokens(wikitext.nodes))

    def _flatten(self, tokens: list) -> tuple[Inline, ...]:
        """Tokens read as inline content: line ends become spaces, blocks their text."""
        out: list = []
        for token in tokens:
            if isinstance(token, (Newline, ListMarker)):
                out.append(Text(" "))
            elif isinstance(token, Heading):
                out.extend(token.title)
            elif isinstance(token, (Paragraph, Hatnote)):
                out.extend(token.children)
            elif isinstance(token, (DisplayFormula, CodeBlock, Quotation, Poem, Gallery,
                                    Figure)):
                out.extend(as_inlines(token, self.warn))
            elif isinstance(token, (*BLOCK_TOKENS, BulletList, OrderedList)) \
                    and not isinstance(token, Hatnote):
                self.warn("block-in-inline", f"a {type(token).__name__} inside running text "
                          "dropped")
            else:
                out.append(token)
        return tuple(normalise(attach_locators(out, self.report), self.report,
                               keep_spaces=self.in_poem))

    def tokens(self, nodes) -> list:
        """mwparserfromhell nodes → inlines, blocks and line tokens, in order."""
        self.depth += 1
        try:
            if self.depth > MAX_MARKUP_DEPTH:
                self.warn("nesting-too-deep", f"markup nested deeper than {MAX_MARKUP_DEPTH} "
                          "levels kept as plain text")
                return [Text(_strip_markup("".join(str(node) for node in nodes)))]
            return self._tokens(list(nodes))
        finally:
            self.depth -= 1

    def _tokens(self, nodes: list) -> list:
        out: list = []
        index = 0
        while index < len(nodes):
            node = nodes[index]
            index += 1
            if isinstance(node, mw.Text):
                out.extend(self._text(str(node)))
            elif isinstance(node, mw.Wikilink):
                title = str(node.title).strip()
                prefix = title.split(":", 1)[0].strip().casefold() if ":" in title else ""
                if prefix in FILE_PREFIXES:
                    spilled, index = self._spilled_caption(node, nodes, index)
                    out.extend(self._file_link(node, spilled))
                else:
                    out.extend(self._wikilink(node))
            elif isinstance(node, mw.ExternalLink):
                url = str(node.url).strip()
                if not re.match(r"^(https?|ftp)://", url, re.I):
                    out.extend(self._text(str(node)))
                    continue
                text = self.inlines(node.title) if node.title is not None \
                    and str(node.title).strip() else (Text(url),)
                out.append(ExternalLink(url, text))
            elif isinstance(node, mw.Template):
                out.extend(self._template(node))
            elif isinstance(node, mw.Tag):
                out.extend(self._tag(node))
            elif isinstance(node, mw.HTMLEntity):
                out.extend(self._entity(node))
            elif isinstance(node, mw.Heading):
                heading = tuple(trim(self.inlines(node.title)))
                self.section = plain_text(heading).strip()
                out.append(Heading(node.level, heading))
            elif isinstance(node, mw.Comment):
                continue
            elif isinstance(node, mw.Argument):
                self.warn("template-argument", f"template argument {str(node)} dropped")
            else:
                out.extend(self._text(str(node)))
        return out

    def _spilled_caption(self, link, nodes: list, index: int):
        """Repair ``[[File:x|thumb]]caption…]]``: a caption written after the link closed.

        The nodes from ``index`` up to a text holding a stray ``]]`` on the same line become
        the caption; the text after the ``]]`` goes back to the node list.
        """
        if link.text is not None and any(not IMAGE_OPTIONS.match(part.strip())
                                         for part in _split_pipes(str(link.text))):
            return None, index
        for end in range(index, len(nodes)):
            node = nodes[end]
            if isinstance(node, mw.Text):
                text = str(node)
                close, newline = text.find("]]"), text.find("\n")
                if close >= 0 and (newline < 0 or close < newline):
                    caption = self.inlines(mwparserfromhell.parse(
                        "".join(str(n) for n in nodes[index:end]) + text[:close]))
                    nodes[end] = mw.Text(text[close + 2:])
                    self.warn("file-link-repaired", f"the caption of [[{str(link.title).strip()}]] "
                              "stood after its ]]; read as the caption")
                    return list(caption), end
                if newline >= 0:
                    break
        return None, index

    def _text(self, text: str) -> list:
        out: list = []
        position = 0
        for match in PLACEHOLDER.finditer(text):
            out.extend(self._lines(text[position:match.start()]))
            out.extend(self._markup(self.table[int(match.group(1))]))
            position = match.end()
        out.extend(self._lines(text[position:]))
        return out

    def _entity(self, node: mw.HTMLEntity) -> list:
        """An entity prints as the character it names: ``&lt;b&gt;`` is the text <b>, never
        markup, so a character markup would be made of is kept Protected from debris removal."""
        character = self._unescape(str(node))
        if _MARKUP_CHARS.search(character):
            return [Protected(character)]
        return self._text(character)

    def _unescape(self, text: str) -> str:
        """Entities resolved, and what they named cleaned again (``&#1;`` is a control)."""
        return clean_text(html.unescape(text), self.report)

    def _lines(self, text: str) -> list:
        """Text as runs and line ends, markup debris removed (except in literal text); inside a
        ``-{…}-`` branch or an unconverted tag the runs are Protected."""
        kind = Protected if self.protecting else Text
        out: list = []
        for number, line in enumerate(text.split("\n")):
            if number:
                out.append(NEWLINE)
            if not self.literal:
                line = strip_debris(line, self.report)
            if line:
                out.append(kind(line))
        return out

    def _branch(self, wikitext: str) -> tuple[Inline, ...]:
        """A ``-{…}-`` branch: its author's text is Protected; words a template generates in
        it (labels such as 查阅) stay Text, converted like the rest of the book."""
        return self._flatten(self._branch_tokens(wikitext))

    def _branch_tokens(self, wikitext: str) -> list:
        outer, self.protecting = self.protecting, True
        try:
            return self.tokens(mwparserfromhell.parse(wikitext).nodes)
        finally:
            self.protecting = outer

    def _markup(self, markup: Markup) -> list:
        if markup.flags == {"S"} and not markup.oneway and _QUOTATION.search(markup.text):
            # A quotation written once per script: the variant goes inside the quotation.
            hoisted = hoist_quotations([(code, self._branch_tokens(text))
                                        for code, text in markup.branches])
            if hoisted is not None:
                return hoisted
        return conversion.nodes(markup, self._branch, self.inlines)

    def _tag(self, tag: mw.Tag) -> list:
        name = str(tag.tag).strip().lower()
        if name == "ref":
            return self.refs.ref(tag)
        if name == "references":
            return [Bibliography(group=self.refs.group_of(tag))]
        if name == "br":
            return [LineBreak()]
        if name == "li" or name in ("dt", "dd"):
            return [ListMarker(tag.wiki_markup)] if tag.wiki_markup else \
                [NEWLINE, *self._children(tag), NEWLINE]
        if name == "hr":
            return [NEWLINE, Rule(), NEWLINE]
        if name in STYLED_TAGS and not tag.self_closing:
            return [Styled(STYLED_TAGS[name], self.inlines(tag.contents or ""))]
        if name == "dl" and INDENT_CLASS in str(tag.get("class").value if tag.has("class")
                                                 else ""):
            return self._indented(tag)
        if name in ("b", "strong"):
            return [Strong(self.inlines(tag.contents or ""))]
        if name in ("i", "em"):
            return [Emphasis(self.inlines(tag.contents or ""))]
        if name == "table":
            return read_table(self, tag)
        if name in TAG_HANDLERS:
            return TAG_HANDLERS[name](self, tag)
        if name in DROPPED_TAGS:
            self.warn("tag-dropped", f"<{name}> and its content dropped")
            return []
        if name == "nowiki" and tag.contents is not None:
            return [Protected(self._unescape(str(tag.contents)))]
        if name in conversion.UNCONVERTED_TAGS:  # one no handler above took
            return self._unconverted(lambda: self._children(tag))
        if name in ("p", "div", "center"):
            return [NEWLINE, NEWLINE, *self._children(tag), NEWLINE, NEWLINE]
        if name not in INLINE_TAGS and name not in ("tr", "td", "th", "caption"):
            self.warn("tag-unknown", f"unknown tag <{name}>: its text kept")
        return self._children(tag)

    def _unconverted(self, read) -> list:
        """What ``read`` returns, its text runs Protected: the content of a tag MediaWiki never
        converts (``<pre>``, ``<code>``, ``<math>`` …), where markup-like text is literal."""
        outer = self.protecting, self.literal
        self.protecting = self.literal = True
        try:
            return read()
        finally:
            self.protecting, self.literal = outer

    def _children(self, tag) -> list:
        return self.tokens(tag.contents.nodes) if tag.contents is not None else []

    def _indented(self, tag) -> list:
        """``:{| … |}`` (wrapped by :func:`.tables.indent_tables`): the table, indented."""
        depth = int(str(tag.get("class").value).rsplit("-", 1)[-1] or 1)
        blocks = build_blocks(self._children(tag), self.report)
        if not blocks:
            return []
        node = DefinitionList((DefinitionDetails((), blocks),))
        for _ in range(min(depth, 6) - 1):
            node = DefinitionList((DefinitionDetails((), (node,)),))
        return [NEWLINE, node, NEWLINE]


# ---------------------------------------------------------------- helpers

def _split_pipes(text: str) -> list[str]:
    """Split a link's text on ``|`` outside nested ``[[ ]]`` and ``{{ }}``."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if text.startswith(("[[", "{{"), i):
            depth += 1
        elif text.startswith(("]]", "}}"), i) and depth:
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _lead_subject(lead) -> str:
    """The bold subject of the lead's first paragraph (``'''中苏关系'''是指…``), else the
    name of the lead's infobox, or ""."""
    boxes = [plain_text(block.title).strip() for block in lead if isinstance(block, Infobox)]
    for block in lead:
        if isinstance(block, Paragraph):
            for node in block.children:
                if isinstance(node, Strong):
                    return plain_text(node.children).strip()
            break
    return next((title for title in boxes if title), "")


def _strip_markup(text: str) -> str:
    return re.sub(r"\[\[|\]\]|\{\{|\}\}|'{2,}|<[^>]*>|-\{|\}-|\ue000\d+\ue001", "", text)

