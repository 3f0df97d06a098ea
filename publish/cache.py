"""Rebuild cache: an edition's inputs → a content key, and a manifest of the keys last built.

An edition is rebuilt only when its key changes: the source and its metadata, the media
folder, the templates, the package's own code, the fonts it uses, the options, the date and
the versions of the libraries that render it. The manifest lives in the output folder
(``.publish-cache.json``) with each output's SHA-256, so an output edited or removed by hand is
rebuilt too.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import os
from importlib import metadata
from pathlib import Path

from .files import atomic_output
from .media import Media

__all__ = ["Manifest", "edition_key", "source_digest"]

PACKAGE = Path(__file__).resolve().parent
MANIFEST = ".publish-cache.json"

log = logging.getLogger(__name__)


@functools.cache
def _code_and_templates() -> str:
    """One digest of the package's code, the templates and the rendering libraries' versions."""
    from .writers import TEMPLATES

    digest = hashlib.sha256()
    for root in (PACKAGE, TEMPLATES):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja", ".css", ".conf"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    for name in ("weasyprint", "pikepdf", "opencc", "mwparserfromhell", "jinja2", "uharfbuzz",
                 "pillow"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()


def _file_identity(path: Path) -> str:
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def source_digest(source: Path) -> str:
    """One digest of what a source brings: its text, its metadata, the template expansions
    and conversion groups stored beside it, and its media folder."""
    digest = hashlib.sha256()
    digest.update(source.read_bytes())
    for beside in (source.with_suffix(".toml"),
                   source.with_name(f"{source.stem}.expansions.json"),
                   source.with_name(f"{source.stem}.cgroups.json")):
        digest.update(beside.read_bytes() if beside.exists() else b"-")
    digest.update(Media.of(source).digest().encode())
    # An edition without SOURCE_DATE_EPOCH or a source_date is dated by the file's day.
    day = datetime.datetime.fromtimestamp(source.stat().st_mtime, datetime.timezone.utc).date()
    digest.update(day.isoformat().encode())
    return digest.hexdigest()


def edition_key(source: str, script: str, fmt: str, options: dict, fonts: list[Path]) -> str:
    """The content key of one edition's inputs; ``source`` is the source's digest."""
    digest = hashlib.sha256(source.encode())
    for font in fonts:
        digest.update(_file_identity(font).encode())
    digest.update(_code_and_templates().encode())
    digest.update(json.dumps({"script": script, "format": fmt, **options,
                              "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "")},
                             sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Manifest:
    """The keys of the editions last built into one output folder."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        self.entries: dict[str, dict[str, str]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            data = None
        if not isinstance(data, dict):
            log.warning("publish: %s is not a rebuild cache; every edition is rebuilt", self.path)
            return
        # An entry of any other shape is dropped: its edition is rebuilt, never served.
        self.entries = {name: entry for name, entry in data.items()
                        if isinstance(entry, dict) and isinstance(entry.get("key"), str)
                        and isinstance(entry.get("sha256"), str)}

    def fresh(self, output: Path, key: str) -> bool:
        """Whether ``output`` was built from ``key`` and is still as it was written."""
        entry = self.entries.get(output.name)
        return entry is not None and entry.get("key") == key and output.is_file() \
            and entry.get("sha256") == _sha256(output)

    def record(self, output: Path, key: str) -> None:
        self.entries[output.name] = {"key": key, "sha256": _sha256(output)}

    def forget(self, output: Path) -> None:
        self.entries.pop(output.name, None)

    def save(self) -> None:
        with atomic_output(self.path) as temporary:
            temporary.write_text(json.dumps(self.entries, indent=1, sort_keys=True) + "\n",
                                 encoding="utf-8")
