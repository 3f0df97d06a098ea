"""Transform: convert every text a reader sees into one script (Document → Document).

Before (mixed source)::

    Paragraph((Text("外交部長"), Protected("王世"), …, Variant((("zh-hans", A), ("zh-hant", B))),
               ConversionRule(…), Text("「長治號」")))

After, for ``zh-Hant``::

    Paragraph((Text("外交部長"), Protected("王世"), …, <B, protected>, Text("「長治號」")))

Order: variants choose their branch (kept out of conversion), conversion rules protect the
text they match after them, OpenCC converts each run of inlines as one string (so phrases are
not cut at link edges), then quotation marks follow the script. URLs, link targets, ids and
file names are identifiers and never touched.
"""
from __future__ import annotations

import dataclasses
import functools
import re

import opencc

from ..labels import is_chinese
from ..model import (INLINE_ROOTS, ConversionRule, Document, Protected, Text, Variant, rebuild,
                     walk)
from ..report import Report

__all__ = ["SCRIPTS", "apply", "convert_text"]

#: The one place naming each script's OpenCC configuration. zh-Hant uses s2tw: Taiwan standard
#: character forms without vocabulary substitution (s2twp would turn 项目 into 專案).
SCRIPTS = {"zh-Hans": "t2s", "zh-Hant": "s2tw"}

#: Variant codes each script accepts, best first (MediaWiki's fallback chains).
FALLBACKS = {
    "zh-Hans": ("zh-hans", "zh-cn", "zh-sg", "zh-my", "zh", "zh-hant", "zh-tw", "zh-hk", "zh-mo"),
    "zh-Hant": ("zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh", "zh-hans", "zh-cn", "zh-sg", "zh-my"),
}

#: Fixes for OpenCC's own mistakes, applied after it, per script. Each was measured on the seed
#: with OpenCC 1.4.2 and is never right in that script's standard.
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


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _to_traditional(text: str) -> str:
    """Mixed text → Taiwan standard, keeping the source's own traditional characters.

    OpenCC's phrase tables are keyed on simplified text, so s2tw segments a traditional
    source badly: 不適合中國 came out 不適閤中國 (合中 matched before 適合). Reading through
    t2s first gives it simplified keys (不适合中国 → 不適合中國), and every character the
    source already wrote in traditional form is then taken back from the source (in Taiwan's
    variant, t2tw), so a traditional distinction simplification loses is never guessed anew.
    """
    simplified = _converter("t2s").convert(text)
    chained = _converter(SCRIPTS["zh-Hant"]).convert(simplified)
    source = _converter("t2tw").convert(text)
    if not len(text) == len(simplified) == len(chained) == len(source):
        return _converter(SCRIPTS["zh-Hant"]).convert(text)
    return "".join(kept if original != plain else converted for original, plain, converted, kept
                   in zip(text, simplified, chained, source))


def convert_text(text: str, script: str) -> str:
    """``text`` in ``script``'s characters and quotation marks."""
    converted = _to_traditional(text) if script == "zh-Hant" \
        else _converter(SCRIPTS[script]).convert(text)
    for wrong, right in CORRECTIONS[script].items():
        converted = converted.replace(wrong, right)
    return _quotes(converted, script)


def _quotes(text: str, script: str) -> str:
    text = text.translate(_OPEN_CLOSE[script])
    if script == "zh-Hant":
        text = _SINGLE_QUOTED_CJK.sub(r"『\1』", text)
    return text


def apply(document: Document, script: str, report: Report) -> Document:
    if script not in SCRIPTS:
        if is_chinese(script):
            raise ValueError(f"unknown script {script!r}")
        # A non-Chinese edition: variants take their first branch, nothing is converted.
        document = rebuild(document, functools.partial(_choose_variants, script=script))
        document = rebuild(document, lambda node: [] if isinstance(node, ConversionRule)
                           else node)
        return dataclasses.replace(document, script=script)
    document = rebuild(document, functools.partial(_choose_variants, script=script))
    document = _apply_rules(document, script)
    document = rebuild(document, functools.partial(_convert_roots, script=script))
    meta = document.meta
    meta = dataclasses.replace(meta, title=convert_text(meta.title, script),
                               subjects=tuple(convert_text(s, script) for s in meta.subjects))
    return dataclasses.replace(document, meta=meta, script=script)


def _choose_variants(node, script: str):
    """A Variant becomes its best branch for the script (whose author text the reader has
    already Protected)."""
    if not isinstance(node, Variant):
        return node
    branches = dict(node.branches)
    if script not in FALLBACKS:
        return list(node.branches[0][1]) if node.branches else []
    for code in FALLBACKS[script]:
        if code in branches:
            return list(branches[code])
    return []


def _apply_rules(document: Document, script: str) -> Document:
    """Each ``-{H|…}-``/``-{A|…}-`` rule protects its script's branch in later text."""
    rules: dict[str, str] = {}
    pattern: list[re.Pattern | None] = [None]

    def visit(node):
        if isinstance(node, ConversionRule):
            branches = dict(node.branches)
            chosen = next((branches[code] for code in FALLBACKS[script] if code in branches), "")
            for text in branches.values():
                if text:
                    rules[text] = chosen
            keys = sorted(rules, key=len, reverse=True)
            pattern[0] = re.compile("|".join(map(re.escape, keys))) if keys else None
            return []
        if isinstance(node, Text) and pattern[0] is not None:
            out: list = []
            position = 0
            for match in pattern[0].finditer(node.text):
                if match.start() > position:
                    out.append(Text(node.text[position:match.start()]))
                out.append(Protected(rules[match.group(0)]))
                position = match.end()
            if position < len(node.text):
                out.append(Text(node.text[position:]))
            return out
        return node

    return rebuild(document, visit)


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
