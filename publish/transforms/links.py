"""Transform: every URL that reaches a book passes one allow-list of schemes (Document → Document).

Before::

    ExternalLink(url="javascript:alert(1)", children=(Text("点此"),))
    Meta(source_url="data:text/html,…")

After::

    Text("点此")                      (the link's text kept as plain text, with a warning)
    Meta(source_url="")               (the imprint then says the source is unknown)

Allowed: ``http``, ``https`` and ``mailto`` URLs, and the book's own fragments (``#…``). A URL
with white space or control characters in it is refused too: browsers drop them, so
``java\tscript:`` would otherwise pass as ``javascript:``.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..model import Document, ExternalLink, Source, rebuild
from ..report import Report

__all__ = ["apply", "is_allowed", "SCHEMES"]

SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_META_URLS = ("source_url", "history_url", "licence_url")


def is_allowed(url: str) -> bool:
    """Whether ``url`` may become a link in a book."""
    if not url or any(ord(ch) <= 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return False
    if url.startswith("#"):
        return True
    scheme = _SCHEME.match(url)
    return scheme is not None and scheme.group(1).lower() in SCHEMES


def apply(document: Document, script: str | None, report: Report) -> Document:
    def refuse(url: str, where: str) -> None:
        report.warn("url-refused", f"{where} {url[:80]!r} is not an http, https or mailto URL; "
                    "kept as plain text")

    def visit(node):
        if isinstance(node, ExternalLink) and not is_allowed(node.url):
            refuse(node.url, "a link to")
            return list(node.children)
        if isinstance(node, Source) and node.url and not is_allowed(node.url):
            refuse(node.url, "the source URL")
            return dataclasses.replace(node, url="")
        return node

    refused: dict[str, Any] = {}
    for name in _META_URLS:
        url = getattr(document.meta, name)
        if url and not is_allowed(url):
            refuse(url, f"the metadata's {name}")
            refused[name] = ""
    return dataclasses.replace(rebuild(document, visit),
                               meta=dataclasses.replace(document.meta, **refused))
