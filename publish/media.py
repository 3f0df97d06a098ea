"""Media: a source's media folder (``media/`` beside it), the one place its convention is known.

The reader finds a figure's file by its wiki name, the rebuild cache digests the folder, and the
PDF writer's URL fetcher reads nothing outside it (the EPUB writer packs the files found).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["FOLDER", "Media"]

#: The media folder's name, beside the source.
FOLDER = "media"


class Media:
    """Represents a source's media folder, like ``articles/media/`` for ``articles/中苏关系.wiki``
    (the folder need not exist: then nothing is found and nothing may be read)."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def of(cls, source: Path) -> Media:
        """The media folder beside ``source``."""
        return cls(source.parent / FOLDER)

    @property
    def base(self) -> Path:
        """The folder figures' paths are relative to: the source's."""
        return self.folder.parent

    def find(self, name: str) -> str:
        """The file for the wiki name ``name`` (``Map of China.png``), relative to the source's
        folder (``media/Map_of_China.png``), or "" where it is not a plain file in the folder.

        Only plain names are looked for (no ``/``, ``\\``, leading ``.`` or NUL) and never
        through a symbolic link; the name is tried with ``_`` for spaces, then with spaces,
        then with ``.png`` or ``.jpg`` added: a file a book cannot hold as it is (an SVG, a
        TIFF) is stored by ``publish fetch`` as the wiki's raster rendering of it
        (``Flag.svg.png``).
        """
        name = self.plain_name(name)
        if not name:
            return ""
        for candidate in (name, name.replace("_", " "), f"{name}.png", f"{name}.jpg"):
            path = self.folder / candidate
            if path.is_file() and not path.is_symlink():
                return f"{self.folder.name}/{candidate}"
        return ""

    @staticmethod
    def plain_name(name: str) -> str:
        """``name`` as the folder would hold it (spaces as ``_``), or "" if it is not a plain
        file name and must not be looked for."""
        name = name.strip().replace(" ", "_")
        if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            return ""
        return name

    def path(self, found: str) -> Path:
        """The file a path returned by :meth:`find` names."""
        return self.base / found

    def digest(self) -> str:
        """One digest of the folder's files (name, size, modification time) for the rebuild
        cache key; the same for a missing folder and an empty one."""
        digest = hashlib.sha256()
        if self.folder.is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.is_file():
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()

    def may_read(self, path: Path) -> bool:
        """Whether the PDF writer's fetcher may read ``path``: a file inside the folder."""
        path = path.resolve()
        return path.is_relative_to(self.folder.resolve()) and path.is_file()
