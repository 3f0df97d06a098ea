"""Reader pre- and post-pass: broken wikitext → wikitext read as its author meant, and text
without markup debris.

Before parsing, :func:`repair` closes headings written without their closing ``==`` and tables
without their ``|}``, and bounds the depth of lists and the nesting of ``{{ }}`` and ``[[ ]]``
(mwparserfromhell reads thousands of unclosed openers in quadratic time, and nothing that deep
is meant). After parsing, :func:`strip_debris` removes
the markers of constructs that never closed (``{{``, ``]]``, ``'''``, tags), keeping the text
around them.
"""
from __future__ import annotations

import re

from ..report import Report

__all__ = ["repair", "strip_debris", "MAX_NESTING", "MAX_LIST_DEPTH"]

MAX_NESTING = 40
#: Lists nested deeper than this are set at this depth: no book needs more, every stage after
#: the reader (transforms, WeasyPrint's block layout) recurses once per level, and
#: mwparserfromhell makes a node of every marker (a 2,000-deep list is 2 million of them).
MAX_LIST_DEPTH = 20
_DEEP_LIST = re.compile(rf"^([*#:;]{{{MAX_LIST_DEPTH}}})[*#:;]+", re.M)
_HEADING = re.compile(r"^(={2,6})[ \t]*([^=\n][^\n]*?)[ \t]*(=*)[ \t]*$", re.M)
#: Tags MediaWiki knows: one of these left in text is a tag that never closed. Other ``<x>``
#: is text, as MediaWiki shows it.
_TAGS = ("ref|references|nowiki|pre|span|div|p|br|hr|b|i|u|s|em|strong|small|big|sup|sub|"
         "font|center|blockquote|poem|code|tt|del|ins|strike|abbr|cite|q|bdi|bdo|mark|ruby|rb|"
         "rt|rp|table|tr|td|th|caption|ul|ol|li|dl|dt|dd|gallery|math|chem|syntaxhighlight|"
         "source|score|timeline|includeonly|noinclude|onlyinclude|section|script|style|iframe|"
         "object|embed|img|link|meta|form|input|svg|audio|video")
_DEBRIS = re.compile(r"<!--|-->|\[\[|\]\]|\{\{|\}\}|\{\||\|\}|'{2,}|-\{|\}-|"
                     rf"</?(?:{_TAGS})\b(?:[^<>\n]{{0,200}}>)?", re.I)


def repair(text: str, report: Report) -> str:
    """Close unclosed headings and bound bracket nesting, warning for each kind of repair."""
    def close(match: re.Match) -> str:
        opening, title, closing = match.groups()
        if closing == opening:
            return match.group(0)
        if not closing:
            report.warn("heading-unclosed", f"heading {opening} {title[:40]} without its "
                        f"closing {opening}; closed")
        return f"{opening} {title} {opening}"

    text = _HEADING.sub(close, text)
    text, deep = _DEEP_LIST.subn(r"\1", text)
    if deep:
        report.warn("list-too-deep", f"{deep} list items nested deeper than {MAX_LIST_DEPTH} "
                    f"levels set {MAX_LIST_DEPTH} deep")
    text = _close_tables(text, report)
    return _bound_nesting(text, report)


def _close_tables(text: str, report: Report) -> str:
    """A table ``{|`` never closed by ``|}`` is closed where its paragraph ends. A blank line
    inside a table that is closed later (before the next heading) is kept, as MediaWiki does."""
    lines = text.split("\n")
    # closes_ahead[i]: a |} follows line i before any heading.
    closes_ahead = [False] * len(lines)
    state = False
    for index in range(len(lines) - 1, -1, -1):
        closes_ahead[index] = state
        stripped = lines[index].strip()
        if stripped.startswith("|}"):
            state = True
        elif stripped.startswith("=") and stripped.endswith("="):
            state = False
    open_tables = 0
    out: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if open_tables and not stripped and not closes_ahead[index]:
            out.extend(["|}"] * open_tables)
            open_tables = 0
            report.warn("table-unclosed", "a table without its closing |}; closed")
        if stripped.startswith("{|"):
            open_tables += 1
        elif stripped.startswith("|}") and open_tables:
            open_tables -= 1
        out.append(line)
    if open_tables:
        out.extend(["|}"] * open_tables)
        report.warn("table-unclosed", "a table without its closing |}; closed")
    return "\n".join(out)


def _bound_nesting(text: str, report: Report) -> str:
    """Drop ``{{``/``[[`` openers nested deeper than MAX_NESTING, and the closers that would
    have matched them."""
    if text.count("{{") <= MAX_NESTING and text.count("[[") <= MAX_NESTING:
        return text
    out: list[str] = []
    depth = {"{{": 0, "[[": 0}
    skipped = {"{{": 0, "[[": 0}
    closer = {"}}": "{{", "]]": "[["}
    dropped = False
    i, n = 0, len(text)
    while i < n:
        pair = text[i:i + 2]
        if pair in depth:
            if depth[pair] >= MAX_NESTING:
                skipped[pair] += 1
                dropped = True
            else:
                depth[pair] += 1
                out.append(pair)
            i += 2
        elif pair in closer:
            opener = closer[pair]
            if skipped[opener]:
                skipped[opener] -= 1
            else:
                depth[opener] = max(0, depth[opener] - 1)
                out.append(pair)
            i += 2
        else:
            out.append(text[i])
            i += 1
    if any(skipped.values()) or dropped:
        report.warn("nesting-too-deep", f"brackets nested deeper than {MAX_NESTING} levels; "
                    "the deeper ones were dropped")
    return "".join(out)


def strip_debris(text: str, report: Report) -> str:
    """Remove markers of markup that never closed, keeping the text between them."""
    cleaned = text
    while True:  # a removal can join two halves into a new marker: -{{ → {
        shorter = _DEBRIS.sub("", cleaned)
        if shorter == cleaned:
            break
        cleaned = shorter
    if cleaned != text:
        report.warn("markup-debris", "unclosed or stray wiki markup removed from the text")
    return cleaned
