"""Media check: images are identified by content, bounded, re-encoded; SVGs hold nothing active."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from publish.images import MAX_SIDE, ImageRefused, prepare


def _png(tmp_path: Path, name: str, size=(40, 30), mode="RGB", **info) -> Path:
    path = tmp_path / name
    image = Image.new(mode, size, "red" if mode != "RGBA" else (255, 0, 0, 128))
    image.save(path, "PNG", **info)
    return path


def test_a_png_is_re_encoded_without_its_metadata(tmp_path):
    from PIL import PngImagePlugin
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "secret-author")
    path = _png(tmp_path, "a.png", pnginfo=text)
    prepared = prepare(path)
    assert prepared.media_type == "image/png" and (prepared.width, prepared.height) == (40, 30)
    assert b"secret-author" not in prepared.data and b"secret-author" in path.read_bytes()


def test_a_jpeg_named_png_is_identified_by_its_content(tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (20, 20), "blue").save(path, "JPEG")
    assert prepare(path).media_type == "image/jpeg"


def test_a_large_image_is_scaled_to_print_width(tmp_path):
    prepared = prepare(_png(tmp_path, "big.png", size=(MAX_SIDE * 2, 100)))
    assert prepared.width == MAX_SIDE


@pytest.mark.parametrize("content", [b"just some text, not an image", b"",
                                     b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"])
def test_text_empty_and_truncated_files_are_refused(tmp_path, content):
    path = tmp_path / "x.png"
    path.write_bytes(content)
    with pytest.raises(ImageRefused, match="x.png"):
        prepare(path)


@pytest.mark.parametrize("side", [8_000, 50_000])
def test_a_png_declaring_too_many_pixels_is_refused_before_decoding(tmp_path, side):
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    with pytest.raises(ImageRefused, match="bomb.png: .*pixels"):
        prepare(path)


def test_an_oversized_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    import publish.images as images
    path = _png(tmp_path, "a.png")
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 10)
    images._prepare.cache_clear()
    with pytest.raises(ImageRefused, match="MB"):
        images.prepare(path)


CLEAN_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 20">'
             b'<rect width="5" height="5" fill="url(#g)"/></svg>')


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
    b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<a xlink:href="javascript:alert(1)"><rect/></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/x)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect',
], ids=["script", "onload", "foreignObject", "entity-bomb", "external-entity", "javascript-href",
        "file-image", "external-url", "malformed"])
def test_active_or_referring_svgs_are_refused(tmp_path, svg):
    path = tmp_path / "x.svg"
    path.write_bytes(svg)
    with pytest.raises(ImageRefused):
        prepare(path)


def test_a_plain_svg_is_kept_with_its_size(tmp_path):
    path = tmp_path / "x.svg"
    path.write_bytes(CLEAN_SVG)
    prepared = prepare(path)
    assert prepared.media_type == "image/svg+xml" and (prepared.width, prepared.height) == (10, 20)
    assert b"<rect" in prepared.data


def test_preparing_is_deterministic(tmp_path):
    path = _png(tmp_path, "a.png", mode="RGBA")
    first = prepare(path).data
    import publish.images as images
    images._prepare.cache_clear()
    assert prepare(path).data == first
    assert Image.open(io.BytesIO(first)).mode == "RGBA"
