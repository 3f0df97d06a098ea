"""Pipeline: one source → its document in one script → its editions; the one place the stages
are put in order (reader → the transforms, in ``transforms.STEPS`` order → a writer per format).

``publish build`` runs it once per (source, script) with the editions to write; ``publish
parse`` runs it with none and prints the document the writers would have been given.
"""
from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .media import Media
from .model import Document
from .plan import Options
from .report import PublishError, Report

__all__ = ["run", "source_date"]


def run(source: Path, script: str | None, options: Options, report: Report,
        editions: Sequence[tuple[str, Path]] = (), *,
        written: Callable[[Path], None] | None = None) -> Document:
    """Read ``source``, transform it for ``script`` (None: left in the script it was read in)
    and write each (format, path) of ``editions`` in turn; the document the writers were given
    is returned. Each edition written is passed to ``written``; the first failure, a
    :class:`PublishError` or an ``OSError``, stops the rest."""
    from . import transforms
    from .readers.source import read

    document = read(source, report, encoding=options.encoding)
    document = replace(document, meta=replace(document.meta,
                                              source_date=source_date(document, source)))
    document = transforms.apply(document, script, report, sections=options.sections,
                                para_numbers=options.para_numbers)
    media = Media.of(source)
    for fmt, target in editions:
        _write(document, fmt, target, media, options, report)
        if written is not None:
            written(target)
    return document


def source_date(document: Document, source: Path) -> str:
    """The one date of an edition: SOURCE_DATE_EPOCH, else the metadata's, else the file's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        return stamp.date().isoformat()
    if document.meta.source_date:
        try:
            return datetime.date.fromisoformat(document.meta.source_date).isoformat()
        except ValueError:
            pass
    stamp = datetime.datetime.fromtimestamp(source.stat().st_mtime, datetime.timezone.utc)
    return stamp.date().isoformat()


def _write(edition: Document, fmt: str, target: Path, media: Media, options: Options,
           report: Report) -> None:
    if fmt == "pdf":
        from .writers.pdf import write_pdf
        write_pdf(edition, target, report, paper=options.paper, media=media,
                  profile=options.profile, booklet=options.booklet)
    elif fmt == "epub":
        from .writers.epub import write_epub
        write_epub(edition, target, report, media=media, vertical=options.vertical)
    else:
        raise PublishError(f"unknown format {fmt!r}")
