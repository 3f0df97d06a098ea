"""Sources, file names: an article's title → the stem of the files it is stored under.

``publish fetch`` and the dump reader name an article's files alike, so a folder made by one is
read by the other.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_stem"]

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)


def safe_stem(title: str) -> str:
    """A file name stem for ``title`` that every file system takes: ``中苏关系`` stays,
    ``AC/DC: Live?`` → ``AC_DC_ Live_``; at most 150 bytes; ``CON``-like names get a ``_``."""
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFC", title)).strip(" .")
    while len(stem.encode("utf-8")) > 150:
        stem = stem[:-1]
    if not stem or _WINDOWS_RESERVED.match(stem):
        stem = f"_{stem}"
    return stem
