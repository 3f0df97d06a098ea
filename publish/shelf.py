"""Batch outputs: the shelf every worker writes a batch's files to, a folder or an fsspec URL.

A local folder (or ``file://`` URL, or a shared file system mounted on every worker) gets each
file as a temporary name beside it, then a rename; an object store (``s3://bucket/books``, any
fsspec protocol) gets one upload per file, which such stores make visible whole or not at all.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import fsspec

from .report import PublishError

__all__ = ["Shelf"]


class Shelf:
    """Represents where a batch's files go, like ``build/`` or ``s3://bucket/books``."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as error:
            raise PublishError(f"cannot write to {url}: {error}") from None
        self.root = self.root.rstrip("/") or "/"
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        self.local = "file" in protocols or "local" in protocols

    def __reduce__(self):  # sent to workers as its URL: each opens its own file system
        return (Shelf, (self.url,))

    def path(self, name: str) -> str:
        return f"{self.root}/{name}"

    def make(self) -> None:
        """Create the folder (object stores have none to create)."""
        try:
            self.fs.makedirs(self.root, exist_ok=True)
        except OSError as error:
            raise PublishError(f"cannot create the output folder {self.url}: "
                               f"{error.strerror or error}") from None

    def put(self, local: Path, name: str) -> None:
        """Copy the finished file ``local`` to ``name`` on the shelf, atomically."""
        target = self.path(name)
        if not self.local:
            self.fs.put_file(str(local), target)
            return
        temporary = self.path(f".{name}.{uuid.uuid4().hex}.tmp")
        self.fs.put_file(str(local), temporary)
        try:
            self.fs.mv(temporary, target)
        except BaseException:
            self.fs.rm_file(temporary)
            raise

    def sizes(self) -> dict[str, int]:
        """Every file on the shelf by name, with its size (one listing, not one call a file)."""
        try:
            entries = self.fs.ls(self.root, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return {}
        return {entry["name"].rstrip("/").rsplit("/", 1)[-1]: int(entry.get("size") or 0)
                for entry in entries if entry.get("type") == "file"}

    def read_text(self, name: str) -> str | None:
        """The text of ``name``, or None if it is not there."""
        try:
            with self.fs.open(self.path(name), "r", encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
