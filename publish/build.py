"""Orchestration: source files → editions in the output folder, with a build report per source.

Each source is read once; editions whose inputs are unchanged since the last build are kept
(see ``cache``); the others are built one task per (source, script) across the machine's cores,
in processes forked after WeasyPrint is imported and the fonts are found. Writes are atomic; a
failed source leaves its previous editions untouched and does not stop the others.
"""
from __future__ import annotations

import datetime
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import fonts
from .cache import Manifest, edition_key, source_digest
from .files import atomic_output
from .model import Document
from .report import PublishError, Report, Warning

__all__ = ["Options", "build", "edition_path", "expand_sources", "source_date", "SCRIPTS",
           "FORMATS"]

log = logging.getLogger(__name__)

SCRIPTS = ("zh-Hans", "zh-Hant")
FORMATS = ("pdf", "epub")
SOURCE_SUFFIXES = (".wiki", ".wikitext", ".mediawiki")


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
    #: Rebuild every edition even when its inputs are unchanged.
    force: bool = False
    #: Worker processes; 0 means one a core.
    jobs: int = 0
    #: ``book``, or ``handout``: a classroom layout (no title page or contents, larger type,
    #: a wide margin for notes, fields for class, name and date).
    profile: str = "book"
    #: Only these sections (``1.2,2.1-2.3`` or heading text), notes renumbered from 1.
    sections: str = ""
    #: Number the paragraphs in the margin (PDF) and as small markers (EPUB).
    para_numbers: bool = False
    #: Impose the PDF's half-size pages two-up in saddle-stitch order, to fold into a booklet.
    booklet: bool = False

    def key_options(self) -> dict:
        """The options an edition's content depends on."""
        return {"paper": self.paper, "encoding": self.encoding, "vertical": self.vertical,
                "profile": self.profile, "sections": self.sections,
                "para_numbers": self.para_numbers, "booklet": self.booklet}


def edition_path(source: Path, options: Options, script: str, fmt: str) -> Path:
    """``<stem>.<script>[.handout][.booklet|.vertical].<fmt>`` in the output folder."""
    parts = [source.stem, script]
    if options.profile == "handout":
        parts.append("handout")
    if options.booklet and fmt == "pdf":
        parts.append("booklet")
    if options.vertical and fmt == "epub":
        parts.append("vertical")
    return options.out_dir / (".".join(parts) + f".{fmt}")


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


def expand_sources(paths: list[Path]) -> list[Path]:
    """Folders stand for the wikitext files directly in them, in name order (a folder with
    none stays, to be reported)."""
    out: list[Path] = []
    for path in paths:
        found = sorted(p for p in path.iterdir() if p.suffix in SOURCE_SUFFIXES) \
            if path.is_dir() else []
        out.extend(found or [path])
    return out


@dataclass
class _Task:
    """One (source, script): the document read once, and the editions to write from it."""
    source: Path
    document: Document
    script: str
    editions: list[tuple[str, Path, str]]  # (format, output, cache key)


@dataclass
class _Result:
    """What a task wrote, warned and failed with, for the parent's report and manifest."""
    source: Path
    written: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    error: str = ""


def build(sources: list[Path], options: Options) -> list[Report]:
    """Build every stale edition of every source; one report per source, in order."""
    try:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"cannot create the output folder {options.out_dir}: "
                           f"{error.strerror}") from None
    manifest = Manifest(options.out_dir)
    reports: dict[Path, Report] = {}
    tasks: list[_Task] = []
    for source in expand_sources(sources):
        report = reports[source] = Report(source=str(source))
        try:
            tasks.extend(_plan(source, options, manifest, report))
        except PublishError as error:
            report.error = str(error)
    for result in _run(tasks, options):
        report = reports[result.source]
        for warning in result.warnings:
            report.warn(warning.code, warning.message)
        for output, key in result.written:
            manifest.record(output, key)
            report.outputs.append(str(output))
        if result.error and not report.error:
            report.error = result.error
    if tasks:
        try:
            manifest.save()
        except OSError as error:
            log.warning("could not write the rebuild cache: %s", error.strerror)
    built = {task.source for task in tasks}
    for source, report in reports.items():
        if source in built or report.error:  # an unchanged source keeps its last report
            _write_report(source, options, report)
    return list(reports.values())


def _plan(source: Path, options: Options, manifest: Manifest, report: Report) -> list[_Task]:
    """The tasks for ``source``'s stale editions; the source is read only if there are some."""
    if source.is_dir():
        raise PublishError(f"{source}: a folder without .wiki files")
    if not source.is_file():
        raise PublishError(f"cannot read {source}: no such file")
    try:
        inputs = source_digest(source)
    except OSError as error:
        raise PublishError(f"cannot read {error.filename}: {error.strerror}") from None
    stale: dict[str, list[tuple[str, Path, str]]] = {}
    for script in options.scripts:
        faces = sorted({face.path for face in fonts.faces(script).values()})
        for fmt in options.formats:
            output = edition_path(source, options, script, fmt)
            key = edition_key(inputs, script, fmt, options.key_options(), faces)
            if not options.force and manifest.fresh(output, key):
                report.outputs.append(f"{output} (unchanged)")
                continue
            manifest.forget(output)
            stale.setdefault(script, []).append((fmt, output, key))
    if not stale:
        return []
    from .readers.wikitext import read
    from .transforms import excerpt, paragraphs

    document = read(source, report, encoding=options.encoding)
    date = source_date(document, source)
    document = replace(document, meta=replace(document.meta, source_date=date))
    if options.sections:
        document = excerpt.select(document, options.sections)
    if options.para_numbers:
        document = paragraphs.number(document)
    return [_Task(source, document, script, editions) for script, editions in stale.items()]


def _run(tasks: list[_Task], options: Options) -> list[_Result]:
    """Run the tasks, in parallel when there are several and more than one core."""
    if not tasks:
        return []
    if any(fmt == "pdf" for task in tasks for fmt, _, _ in task.editions):
        import weasyprint  # noqa: F401 - imported once here, shared by the forked workers

        from .writers.pdf import install_layout_patches
        install_layout_patches()
    workers = min(len(tasks), options.jobs or os.cpu_count() or 1)
    if workers <= 1:
        return [_edition(task, options) for task in tasks]
    # PDF tasks are the slow ones: start them first.
    ordered = sorted(tasks, key=lambda t: not any(f == "pdf" for f, _, _ in t.editions))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        results = dict(zip(map(id, ordered), pool.map(_edition, ordered,
                                                       [options] * len(ordered))))
    return [results[id(task)] for task in tasks]


def _edition(task: _Task, options: Options) -> _Result:
    """Transform the document into one script and write its editions (in a worker)."""
    from . import transforms

    report = Report(source=str(task.source))
    result = _Result(task.source)
    try:
        document = transforms.apply(task.document, task.script, report)
        for fmt, output, key in task.editions:
            _write(document, fmt, output, task.source, options, report)
            result.written.append((output, key))
    except PublishError as error:
        result.error = str(error)
    except OSError as error:
        result.error = f"cannot write {error.filename or 'an output'}: {error.strerror}"
    result.warnings = report.warnings
    return result


def _write(edition: Document, fmt: str, target: Path, source: Path, options: Options,
           report: Report) -> None:
    media_dir = source.parent / "media"
    if fmt == "pdf":
        from .writers.pdf import write_pdf
        write_pdf(edition, target, report, paper=options.paper, media_dir=media_dir,
                  profile=options.profile, booklet=options.booklet)
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
