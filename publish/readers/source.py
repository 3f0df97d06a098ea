"""Reader stage, source I/O: a ``.wiki`` file and its ``<stem>.toml`` → a Document.

Reads and decodes the file, loads the metadata and the conversion groups (``<stem>.cgroups.json``)
beside it, and hands the text to
:func:`publish.readers.wikitext.read_text` with the source's media folder.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from ..model import Document, Meta
from ..report import PublishError, Report
from .wikitext import read_text

__all__ = ["read", "load_meta", "load_groups"]


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


def load_groups(source: Path, report: Report) -> dict[str, tuple[str, ...]]:
    """Read ``<stem>.cgroups.json`` beside the source, if any: the conversion groups
    ``{{NoteTA|G1=…}}`` names, as ``{"groups": {"IT": ["zh-cn:信息; zh-tw:資訊;", …]}}``
    (each string a rule as in Module:CGroup/IT)."""
    path = source.with_name(source.stem + ".cgroups.json")
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        report.warn("cgroups-invalid", f"{path.name}: {error}; no conversion groups read")
        return {}
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        report.warn("cgroups-invalid", f"{path.name}: no \"groups\" object; no conversion "
                    "groups read")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, rules in groups.items():
        if isinstance(rules, list) and all(isinstance(rule, str) for rule in rules):
            out[str(name)] = tuple(rules)
        else:
            report.warn("cgroups-invalid", f"{path.name}: group {name!r} is not a list of "
                        "rule strings; ignored")
    return out


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
                     groups=load_groups(source, report))

