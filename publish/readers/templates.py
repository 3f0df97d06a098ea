"""Reader table: template name → what the template means on Chinese Wikipedia → document nodes.

Each handler takes the reader's context and the template's parameters and returns a list of
nodes (inline or block), or a :class:`Locator` for ``{{rp}}``. Names are matched case-folded,
with ``_`` read as a space. Templates not in the table are dropped with a warning naming them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mwparserfromhell import nodes as mw

from ..model import (Bibliography, Hatnote, Infobox, InfoboxRow, InternalLink, NeedsSource,
                     Text)
from .citations import CITE_TEMPLATES, page_locator
from .conversion import note_ta

__all__ = ["Locator", "Params", "HANDLERS", "normalise_name", "NOTE_GROUPS"]


@dataclass(frozen=True)
class Locator:
    """Represents a ``{{rp|32}}`` page locator, attached by the reader to the note before it."""
    text: str


class Params:
    """Represents a template's name and parameters as raw wikitext, like ``{{rp|32}}``."""

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



def normalise_name(name: str) -> str:
    """``Cite_book `` → ``cite book``: how the table is keyed."""
    return " ".join(name.replace("_", " ").split()).casefold()


def _hatnote(kind: str, label: str) -> Callable:
    def handler(ctx, params):
        targets = [name for name in (ctx.plain(value).strip() for _, value in params.positional())
                   if name]
        if not targets:
            ctx.warn("template-empty", f"{{{{{params.name}}}}} without an article name; dropped")
            return []
        children: list = [Text(label)]
        for index, target in enumerate(targets):
            if index:
                children.append(Text("、"))
            children.append(InternalLink(target, (Text(target),)))
        return [Hatnote(kind, tuple(children))]
    return handler


def _keep_first(ctx, params):
    """Keep the text of the first positional parameter."""
    positional = params.positional()
    return list(ctx.inlines(positional[0][1])) if positional else []


def _keep_last(ctx, params):
    """Keep the text of the last positional parameter (``{{lang|en|text}}``)."""
    positional = params.positional()
    return list(ctx.inlines(positional[-1][1])) if positional else []


def _needs_source(ctx, params):
    positional = params.positional()
    return [NeedsSource(ctx.inlines(positional[0][1]) if positional else ())]


def _locator(ctx, params):
    value = params.get("page") or params.get("pages") or params.get("at") or \
        (params.positional()[0][1] if params.positional() else "")
    return Locator(page_locator(ctx.plain(value)))


def _bibliography(ctx, params):
    group = params.get("group")
    return [Bibliography(group=ctx.plain(group).strip() if group else "")]


def _drop(ctx, params):
    return []


def _infobox_bilateral(ctx, params):
    """``{{Infobox Bilateral relations|A－B|Country A|Country B|map=…}}``: the Chinese names
    are in the first parameter; the English ones only pick flags, which print has no use for."""
    positional = params.positional()
    pair = ctx.plain(positional[0][1]).strip() if positional else ""
    if not pair:
        ctx.warn("template-empty", "{{Infobox Bilateral relations}} without its pair; dropped")
        return []
    if params.get("map"):
        ctx.figure_file(params.get("map").strip())
    sides = [side for side in pair.replace("-", "－").split("－") if side]
    rows = [InfoboxRow((Text("双方"),), (Text("、".join(sides)),))]
    return [Infobox((Text(pair + "关系"),), tuple(rows))]


def _citation(kind: str) -> Callable:
    def handler(ctx, params):
        return list(ctx.citation_inlines(kind, params))
    return handler


HANDLERS: dict[str, Callable] = {
    # {{Main|X}} heads a section that summarises the article X (主条目).
    "main": _hatnote("main", "主条目："),
    "主条目": _hatnote("main", "主条目："),
    "主條目": _hatnote("main", "主条目："),
    # {{See|X}} / {{See also|X}} point to related articles (参见).
    "see": _hatnote("see", "参见："),
    "see also": _hatnote("see", "参见："),
    "seealso": _hatnote("see", "参见："),
    "further": _hatnote("see", "参见："),
    # {{Redirect|X}} says readers may have come here from X: meaningless in a book.
    "redirect": _drop,
    "redirect2": _drop,
    "about": _drop,
    "otheruses": _drop,
    # {{Infobox Bilateral relations|A－B|…}} is the box of two countries' relations.
    "infobox bilateral relations": _infobox_bilateral,
    # {{fact|text}} / {{来源请求}}: the statement lacks a source (shown as [来源请求]).
    "fact": _needs_source,
    "citation needed": _needs_source,
    "cn": _needs_source,
    "来源请求": _needs_source,
    "來源請求": _needs_source,
    "需要来源": _needs_source,
    # {{rp|32}} gives the page of the citation just before it.
    "rp": _locator,
    # {{Reflist}} / {{reflist|2}} is where the list of references goes.
    "reflist": _bibliography,
    "references": _bibliography,
    "refs": _bibliography,
    # Portals and navigation boxes link to other pages of the wiki; a book drops them.
    "portal box": _drop,
    "portal": _drop,
    "portal bar": _drop,
    "中華民國與蘇聯關係": _drop,
    "中華民國外交": _drop,
    "中华人民共和国外交": _drop,
    "蘇聯外交": _drop,
    "冷戰": _drop,
    "冷战": _drop,
    "navbox": _drop,
    # Maintenance and layout templates that print nothing.
    "clear": _drop,
    "-": _drop,
    "toc": _drop,
    "notoc": _drop,
    "expand": _drop,
    "cleanup": _drop,
    "unreferenced": _drop,
    "refimprove": _drop,
    "noteta": note_ta,
    # Text-bearing templates: the reader sees their text.
    "lang": _keep_last,
    "nowrap": _keep_first,
    "nobr": _keep_first,
    "link-en": _keep_first,
    "le": _keep_first,
    "link-ru": _keep_first,
    "tsl": _keep_last,
    "!": lambda ctx, params: [Text("|")],
}
HANDLERS.update({name: _citation(kind) for name, kind in CITE_TEMPLATES.items()})


# ---------------------------------------------------------------- note groups

#: Templates that write a note, with the group they put it in (``""`` is the citations).
#: {{efn}} and its kin are explanatory notes lettered a, b, c (efn-ua: A, B; efn-lr: i, ii);
#: {{NoteTag}} is zhwiki's 注1, 注2 …; {{refn}} and {{#tag:ref}} take ``group=``.
NOTE_GROUPS = {
    "efn": "lower-alpha", "efn-la": "lower-alpha", "efn-ua": "upper-alpha",
    "efn-lr": "lower-roman", "efn-ur": "upper-roman", "efn-lg": "lower-greek",
    "notetag": "note", "note tag": "note", "refn": "", "#tag:ref": "",
}


def _note(group: str) -> Callable:
    def handler(ctx, params):
        return ctx.refs.template_note(params, group)
    return handler


def _group_list(group: str) -> Callable:
    def handler(ctx, params):
        named = params.get("group")
        return [Bibliography(group=ctx.plain(named).strip() if named and named.strip()
                             else group)]
    return handler


HANDLERS.update({name: _note(group) for name, group in NOTE_GROUPS.items()})
HANDLERS.update({
    # {{notelist}} lists the efn notes where it stands (注释); -ua, -lr … their other groups.
    "notelist": _group_list("lower-alpha"),
    "notelist-la": _group_list("lower-alpha"),
    "notelist-ua": _group_list("upper-alpha"),
    "notelist-lr": _group_list("lower-roman"),
    "notelist-ur": _group_list("upper-roman"),
    "notelist-lg": _group_list("lower-greek"),
    # {{r|name|page=12}} calls a named ref defined elsewhere (often in the list), with a page.
    "r": lambda ctx, params: ctx.refs.named_calls(params),
    # {{ReflistH}} … {{ReflistF}} open and close a small-type source list: they print nothing.
    "reflisth": _drop,
    "reflistf": _drop,
    # {{NoteFoot}} lists the {{NoteTag}} notes.
    "notefoot": _group_list("note"),
    "note foot": _group_list("note"),
})
HANDLERS = {normalise_name(name): handler for name, handler in HANDLERS.items()}
