"""Reader stage, source I/O: a ``.wiki`` file and its ``<stem>.toml`` → a Document.

Reads and decodes the file, loads the metadata and the stored template expansions beside it,
and hands the text to :func:`publish.readers.wikitext.read_text` with the source's media
folder.
"""
from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from ..model import Credit, Document, Meta
from ..report import PublishError, Report
from . import expansions
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
    texts = {"title", "source_url", "history_url", "licence", "licence_url", "source_date",
             "display_title", "revision", "timestamp", "language", "redirected_from"}
    lists = {"variants", "categories"}
    for key in sorted(set(data) - texts - lists - {"media"}):
        report.warn("metadata-unknown", f"{meta_path.name}: unknown key {key!r} ignored")
    fields: dict[str, Any] = {key: str(value) for key, value in data.items() if key in texts}
    for key in lists & set(data):
        values = data[key] if isinstance(data[key], list) else [data[key]]
        fields[key] = tuple(str(value) for value in values)
    fields["credits"] = _credits(data.get("media", []), meta_path.name, report)
    fields.setdefault("title", source.stem)
    return Meta(**fields)


def _credits(tables, name: str, report: Report) -> tuple[Credit, ...]:
    """The ``[[media]]`` tables: one image's credit each (file, title, artist, licence,
    licence_url, source_url); a table without a plain ``file`` name is ignored."""
    fields = {field.name for field in dataclasses.fields(Credit)}
    credits = []
    for table in tables if isinstance(tables, list) else [tables]:
        file = str(table.get("file", "")) if isinstance(table, dict) else ""
        if not file or "/" in file or "\\" in file or file.startswith("."):
            report.warn("metadata-invalid", f"{name}: a [[media]] entry without a plain file "
                        "name ignored")
            continue
        credits.append(Credit(**{key: str(value) for key, value in table.items()
                                 if key in fields}))
    return tuple(credits)


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
    return read_text(text, report, meta, media_dir=source.parent / "media",
                     expansions=expansions.load(source, report))

