"""Rebuild cache: an edition's inputs → a content key, and a manifest of the keys last built.

An edition is rebuilt only when its key changes: the source and its metadata, the media
folder, the templates, the package's own code, the fonts it uses, the options, the date and
the versions of the libraries that render it. The manifest lives in the output folder
(``.publish-cache.json``) with each output's SHA-256, so an output edited or removed by hand is
rebuilt too.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from .files import atomic_output

__all__ = ["Manifest", "edition_key", "source_digest"]

PACKAGE = Path(__file__).resolve().parent
MANIFEST = ".publish-cache.json"


@functools.cache
def _code_and_templates() -> str:
    """One digest of the package's code, the templates and the rendering libraries' versions."""
    from .writers.html import TEMPLATES

    digest = hashlib.sha256()
    for root in (PACKAGE, TEMPLATES):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja", ".css", ".conf"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    for name in ("weasyprint", "ebooklib", "opencc", "mwparserfromhell", "jinja2", "uharfbuzz"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()


def _file_identity(path: Path) -> str:
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def source_digest(source: Path) -> str:
    """One digest of what a source brings: its text, its metadata, its conversion groups and
    its media folder."""
    digest = hashlib.sha256()
    digest.update(source.read_bytes())
    meta = source.with_suffix(".toml")
    digest.update(meta.read_bytes() if meta.exists() else b"-")
    groups = source.with_name(source.stem + ".cgroups.json")
    digest.update(groups.read_bytes() if groups.exists() else b"-")
    media = source.parent / "media"
    if media.is_dir():
        for path in sorted(media.iterdir()):
            if path.is_file():
                digest.update(_file_identity(path).encode())
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
        try:
            self.entries: dict = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def fresh(self, output: Path, key: str) -> bool:
        """Whether ``output`` was built from ``key`` and is still as it was written."""
        entry = self.entries.get(output.name)
        return bool(entry) and entry.get("key") == key and output.is_file() \
            and entry.get("sha256") == _sha256(output)

    def record(self, output: Path, key: str) -> None:
        self.entries[output.name] = {"key": key, "sha256": _sha256(output)}

    def forget(self, output: Path) -> None:
        self.entries.pop(output.name, None)

    def save(self) -> None:
        with atomic_output(self.path) as temporary:
            temporary.write_text(json.dumps(self.entries, indent=1, sort_keys=True) + "\n",
                                 encoding="utf-8")
