"""Reader aid: ``<stem>.expansions.json`` → the wiki's expansion of a template invocation.

``publish fetch`` stores, beside the source, the wiki's own expansion of every template
invocation the reader does not handle: ``{"expansions": {"<invocation>": "<expanded wikitext>"}}``,
keyed by the invocation exactly as the fetched wikitext writes it. The reader sees invocations
after its ``-{…}-`` pass has replaced each conversion block by a numbered placeholder, so an
invocation is matched by its text outside those blocks and by the blocks themselves, compared
as :class:`~publish.readers.conversion.Markup` (the numbering differs, the blocks do not).
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from ..report import Report
from .conversion import CLOSE, OPEN, PLACEHOLDER, Markup, lift

__all__ = ["Expansions", "load", "lift_into"]

#: Bounds on what a source folder's file may hold.
MAX_BYTES = 20 * 1024 * 1024


def _skeleton(text: str) -> str:
    return PLACEHOLDER.sub(OPEN + CLOSE, text)


class Expansions:
    """Represents the expansions stored beside one source, like ``{{Infobox X|…}}`` → a table."""

    def __init__(self, mapping: dict[str, str]):
        self._index: dict[str, list[tuple[tuple[Markup, ...], str]]] = {}
        quiet = Report()
        for invocation, expansion in mapping.items():
            text, table, _ = lift(unicodedata.normalize("NFC", invocation), quiet)
            self._index.setdefault(_skeleton(text), []).append((tuple(table), expansion))

    def get(self, invocation: str, table: list[Markup]) -> str | None:
        """The expansion of ``invocation`` as the reader has it (placeholders into
        ``table``), or None."""
        entries = self._index.get(_skeleton(invocation))
        if not entries:
            return None
        blocks = tuple(table[int(match.group(1))] for match in PLACEHOLDER.finditer(invocation)
                       if int(match.group(1)) < len(table))
        for markups, expansion in entries:
            if markups == blocks:
                return expansion
        return None


def load(source: Path, report: Report) -> Expansions:
    """The expansions stored beside ``source`` (``<stem>.expansions.json``), or none."""
    path = source.with_name(f"{source.stem}.expansions.json")
    if not path.is_file():
        return Expansions({})
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"over {MAX_BYTES:,} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
        mapping = data["expansions"]
        if not isinstance(mapping, dict) or not all(
                isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()):
            raise ValueError("'expansions' is not an object of strings")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        report.warn("expansions-invalid", f"{path.name}: {error}; ignored")
        return Expansions({})
    return Expansions(mapping)


def lift_into(text: str, table: list[Markup], report: Report) -> str:
    """``text`` (an expansion) with its ``-{…}-`` blocks lifted into the reader's ``table``."""
    lifted, own, _ = lift(text, report)
    offset = len(table)
    table.extend(own)
    return PLACEHOLDER.sub(lambda match: f"{OPEN}{int(match.group(1)) + offset}{CLOSE}", lifted)
