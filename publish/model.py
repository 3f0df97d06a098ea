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
    "Infobox", "Bibliography", "Block", "Section", "Person", "Citation", "Source", "Note", "Meta",
    "Document",
    "plain_text", "dump", "to_json", "walk", "rebuild", "children", "no_rule", "CHILD_FIELDS",
    "INLINE_ROOTS",
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
    ``number`` is 0 until the notes transform numbers the uses in reading order.
    """
    source: str
    locator: tuple[Inline, ...] = ()
    number: int = 0


@dataclass(frozen=True)
class Protected:
    """Represents text kept out of script conversion, like ``-{杰}-``."""
    text: str


@dataclass(frozen=True)
class Variant:
    """Represents text written per script, like ``-{zh-hans:A;zh-hant:B;}-``.

    ``branches`` pairs a variant code (``zh-hans``, ``zh-tw`` …) with its content.
    """
    branches: tuple[tuple[str, tuple[Inline, ...]], ...]


@dataclass(frozen=True)
class ConversionRule:
    """Represents a conversion rule for later text, like ``-{H|zh-hans:A;zh-hant:B;}-``.

    It prints nothing; the script transform replaces each variant's text after it by the
    branch of the edition's script.
    """
    branches: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class NeedsSource:
    """Represents a statement marked as lacking a source, like ``{{fact|…}}`` (来源请求)."""
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    """Represents a forced line break, like ``<br />``."""


Inline = Union[Text, Strong, Emphasis, InternalLink, ExternalLink, NoteRef, Protected, Variant,
               ConversionRule, NeedsSource, LineBreak]


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
    source, relative to the source's folder.
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
    """
    sources: tuple[str, ...] = ()


Block = Union[Paragraph, BulletList, OrderedList, Figure, Hatnote, Infobox, Bibliography]


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
    """Represents a numbered footnote: one citation use with its text resolved."""
    number: int
    source: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Meta:
    """Represents what is known about the article rather than written in it.

    ``language`` is the text's language (``zh``, ``en`` …), from the metadata or detected by
    the reader; "" until one of them says.
    """
    title: str
    language: str = ""
    source_url: str = ""
    history_url: str = ""
    licence: str = "CC BY-SA 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by-sa/4.0/"
    source_date: str = ""
    subjects: tuple[str, ...] = ()


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
    Meta: (), Document: ("blocks", "sections", "sources", "notes"),
}

#: The child fields that hold a whole run of inlines (a paragraph, a caption, a title …): the
#: units that script conversion reads as one text, so phrases are not cut at node boundaries.
INLINE_ROOTS: dict[type, tuple[str, ...]] = {
    Paragraph: ("children",), ListItem: ("children",), Figure: ("caption",),
    Hatnote: ("children",), Infobox: ("title",), InfoboxRow: ("label", "value"),
    Section: ("title",), Source: ("full", "short"), Note: ("children",),
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
        case Text() | Protected():
            return node.text
        case LineBreak():
            return "\n"
        case Variant():
            return plain_text(node.branches[0][1]) if node.branches else ""
        case ConversionRule() | NoteRef():
            return ""
        case Strong() | Emphasis() | InternalLink() | ExternalLink() | NeedsSource():
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
