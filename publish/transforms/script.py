"""Transform: convert every text a reader sees into one edition's script (Document → Document).

Before (mixed source)::

    Paragraph((ConversionRule((("zh-cn", "软件"), ("zh-tw", "軟體"))), Text("外交部長"),
               Protected("王世"), Variant((("zh-hans", A), ("zh-hant", B))), Text("软件")))

After, for ``zh-Hant``::

    Paragraph((Text("外交部長"), Protected("王世"), <B, protected>, Protected("軟體")))

Order, as MediaWiki's LanguageConverter does it: walking the document in reading order, each
rule (``-{H|…}-``, ``-{A|…}-``, ``{{NoteTA}}``) changes the rules in force from where it stands
(``-{-|…}-`` removes them), a ``-{T|…}-`` names the book, each Variant becomes the edition's
branch (or its fallback's, in MediaWiki's order), and text matching a rule in force becomes the
rule's text for the edition, kept out of conversion. Then OpenCC converts each run of inlines as
one string (so phrases are not cut at link edges), and quotation marks follow the script. URLs,
link targets, ids and file names are identifiers and never touched. ``__NOCONTENTCONVERT__``
keeps the text as written and ``__NOTITLECONVERT__`` the title.

Editions: ``zh-Hans`` and ``zh-Hant`` (the scripts, Taiwan's character standard for the
traditional one) and the regional ``zh-CN``, ``zh-TW`` and ``zh-HK``: each region's character
standard (s2hk for Hong Kong's), and its vocabulary as the wiki writes it, in MediaWiki's
``zh-cn``/``zh-tw``/``zh-hk`` branches, rules and NoteTA groups. OpenCC's vocabulary tables
(s2twp, tw2sp) are not used: they are made for software terms and, measured on the seed and on
欧拉公式, made prose wrong (函數 → 函式, 推導 → 推匯, 聲明 → 宣告, 核心 → 内核, 理查德 → 理乍得). In
MediaWiki the ``zh-hans``/``zh-hant`` variants take no bidirectional manual rules; here every
edition does, so a book reads one way throughout (the ``.NET框架`` of a zh-hans branch never
reaches a zh-Hant book).
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from dataclasses import dataclass

import opencc

from ..labels import is_chinese
from ..model import (INLINE_ROOTS, ConversionRule, Document, Paragraph, Protected, Text,
                     Variant, rebuild, walk)
from ..report import Report

__all__ = ["EDITIONS", "Edition", "FALLBACKS", "apply", "base_script", "choose",
           "convert_text"]


@dataclass(frozen=True)
class Edition:
    """Represents what an edition's script means, like ``zh-TW``: its base script (which
    labels, quotation marks and corrections follow), MediaWiki variant code, BCP 47 tag and
    the OpenCC configurations that bring simplified and traditional text into it ("" where the
    text is already in the edition's script)."""
    base: str
    variant: str
    lang: str
    from_simplified: str
    from_traditional: str


#: The one place naming each edition's OpenCC configurations. zh-Hant uses s2tw: Taiwan
#: standard character forms without vocabulary substitution (s2twp would turn 项目 into 專案).
#: zh-Hans reads t2s, which keeps 著 (tw2s turned the seed's 編著 into 编着).
EDITIONS = {
    "zh-Hans": Edition("zh-Hans", "zh-hans", "zh-Hans", "", "t2s"),
    "zh-Hant": Edition("zh-Hant", "zh-hant", "zh-Hant", "s2tw", "t2tw"),
    "zh-CN": Edition("zh-Hans", "zh-cn", "zh-Hans-CN", "", "t2s"),
    "zh-TW": Edition("zh-Hant", "zh-tw", "zh-Hant-TW", "s2tw", "t2tw"),
    "zh-HK": Edition("zh-Hant", "zh-hk", "zh-Hant-HK", "s2hk", "t2hk"),
}

#: MediaWiki's variant fallbacks (ZhConverter::getVariantsFallbacks), in order.
FALLBACKS = {
    "zh": ("zh-hans", "zh-hant", "zh-cn", "zh-tw", "zh-hk", "zh-sg", "zh-mo", "zh-my"),
    "zh-hans": ("zh-cn", "zh-sg", "zh-my"),
    "zh-hant": ("zh-tw", "zh-hk", "zh-mo"),
    "zh-cn": ("zh-hans", "zh-sg", "zh-my"),
    "zh-sg": ("zh-hans", "zh-cn", "zh-my"),
    "zh-my": ("zh-hans", "zh-sg", "zh-cn"),
    "zh-tw": ("zh-hant", "zh-hk", "zh-mo"),
    "zh-hk": ("zh-hant", "zh-mo", "zh-tw"),
    "zh-mo": ("zh-hant", "zh-hk", "zh-tw"),
}

#: Fixes for OpenCC's own mistakes, applied after it, per base script. Each was measured on the
#: seed with OpenCC 1.4.2 and is never right in that script's standard.
CORRECTIONS = {
    "zh-Hans": {},
    # s2t turns 中俄关系 into 中俄關系 (关系 alone becomes 關係, correctly).
    "zh-Hant": {"關系": "關係"},
}

_OPEN_CLOSE = {
    "zh-Hant": str.maketrans({"“": "「", "”": "」"}),
    "zh-Hans": str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"}),
}
_SINGLE_QUOTED_CJK = re.compile(r"‘([^‘’]*[\u3400-\u9fff][^‘’]*)’")
#: A run of Han characters: the unit whose script is judged (punctuation and spaces end it).
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def base_script(edition: str) -> str:
    """The script an edition is written in: ``zh-TW`` → ``zh-Hant``, ``zh-Hans`` → itself."""
    if edition not in EDITIONS:
        raise ValueError(f"unknown script {edition!r}")
    return EDITIONS[edition].base


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@functools.cache
def _script_of(char: str) -> str:
    """``T`` for a character only traditional text uses (t2s changes it, s2t does not), ``S``
    for one only simplified text uses, "" for one both share."""
    traditional = _converter("t2s").convert(char) != char
    simplified = _converter("s2t").convert(char) != char
    return "T" if traditional and not simplified else "S" if simplified and not traditional \
        else ""


def _to_traditional(text: str, edition: Edition) -> str:
    """Mixed text → the edition's traditional standard, keeping the source's own traditional
    characters: each run of Han characters is judged by the characters only one script uses.

    A run with as many simplified-only characters as traditional-only ones (or none of
    either) is read by the edition's simplified configuration as it stands: OpenCC's phrase
    tables are keyed on simplified text and know 幺麽小丑 → 么麼小丑, 拜访吃茶小舖 → 喫茶,
    牛骥同皁. A mostly traditional run is segmented badly that way (不適合中國 came out
    不適閤中國), so it goes through t2s first, for simplified keys, and every character the
    source wrote in traditional form is then taken back from the source (in the edition's
    variant forms), so a distinction simplification loses is never guessed anew.
    """
    pieces: list[tuple[bool, str]] = []  # (read by the simplified configuration, text)
    position = 0
    for match in _HAN_RUN.finditer(text):
        pieces.append((True, text[position:match.start()]))
        run = match.group(0)
        marks = [_script_of(char) for char in run]
        traditional, simplified = marks.count("T"), marks.count("S")
        if traditional == 0 or simplified >= traditional:
            pieces.append((True, run))
        else:
            pieces.append((False, _traditional_run(run, marks, edition)))
        position = match.end()
    pieces.append((True, text[position:]))
    direct = _converter(edition.from_simplified)
    return "".join(direct.convert(joined) if as_simplified else joined
                   for as_simplified, joined in _grouped(pieces))


def _to_simplified(text: str, edition: Edition) -> str:
    """Mixed text → simplified, keeping each character the source wrote in a simplified form:
    t2s reads 幺麽小丑 (already simplified) as traditional and writes 幺么小丑, so where OpenCC
    changes a character that is itself a simplified form (one s2t would change), the source's
    character stays."""
    converted = _converter(edition.from_traditional).convert(text)
    if len(converted) != len(text):
        return converted
    return "".join(source if new != source and _simplified_form(source) else new
                   for source, new in zip(text, converted))


@functools.cache
def _simplified_form(char: str) -> bool:
    return _converter("s2t").convert(char) != char


def _grouped(pieces: list[tuple[bool, str]]):
    """Neighbouring pieces read alike, joined: they go to OpenCC together, so a phrase that
    spans a hyphen or a space (伯克希尔-哈撒韦) is still one phrase."""
    for flag, group in itertools.groupby(pieces, key=lambda piece: piece[0]):
        yield flag, "".join(piece for _, piece in group)


def _traditional_run(run: str, marks: list[str], edition: Edition) -> str:
    """A run of mostly traditional characters in the edition's forms: the source's own
    traditional characters kept (in the edition's variant forms), the others read through t2s
    for simplified phrase keys."""
    kept = _converter(edition.from_traditional).convert(run)
    chained = _converter(edition.from_simplified).convert(_converter("t2s").convert(run))
    if not len(run) == len(kept) == len(chained):
        return _converter(edition.from_simplified).convert(run)
    return "".join(source if mark == "T" else converted
                   for mark, source, converted in zip(marks, kept, chained))


def convert_text(text: str, script: str) -> str:
    """``text`` in the characters, vocabulary and quotation marks of edition ``script``."""
    edition = EDITIONS[script]
    if edition.base == "zh-Hant":
        converted = _to_traditional(text, edition)
    else:
        converted = _to_simplified(text, edition)
    for wrong, right in CORRECTIONS[edition.base].items():
        converted = converted.replace(wrong, right)
    return _quotes(converted, edition.base)


def _quotes(text: str, base: str) -> str:
    text = text.translate(_OPEN_CLOSE[base])
    if base == "zh-Hant":
        text = _SINGLE_QUOTED_CJK.sub(r"『\1』", text)
    return text


# ---------------------------------------------------------------- the document

def apply(document: Document, script: str, report: Report) -> Document:
    edition = EDITIONS.get(script)
    if edition is None:
        if is_chinese(script):
            raise ValueError(f"unknown script {script!r}")
        # An edition in another language: variants show their first branch, rules print
        # nothing, and no text is converted.
        return dataclasses.replace(rebuild(document, _as_written), script=script)
    rules = _Rules(edition.variant, report)
    document = rebuild(document, rules.resolve)
    if document.meta.convert_content:
        document = rebuild(document, functools.partial(_convert_roots, script=script))
    meta = document.meta
    if rules.title is not None:
        title = rules.title
    elif meta.convert_title:
        title = "".join(node.text if isinstance(node, Protected)
                        else convert_text(node.text, script) for node in rules.replace(meta.title))
    else:
        title = meta.title
    subjects = tuple(convert_text(s, script) for s in meta.subjects) \
        if meta.convert_content else meta.subjects
    meta = dataclasses.replace(meta, title=title, subjects=subjects)
    return dataclasses.replace(document, meta=meta, script=script)


def _as_written(node):
    """A Variant as its first branch, a ConversionRule as nothing (editions not in Chinese)."""
    if isinstance(node, Variant):
        return list(node.branches[0][1]) if node.branches else []
    return [] if isinstance(node, ConversionRule) else node


def choose(branches: dict, variant: str):
    """The branch for ``variant``: its own, else its fallbacks' in MediaWiki's order; None."""
    for code in (variant, *FALLBACKS[variant]):
        if code in branches:
            return branches[code]
    return None


class _Rules:
    """The manual conversion rules in force for one edition, as a walk in reading order meets
    them; resolves rules, variants and the text they match."""

    def __init__(self, variant: str, report: Report):
        self.variant = variant
        self.report = report
        self.table: dict[str, str] = {}
        self.title: str | None = None
        self._pattern: re.Pattern | None = None
        self._stale = False

    def resolve(self, node):
        if isinstance(node, ConversionRule):
            self._rule(node)
            return []
        if isinstance(node, Variant):
            return self._variant(node)
        if isinstance(node, Text):
            return self.replace(node.text)
        if isinstance(node, Paragraph) and not node.children:
            return []
        return node

    def _rule(self, rule: ConversionRule) -> None:
        if rule.title:
            title = choose(dict(rule.branches), self.variant)
            title = title if title is not None else next(
                (to for _, code, to in rule.oneway if code == self.variant), None)
            if title is None:
                self.report.warn("conversion-title-missing",
                                 f"-{{T|…}}- has no title for {self.variant}; title converted")
            else:
                self.title = title
        pairs = self.pairs(rule)
        if rule.action == "add" and pairs:
            self.table.update(pairs)
            self._stale = True
        elif rule.action == "remove":
            for source in pairs:
                self.table.pop(source, None)
            self._stale = True

    def pairs(self, rule: ConversionRule) -> dict[str, str]:
        """What a rule maps to this edition's text (MediaWiki's generateConvTable): every
        variant's text, missing ones filled from their fallbacks, becomes this variant's;
        one-way rules to this variant win."""
        given = dict(rule.branches)
        filled = {}
        for code in FALLBACKS:
            text = given.get(code) or choose(given, code)
            if text:
                filled[code] = text
        pairs: dict[str, str] = {}
        target = filled.get(self.variant)
        if target:
            pairs.update((text, target) for text in filled.values())
        pairs.update((source, to) for source, code, to in rule.oneway if code == self.variant)
        return pairs

    def _variant(self, node: Variant) -> list:
        branches = dict(reversed(node.branches))
        chosen = choose(branches, self.variant)
        if node.filtered:
            if chosen is not None:
                return list(chosen)
            return [rebuild(inline, _protect) for inline in node.branches[0][1]]
        if chosen is None:
            code = "zh" if "zh" in branches else node.branches[0][0] if node.branches else ""
            if not code:
                return []
            self.report.warn("conversion-branch-missing",
                             f"-{{…}}- has no branch for {self.variant} or its fallbacks; its "
                             f"{code} branch is shown as written")
            chosen = branches[code]
        return list(chosen)

    def replace(self, text: str) -> list:
        """``text`` as Text, with each match of a rule in force Protected as the rule's text."""
        if self._stale:
            keys = sorted(self.table, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None
            self._stale = False
        if self._pattern is None:
            return [Text(text)]
        out: list = []
        position = 0
        for match in self._pattern.finditer(text):
            if match.start() > position:
                out.append(Text(text[position:match.start()]))
            out.append(Protected(self.table[match.group(0)]))
            position = match.end()
        if position < len(text):
            out.append(Text(text[position:]))
        return out


def _protect(node):
    return Protected(node.text) if isinstance(node, Text) else node


def _convert_roots(node, script: str):
    fields = INLINE_ROOTS.get(type(node))
    if not fields:
        return node
    return dataclasses.replace(node, **{name: _convert_run(getattr(node, name), script)
                                        for name in fields})


def _text_leaves(inlines, leaves: list) -> None:
    """The Text nodes under ``inlines``, in reading order (Protected text is not one)."""
    for inline in inlines:
        leaves.extend(node for node in walk(inline) if isinstance(node, Text))


def _convert_run(inlines: tuple, script: str) -> tuple:
    """Convert the text leaves of a run together, split back by length when OpenCC keeps it."""
    leaves: list[Text] = []
    _text_leaves(inlines, leaves)
    if not leaves:
        return inlines
    joined = "".join(leaf.text for leaf in leaves)
    converted = convert_text(joined, script)
    if len(converted) == len(joined):
        pieces, position = [], 0
        for leaf in leaves:
            pieces.append(converted[position:position + len(leaf.text)])
            position += len(leaf.text)
    else:
        pieces = [convert_text(leaf.text, script) for leaf in leaves]
    queue = iter(pieces)

    def swap(node):
        return Text(next(queue)) if isinstance(node, Text) else node

    return tuple(rebuild(inline, swap) for inline in inlines)
