"""Reader: wikitext → what else to fetch for it (templates to expand, images, NoteTA groups).

mwparserfromhell is used here only to find things in the wikitext; reading it into a document
stays the reader's work. A template the reader handles natively (its table, the citation
templates) is not expanded, but unknown templates among its parameters are, since the reader
reads those parameters itself.
"""
from __future__ import annotations

import re

import mwparserfromhell
from mwparserfromhell import nodes as mw

from .templates import HANDLERS, normalise_name

__all__ = ["unknown_invocations", "file_names", "noteta_groups", "IMAGE_SUFFIXES"]

#: File types a book can show, directly or as the wiki's raster rendering.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".tif", ".tiff", ".bmp",
                  ".xcf", ".pdf", ".djvu")
#: A file link set this small (px) is an icon: not fetched.
ICON_PX = 50
_SIZE = re.compile(r"^\s*(\d*)(?:x(\d+))?px\s*$")
_GALLERY_LINE = re.compile(r"^\s*([^|\n]+?\.[A-Za-z]{3,4})\s*(?:\||$)", re.M)


def _walk(code, visit) -> None:
    """Call ``visit(template)`` for each template; descend where it returns True, and into
    every other node's content."""
    for node in code.nodes:
        if isinstance(node, mw.Template):
            if visit(node):
                for param in node.params:
                    _walk(param.value, visit)
        elif isinstance(node, mw.Tag):
            if node.contents is not None:
                _walk(node.contents, visit)
        elif isinstance(node, mw.Wikilink):
            if node.text is not None:
                _walk(node.text, visit)
        elif isinstance(node, mw.ExternalLink):
            if node.title is not None:
                _walk(node.title, visit)
        elif isinstance(node, mw.Heading):
            _walk(node.title, visit)


def unknown_invocations(wikitext: str) -> list[str]:
    """The exact text of each template invocation the reader does not handle, first use first,
    each once."""
    found: dict[str, None] = {}

    def visit(template) -> bool:
        if normalise_name(str(template.name)) in HANDLERS:
            return True
        found.setdefault(str(template), None)
        return False

    _walk(mwparserfromhell.parse(wikitext), visit)
    return list(found)


def file_names(wikitext: str, prefixes: set[str]) -> list[str]:
    """The files ``[[File:…]]`` links and ``<gallery>`` lines name, as written (``_`` for
    spaces), in order, each once; ``prefixes`` are the file namespace's names, case-folded."""
    found: dict[str, None] = {}
    code = mwparserfromhell.parse(wikitext)
    for link in code.filter_wikilinks(recursive=True):
        title = str(link.title).strip()
        prefix, _, name = title.partition(":")
        if name and prefix.strip().casefold() in prefixes and not _icon(str(link.text or "")):
            found.setdefault(name.strip().replace(" ", "_"), None)
    for tag in code.filter_tags(recursive=True,
                                matches=lambda node: str(node.tag).strip().lower() == "gallery"):
        for match in _GALLERY_LINE.finditer(str(tag.contents or "")):
            line = match.group(1).strip()
            prefix, _, name = line.partition(":")
            name = name if name and prefix.strip().casefold() in prefixes else line
            found.setdefault(name.strip().replace(" ", "_"), None)
    return [name for name in found if name.lower().endswith(IMAGE_SUFFIXES)]


def _icon(options: str) -> bool:
    """Whether a file link's options set it at icon size (``20px``, ``x16px``): a flag or a
    symbol in running text or a table, not a figure worth printing."""
    for part in options.split("|"):
        match = _SIZE.match(part)
        if match:
            sizes = [int(number) for number in match.groups() if number]
            return bool(sizes) and min(sizes) <= ICON_PX
    return False


def noteta_groups(wikitext: str) -> list[str]:
    """The conversion groups ``{{NoteTA|G1=IT|G2=…}}`` names, in order, each once."""
    groups: dict[str, None] = {}
    for template in mwparserfromhell.parse(wikitext).filter_templates(recursive=True):
        if normalise_name(str(template.name)) != "noteta":
            continue
        for param in template.params:
            if re.fullmatch(r"G\d+", str(param.name).strip()):
                name = str(param.value).strip()
                if name and "/" not in name and "|" not in name:
                    groups.setdefault(name, None)
    return list(groups)
