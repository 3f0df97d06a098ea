"""Reader stage, source I/O: a ``.wiki`` file and its ``<stem>.toml`` → a Document.

Reads and decodes the file, loads the metadata beside it, and hands the text to
:func:`publish.readers.wikitext.read_text` with the source's media folder.
"""
from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from ..labels import LABELS
from ..model import Document, Meta
from ..report import PublishError, Report
from .language import detect_language
from .wikitext import read_text

__all__ = ["read", "load_meta", "edition_tags", "source_language"]


def load_meta(source: Path, report: Report) -> Meta:
    """Read ``<stem>.toml`` beside the source, if any, into :class:`Meta` (a missing source
    address is a warning; a missing title is left for the reader to find)."""
    meta_path = source.with_suffix(".toml")
    data: dict = {}
    if meta_path.exists():
        try:
            data = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            report.warn("metadata-invalid", f"{meta_path.name}: {error}; ignored")
    known = {"title", "source_url", "history_url", "licence", "licence_url", "source_date",
             "language"}
    for key in sorted(set(data) - known):
        report.warn("metadata-unknown", f"{meta_path.name}: unknown key {key!r} ignored")
    fields: dict[str, Any] = {key: str(value) for key, value in data.items() if key in known}
    if not fields.get("source_url"):
        report.warn("metadata-missing",
                    f"no source_url in {meta_path.name}: the licence page says the article's "
                    f"address and revision are unknown (add source_url and history_url to "
                    f"{meta_path.name})")
    # An empty title is found by the reader ({{DISPLAYTITLE}}, the lead's bold subject) or
    # falls back to the file name in read().
    fields.setdefault("title", "")
    return Meta(**fields)


def source_language(source: Path, encoding: str = "utf-8") -> str:
    """The article's language: ``language`` in ``<stem>.toml``, else detected from its text."""
    meta = load_meta(source, Report())
    if meta.language:
        return meta.language
    import mwparserfromhell

    return detect_language(mwparserfromhell.parse(_decoded(source, encoding)))


def edition_tags(source: Path, scripts: tuple[str, ...], scripts_asked: bool,
                 encoding: str = "utf-8") -> tuple[str, ...]:
    """The editions of ``source``: each of ``scripts`` for a Chinese article; one edition in
    its language for an English one (asking for scripts then is an error); an error for a
    language the books have no words for."""
    language = source_language(source, encoding)
    base = language.split("-")[0].casefold()
    if base == "zh":
        return scripts
    if scripts_asked:
        raise PublishError(f"{source.name} is in {language}, not Chinese: --script does not "
                           f"apply (it gets one edition, {source.stem}.{base}.pdf/.epub)")
    if base not in LABELS:
        raise PublishError(f"{source.name} is in {language}: books are made in Chinese and "
                           f"English only (set language = \"en\" in {source.stem}.toml to "
                           f"make it with English words)")
    return (base,)


def _decoded(source: Path, encoding: str) -> str:
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise PublishError(f"cannot read {source}: {error.strerror}") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise PublishError(f"{source}: not valid {encoding} at byte {error.start} "
                           f"(use --encoding to name the file's encoding)") from None
    except LookupError:
        raise PublishError(f"unknown encoding {encoding!r}") from None
    return text.removeprefix("\ufeff")


def read(source: Path, report: Report, encoding: str = "utf-8") -> Document:
    """Read the wikitext file ``source`` (and its ``.toml`` metadata) into a document."""
    text = _decoded(source, encoding)
    if not text.strip():
        raise PublishError(f"{source}: the source is empty")
    meta = load_meta(source, report)
    document = read_text(text, report, meta, media_dir=source.parent / "media")
    if not document.meta.title:
        document = dataclasses.replace(
            document, meta=dataclasses.replace(document.meta, title=source.stem))
    return document

