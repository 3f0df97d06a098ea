"""Fonts: the faces each script uses, found through fontconfig, and subsets of them for the EPUB.

fontconfig searches ``fonts/`` first (``fonts/fonts.conf``), then the system's folders, where
set-up installs Debian's ``fonts-noto-cjk``. A face that is missing is an error that names the
fix, never tofu.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .report import PublishError

__all__ = ["FAMILIES", "FONTS_DIR", "ROLES", "FontFace", "cmap", "configure", "faces", "locate",
           "locate_all", "subset"]

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"

#: Text (serif) and heading (sans) families per script: SC and TC carry each region's glyph forms.
FAMILIES = {
    "zh-Hans": {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"},
    "zh-Hant": {"serif": "Noto Serif CJK TC", "sans": "Noto Sans CJK TC"},
    # Regional editions: Hong Kong's glyph standard differs from Taiwan's (Noto CJK HK).
    "zh-CN": {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"},
    "zh-TW": {"serif": "Noto Serif CJK TC", "sans": "Noto Sans CJK TC"},
    "zh-HK": {"serif": "Noto Serif CJK HK", "sans": "Noto Sans CJK HK"},
    # Editions of articles in other languages (en …): Latin faces (Debian's fonts-liberation2).
    "en": {"serif": "Liberation Serif", "sans": "Liberation Sans"},
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


#: An edition's faces: role → (family of FAMILIES, weight).
ROLES = {"serif": ("serif", 400), "serif-bold": ("serif", 700), "sans": ("sans", 700)}

_found: dict[tuple[str, int], FontFace] = {}


def locate(family: str, weight: int = 400) -> FontFace:
    """The face of ``family`` at ``weight``, as fontconfig finds it; an error if absent."""
    return _locate_all([(family, weight)])[0]


def locate_all(scripts) -> None:
    """Find every face the editions of ``scripts`` use, asking fontconfig for them side by
    side, so that :func:`faces` then knows them."""
    _locate_all([(FAMILIES[script][family], weight) for script in scripts
                 for family, weight in ROLES.values()])


def faces(script: str) -> dict[str, FontFace]:
    """The faces an edition of ``script`` uses, checked present: text, bold text, headings."""
    return {role: locate(FAMILIES[script][family], weight)
            for role, (family, weight) in ROLES.items()}


def _locate_all(wanted: list[tuple[str, int]]) -> list[FontFace]:
    missing = [pair for pair in dict.fromkeys(wanted) if pair not in _found]
    if missing:
        configure()
        if shutil.which("fc-match") is None:
            raise PublishError("fontconfig's fc-match is missing: install Debian's fontconfig "
                               "(make setup)")
        asked = [(family, weight, subprocess.Popen(
            ["fc-match", "--format", "%{family}\n%{file}\n%{index}\n",
             f"{family}:weight={'bold' if weight == 700 else 'regular'}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
            for family, weight in missing]
        answers = [(family, weight, process.communicate()[0], process.returncode)
                   for family, weight, process in asked]
        for family, weight, out, status in answers:
            lines = out.splitlines()
            if status != 0 or len(lines) < 3 or family not in lines[0].split(","):
                raise PublishError(f"font {family!r} not found: install Debian's "
                                   f"fonts-noto-cjk (make setup) or put the font in {FONTS_DIR}")
            _found[family, weight] = FontFace(family, Path(lines[1]), int(lines[2] or 0), weight)
    return [_found[pair] for pair in wanted]


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
