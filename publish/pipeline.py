"""Pipeline: one source → its document in one script → its editions; the one place the stages
are put in order (reader → the transforms, in ``transforms.STEPS`` order → a writer per format).

``publish build`` runs it once per (source, script) with the editions to write (on many cores,
a task's first stages and its last may run in two processes: ``build``); ``publish parse``
runs it with none and prints the document the writers would have been given.
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

__all__ = ["prepare", "run", "source_date", "write"]


def run(source: Path, script: str | None, options: Options, report: Report,
        editions: Sequence[tuple[str, Path]] = (), *,
        written: Callable[[Path], None] | None = None) -> Document:
    """Read ``source``, transform it for ``script`` (None: left in the script it was read in)
    and write each (format, path) of ``editions`` in turn; the document the writers were given
    is returned. Each edition written is passed to ``written``; the first failure, a
    :class:`PublishError` or an ``OSError``, stops the rest."""
    document = prepare(source, script, options, report)
    write(document, source, options, report, editions, written=written)
    return document


def prepare(source: Path, script: str | None, options: Options, report: Report) -> Document:
    """The first stages of :func:`run`: ``source`` read and transformed for ``script``."""
    from . import transforms
    from .readers.source import read

    document = read(source, report, encoding=options.encoding, max_bytes=options.max_size)
    document = replace(document, meta=replace(document.meta,
                                              source_date=source_date(document, source)))
    return transforms.apply(document, script, report, sections=options.sections,
                            para_numbers=options.para_numbers)


def write(document: Document, source: Path, options: Options, report: Report,
          editions: Sequence[tuple[str, Path]], *,
          written: Callable[[Path], None] | None = None) -> None:
    """The last stage of :func:`run`: ``document``, prepared from ``source``, written to each
    (format, path) of ``editions`` in turn."""
    media = Media.of(source)
    for fmt, target in editions:
        _write(document, fmt, target, media, options, report)
        if written is not None:
            written(target)


#: The dates a book may carry: an EPUB is a zip, whose timestamps run from 1980 to 2107.
EARLIEST_DATE = datetime.date(1980, 1, 1)
LATEST_DATE = datetime.date(2107, 12, 31)


def source_date(document: Document, source: Path) -> str:
    """The one date of an edition: SOURCE_DATE_EPOCH, else the metadata's, else the file's;
    a date no zip or PDF can hold is a one-line error naming where it came from."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            date = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            date = None
        return _in_range(date, f"SOURCE_DATE_EPOCH={epoch[:30]}")
    if document.meta.source_date:
        try:
            date = datetime.date.fromisoformat(document.meta.source_date)
        except ValueError:
            date = None
        if date is not None:
            return _in_range(date, f"{source.with_suffix('.toml')}: source_date")
    stamp = datetime.datetime.fromtimestamp(source.stat().st_mtime, datetime.timezone.utc)
    return _in_range(stamp.date(), f"{source}'s modification time")


def _in_range(date: datetime.date | None, where: str) -> str:
    if date is None or not EARLIEST_DATE <= date <= LATEST_DATE:
        raise PublishError(f"{where} gives a date outside {EARLIEST_DATE.year}–"
                           f"{LATEST_DATE.year}, which an EPUB or PDF cannot hold")
    return date.isoformat()


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
