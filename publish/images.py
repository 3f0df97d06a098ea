"""Media check: an image file from a source's media folder → bytes safe to embed, or a refusal.

Every image is identified by its content, not its name; decoded with a bounded pixel count;
re-encoded (which also drops its metadata) at no more than print width; and bounded in bytes.
An SVG is parsed without entities or network and kept only if it holds nothing active: no
script, event handlers, ``foreignObject``, styles or references outside itself. Readers use
:func:`prepare` to decide whether a figure has an image; writers use it to get the bytes (the
result is cached per file, so each image is decoded once a process).
"""
from __future__ import annotations

import functools
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from PIL import Image, ImageFile

__all__ = ["PreparedImage", "ImageRefused", "prepare", "identify", "MAX_FILE_BYTES",
           "MAX_PIXELS", "MAX_SIDE"]

#: A file larger than this is refused before it is opened.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Decoded size bound (an 8,000 × 6,000 photograph); Pillow's own bomb limit is about 89 M.
MAX_PIXELS = 48_000_000
#: Longest side kept: 2,400 px is 300 dpi across a 20 cm print measure.
MAX_SIDE = 2400

_RASTER = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"),
           "GIF": ("image/gif", ".gif")}
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK = "{http://www.w3.org/1999/xlink}href"
#: SVG elements that run code, embed other documents or pull in resources.
_SVG_REFUSED_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed", "handler",
                         "listener", "style", "image", "feImage", "use"}


class ImageRefused(Exception):
    """An image that must not be embedded; the message says why, in one line."""


@dataclass(frozen=True)
class PreparedImage:
    """Represents an image ready to embed: its bytes, media type and file suffix."""
    data: bytes
    media_type: str
    suffix: str
    width: int
    height: int


def prepare(path: Path) -> PreparedImage:
    """The image at ``path`` checked and re-encoded; raises :class:`ImageRefused`."""
    try:
        stat = path.stat()
    except OSError as error:
        raise ImageRefused(f"{path.name}: cannot be read ({error.strerror})") from None
    return _prepare(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _prepare(path: Path, size: int, mtime_ns: int) -> PreparedImage:
    if size > MAX_FILE_BYTES:
        raise ImageRefused(f"{path.name}: {size // (1024 * 1024)} MB, more than the "
                           f"{MAX_FILE_BYTES // (1024 * 1024)} MB an image may have")
    data = path.read_bytes()
    if _looks_like_svg(data):
        return _prepare_svg(path.name, data)
    return _prepare_raster(path.name, data)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) \
        and b"<svg" in data[:65536].lower()


def identify(name: str, data: bytes) -> str:
    """The kind of image ``data`` holds (``PNG``, ``JPEG``, ``SVG`` …) once it has passed every
    check :func:`prepare` makes, without re-encoding it; raises :class:`ImageRefused`."""
    if len(data) > MAX_FILE_BYTES:
        raise ImageRefused(f"{name}: {len(data) // (1024 * 1024)} MB, more than the "
                           f"{MAX_FILE_BYTES // (1024 * 1024)} MB an image may have")
    if _looks_like_svg(data):
        _prepare_svg(name, data)
        return "SVG"
    return _decoded(name, data)[1]


def _prepare_raster(name: str, data: bytes) -> PreparedImage:
    image, kind = _decoded(name, data)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return _encode(image, kind)


def _decoded(name: str, data: bytes) -> tuple[Image.Image, str]:
    """The raster image in ``data``, decoded under the pixel bound, and its kind."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(f"{name}: {width} × {height} pixels, more than the "
                                   f"{MAX_PIXELS:,} an image may have")
            kind = image.format or ""
            # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is
            # imported, which would fill a truncated file's missing part with grey: here a
            # truncated file is refused. (WeasyPrint only ever gets the bytes made here.)
            accepting, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                image.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = accepting
    except ImageRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageRefused(f"{name}: more than the {MAX_PIXELS:,} pixels an image may have") \
            from None
    except Image.UnidentifiedImageError:
        raise ImageRefused(f"{name}: not an image (its content is no format an image can "
                           "have)") from None
    except (OSError, SyntaxError, ValueError) as error:
        # The same words in every process: no object's address in them.
        reason = re.sub(r" ?<[^<>]* at 0x[0-9a-f]+>", "", str(error))[:120]
        raise ImageRefused(f"{name}: not a readable image ({reason})") from None
    if kind == "GIF" and getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # a book shows the first frame of an animation
    if kind not in _RASTER and kind not in ("WEBP", "BMP", "TIFF"):
        raise ImageRefused(f"{name}: a {kind or 'unknown'} file is not an image a book embeds")
    return image, kind


def _encode(image: Image.Image, kind: str) -> PreparedImage:
    """Re-encode without metadata: JPEG stays JPEG, anything with transparency or a palette
    becomes PNG, the rest JPEG."""
    out = io.BytesIO()
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "JPEG" or (not transparent and image.mode not in ("P", "1", "L")
                          and kind != "PNG"):
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        media_type, suffix = _RASTER["JPEG"]
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        media_type, suffix = _RASTER["PNG"]
    return PreparedImage(out.getvalue(), media_type, suffix, *image.size)


def _prepare_svg(name: str, data: bytes) -> PreparedImage:
    if re.search(rb"<!(DOCTYPE|ENTITY)", data[:65536], re.I):
        raise ImageRefused(f"{name}: an SVG with a DOCTYPE or entities is refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ImageRefused(f"{name}: not a well-formed SVG ({str(error)[:120]})") from None
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != _SVG_NS:
        raise ImageRefused(f"{name}: not an SVG document")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _SVG_REFUSED_ELEMENTS or etree.QName(element).namespace != _SVG_NS:
            raise ImageRefused(f"{name}: an SVG with <{local}> is refused")
        for attribute, value in element.attrib.items():
            local_attribute = etree.QName(attribute).localname.lower()
            if local_attribute.startswith("on"):
                raise ImageRefused(f"{name}: an SVG with an event handler ({local_attribute}) "
                                   "is refused")
            if (attribute in ("href", _XLINK) and not value.strip().startswith("#")) or \
                    re.search(r"url\(\s*['\"]?\s*(?!#)", value, re.I):
                raise ImageRefused(f"{name}: an SVG referring outside itself is refused")
    width, height = _svg_size(root)
    return PreparedImage(etree.tostring(root, xml_declaration=True, encoding="utf-8"),
                         "image/svg+xml", ".svg", width, height)


def _svg_size(root) -> tuple[int, int]:
    def number(value: str | None) -> int:
        match = re.match(r"\s*([\d.]+)", value or "")
        return int(float(match.group(1))) if match else 0

    width, height = number(root.get("width")), number(root.get("height"))
    if not (width and height):
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) == 4:
            width, height = number(box[2]), number(box[3])
    return width, height
