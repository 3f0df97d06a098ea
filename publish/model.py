"""The intermediate document: a closed set of frozen dataclass nodes, and their JSON dump.

Readers build it, transforms map it to a new one, writers consume it. Nothing in here knows
about wikitext or HTML.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Never, NoReturn, Union

__all__ = [
    "Text", "Strong", "Emphasis", "InternalLink", "ExternalLink", "NoteRef", "Protected",
    "Variant", "ConversionRule", "NeedsSource", "LineBreak", "Inline",
    "Paragraph", "ListItem", "BulletList", "OrderedList", "Figure", "Hatnote", "InfoboxRow",
    "Infobox", "Bibliography", "Block", "Section", "Person", "Citation", "Source", "Note",
    "Credit", "Meta", "Document",
    "plain_text", "dump", "to_json", "walk", "rebuild", "children", "no_rule", "CHILD_FIELDS",
    "INLINE_ROOTS", "Formula", "Code", "Ruby", "DisplayFormula", "CodeBlock", "Quotation",
    "PoemLine", "Poem", "Gallery",
    # Tables, definition lists, text styles and note groups.
    "Styled", "STYLES", "TableCell", "TableRow", "Table", "DefinitionTerm", "DefinitionDetails",
    "DefinitionList", "Rule",
]


# ---------------------------------------------------------------- inlines

@dataclass(frozen=True)
class Text:
    """Represents a run of text, like ``中苏关系是指``."""
    text: str


@dataclass(frozen=True)
class Strong:
    """Represents bold text, like ``'''中苏关系'''``."""
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    """Represents italic text, like ``''Pravda''``."""
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class InternalLink:
    """Represents a link to another wiki article, like ``[[苏联解体|苏联解体]]``.

    ``target`` is an identifier (never converted); ``children`` is what the reader sees.
    """
    target: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class ExternalLink:
    """Represents a link out of the wiki, like ``[http://example.org 标题]``."""
    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class NoteRef:
    """Represents one citation use, like ``<ref name="用"/>{{rp|32}}``.

    ``source`` names a :class:`Source` of the document; ``locator`` is the page locator text.
    ``number`` is 0 until the notes transform numbers the uses in reading order; it identifies
    the use's :class:`Note`. ``group`` is the note group (``""`` for citations, like
    ``<ref group="注">`` or ``{{efn}}``'s ``lower-alpha`` for explanatory notes).
    """
    source: str
    locator: tuple[Inline, ...] = ()
    number: int = 0
    group: str = ""


@dataclass(frozen=True)
class Protected:
    """Represents text kept out of script conversion, like ``-{杰}-``."""
    text: str


@dataclass(frozen=True)
class Variant:
    """Represents text written per script, like ``-{zh-hans:A;zh-hant:B;}-``.

    ``branches`` pairs a variant code (``zh-hans``, ``zh-tw`` …) with its content. A
    ``filtered`` variant, like ``-{zh-hans;zh-hant|X}-``, holds the same text under each code
    it names: an edition whose variant (or a fallback of it) is named converts that text, any
    other shows it as written.
    """
    branches: tuple[tuple[str, tuple[Inline, ...]], ...]
    filtered: bool = False


@dataclass(frozen=True)
class ConversionRule:
    """Represents a conversion rule for later text, like ``-{H|zh-hans:A;zh-hant:B;}-``.

    It prints nothing. ``branches`` are its bidirectional pairs (variant code, text) and
    ``oneway`` its ``from=>code:to`` triples. ``action`` says what the rule does to the rules
    in force from where it stands: ``add`` (``-{H|…}-``, ``-{A|…}-``, ``{{NoteTA}}``),
    ``remove`` (``-{-|…}-``) or ``none``; a ``title`` rule (``-{T|…}-``) names the book.
    """
    branches: tuple[tuple[str, str], ...]
    oneway: tuple[tuple[str, str, str], ...] = ()
    action: str = "add"
    title: bool = False


@dataclass(frozen=True)
class NeedsSource:
    """Represents a statement marked as lacking a source, like ``{{fact|…}}`` (来源请求)."""
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    """Represents a forced line break, like ``<br />``."""


# ---------------------------------------------------------------- formulas, code, ruby

@dataclass(frozen=True)
class Formula:
    """Represents a formula in running text, like ``<math>e^{i\\pi}</math>`` or
    ``<chem>H2O</chem>`` (``chem``: the TeX is mhchem's ``\\ce`` notation).

    ``tex`` is the source, never converted between scripts; it is the formula's alt text.
    """
    tex: str
    chem: bool = False


@dataclass(frozen=True)
class Code:
    """Represents code in running text, like ``<code>a++</code>`` or ``{{code|x}}``: set in
    monospace and never converted between scripts."""
    text: str
    language: str = ""


@dataclass(frozen=True)
class Ruby:
    """Represents text with a reading above it, like ``<ruby>鄞<rt>yín</rt></ruby>`` or
    ``{{ruby-py|鄞|yín}}``."""
    base: tuple[Inline, ...]
    annotation: tuple[Inline, ...]



#: The text-level styles a :class:`Styled` run may have, as HTML names them.
STYLES = ("sup", "sub", "s", "u", "small", "big")


@dataclass(frozen=True)
class Styled:
    """Represents text in one of HTML's text-level styles (:data:`STYLES`), like ``<sup>2</sup>``,
    ``<s>旧名</s>`` or ``<small>注</small>``."""
    style: str
    children: tuple[Inline, ...]


Inline = Union[Text, Strong, Emphasis, InternalLink, ExternalLink, NoteRef, Protected, Variant,
               ConversionRule, NeedsSource, LineBreak, Formula, Code, Ruby, Styled]


# ---------------------------------------------------------------- blocks

@dataclass(frozen=True)
class Paragraph:
    """Represents a paragraph of running text; ``number`` is set only when paragraphs are
    numbered for a class (0 otherwise)."""
    children: tuple[Inline, ...]
    number: int = 0


@dataclass(frozen=True)
class ListItem:
    """Represents one item of a list, with any list nested under it."""
    children: tuple[Inline, ...]
    sublists: tuple[Block, ...] = ()


@dataclass(frozen=True)
class BulletList:
    """Represents an unordered list, like lines starting with ``*``."""
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class OrderedList:
    """Represents a numbered list, like lines starting with ``#``."""
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Figure:
    """Represents an image with its caption, like ``[[File:x.png|thumb|说明]]``.

    ``file`` is a file name (an identifier); ``path`` is the media file found beside the
    source, relative to the source's folder, or "" when the image is missing: the caption is
    then kept and marked as a missing image, so no text is lost.
    """
    file: str
    path: str
    caption: tuple[Inline, ...]


@dataclass(frozen=True)
class Hatnote:
    """Represents a pointer to related articles, like ``{{Main|中苏交恶}}`` (主条目：中苏交恶)."""
    kind: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class InfoboxRow:
    """Represents one labelled row of an infobox."""
    label: tuple[Inline, ...]
    value: tuple[Inline, ...]


@dataclass(frozen=True)
class Infobox:
    """Represents a summary box, like ``{{Infobox Bilateral relations|中华民国－苏联|…}}``."""
    title: tuple[Inline, ...]
    rows: tuple[InfoboxRow, ...]


@dataclass(frozen=True)
class Bibliography:
    """Represents where the list of sources goes, like ``{{Reflist|2}}``.

    ``sources`` is empty until the notes transform fills it with the ids of the sources cited.
    ``group`` names the note group listed here, like ``{{notelist}}`` (``lower-alpha``) or
    ``<references group="注"/>``; ``""`` is the citations.
    """
    sources: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class DisplayFormula:
    """Represents a formula set on its own line, like ``:<math>x^2</math>`` or
    ``<math display="block">…</math>``; see :class:`Formula`."""
    tex: str
    chem: bool = False


@dataclass(frozen=True)
class CodeBlock:
    """Represents a block of code or preformatted text, like ``<syntaxhighlight lang="c">``,
    ``<source>`` or ``<pre>``: lines kept as written, never converted between scripts."""
    text: str
    language: str = ""


@dataclass(frozen=True)
class Quotation:
    """Represents a quotation set apart, like ``<blockquote>`` or ``{{Cquote|…|author=…}}``;
    ``attribution`` is its author and source line (empty when it names none)."""
    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class PoemLine:
    """Represents one line of a poem; ``indent`` counts the leading spaces or ``:`` marks.
    A line with no children is the blank line between stanzas."""
    children: tuple[Inline, ...]
    indent: int = 0


@dataclass(frozen=True)
class Poem:
    """Represents verse whose line breaks are kept, like ``<poem>床前明月光\n疑是地上霜</poem>``."""
    lines: tuple[PoemLine, ...]


@dataclass(frozen=True)
class Gallery:
    """Represents a group of figures, like ``<gallery caption="…">File:a.jpg|说明</gallery>``."""
    figures: tuple[Figure, ...]
    caption: tuple[Inline, ...] = ()



@dataclass(frozen=True)
class Rule:
    """Represents a horizontal rule between blocks, like ``----``."""


@dataclass(frozen=True)
class DefinitionTerm:
    """Represents a term of a definition list, like ``;高速道路``."""
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class DefinitionDetails:
    """Represents a definition or an indented line, like ``:释义`` (``::`` nests a list in
    ``blocks``; so does a table indented with ``:{|``)."""
    children: tuple[Inline, ...]
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class DefinitionList:
    """Represents terms and their definitions, like ``;术语`` then ``:释义``; lines indented
    with ``:`` alone are a list of definitions without terms, as MediaWiki makes them."""
    items: tuple[DefinitionTerm | DefinitionDetails, ...]


@dataclass(frozen=True)
class TableCell:
    """Represents one table cell, like ``| 甲`` or ``! rowspan="2" | 年份``.

    ``align`` is ``""``, ``left``, ``center`` or ``right`` (the cell's or its row's); styles
    and colours are not kept.
    """
    blocks: tuple[Block, ...]
    header: bool = False
    rowspan: int = 1
    colspan: int = 1
    align: str = ""


@dataclass(frozen=True)
class TableRow:
    """Represents one table row, like the cells after ``|-``."""
    cells: tuple[TableCell, ...]


@dataclass(frozen=True)
class Table:
    """Represents a data table, like ``{| class="wikitable" |+ 标题 |- ! 甲 !! 乙 |- | 1 || 2 |}``
    or HTML ``<table>``; ``head_rows`` leading rows are its header, repeated on each page
    it spans."""
    caption: tuple[Inline, ...]
    rows: tuple[TableRow, ...]
    head_rows: int = 0


Block = Union[Paragraph, BulletList, OrderedList, Figure, Hatnote, Infobox, Bibliography,
              DisplayFormula, CodeBlock, Quotation, Poem, Gallery, Table, DefinitionList, Rule]


@dataclass(frozen=True)
class Section:
    """Represents a headed section, like ``== 参考文献 ==``, with its subsections."""
    title: tuple[Inline, ...]
    level: int
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    id: str = ""


# ---------------------------------------------------------------- notes and the document

@dataclass(frozen=True)
class Person:
    """Represents one author or editor of a cited work, like ``last=Bloom|first=Dan``.

    ``family`` and ``given`` are the name's parts when the template gives them apart;
    ``name`` is the whole name as written otherwise (``author=王尔敏``, ``author=Dan Bloom``).
    """
    family: tuple[Inline, ...] = ()
    given: tuple[Inline, ...] = ()
    name: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Citation:
    """Represents a citation's fields as the template gave them, like
    ``{{cite journal|last=Yue|first=A.|title=…|journal=…|volume=3|issue=2|pages=7–9}}``.

    ``kind`` is the family member (``book``, ``journal``, ``news``, ``web``, ``encyclopedia``,
    ``press release``, ``wikisource``, ``av media``, ``thesis``, ``conference``, ``map``,
    ``report``, ``interview``, or ``generic`` for a template known only by its fields);
    dates are kept as written (the citations transform normalises them per edition); ``ids``
    pairs an identifier's kind with its value (``("ISBN", "962-11-2588-X")``, ``("DOI", …)``).
    """
    kind: str
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    title: tuple[Inline, ...] = ()
    chapter: tuple[Inline, ...] = ()
    work: tuple[Inline, ...] = ()
    publisher: tuple[Inline, ...] = ()
    place: tuple[Inline, ...] = ()
    edition: tuple[Inline, ...] = ()
    date: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    url: str = ""
    access_date: str = ""
    ids: tuple[tuple[str, str], ...] = ()
    language: str = ""
    more_authors: bool = False


@dataclass(frozen=True)
class Source:
    """Represents one cited work, like ``{{cite book|title=…}}``, formatted for reading.

    ``full`` is the full bibliographic entry; ``short`` the short form used when the same
    source is cited again (author, short title); ``url`` and ``isbn`` are identifiers, never
    converted; the bibliography shows the ISBN, notes do not. ``citation`` holds the
    structured fields of a cite template (none for a free-text ref); the citations transform
    writes ``full`` and ``short`` from them for each edition.
    """
    id: str
    full: tuple[Inline, ...]
    short: tuple[Inline, ...]
    url: str = ""
    isbn: str = ""
    citation: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Note:
    """Represents a numbered footnote: one citation use with its text resolved.

    ``number`` identifies the note in the document; ``label`` is what its call prints (``3``
    for citations, ``a`` for the ``lower-alpha`` group …), numbered within its ``group``.
    """
    number: int
    source: str
    children: tuple[Inline, ...]
    group: str = ""
    label: str = ""


@dataclass(frozen=True)
class Credit:
    """Represents the credit an image's licence asks for, like ``media/X.jpg`` by Y under
    CC BY-SA 4.0, described at its source page."""
    file: str
    title: str = ""
    artist: str = ""
    licence: str = ""
    licence_url: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class Meta:
    """Represents what is known about the article rather than written in it.

    ``language`` is the text's language (``zh``, ``en`` …), from the metadata or detected by
    the reader; "" until one of them says. ``revision`` is the wiki's revision id (as text),
    ``timestamp`` its time, ``credits`` the images' credits, for the files in ``media/`` (names
    relative to it).
    """
    title: str
    language: str = ""
    source_url: str = ""
    history_url: str = ""
    licence: str = "CC BY-SA 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by-sa/4.0/"
    source_date: str = ""
    subjects: tuple[str, ...] = ()
    display_title: str = ""
    revision: str = ""
    timestamp: str = ""
    variants: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    redirected_from: str = ""
    credits: tuple[Credit, ...] = ()
    #: ``__NOCONTENTCONVERT__`` / ``__NOTITLECONVERT__``: text or title shown as written.
    convert_content: bool = True
    convert_title: bool = True


@dataclass(frozen=True)
class Document:
    """Represents a whole article: its lead blocks, its sections, and its notes and sources."""
    meta: Meta
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    sources: tuple[Source, ...] = ()
    notes: tuple[Note, ...] = ()
    script: str = ""


# ---------------------------------------------------------------- the tree's shape

#: Each node type's child fields, in reading order: the one description of the tree's shape that
#: every traversal uses (walk, rebuild, plain text, script conversion, ids, excerpts). A field
#: holds a tuple of nodes, except ``Variant.branches``, which holds (variant code, inlines) pairs.
#: A node type missing here is an error in every traversal, never a silently skipped subtree.
CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    Text: (), Strong: ("children",), Emphasis: ("children",), InternalLink: ("children",),
    ExternalLink: ("children",), NoteRef: ("locator",), Protected: (), Variant: ("branches",),
    ConversionRule: (), NeedsSource: ("children",), LineBreak: (),
    Paragraph: ("children",), ListItem: ("children", "sublists"), BulletList: ("items",),
    OrderedList: ("items",), Figure: ("caption",), Hatnote: ("children",),
    InfoboxRow: ("label", "value"), Infobox: ("title", "rows"), Bibliography: (),
    Section: ("title", "blocks", "sections"), Person: ("family", "given", "name"),
    Citation: ("authors", "editors", "title", "chapter", "work", "publisher", "place", "edition"),
    Source: ("full", "short", "citation"), Note: ("children",),
    Credit: (), Meta: (), Document: ("blocks", "sections", "sources", "notes"),
    Formula: (), Code: (), Ruby: ("base", "annotation"), DisplayFormula: (), CodeBlock: (),
    Quotation: ("blocks", "attribution"), PoemLine: ("children",), Poem: ("lines",),
    Gallery: ("figures", "caption"),
    Styled: ("children",), Rule: (), DefinitionTerm: ("children",),
    DefinitionDetails: ("children", "blocks"), DefinitionList: ("items",),
    TableCell: ("blocks",), TableRow: ("cells",), Table: ("caption", "rows"),
}

#: The child fields that hold a whole run of inlines (a paragraph, a caption, a title …): the
#: units that script conversion reads as one text, so phrases are not cut at node boundaries.
INLINE_ROOTS: dict[type, tuple[str, ...]] = {
    Paragraph: ("children",), ListItem: ("children",), Figure: ("caption",),
    Hatnote: ("children",), Infobox: ("title",), InfoboxRow: ("label", "value"),
    Section: ("title",), Source: ("full", "short"), Note: ("children",),
    Quotation: ("attribution",), PoemLine: ("children",), Gallery: ("caption",),
    DefinitionTerm: ("children",), DefinitionDetails: ("children",), Table: ("caption",),
}


def children(node) -> list:
    """The nodes directly below ``node``, in reading order (as :data:`CHILD_FIELDS` says)."""
    out: list = []
    for name in CHILD_FIELDS[type(node)]:
        value = getattr(node, name)
        if isinstance(node, Variant):
            for _, branch in value:
                out.extend(branch)
        else:
            out.extend(value)
    return out


def plain_text(nodes) -> str:
    """The text a reader would see in ``nodes`` (inlines), without markup."""
    parts: list[str] = []
    for node in nodes:
        parts.append(_plain(node))
    return "".join(parts)


def _plain(node: Inline) -> str:
    match node:
        case Text() | Protected() | Code():
            return node.text
        case Formula():
            return node.tex
        case Ruby():
            return plain_text(node.base)
        case LineBreak():
            return "\n"
        case Variant():
            return plain_text(node.branches[0][1]) if node.branches else ""
        case ConversionRule() | NoteRef():
            return ""
        case Strong() | Emphasis() | InternalLink() | ExternalLink() | NeedsSource() | Styled():
            return plain_text(node.children)
        case _:
            no_rule(node, "plain_text")


def no_rule(node: Never, stage: str) -> NoReturn:
    """The end of an exhaustive ``match`` on node types: a type checker rejects a dispatcher
    that leaves a node type unhandled (``node`` is then not ``Never``), and at run time the
    node that slipped through is named in a TypeError, never skipped."""
    raise TypeError(f"{stage} has no rule for {type(node).__name__}")


def walk(node):
    """Yield ``node`` and every node below it, depth first, in reading order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def dump(node):
    """The node as plain data: dicts with a ``type`` key first, lists, strings and numbers."""
    if dataclasses.is_dataclass(node):
        out = {"type": type(node).__name__}
        for f in dataclasses.fields(node):
            out[f.name] = dump(getattr(node, f.name))
        return out
    if isinstance(node, (tuple, list)):
        return [dump(item) for item in node]
    return node


def to_json(document: Document) -> str:
    """The document as JSON: stable key order, UTF-8, not ASCII-escaped."""
    return json.dumps(dump(document), ensure_ascii=False, indent=1)


def rebuild(node, fn):
    """Rebuild ``node`` bottom-up in reading order, each node replaced by ``fn(node)``.

    ``fn`` gets a node whose children are already rebuilt and returns a node, or a list of
    nodes to splice into the parent's tuple in its place (``[]`` removes it).
    """
    changes = {}
    for name in CHILD_FIELDS[type(node)]:
        value = getattr(node, name)
        if isinstance(node, Variant):
            changes[name] = tuple((code, _rebuild_tuple(branch, fn)) for code, branch in value)
        else:
            changes[name] = _rebuild_tuple(value, fn)
    return fn(dataclasses.replace(node, **changes) if changes else node)


def _rebuild_tuple(nodes: tuple, fn) -> tuple:
    out: list = []
    for item in nodes:
        result = rebuild(item, fn)
        if isinstance(result, list):
            out.extend(result)
        else:
            out.append(result)
    return tuple(out)
