"""Reader stage, source I/O: a ``.wiki`` file and its ``<stem>.toml`` → a Document.

Reads and decodes the file, loads the metadata beside it, and hands the text to
:func:`publish.readers.wikitext.read_text` with the source's media folder.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..model import Document, Meta
from ..report import PublishError, Report
from .wikitext import read_text

__all__ = ["read", "load_meta"]


def load_meta(source: Path, report: Report) -> Meta:
    """Read ``<stem>.toml`` beside the source, if any, into :class:`Meta`."""
    meta_path = source.with_suffix(".toml")
    data: dict = {}
    if meta_path.exists():
        try:
            data = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            report.warn("metadata-invalid", f"{meta_path.name}: {error}; ignored")
    known = {"title", "source_url", "history_url", "licence", "licence_url", "source_date"}
    for key in sorted(set(data) - known):
        report.warn("metadata-unknown", f"{meta_path.name}: unknown key {key!r} ignored")
    fields: dict[str, Any] = {key: str(value) for key, value in data.items() if key in known}
    fields.setdefault("title", source.stem)
    return Meta(**fields)


def read(source: Path, report: Report, encoding: str = "utf-8") -> Document:
    """Read the wikitext file ``source`` (and its ``.toml`` metadata) into a document."""
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise PublishError(f"cannot read {source}: {error.strerror}") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise PublishError(f"{source}: not valid {encoding} at byte {error.start} "
                           f"(use --encoding to name the file's encoding)") from None
    except LookupError:
        raise PublishError(f"unknown encoding {encoding!r}") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PublishError(f"{source}: the source is empty")
    meta = load_meta(source, report)
    return read_text(text, report, meta, media_dir=source.parent / "media")

