"""Reader: a wikitext file (or string) → a :class:`~publish.model.Document`.

mwparserfromhell gives a tree that mirrors the markup: flat headings, list markers, paragraphs
as blank lines, templates unexpanded. This module turns it into the document's shape: sections,
paragraphs, lists, figures, hatnotes, infoboxes, notes and their sources. mwparserfromhell
types never leave it.
"""
from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import mwparserfromhell
from mwparserfromhell import nodes as mw

from ..model import (Bibliography, Block, BulletList, ConversionRule, Document, Emphasis,
                     ExternalLink, Figure, Hatnote, Infobox, Inline, InternalLink, LineBreak,
                     ListItem, Meta, NoteRef, OrderedList, Paragraph, Protected,
                     Section, Source, Strong, Text, Variant, plain_text, walk)
from ..report import PublishError, Report
from .citations import CITE_TEMPLATES, format_citation
from .conversion import PLACEHOLDER, Markup, lift
from .repair import repair, strip_debris
from .templates import HANDLERS, Locator, normalise_name

__all__ = ["read", "read_text", "clean_text", "load_meta"]

FILE_PREFIXES = ("file", "image", "文件", "檔案", "档案", "图像", "圖像", "媒体", "媒體")
CATEGORY_PREFIXES = ("category", "分类", "分類")
IMAGE_OPTIONS = re.compile(
    r"^(thumb|thumbnail|缩略图|縮圖|缩图|frame|framed|frameless|border|left|right|center|centre|"
    r"none|upright(=[\d.]+)?|\d*x?\d+px|(alt|link|page|lang|class|upright)=.*|"
    r"baseline|middle|sub|super|top|text-top|bottom|text-bottom|左|右|居中|无框)$")
INTERLANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z]+)?:")
#: Tags whose content is kept as text (MediaWiki's allowed article HTML, less the structural ones).
INLINE_TAGS = {"span", "font", "u", "ins", "s", "del", "strike", "small", "big", "sup", "sub",
               "abbr", "code", "tt", "kbd", "var", "samp", "q", "cite", "bdi", "bdo", "mark",
               "ruby", "rb", "rt", "rp", "dfn", "time", "data", "wbr", "nowiki", "center", "div",
               "p", "blockquote", "poem", "pre", "syntaxhighlight", "source", "math", "chem",
               "section", "onlyinclude", "includeonly", "noinclude"}
#: Tags whose content never reaches a book.
DROPPED_TAGS = {"script", "style", "iframe", "object", "embed", "link", "meta", "form", "input",
                "button", "textarea", "select", "svg", "audio", "video", "gallery", "graph",
                "templatedata", "timeline", "imagemap", "mapframe", "maplink", "inputbox",
                "categorytree", "score", "hiero", "indicator"}
MAX_DEPTH = 60

# XML 1.0 forbids C0 controls but tab/LF/CR, surrogates and U+FFFE/U+FFFF; bidi embeddings and
# overrides can make text read in an order other than written.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff"
                      "\u202a-\u202e\u2066-\u2069]")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def clean_text(text: str, report: Report | None = None) -> str:
    """Remove characters no XML document may hold, and bidi controls; warn once if any."""
    cleaned = _INVALID.sub("", text)
    cleaned = "".join(ch for ch in cleaned
                      if not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE))
    if report is not None and len(cleaned) != len(text):
        report.warn("invalid-characters",
                    f"removed {len(text) - len(cleaned)} control or non-character code points")
    return cleaned


def load_meta(source: Path, report: Report) -> Meta:
    """Read ``<stem>.toml`` beside the source, if any, into :class:`Meta`."""
    meta_path = source.with_suffix(".toml")
    data: dict = {}
    if meta_path.exists():
        try:
            data = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            report.warn("metadata-invalid", f"{meta_path.name}: {error}; ignored")
    known = {"title", "source_url", "history_url", "licence", "licence_url", "source_date"}
    # Written by ``publish fetch`` and the dump source: they identify the text, not the book.
    identifying = {"revision", "timestamp"}
    for key in sorted(set(data) - known - identifying):
        report.warn("metadata-unknown", f"{meta_path.name}: unknown key {key!r} ignored")
    fields = {key: str(value) for key, value in data.items() if key in known}
    fields.setdefault("title", source.stem)
    return Meta(**fields)


def read(source: Path, report: Report, encoding: str = "utf-8") -> Document:
    """Read the wikitext file ``source`` (and its ``.toml`` metadata) into a document."""
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise PublishError(f"cannot read {source}: {error.strerror}") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise PublishError(f"{source}: not valid {encoding} at byte {error.start} "
                           f"(use --encoding to name the file's encoding)") from None
    except LookupError:
        raise PublishError(f"unknown encoding {encoding!r}") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PublishError(f"{source}: the source is empty")
    meta = load_meta(source, report)
    return read_text(text, report, meta, media_dir=source.parent / "media")


def read_text(text: str, report: Report, meta: Meta | None = None,
              media_dir: Path | None = None) -> Document:
    """Read wikitext into a document; ``media_dir`` is where figures' files are looked for."""
    text = clean_text(unicodedata.normalize("NFC", text), report)
    text, table = lift(text, report)
    text = repair(text, report)
    code = mwparserfromhell.parse(text)
    reader = _Reader(report, table, media_dir)
    reader.collect_definitions(code)
    lead, sections = reader.body(code.nodes)
    meta = meta or Meta(title="")
    meta = Meta(**{**meta.__dict__, "subjects": tuple(reader.subjects)})
    return Document(meta=meta, blocks=lead, sections=sections, sources=tuple(reader.sources))


# ---------------------------------------------------------------- tokens between passes

@dataclass(frozen=True)
class _Newline:
    """A line end in the top-level markup."""


@dataclass(frozen=True)
class _ListMarker:
    char: str


@dataclass(frozen=True)
class _Heading:
    level: int
    title: tuple


_NEWLINE = _Newline()


class _Params:
    """A template's name and parameters, as raw wikitext strings."""

    def __init__(self, template: mw.Template):
        self.name = str(template.name).strip()
        self._params = [(str(p.name).strip(), str(p.value)) for p in template.params]

    def positional(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self._params if key.isdigit()]

    def get(self, key: str) -> str | None:
        for name, value in self._params:
            if name.casefold() == key:
                return value
        return None

    def named(self) -> dict[str, str]:
        return {key.casefold(): value for key, value in self._params if not key.isdigit()}


class _Reader:
    def __init__(self, report: Report, table: list[Markup], media_dir: Path | None):
        self.report = report
        self.table = table
        self.media_dir = media_dir
        self.definitions: dict[str, mwparserfromhell.wikicode.Wikicode] = {}
        self.source_ids: dict[str, str] = {}
        self.sources: list[Source] = []
        self.subjects: list[str] = []
        self.depth = 0
        self.in_ref = False
        self.protecting = False

    def warn(self, code: str, message: str) -> None:
        self.report.warn(code, message)

    # -------------------------------------------------------- notes and sources

    def collect_definitions(self, code) -> None:
        """Named refs can be used before they are defined: gather every definition first."""
        for tag in code.filter_tags(recursive=True, matches=lambda n: str(n.tag).lower() == "ref"):
            name = self._ref_name(tag)
            if not name or tag.self_closing or tag.contents is None or not str(tag.contents).strip():
                continue
            if name in self.definitions:
                if str(self.definitions[name]).strip() != str(tag.contents).strip():
                    self.warn("ref-redefined",
                              f"<ref name={name!r}> defined twice with different text; "
                              f"the first is used")
                continue
            self.definitions[name] = tag.contents

    @staticmethod
    def _ref_name(tag) -> str:
        for attr in tag.attributes:
            if str(attr.name).strip().lower() == "name":
                return str(attr.value).strip()
        return ""

    def _ref(self, tag) -> list:
        if self.in_ref:
            self.warn("ref-nested", "a <ref> inside a <ref>; the inner one is dropped")
            return []
        for attr in tag.attributes:
            if str(attr.name).strip().lower() == "group":
                self.warn("ref-group", f"<ref group={str(attr.value).strip()!r}> numbered "
                          "with the other notes")
        name = self._ref_name(tag)
        if name and name in self.source_ids:
            return [NoteRef(self.source_ids[name])]
        if name:
            content = self.definitions.get(name)
            if content is None:
                self.warn("ref-undefined", f"<ref name={name!r}/> is never defined; dropped")
                return []
        else:
            content = tag.contents
            if content is None or not str(content).strip():
                self.warn("ref-empty", "an empty <ref></ref>; dropped")
                return []
        source_id = f"s{len(self.sources) + 1}"
        if name:
            self.source_ids[name] = source_id
        self.in_ref = True
        try:
            self.sources.append(self._source(source_id, content))
        finally:
            self.in_ref = False
        return [NoteRef(source_id)]

    def _source(self, source_id: str, content) -> Source:
        templates = [node for node in content.nodes if isinstance(node, mw.Template)]
        rest = "".join(str(node) for node in content.nodes if not isinstance(node, mw.Template))
        if (len(templates) == 1 and not rest.strip(" \n。.")
                and normalise_name(str(templates[0].name)) in CITE_TEMPLATES):
            template = templates[0]
            return Source(source_id, *self._citation(
                CITE_TEMPLATES[normalise_name(str(template.name))], _Params(template)))
        full = self.inlines(content)
        urls = [node for inline in full for node in walk(inline)
                if isinstance(node, ExternalLink)]
        return Source(source_id, full, full, urls[0].url if urls else "")

    def _citation(self, kind: str, params: _Params):
        values = {key: tuple(_trim(self.inlines(value))) for key, value in params.named().items()}
        full, short, url, isbn = format_citation(kind, values)
        return tuple(_normalise(list(full), self.report)), \
            tuple(_normalise(list(short), self.report)), url, isbn

    def citation_inlines(self, kind: str, params: _Params) -> tuple[Inline, ...]:
        """A cite template outside a ref (a further-reading entry): its full entry, inline."""
        full, _, _, isbn = self._citation(kind, params)
        return (*full, Text(f"。ISBN {isbn}")) if isbn else full

    # -------------------------------------------------------- templates, links, figures

    def _template(self, template: mw.Template) -> list:
        name = normalise_name(str(template.name))
        handler = HANDLERS.get(name)
        if handler is None:
            if name.startswith("infobox"):
                self.warn("template-unknown", f"{{{{{str(template.name).strip()}}}}} "
                          "(an infobox this reader does not know) dropped")
            else:
                self.warn("template-unknown",
                          f"unknown template {{{{{str(template.name).strip()}}}}} dropped")
            return []
        result = handler(self, _Params(template))
        return [result] if isinstance(result, Locator) else result

    def figure_file(self, name: str) -> str:
        """The media file for ``name`` relative to the source folder, or "" (with a warning)."""
        name = name.strip().replace(" ", "_")
        if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            self.warn("media-refused", f"media file name {name!r} refused (not a plain file name)")
            return ""
        if self.media_dir is not None:
            for candidate in (name, name.replace("_", " ")):
                path = self.media_dir / candidate
                if path.is_file() and not path.is_symlink():
                    return f"{self.media_dir.name}/{candidate}"
        self.warn("media-missing", f"media file {name} not found in media/; figure dropped")
        return ""

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
            caption = tuple(_normalise([*caption, *spilled], self.report))
        path = self.figure_file(name)
        if not path:
            return []
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
        text = self.inlines(link.text) if link.text is not None and str(link.text).strip() \
            else self.inlines(target.split("#")[0] or target)
        return [InternalLink(target, text)]

    # -------------------------------------------------------- inlines

    def plain(self, wikitext) -> str:
        return plain_text(self.inlines(wikitext))

    def inlines(self, wikitext) -> tuple[Inline, ...]:
        """Wikitext (a string or parsed code) read as inline content: blocks flattened."""
        if isinstance(wikitext, str):
            wikitext = mwparserfromhell.parse(wikitext)
        tokens = self.tokens(wikitext.nodes)
        out: list = []
        for token in tokens:
            if isinstance(token, (_Newline, _ListMarker)):
                out.append(Text(" "))
            elif isinstance(token, _Heading):
                out.extend(token.title)
            elif isinstance(token, (Paragraph, Hatnote)):
                out.extend(token.children)
            elif isinstance(token, (Figure, Infobox, Bibliography, BulletList, OrderedList)):
                self.warn("block-in-inline", f"a {type(token).__name__} inside running text "
                          "dropped")
            else:
                out.append(token)
        return tuple(_normalise(_attach_locators(out, self.report), self.report))

    def tokens(self, nodes) -> list:
        """mwparserfromhell nodes → inlines, blocks and line tokens, in order."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                self.warn("nesting-too-deep",
                          f"markup nested deeper than {MAX_DEPTH} levels kept as plain text")
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
                out.extend(self._text(self._unescape(str(node))))
            elif isinstance(node, mw.Heading):
                out.append(_Heading(node.level, tuple(_trim(self.inlines(node.title)))))
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

    def _unescape(self, text: str) -> str:
        """Entities resolved, and what they named cleaned again (``&#1;`` is a control)."""
        return clean_text(html.unescape(text), self.report)

    def _lines(self, text: str) -> list:
        """Text as runs and line ends, markup debris removed; inside a ``-{…}-`` branch the
        runs are Protected."""
        kind = Protected if self.protecting else Text
        out: list = []
        for number, line in enumerate(text.split("\n")):
            if number:
                out.append(_NEWLINE)
            line = strip_debris(line, self.report)
            if line:
                out.append(kind(line))
        return out

    def _branch(self, wikitext: str) -> tuple[Inline, ...]:
        """A ``-{…}-`` branch: its author's text is Protected; words a template generates in
        it (labels such as 查阅) stay Text, converted like the rest of the book."""
        outer, self.protecting = self.protecting, True
        try:
            return self.inlines(wikitext)
        finally:
            self.protecting = outer

    def _markup(self, markup: Markup) -> list:
        if markup.kind == "protect":
            raw = markup.branches[0][1]
            if not re.search(r"[\[\]{}'<&\ue000]", raw):
                return [Protected(raw)]
            return [Variant((("zh", self._branch(raw)),))]
        if markup.kind == "rule":
            return [ConversionRule(tuple((code, self.plain(text)) for code, text
                                         in markup.branches))] if markup.branches else []
        variant = Variant(tuple((code, self._branch(text)) for code, text in markup.branches))
        if markup.kind == "shown-rule":
            return [ConversionRule(tuple((code, plain_text(branch)) for code, branch
                                         in variant.branches)), variant]
        return [variant]

    def _tag(self, tag: mw.Tag) -> list:
        name = str(tag.tag).strip().lower()
        if name == "ref":
            return self._ref(tag)
        if name == "references":
            return [Bibliography()]
        if name == "br":
            return [LineBreak()]
        if name == "li" or name in ("dt", "dd"):
            return [_ListMarker(tag.wiki_markup)] if tag.wiki_markup else \
                [_NEWLINE, *self._children(tag), _NEWLINE]
        if name == "hr":
            return [_NEWLINE]
        if name in ("b", "strong"):
            return [Strong(self.inlines(tag.contents or ""))]
        if name in ("i", "em"):
            return [Emphasis(self.inlines(tag.contents or ""))]
        if name == "table":
            return self._table(tag)
        if name in DROPPED_TAGS:
            self.warn("tag-dropped", f"<{name}> and its content dropped")
            return []
        if name in ("nowiki", "pre") and tag.contents is not None:
            return [Protected(self._unescape(str(tag.contents)))] if name == "nowiki" \
                else self._lines(self._unescape(str(tag.contents)))
        if name in ("p", "div", "blockquote", "center", "poem"):
            return [_NEWLINE, _NEWLINE, *self._children(tag), _NEWLINE, _NEWLINE]
        if name not in INLINE_TAGS and name not in ("tr", "td", "th", "caption"):
            self.warn("tag-unknown", f"unknown tag <{name}>: its text kept")
        return self._children(tag)

    def _children(self, tag) -> list:
        return self.tokens(tag.contents.nodes) if tag.contents is not None else []

    def _table(self, tag) -> list:
        """A table flattens to one paragraph a row, its cells joined: books here have none."""
        self.warn("table-flattened", "a table was flattened into one paragraph a row")
        out: list = [_NEWLINE, _NEWLINE]
        row: list = []

        def end_row():
            if row:
                out.extend([*row, _NEWLINE, _NEWLINE])
                row.clear()

        def cells(nodes):
            for node in nodes:
                name = str(node.tag).strip().lower() if isinstance(node, mw.Tag) else ""
                if name == "tr":
                    end_row()
                    cells(node.contents.nodes if node.contents is not None else [])
                    end_row()
                elif name in ("td", "th", "caption"):
                    if row:
                        row.append(Text("　"))
                    row.extend(token for token in self._children(node)
                               if not isinstance(token, _Newline))
                else:
                    row.extend(token for token in self.tokens([node])
                               if not isinstance(token, _Newline))

        cells(tag.contents.nodes if tag.contents is not None else [])
        end_row()
        return out

    # -------------------------------------------------------- blocks and sections

    def body(self, nodes) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
        """Top-level nodes → the lead's blocks and the nested sections."""
        tokens = self.tokens(nodes)
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
        for item in self._blocks(tokens):
            if isinstance(item, _Heading):
                level = max(2, item.level)
                close_to(level)
                stack.append([level, item.title, [], []])
                current = stack[-1][2]
            else:
                current.append(item)
        close_to(0)
        return tuple(lead), tuple(top)

    def _blocks(self, tokens: list):
        """Tokens → blocks and headings: lines gathered into paragraphs and lists."""
        paragraph: list = []
        list_items: list[tuple[str, tuple]] = []

        def flush_paragraph():
            inlines = _normalise(_attach_locators(paragraph, self.report), self.report)
            inlines = _trim(inlines)
            paragraph.clear()
            if inlines:
                yield Paragraph(tuple(inlines))

        def flush_list():
            if list_items:
                yield from _build_lists(list_items)
                list_items.clear()

        for line in _split_lines(tokens):
            markers = ""
            while line and isinstance(line[0], _ListMarker):
                markers += line.pop(0).char
            # A definition's ":" inside a ";term:" line separates term and definition.
            line = [Text(" ") if isinstance(t, _ListMarker) else t for t in line]
            blocks_in_line = [t for t in line if isinstance(t, (Figure, Hatnote, Infobox,
                                                                 Bibliography, _Heading))]
            if markers and markers[0] in "*#":
                yield from flush_paragraph()
                inline = [t for t in line if t not in blocks_in_line]
                content = _trim(_normalise(_attach_locators(inline, self.report), self.report))
                list_items.append((markers, tuple(content)))
                yield from blocks_in_line
                continue
            yield from flush_list()
            if not any(not (isinstance(t, Text) and not t.text.strip()) for t in line):
                yield from flush_paragraph()
                continue
            if paragraph and not isinstance(line[0], (Figure, Hatnote, Infobox, Bibliography)):
                inline = [t for t in paragraph if not isinstance(t, Locator)]
                following = [t for t in line if not isinstance(t, Locator)]
                before, after = plain_text(inline[-1:])[-1:], plain_text(following[:1])[:1]
                paragraph.append(Text("" if _cjk_pair(before, after) else " "))
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


# ---------------------------------------------------------------- helpers

def _split_lines(tokens: list) -> list[list]:
    lines: list[list] = [[]]
    for token in tokens:
        if isinstance(token, _Newline):
            lines.append([])
        elif isinstance(token, _Heading):
            lines.extend([[token], []])
        else:
            lines[-1].append(token)
    return lines


def _build_lists(items: list[tuple[str, tuple]]) -> list[Block]:
    """``[("*", a), ("**", b), ("*", c)]`` → one list of a (with b under it) and c."""
    def build(start: int, depth: int) -> tuple[Block, int]:
        kind = items[start][0][depth - 1]
        entries: list[ListItem] = []
        index = start
        while index < len(items) and len(items[index][0]) >= depth \
                and items[index][0][depth - 1] == kind:
            markers, content = items[index]
            if len(markers) > depth:
                sub, index = build(index, depth + 1)
                if entries:
                    last = entries.pop()
                    entries.append(ListItem(last.children, (*last.sublists, sub)))
                else:
                    entries.append(ListItem((), (sub,)))
                continue
            entries.append(ListItem(content))
            index += 1
        node = (OrderedList if kind == "#" else BulletList)(tuple(entries))
        return node, index

    blocks: list[Block] = []
    index = 0
    while index < len(items):
        block, index = build(index, 1)
        blocks.append(block)
    return blocks


def _attach_locators(tokens: list, report: Report) -> list:
    """Attach each ``{{rp}}`` locator to the note just before it (spaces between allowed)."""
    out: list = []
    for token in tokens:
        if isinstance(token, Locator):
            for back in range(len(out) - 1, -1, -1):
                previous = out[back]
                if isinstance(previous, NoteRef):
                    if previous.locator:
                        report.warn("rp-repeated", "two {{rp}} after one citation; "
                                    "the second is kept")
                    out[back] = NoteRef(previous.source, (Text(token.text),))
                    break
                if not (isinstance(previous, Text) and not previous.text.strip()):
                    back = -1
                    break
            else:
                back = -1
            if back < 0:
                report.warn("rp-orphan", f"{{{{rp}}}} ({token.text}) with no citation before "
                            "it; dropped")
            continue
        out.append(token)
    return out


def _normalise(inlines: list, report: Report) -> list:
    """Merge adjacent runs of one kind, fold white space, drop spaces between CJK characters,
    and remove markup debris the merge may have joined (``]`` and ``]`` around a dropped ref)."""
    merged: list = []
    for node in inlines:
        if isinstance(node, (Text, Protected)) and merged and type(merged[-1]) is type(node):
            merged[-1] = type(node)(merged[-1].text + node.text)
        else:
            merged.append(node)
    out = []
    for node in merged:
        if isinstance(node, (Text, Protected)):
            text = _join_lines(node.text)
            text = re.sub(r"[ \t\u00a0]{2,}", " ", text)
            text = strip_debris(_SPACE_BETWEEN_CJK.sub("", text), report)
            if text:
                out.append(type(node)(text))
        else:
            out.append(node)
    return out


def _join_lines(text: str) -> str:
    """A line break inside a paragraph: nothing between Chinese characters, else a space."""
    def joiner(match) -> str:
        return "" if _cjk_pair(text[match.start() - 1:match.start()],
                               text[match.end():match.end() + 1]) else " "
    return re.sub("\n", joiner, text)


def _cjk_pair(before: str, after: str) -> bool:
    return bool(_CJK_CHAR.fullmatch(before or "a") and _CJK_CHAR.fullmatch(after or "a"))


def _trim(inlines: list) -> list:
    """Strip white space at both ends of a paragraph."""
    runs = (Text, Protected)
    inlines = list(inlines)
    while inlines and isinstance(inlines[0], runs) and not inlines[0].text.strip():
        inlines.pop(0)
    while inlines and isinstance(inlines[-1], runs) and not inlines[-1].text.strip():
        inlines.pop()
    if inlines and isinstance(inlines[0], runs):
        inlines[0] = type(inlines[0])(inlines[0].text.lstrip())
    if inlines and isinstance(inlines[-1], runs):
        inlines[-1] = type(inlines[-1])(inlines[-1].text.rstrip())
    return inlines


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


def _strip_markup(text: str) -> str:
    return re.sub(r"\[\[|\]\]|\{\{|\}\}|'{2,}|<[^>]*>|-\{|\}-|\ue000\d+\ue001", "", text)

