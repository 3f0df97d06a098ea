"""Catalogue: a batch's manifest entries → ``index.html``, a static page listing its books.

One entry per book: its title in both scripts, each edition's format, size, SHA-256 and a
relative link to the file beside the page. Styles and script are inline (no external
resource); without JavaScript the whole list shows, both scripts' titles side by side; with it,
a search box filters the list and a toggle shows one script's titles and editions.
"""
from __future__ import annotations

from urllib.parse import quote

import jinja2

from .writers.html import TEMPLATES

__all__ = ["render_catalogue"]

FORMAT_NAMES = {"pdf": "PDF", "epub": "EPUB"}


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{max(1, round(count / 1024))} KB"


def render_catalogue(entries: list[dict]) -> str:
    """The catalogue page for the manifest ``entries`` (failed ones are counted, not listed)."""
    books = []
    for entry in entries:
        if entry.get("status") == "failed" or not entry.get("editions"):
            continue
        titles = entry.get("titles") or {}
        hans = titles.get("zh-Hans") or entry["title"]
        hant = titles.get("zh-Hant") or entry["title"]
        editions = [{"script": edition["script"], "format": FORMAT_NAMES.get(
                        edition["format"], edition["format"].upper()),
                     "href": quote(edition["file"]), "file": edition["file"],
                     "size": _size(int(edition["bytes"])), "bytes": int(edition["bytes"]),
                     "sha256": edition["sha256"]}
                    for edition in sorted(entry["editions"],
                                          key=lambda e: (e["script"], e["format"]))]
        books.append({"hans": hans, "hant": hant, "revision": entry.get("revision", ""),
                      "source_url": entry.get("source_url", ""), "editions": editions,
                      "search": " ".join({hans.casefold(), hant.casefold(),
                                          entry["title"].casefold()})})
    books.sort(key=lambda book: (book["hans"], book["hant"]))
    failed = sum(1 for entry in entries if entry.get("status") == "failed")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("catalogue.html.jinja").render(
        books=books, files=sum(len(book["editions"]) for book in books), failed=failed)
