"""Reader pre-pass: wikitext → wikitext with each ``-{…}-`` block replaced by a placeholder.

mwparserfromhell does not know the Chinese conversion markup, so this pass lifts it out first,
tracking ``{{ }}`` depth (a ``}}`` may close a template just before ``}-``), and records each
block as a :class:`Markup` the reader turns into document nodes. Syntax, as on Chinese
Wikipedia (https://zh.wikipedia.org/wiki/Help:中文维基百科的繁简、地区词处理):

- ``-{X}-``                      X shown as written in every script
- ``-{zh-hans:A;zh-hant:B;}-``   one branch per script
- ``-{H|zh-hans:A;zh-hant:B;}-`` a rule for later text, showing nothing
- ``-{A|zh-hans:A;zh-hant:B;}-`` a rule for later text, also shown here
- ``-{R|X}-``                    raw: X as written; ``-{T|…}-`` sets the page title
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..report import Report

__all__ = ["Markup", "PLACEHOLDER", "lift", "split_branches"]

OPEN, CLOSE = "\ue000", "\ue001"
#: How a placeholder reads in the text handed to mwparserfromhell: private-use marks around
#: the index into the table ``lift`` returns.
PLACEHOLDER = re.compile(OPEN + r"(\d+)" + CLOSE)
MAX_NESTING = 32

_VARIANT_CODES = ("zh-hans", "zh-hant", "zh-cn", "zh-sg", "zh-my", "zh-tw", "zh-hk", "zh-mo", "zh")
_BRANCH_START = re.compile(r"\s*(" + "|".join(_VARIANT_CODES) + r")\s*:")
_FLAGS = re.compile(r"^\s*([A-Za-z\-]{1,3}(?:;[A-Za-z\-]{1,3})*)\s*\|")


@dataclass(frozen=True)
class Markup:
    """Represents one ``-{…}-`` block: its kind and its branches of raw wikitext.

    ``kind`` is ``protect`` (one branch, code ``zh``), ``variant``, ``rule`` (hidden) or
    ``shown-rule``.
    """
    kind: str
    branches: tuple[tuple[str, str], ...]


def lift(text: str, report: Report) -> tuple[str, list[Markup]]:
    """Replace every ``-{…}-`` in ``text`` by a placeholder; return the text and the table."""
    text = text.replace(OPEN, "").replace(CLOSE, "")
    table: list[Markup] = []
    # One frame a nesting level: the text gathered so far and the open template count.
    stack: list[list] = [[[], 0]]
    i, n = 0, len(text)
    while i < n:
        frame = stack[-1]
        two = text[i:i + 2]
        if two == "-{" and not text.startswith("-{{", i):
            if len(stack) > MAX_NESTING:
                report.warn("conversion-markup-depth",
                            f"-{{…}}- nested deeper than {MAX_NESTING} levels; kept as text")
                frame[0].append(two)
                i += 2
                continue
            if len(stack) > 1:
                report.warn("conversion-markup-nested", "nested -{…}- markup")
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
            table.append(_classify("".join(frame[0]), report))
            stack[-1][0].append(f"{OPEN}{len(table) - 1}{CLOSE}")
            i += 2
        else:
            frame[0].append(text[i])
            i += 1
    while len(stack) > 1:
        frame = stack.pop()
        report.warn("conversion-markup-unclosed", "-{ without }-; closed at the end of its line")
        body, newline, rest = "".join(frame[0]).partition("\n")
        table.append(_classify(body, report))
        stack[-1][0].append(f"{OPEN}{len(table) - 1}{CLOSE}{newline}{rest}")
    return "".join(stack[0][0]), table


def _classify(body: str, report: Report) -> Markup:
    flags = ""
    match = _FLAGS.match(body)
    if match and not _BRANCH_START.match(body):
        flags, body = match.group(1).upper(), body[match.end():]
    branches = split_branches(body)
    if "R" in flags or not branches:
        if flags and flags != "R" and "R" not in flags:
            report.warn("conversion-markup-flag", f"-{{{flags}|…}}- without branches; kept as text")
        return Markup("protect", (("zh", body),))
    if "H" in flags:
        return Markup("rule", branches)
    if "A" in flags:
        return Markup("shown-rule", branches)
    if "T" in flags:
        report.warn("conversion-markup-title", "-{T|…}- (title conversion) ignored")
        return Markup("rule", ())
    if flags and flags not in ("D", "-"):
        report.warn("conversion-markup-flag", f"unknown -{{{flags}|…}}- flag; read as variants")
    return Markup("variant", branches)


def split_branches(body: str) -> tuple[tuple[str, str], ...]:
    """Split ``zh-hans:A;zh-hant:B;`` into ``(("zh-hans", "A"), ("zh-hant", "B"))``.

    A ``;`` ends a branch only outside ``{{ }}`` and ``[[ ]]`` and only when a variant code
    and ``:`` follow it; text with no leading variant code has no branches.
    """
    if not _BRANCH_START.match(body):
        return ()
    cuts = [0]
    depth = 0
    i = 0
    while i < len(body):
        two = body[i:i + 2]
        if two in ("{{", "[["):
            depth += 1
            i += 2
            continue
        if two in ("}}", "]]"):
            depth = max(0, depth - 1)
            i += 2
            continue
        if body[i] == ";" and depth == 0:
            if _BRANCH_START.match(body, i + 1) or not body[i + 1:].strip():
                cuts.append(i + 1)
        i += 1
    branches = []
    for start, end in zip(cuts, [*cuts[1:], len(body) + 1]):
        piece = body[start:end - 1] if end <= len(body) else body[start:]
        match = _BRANCH_START.match(piece)
        if match:
            branches.append((match.group(1), piece[match.end():].strip()))
    return tuple(branches)
