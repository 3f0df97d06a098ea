"""Reader stage, references: ``<ref>`` tags and cite templates → Sources and NoteRefs.

Named refs may be used before they are defined, so every definition is gathered first;
``{{rp}}`` locators after a call are attached to it. Takes mwparserfromhell tags and template
parameters from :mod:`publish.readers.wikitext`; returns model nodes.
"""
from __future__ import annotations

from mwparserfromhell import nodes as mw

from ..model import Citation, ExternalLink, Inline, NoteRef, Source, Text, walk
from ..report import Report
from ..transforms.citations import format_citation
from .citations import citation, is_citation, kind_of
from .runs import normalise, trim
from .templates import Locator, Params, normalise_name

__all__ = ["References", "attach_locators"]


class References:
    """The sources of one article and the names its refs use, filled as the reader goes."""

    def __init__(self, reader):
        self.reader = reader
        self.definitions: dict = {}
        self.source_ids: dict[str, str] = {}
        self.sources: list[Source] = []
        self.in_ref = False

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

    @staticmethod
    def _ref_name(tag) -> str:
        for attr in tag.attributes:
            if str(attr.name).strip().lower() == "name":
                return str(attr.value).strip()
        return ""

    def ref(self, tag) -> list:
        """A ``<ref>`` tag → its note call (the source defined once, on first use)."""
        if self.in_ref:
            self.reader.warn("ref-nested", "a <ref> inside a <ref>; the inner one is dropped")
            return []
        for attr in tag.attributes:
            if str(attr.name).strip().lower() == "group":
                self.reader.warn("ref-group", f"<ref group={str(attr.value).strip()!r}> numbered "
                          "with the other notes")
        name = self._ref_name(tag)
        if name and name in self.source_ids:
            return [NoteRef(self.source_ids[name])]
        if name:
            content = self.definitions.get(name)
            if content is None:
                self.reader.warn("ref-undefined", f"<ref name={name!r}/> is never defined; dropped")
                return []
        else:
            content = tag.contents
            if content is None or not str(content).strip():
                self.reader.warn("ref-empty", "an empty <ref></ref>; dropped")
                return []
        return self._define(name, content)

    def named_use(self, name: str) -> list:
        """A use of the ref named ``name`` (``{{r|name}}``), as ``<ref name=name/>``."""
        if self.in_ref:
            self.reader.warn("ref-nested", "a ref call inside a <ref>; dropped")
            return []
        if name in self.source_ids:
            return [NoteRef(self.source_ids[name])]
        content = self.definitions.get(name)
        if content is None:
            self.reader.warn("ref-undefined", f"{{{{r|{name}}}}} names no defined ref; dropped")
            return []
        return self._define(name, content)

    def _define(self, name: str, content) -> list:
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

