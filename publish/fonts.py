"""Fonts: the faces each script uses, found through fontconfig, and subsets of them for the EPUB.

fontconfig searches ``fonts/`` first (``fonts/fonts.conf``), then the system's folders, where
set-up installs Debian's ``fonts-noto-cjk``. A face that is missing is an error that names the
fix, never tofu.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .report import PublishError

__all__ = ["FAMILIES", "FontFace", "configure", "locate", "faces", "subset", "cmap", "FONTS_DIR"]

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"

#: Text (serif) and heading (sans) families per script: SC and TC carry each region's glyph forms.
FAMILIES = {
    "zh-Hans": {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"},
    "zh-Hant": {"serif": "Noto Serif CJK TC", "sans": "Noto Sans CJK TC"},
}
#: OpenType features a subset keeps: punctuation widths, vertical forms, local forms.
KEPT_FEATURES = ("halt", "vhal", "hwid", "fwid", "pwid", "vert", "vrt2", "locl", "kern", "palt",
                 "vpal", "ccmp", "liga")


@dataclass(frozen=True)
class FontFace:
    """Represents one face: its family, the file holding it and the index in a collection."""
    family: str
    path: Path
    index: int
    weight: int = 400


def configure() -> None:
    """Point fontconfig at ``fonts/fonts.conf`` (before any font is loaded), unless the user
    chose another configuration."""
    if (FONTS_DIR / "fonts.conf").exists():
        os.environ.setdefault("FONTCONFIG_FILE", str(FONTS_DIR / "fonts.conf"))


@functools.cache
def locate(family: str, weight: int = 400) -> FontFace:
    """The face of ``family`` at ``weight``, as fontconfig finds it; an error if absent."""
    configure()
    if shutil.which("fc-match") is None:
        raise PublishError("fontconfig's fc-match is missing: install Debian's fontconfig "
                           "(make setup)")
    fc_weight = {400: "regular", 700: "bold"}.get(weight, "regular")
    result = subprocess.run(
        ["fc-match", "--format", "%{family}\n%{file}\n%{index}\n",
         f"{family}:weight={fc_weight}"],
        capture_output=True, text=True, check=False)
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) < 3 or family not in lines[0].split(","):
        raise PublishError(f"font {family!r} not found: install Debian's fonts-noto-cjk "
                           f"(make setup) or put the font in {FONTS_DIR}")
    return FontFace(family, Path(lines[1]), int(lines[2] or 0), weight)


def faces(script: str) -> dict[str, FontFace]:
    """The faces an edition of ``script`` uses, checked present: text, bold text, headings."""
    families = FAMILIES[script]
    return {"serif": locate(families["serif"]), "serif-bold": locate(families["serif"], 700),
            "sans": locate(families["sans"], 700)}


def subset(face: FontFace, text: str) -> bytes:
    """An OpenType subset of ``face`` holding every character of ``text`` it has."""
    import uharfbuzz as hb

    blob = hb.Blob.from_file_path(str(face.path))
    source = hb.Face(blob, face.index)
    request = hb.SubsetInput()
    request.unicode_set.update(ord(ch) for ch in set(text) if not ch.isspace() or ch == " ")
    request.unicode_set.add(0x20)
    for tag in KEPT_FEATURES:
        request.layout_feature_tag_set.add(_tag(tag))
    result = hb.subset(source, request)
    if result is None:
        raise PublishError(f"could not subset {face.family}")
    return result.blob.data


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def cmap(data: bytes) -> set[int]:
    """The code points a font's character map covers."""
    import io

    from fontTools.ttLib import TTFont
    return set(TTFont(io.BytesIO(data)).getBestCmap())
