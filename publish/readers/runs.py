"""Reader stage, inline runs: clean, merge, fold and trim the text runs the dispatcher produces.

Takes lists of inlines (and raw text) from :mod:`publish.readers.wikitext`; returns them with
characters no XML may hold removed, adjacent runs merged, white space folded as MediaWiki folds
it, and no spaces left between Chinese characters.
"""
from __future__ import annotations

import re

from ..model import Protected, Text
from ..report import Report
from .repair import strip_debris

__all__ = ["clean_text", "normalise", "trim", "cjk_pair", "DROPPED_MARK"]

# XML 1.0 forbids C0 controls but tab/LF/CR, surrogates and U+FFFE/U+FFFF; bidi embeddings and
# overrides can make text read in an order other than written.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff"
                      "\u202a-\u202e\u2066-\u2069]")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\U00020000-\U0003ffff"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
_CJK_CHAR = re.compile(f"[{_CJK}]")
#: Where an unknown template was dropped in running text (a private-use character the cleaning
#: removes from the source): brackets left empty around it go with it, as does the comma of a
#: phrase left without its subject (``at {{convert|…}}, is`` → ``at is``).
DROPPED_MARK = "\ue00f"
_AROUND_DROPPED = (
    (re.compile(f"(?<=\\S) {DROPPED_MARK}\\s*[,，](?= )"), ""),
    (re.compile(f"[，、；,;]\\s*{DROPPED_MARK}\\s*(?=[，、；。,;.）)])"), ""),
    (re.compile(f"{DROPPED_MARK}\\s*[，、；：,;:]\\s*(?=[）)。.])"), ""),
    (re.compile(f"(?<=[（(])\\s*{DROPPED_MARK}\\s*[，、；：,;:]\\s*"), ""),
    (re.compile(DROPPED_MARK), ""),
    (re.compile(r"[（(][\s，、；,;]*[）)]"), ""),
)


def _drop_marks(text: str) -> str:
    """Remove the marks of dropped templates, and the empty brackets and doubled punctuation
    they leave."""
    for pattern, replacement in _AROUND_DROPPED:
        text = pattern.sub(replacement, text)
    return text


def clean_text(text: str, report: Report | None = None) -> str:
    """Remove characters no XML document may hold, and bidi controls; warn once if any."""
    cleaned = _INVALID.sub("", text)
    cleaned = "".join(ch for ch in cleaned
                      if not (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE))
    if report is not None and len(cleaned) != len(text):
        report.warn("invalid-characters",
                    f"removed {len(text) - len(cleaned)} control or non-character code points")
    return cleaned



def normalise(inlines: list, report: Report, keep_spaces: bool = False) -> list:
    """Merge adjacent runs of one kind, fold white space, drop spaces between CJK characters
    (unless ``keep_spaces``: verse, where a space parts phrases), and remove markup debris the
    merge may have joined (``]`` and ``]`` around a dropped ref) from Text (Protected text is
    either cleaned already or literal, like ``<nowiki>``)."""
    merged: list = []
    for node in inlines:
        if isinstance(node, (Text, Protected)) and merged and type(merged[-1]) is type(node):
            merged[-1] = type(node)(merged[-1].text + node.text)
        else:
            merged.append(node)
    out = []
    for node in merged:
        if isinstance(node, (Text, Protected)):
            text = _drop_marks(node.text) if DROPPED_MARK in node.text else node.text
            text = _join_lines(text)
            text = re.sub(r"[ \t\u00a0]{2,}", " ", text)
            if not keep_spaces:
                text = _SPACE_BETWEEN_CJK.sub("", text)
            if isinstance(node, Text):
                # Protected text is literal (<nowiki>, an entity such as &lt;): kept as written.
                text = strip_debris(text, report)
            if text:
                out.append(type(node)(text))
        else:
            out.append(node)
    return out


def _join_lines(text: str) -> str:
    """A line break inside a paragraph: nothing between Chinese characters, else a space."""
    def joiner(match) -> str:
        return "" if cjk_pair(text[match.start() - 1:match.start()],
                               text[match.end():match.end() + 1]) else " "
    return re.sub("\n", joiner, text)


def cjk_pair(before: str, after: str) -> bool:
    return bool(_CJK_CHAR.fullmatch(before or "a") and _CJK_CHAR.fullmatch(after or "a"))


def trim(inlines) -> list:
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

