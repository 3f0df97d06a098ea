"""Orchestration: source files → editions in the output folder, with a build report per source.

Each source is read once; each script's document is transformed once and written in every
format asked for. Writes are atomic; a failed source leaves its previous editions untouched
and does not stop the others.
"""
from __future__ import annotations

import datetime
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

from . import transforms
from .files import atomic_output
from .model import Document
from .readers.wikitext import read
from .report import PublishError, Report

__all__ = ["Options", "build", "edition_path", "source_date", "SCRIPTS", "FORMATS"]

log = logging.getLogger(__name__)

SCRIPTS = ("zh-Hans", "zh-Hant")
FORMATS = ("pdf", "epub")


@dataclass(frozen=True)
class Options:
    """What to build: scripts, formats, paper, and where."""
    out_dir: Path = Path("build")
    scripts: tuple[str, ...] = SCRIPTS
    formats: tuple[str, ...] = FORMATS
    paper: str = "a4"
    encoding: str = "utf-8"
    #: EPUB editions set top to bottom, right to left (PDF stays horizontal: WeasyPrint 70
    #: has no vertical writing).
    vertical: bool = False


def edition_path(source: Path, options: Options, script: str, fmt: str) -> Path:
    kind = ".vertical" if options.vertical and fmt == "epub" else ""
    return options.out_dir / f"{source.stem}.{script}{kind}.{fmt}"


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


def build(sources: list[Path], options: Options) -> list[Report]:
    """Build every edition of every source; one report per source, in order."""
    reports = []
    for source in sources:
        report = Report(source=str(source))
        try:
            _build_source(source, options, report)
        except PublishError as error:
            report.error = str(error)
        reports.append(report)
        _write_report(source, options, report)
    return reports


def _build_source(source: Path, options: Options, report: Report) -> None:
    document = read(source, report, encoding=options.encoding)
    date = source_date(document, source)
    document = replace(document, meta=replace(document.meta, source_date=date))
    for script in options.scripts:
        edition = transforms.apply(document, script, report)
        for fmt in options.formats:
            target = edition_path(source, options, script, fmt)
            _write(edition, fmt, target, source, options, report)
            report.outputs.append(str(target))


def _write(edition: Document, fmt: str, target: Path, source: Path, options: Options,
           report: Report) -> None:
    media_dir = source.parent / "media"
    if fmt == "pdf":
        from .writers.pdf import write_pdf
        write_pdf(edition, target, report, paper=options.paper, media_dir=media_dir)
    elif fmt == "epub":
        from .writers.epub import write_epub
        write_epub(edition, target, report, media_dir=media_dir, vertical=options.vertical)
    else:
        raise PublishError(f"unknown format {fmt!r}")


def _write_report(source: Path, options: Options, report: Report) -> None:
    try:
        with atomic_output(options.out_dir / f"{source.stem}.report.json") as temporary:
            temporary.write_text(report.to_json() + "\n", encoding="utf-8")
    except OSError as error:
        log.warning("could not write the build report: %s", error)
