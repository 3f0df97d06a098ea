"""Reader stage, references: ``<ref>`` tags and cite templates → Sources and NoteRefs.

Named refs may be used before they are defined, so every definition is gathered first (also
those listed inside ``<references>`` or ``{{Reflist|refs=…}}``); ``{{rp}}`` locators after a
call are attached to it. A ref's ``group`` (``<ref group="注">``, ``{{efn}}``'s
``lower-alpha`` …) goes on its call, so each group is numbered and listed on its own; a note
may hold notes of another group. Takes mwparserfromhell tags and template
parameters from :mod:`publish.readers.wikitext`; returns model nodes.
"""
from __future__ import annotations

import mwparserfromhell
from mwparserfromhell import nodes as mw

from ..model import Citation, ExternalLink, Inline, NoteRef, Source, Text, plain_text, walk
from ..report import Report
from ..transforms.citations import format_citation
from .citations import citation, is_citation, kind_of, page_locator
from .runs import normalise, trim
from .templates import NOTE_GROUPS, Locator, Params, normalise_name

__all__ = ["References", "attach_locators", "tag_attribute"]


class References:
    """The sources of one article and the names its refs use, filled as the reader goes."""

    def __init__(self, reader):
        self.reader = reader
        self.definitions: dict = {}
        self.source_ids: dict[str, str] = {}
        self.sources: list[Source] = []
        #: The groups of the notes being read, innermost last (a note may hold notes).
        self.open_groups: list[str] = []

    def collect_definitions(self, code) -> None:
        """Named refs can be used before they are defined: gather every definition first."""
        for tag in code.filter_tags(recursive=True, matches=lambda n: str(n.tag).lower() == "ref"):
            name = self._ref_name(tag)
            if not name or tag.self_closing or tag.contents is None or not str(tag.contents).strip():
                continue
            if name in self.definitions:
                if str(self.definitions[name]).strip() != str(tag.contents).strip():
                    self.reader.warn("ref-redefined",
                              f"<ref name={name!r}> defined twice with different text; "
                              f"the first is used")
                continue
            self.definitions[name] = tag.contents
        for template in code.filter_templates(recursive=True):
            name = normalise_name(str(template.name))
            if name not in NOTE_GROUPS or not template.has("name"):
                continue
            params = Params(template)
            ref_name, content = (params.get("name") or "").strip(), self._note_text(params)
            if ref_name and content.strip() and ref_name not in self.definitions:
                self.definitions[ref_name] = mwparserfromhell.parse(content)

    @staticmethod
    def _ref_name(tag) -> str:
        return tag_attribute(tag, "name") or ""

    @staticmethod
    def group_of(tag) -> str:
        return tag_attribute(tag, "group") or ""

    def ref(self, tag) -> list:
        """A ``<ref>`` tag → its note call (the source defined once, on first use)."""
        return self._note(self._ref_name(tag), self.group_of(tag), tag.contents)

    def template_note(self, params: Params, group: str) -> list:
        """A note written as a template, like ``{{efn|text}}``, ``{{refn|text|group=注}}`` or
        ``{{#tag:ref|text|group=注|name=甲}}``: its call, in ``group`` unless it names one."""
        named = params.get("group")
        if named is not None and named.strip():
            group = self.reader.plain(named).strip()
        text = self._note_text(params)
        return self._note((params.get("name") or "").strip(), group,
                          mwparserfromhell.parse(text) if text.strip() else None)

    @staticmethod
    def _note_text(params: Params) -> str:
        positional = params.positional()
        return positional[0][1] if positional else (params.get("text") or "")

    def _note(self, name: str, group: str, content) -> list:
        if group in self.open_groups:
            # MediaWiki prints such a note's text where it stands, inside the outer note.
            self.reader.warn("ref-nested", "a note inside a note of its own group; its text is "
                             "kept in the outer note")
            return list(self.reader.inlines(content)) if content is not None else []
        key = f"{group}\x00{name}"
        if name and key in self.source_ids:
            return [NoteRef(self.source_ids[key], group=group)]
        if name and (content is None or not str(content).strip()):
            content = self.definitions.get(name)
            if content is None:
                self.reader.warn("ref-undefined", f"<ref name={name!r}/> is never defined; dropped")
                return []
        elif content is None or not str(content).strip():
            self.reader.warn("ref-empty", "an empty <ref></ref>; dropped")
            return []
        source_id = f"s{len(self.sources) + 1}"
        if name:
            self.source_ids[key] = source_id
        index = len(self.sources)
        self.sources.append(Source(source_id, (), ()))  # its place, kept in reading order
        self.open_groups.append(group)
        try:
            source = self._source(source_id, content)
        finally:
            self.open_groups.pop()
        if not plain_text(source.full).strip() and index == len(self.sources) - 1:
            # Nothing readable (a template this reader drops): no empty note is printed.
            self.reader.warn("ref-empty", "a note whose text reads as nothing; dropped")
            self.sources.pop()
            self.source_ids.pop(key, None)
            return []
        self.sources[index] = source
        return [NoteRef(source_id, group=group)]

    def named_calls(self, params: Params) -> list:
        """``{{r|甲|乙|page=12}}``: calls of the named refs 甲 and 乙 (defined elsewhere, often
        in the list), the page attached to the last as ``{{rp}}`` would be."""
        group = (params.get("group") or "").strip()
        out: list = []
        for _, name in params.positional():
            out.extend(self._note(name.strip(), group, None))
        page = params.get("page") or params.get("pages") or params.get("p")
        if out and page and page.strip():
            out.append(Locator(page_locator(self.reader.plain(page), self.reader.tag)))
        return out

    def _source(self, source_id: str, content) -> Source:
        """A ref's content → a source: one citation template (with at most a closing full
        stop around it) keeps its fields; anything else is read as text."""
        templates = [node for node in content.nodes if isinstance(node, mw.Template)]
        rest = "".join(str(node) for node in content.nodes if not isinstance(node, mw.Template))
        if len(templates) == 1 and not rest.strip(" \n。."):
            params = Params(templates[0])
            name = normalise_name(params.name)
            if is_citation(name, params.named()):
                fields = self._citation(kind_of(name), params)
                isbn = next((value for label, value in fields.ids if label == "ISBN"), "")
                # Formatted in the article's own words for now; the citations transform
                # formats it again for each edition.
                full, short = format_citation(fields, self.reader.tag)
                return Source(source_id, full, short, fields.url, isbn, (fields,))
        full = self.reader.inlines(content)
        urls = [node for inline in full for node in walk(inline)
                if isinstance(node, ExternalLink)]
        return Source(source_id, full, full, urls[0].url if urls else "")

    def _citation(self, kind: str, params: Params) -> Citation:
        values = {key: tuple(trim(self.reader.inlines(value)))
                  for key, value in params.named().items()}
        return citation(kind, values)

    def short_ref(self, key: str, label: tuple[Inline, ...], locator: str) -> list:
        """A ``{{sfn|Smith|2010|p=32}}`` short reference: one source per (authors, year),
        its text the label, the page the note's locator."""
        if key not in self.source_ids:
            source_id = f"s{len(self.sources) + 1}"
            self.source_ids[key] = source_id
            self.sources.append(Source(source_id, label, label))
        return [NoteRef(self.source_ids[key], (Text(locator),) if locator else ())]

    def citation_inlines(self, kind: str, params: Params) -> tuple[Inline, ...]:
        """A cite template outside a ref (a further-reading entry): its full entry, inline,
        formatted in the base script of the article's language (converted later like text)."""
        fields = self._citation(kind, params)
        full, _ = format_citation(fields, self.reader.tag)
        isbn = next((value for label, value in fields.ids if label == "ISBN"), "")
        entry = tuple(normalise(list(full), self.reader.report))
        return (*entry, Text(f"。ISBN {isbn}" if self.reader.tag.startswith("zh")
                             else f". ISBN {isbn}")) if isbn else entry


def tag_attribute(tag, name: str) -> str | None:
    """The value of a tag's attribute ``name`` (case-folded), stripped; "" for one written
    without a value, None for one not written."""
    for attr in tag.attributes:
        if str(attr.name).strip().lower() == name:
            return str(attr.value).strip() if attr.value is not None else ""
    return None


def attach_locators(tokens: list, report: Report) -> list:
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

