"""Reader pre-pass and grammar: MediaWiki's ``-{…}-`` conversion markup → placeholders → nodes.

mwparserfromhell does not know the Chinese conversion markup, so :func:`lift` takes it out
first, tracking ``{{ }}`` depth (a ``}}`` may close a template just before ``}-``), leaving the
content of ``<pre>``, ``<code>``, ``<syntaxhighlight>``, ``<source>``, ``<math>``, ``<chem>``,
``<ce>``, ``<nowiki>`` and comments alone (a ``-{`` there is literal text), and removing the
``__…__`` behaviour switches. :func:`parse` reads a block as MediaWiki's ``ConverterRule``
does, and :func:`nodes` turns it into document nodes. The grammar
(https://zh.wikipedia.org/wiki/Help:高级字词转换语法, mediawiki.org Writing systems/Syntax):

- ``-{X}-``, ``-{R|X}-``, ``-{|X}-``   X as written in every edition
- ``-{zh-hans:A;zh-tw:B;}-``          the edition's branch, or its fallback's (MediaWiki's order)
- ``-{A|zh-hans:A;zh-hant:B;}-``      shown here, and a rule for the text after it
- ``-{H|…}-``                          a rule for the text after it, showing nothing
- ``-{-|…}-``                          removes those rules from here on
- ``-{T|…}-``                          the title of the book (with ``H``: also a rule)
- ``-{D|…}-``                          prints the rules (``简体：A；繁體：B；``)
- ``-{N|zh-tw}-``                      prints the variant's name (``台灣``)
- ``-{zh-hans;zh-hant|X}-``           X converted in the editions named (or their fallbacks),
                                       as written in the others
- ``A=>zh-cn:B``                       a one-way rule: A becomes B in zh-cn only
- ``-{H|China}-``                      a rule without branches keeps ``China`` as written

Variant codes: zh, zh-hans, zh-hant, zh-cn, zh-sg, zh-my, zh-tw, zh-hk, zh-mo, in any case, and
their script-and-region forms (``zh-Hant-TW``). ``{{NoteTA}}`` (:func:`note_ta`) turns its
``T=``, numbered and ``G1=`` group parameters into the same rules.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from ..model import ConversionRule, Inline, Protected, Text, Variant, plain_text, rebuild
from ..report import Report
from .repair import MAX_CONVERSION_NESTING

__all__ = ["Markup", "PLACEHOLDER", "VARIANT_NAMES", "UNCONVERTED_TAGS", "BEHAVIOUR_SWITCHES",
           "lift", "parse", "nodes", "split_rules", "variant_code", "note_ta", "scrub"]

OPEN, CLOSE = "\ue000", "\ue001"
#: How a placeholder reads in the text handed to mwparserfromhell: private-use marks around
#: the index into the table ``lift`` returns.
PLACEHOLDER = re.compile(OPEN + r"(\d+)" + CLOSE)

#: MediaWiki's variant codes, and the names its ZhConverter prints for them (N and D flags).
VARIANT_NAMES = {
    "zh": "原文", "zh-hans": "简体", "zh-hant": "繁體", "zh-cn": "大陆", "zh-tw": "台灣",
    "zh-hk": "香港", "zh-mo": "澳門", "zh-sg": "新加坡", "zh-my": "大马",
}
#: Script-and-region BCP 47 tags MediaWiki's own codes stand for (``zh-Hans``, ``zh-TW`` are
#: the codes themselves, case aside).
_REGIONAL_TAGS = {"zh-hans-cn": "zh-cn", "zh-hans-sg": "zh-sg", "zh-hans-my": "zh-my",
                  "zh-hant-tw": "zh-tw", "zh-hant-hk": "zh-hk", "zh-hant-mo": "zh-mo"}
_CODE = r"zh(?:-(?:hans|hant)(?:-(?:cn|sg|my|tw|hk|mo))?|-(?:cn|sg|my|tw|hk|mo))?"
#: MediaWiki's separator: a ``;`` ends a rule only before a variant code and ``:`` (or a
#: one-way ``from=>code:``), or at the end.
_SEPARATOR = re.compile(r";\s*(?=(?:[^;]*?=>\s*)?" + _CODE + r"\s*:|\s*$)", re.I)
_FLAG_LETTERS = frozenset("ATRD-HN")

#: Tags whose content MediaWiki never converts and whose ``-{`` is literal.
UNCONVERTED_TAGS = ("pre", "code", "syntaxhighlight", "source", "math", "chem", "ce", "nowiki")
_UNCONVERTED = re.compile(r"<(" + "|".join(UNCONVERTED_TAGS) + r")(\s[^<>]*)?(?<!/)>", re.I)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
#: MediaWiki's behaviour switches: instructions to the wiki, never text.
BEHAVIOUR_SWITCHES = frozenset({
    "NOTOC", "FORCETOC", "TOC", "NOEDITSECTION", "NEWSECTIONLINK", "NONEWSECTIONLINK",
    "NOGALLERY", "HIDDENCAT", "EXPECTUNUSEDCATEGORY", "NOCONTENTCONVERT", "NOCC",
    "NOTITLECONVERT", "NOTC", "START", "END", "INDEX", "NOINDEX", "STATICREDIRECT",
    "NOGLOBAL", "DISAMBIG", "EXPECTUNUSEDTEMPLATE", "ARCHIVEDTALK", "NOTALK",
    "EXPECTED_UNCONNECTED_PAGE", "NOBREADCRUMBS"})
_SWITCH = re.compile(r"__([A-Z]+(?:_[A-Z]+)*)__")


def variant_code(code: str) -> str:
    """MediaWiki's code for ``code`` (``zh-Hant-TW`` → ``zh-tw``), or "" if it names none."""
    code = code.strip().lower()
    code = _REGIONAL_TAGS.get(code, code)
    return code if code in VARIANT_NAMES else ""


@dataclass(frozen=True)
class Markup:
    """Represents one ``-{…}-`` block read as MediaWiki's ConverterRule reads it.

    ``flags`` are the effective flags (``S`` show, ``+`` add rules, ``-``, ``H``, ``T``, ``D``,
    ``R``, ``N``); ``variants`` the codes of a variant filter; ``text`` the raw wikitext after
    the flags; ``branches`` the bidirectional (code, wikitext) pairs and ``oneway`` the
    (from, code, to) triples.
    """
    flags: frozenset[str]
    text: str
    variants: tuple[str, ...] = ()
    branches: tuple[tuple[str, str], ...] = ()
    oneway: tuple[tuple[str, str, str], ...] = ()


# ---------------------------------------------------------------- the pre-pass

def lift(text: str, report: Report) -> tuple[str, list[Markup], frozenset[str]]:
    """Replace every ``-{…}-`` in ``text`` by a placeholder and remove behaviour switches;
    return the text, the table of blocks and the switches found."""
    text = text.replace(OPEN, "").replace(CLOSE, "")
    table: list[Markup] = []
    switches: set[str] = set()
    # One frame a nesting level: the text gathered so far and the open template count.
    stack: list[list] = [[[], 0]]
    i, n = 0, len(text)
    while i < n:
        frame = stack[-1]
        char = text[i]
        if char == "<":
            end = _unconverted_end(text, i)
            if end > i:
                frame[0].append(text[i:end])
                i = end
                continue
        elif char == "_" and text.startswith("__", i):
            match = _SWITCH.match(text, i)
            if match:
                switches.add(_switch(match.group(1), report))
                i = match.end()
                continue
        two = text[i:i + 2]
        if two == "-{" and not text.startswith("-{{", i):
            if len(stack) > MAX_CONVERSION_NESTING:
                report.warn("conversion-markup-depth", f"-{{…}}- nested deeper than "
                            f"{MAX_CONVERSION_NESTING} levels; kept as text")
                end = _deep_end(text, i)
                # Its text, as one raw block: no ; or | in it splits the block around it.
                deep = text[i + 2:end].replace("-{", "").replace("}-", "")
                table.append(Markup(frozenset({"R"}), deep))
                frame[0].append(f"{OPEN}{len(table) - 1}{CLOSE}")
                i = end + 2 if text.startswith("}-", end) else end
                continue
            stack.append([[], 0])
            i += 2
        elif two == "{{":
            frame[1] += 1
            frame[0].append(two)
            i += 2
        elif two == "}}" and frame[1] > 0:
            frame[1] -= 1
            frame[0].append(two)
            i += 2
        elif two == "}-" and len(stack) > 1 and frame[1] == 0:
            stack.pop()
            table.append(parse("".join(frame[0]), report))
            stack[-1][0].append(f"{OPEN}{len(table) - 1}{CLOSE}")
            i += 2
        else:
            frame[0].append(char)
            i += 1
    while len(stack) > 1:
        frame = stack.pop()
        report.warn("conversion-markup-unclosed", "-{ without }-; closed at the end of its line")
        body, newline, rest = "".join(frame[0]).partition("\n")
        table.append(parse(body, report))
        stack[-1][0].append(f"{OPEN}{len(table) - 1}{CLOSE}{newline}{rest}")
    return "".join(stack[0][0]), table, frozenset(switches)


def _deep_end(text: str, start: int) -> int:
    """Where the ``-{`` at ``start`` closes: the index of its ``}-``, or the end of its line
    if it never closes."""
    depth, i = 0, start
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    while True:
        opening, closing = text.find("-{", i), text.find("}-", i)
        if closing < 0:
            return line_end
        if 0 <= opening < closing:
            depth += 1
            i = opening + 2
            continue
        depth -= 1
        if depth == 0:
            return closing
        i = closing + 2


def _unconverted_end(text: str, start: int) -> int:
    """Where a comment or an unconverted element opening at ``start`` ends (``start`` if none
    opens there; the end of the text if it is never closed)."""
    if text.startswith("<!--", start):
        return _COMMENT.match(text, start).end()  # type: ignore[union-attr]
    match = _UNCONVERTED.match(text, start)
    if not match:
        return start
    close = re.compile(rf"</{match.group(1)}\s*>", re.I).search(text, match.end())
    return close.end() if close else len(text)


def _switch(name: str, report: Report) -> str:
    if name not in BEHAVIOUR_SWITCHES:
        report.warn("behaviour-switch-unknown", f"__{name}__ (not a switch this reader knows) "
                    "removed")
    return name


# ---------------------------------------------------------------- one block

def parse(body: str, report: Report) -> Markup:
    """Read the text between ``-{`` and ``}-`` as MediaWiki's ConverterRule does."""
    flags: set[str] = set()
    variants: list[str] = []
    bar = _top_level_bar(body)
    if bar >= 0:
        for flag in body[:bar].split(";"):
            flag = flag.strip()
            if flag in _FLAG_LETTERS:
                flags.add(flag)
            elif variant_code(flag):
                variants.append(variant_code(flag))
            elif flag:
                report.warn("conversion-markup-flag", f"unknown flag {flag!r} in -{{…}}- ignored")
        body = body[bar + 1:]
    flags = _effective(flags, bool(variants))
    if variants and not flags & {"R", "N", "-", "H"}:
        return Markup(frozenset({"R"}), body, variants=tuple(dict.fromkeys(variants)))
    branches: tuple = ()
    oneway: tuple = ()
    if not flags & {"R", "N"}:
        branches, oneway = split_rules(body.replace("=&gt;", "=>"))
    if not branches and not oneway:
        if flags & {"+", "-"}:
            if body:
                branches = tuple((code, body) for code in VARIANT_NAMES)
        elif not flags & {"N", "T"}:
            flags = {"R"}
    return Markup(frozenset(flags), body, branches=branches, oneway=oneway)


def _effective(flags: set[str], filtered: bool) -> set[str]:
    """MediaWiki's flag precedence: R, N and - stand alone; T alone hides; H replaces A."""
    if not flags:
        return set() if filtered else {"S"}
    for alone in ("R", "N", "-"):
        if alone in flags:
            return {alone}
    if flags == {"T"}:
        return {"T", "H"}
    if "H" in flags:
        return {"+", "H"} | (flags & {"T", "D"})
    flags = set(flags)
    if "A" in flags:
        flags |= {"+", "S"}
    if "D" in flags:
        flags.discard("S")
    return flags


def _top_level(body: str, char: str) -> Iterator[int]:
    """The index of each ``char`` in ``body`` outside ``[[ ]]`` and ``{{ }}``."""
    depth = 0
    i = 0
    while i < len(body):
        two = body[i:i + 2]
        if two in ("{{", "[["):
            depth += 1
            i += 2
            continue
        if two in ("}}", "]]") and depth:
            depth -= 1
            i += 2
            continue
        if body[i] == char and depth == 0:
            yield i
        i += 1


def _top_level_bar(body: str) -> int:
    """The first ``|`` outside ``[[ ]]`` and ``{{ }}``, or -1."""
    return next(_top_level(body, "|"), -1)


def split_rules(body: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]:
    """``zh-hans:A;B=>zh-tw:C;`` → ``((("zh-hans", "A"),), (("B", "zh-tw", "C"),))``.

    A ``;`` inside ``{{ }}`` or ``[[ ]]`` never separates. A part naming no valid code makes the
    whole block rule-less, as in MediaWiki (``-{http://x}-`` is text).
    """
    bidirectional: dict[str, str] = {}
    oneway: list[tuple[str, str, str]] = []
    for part in _split_top_level(body):
        if ":" not in part:
            continue
        head, to = part.split(":", 1)
        to = to.strip()
        if "=>" in head:
            source, code = (piece.strip() for piece in head.split("=>", 1))
            code = variant_code(code)
            if code and source:
                oneway.append((source, code, to))
        else:
            code = variant_code(head)
            if code and to:
                bidirectional.setdefault(code, to)
        if not code:
            return (), ()
    return tuple(bidirectional.items()), tuple(oneway)


def _split_top_level(body: str) -> list[str]:
    """``body`` split at each top-level ``;`` that separates rules (one before a variant code)."""
    parts = []
    start = 0
    for i in _top_level(body, ";"):
        if i >= start:
            match = _SEPARATOR.match(body, i)
            if match:
                parts.append(body[start:i])
                start = match.end()
    parts.append(body[start:])
    return parts


# ---------------------------------------------------------------- nodes

def nodes(markup: Markup, protected: Callable[[str], tuple[Inline, ...]],
          converted: Callable[[str], tuple[Inline, ...]]) -> list:
    """The document nodes for one block: ``protected`` reads wikitext whose author text stays
    as written, ``converted`` wikitext that the edition converts."""
    flags = markup.flags
    if "R" in flags:
        if markup.variants:
            return [Variant(tuple((code, converted(markup.text)) for code in markup.variants),
                            filtered=True)]
        if not re.search(r"[\[\]{}'<&\ue000]", markup.text):
            return [Protected(markup.text)] if markup.text else []
        return [Variant((("zh", protected(markup.text)),))]
    if "N" in flags:
        name = VARIANT_NAMES.get(variant_code(markup.text), "")
        return [Text(name)] if name else []
    out: list = []
    branches = tuple((code, protected(text)) for code, text in markup.branches)
    oneway = tuple((source, code, protected(to)) for source, code, to in markup.oneway)
    if flags & {"+", "-", "T"}:
        out.append(ConversionRule(
            tuple((code, plain_text(inlines)) for code, inlines in branches),
            tuple((source, code, plain_text(to)) for source, code, to in oneway),
            action="add" if "+" in flags else "remove" if "-" in flags else "none",
            title="T" in flags))
    if "D" in flags:
        out.extend(_description(branches, oneway))
    elif "S" in flags:
        shown = dict(branches)
        for _, code, to in oneway:
            shown.setdefault(code, to)
        out.append(Variant(tuple(shown.items())))
    return out


def _description(branches, oneway) -> list:
    """What MediaWiki prints for ``-{D|…}-``: ``简体：A；繁體：B；`` and ``X⇒台灣：Y；``; the
    variant names are the edition's words, the rules' text as written."""
    out: list = []
    for code, inlines in branches:
        out.extend([Text(VARIANT_NAMES[code]), Protected("："), *inlines, Protected("；")])
    for source, code, inlines in oneway:
        out.extend([Protected(source + "⇒"), Text(VARIANT_NAMES[code]), Protected("："),
                    *inlines, Protected("；")])
    return out


# ---------------------------------------------------------------- {{NoteTA}}

_GROUP = re.compile(r"^g\d+$", re.I)


def note_ta(ctx, params) -> list:
    """``{{NoteTA|T=…|1=…|G1=…}}``: the title rule, then each numbered rule and each rule of
    each named conversion group, all hidden rules for the whole page (as ``-{H|…}-``).

    The groups are read from the ``groups`` the reader was given (``<stem>.cgroups.json``);
    a group not there is named in a warning.
    """
    out: list = []
    named = params.named()
    if named.get("t", "").strip():
        out.extend(nodes(parse("T|" + ctx.plain(named["t"]), ctx.report), ctx.inlines,
                         ctx.inlines))
    for _, value in sorted(params.positional(), key=lambda item: int(item[0])):
        if value.strip():
            out.extend(_hidden_rule(ctx, ctx.plain(value)))
    groups: Mapping[str, tuple[str, ...]] = getattr(ctx, "groups", None) or {}
    for _, value in sorted((int(key[1:]), value) for key, value in named.items()
                           if _GROUP.match(key) and value.strip()):
        name = value.strip()
        if name not in groups:
            ctx.warn("conversion-group-missing",
                     f"conversion group {name} (Module:CGroup/{name}) not in the source's "
                     ".cgroups.json; its rules are not applied")
            continue
        for rule in groups[name]:
            out.extend(_hidden_rule(ctx, rule))
    return out


def _hidden_rule(ctx, body: str) -> list:
    return [node for node in nodes(parse("H|" + body, ctx.report), ctx.inlines, ctx.inlines)
            if isinstance(node, ConversionRule)]


# ---------------------------------------------------------------- the safety net

def scrub(document, table: list[Markup], report: Report):
    """Replace any placeholder that reached a string the reader did not resolve (a link
    target, a file name, an id, a warning naming a template) by the block's plain text, so
    none reaches a book or its report."""
    found = [0]

    def plain(match: re.Match) -> str:
        found[0] += 1
        markup = table[int(match.group(1))] if int(match.group(1)) < len(table) else None
        if markup is None or "R" in markup.flags:
            text = markup.text if markup else ""
        else:
            shown = dict(markup.branches)
            text = next((shown[code] for code in ("zh", "zh-hans", "zh-hant") if code in shown),
                        next(iter(shown.values()), ""))
        return PLACEHOLDER.sub(plain, text).replace(OPEN, "").replace(CLOSE, "")

    def clean(value):
        if isinstance(value, str) and (OPEN in value or CLOSE in value):
            return PLACEHOLDER.sub(plain, value).replace(OPEN, "").replace(CLOSE, "")
        if isinstance(value, tuple):
            return tuple(clean(item) for item in value)
        return value

    def fix(node):
        """Clean a node's own strings; its child nodes are already rebuilt."""
        changes = {field.name: clean(getattr(node, field.name))
                   for field in dataclasses.fields(node)
                   if isinstance(getattr(node, field.name), (str, tuple))}
        if hasattr(node, "meta"):
            changes["meta"] = fix(node.meta)
        return dataclasses.replace(node, **changes) if changes else node

    document = rebuild(document, fix)
    in_document = found[0]
    for index, warning in enumerate(report.warnings):
        if OPEN in warning.message or CLOSE in warning.message:
            report.warnings[index] = dataclasses.replace(warning, message=clean(warning.message))
    if in_document:
        report.warn("conversion-markup-in-identifier",
                    f"{in_document} -{{…}}- block(s) in a link target, file name or id read as "
                    "their plain text")
    return document
