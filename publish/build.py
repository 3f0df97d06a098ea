"""Orchestration: source files → editions in the output folder, with a build report per source.

Each source is read once; editions whose inputs are unchanged since the last build are kept
(see ``cache``); the others are built one task per (source, script) across the machine's cores:
documents are transformed and EPUBs written in one process while this one imports WeasyPrint,
and PDFs are set in processes forked after that import. Writes are atomic; a failed source
leaves its previous editions untouched and does not stop the others.
"""
from __future__ import annotations

import contextlib
import datetime
import itertools
import logging
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import fonts
from .cache import Manifest, edition_key, source_digest
from .files import atomic_output
from .model import Document
from .report import Dropped, PublishError, Report, Warning

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
    #: The scripts were asked for (``--script``): an error for an article not in Chinese.
    scripts_asked: bool = False
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
    """One (source, script) and the editions to write; the tasks of a source are adjacent."""
    source: Path
    script: str
    editions: list[tuple[str, Path, str]]  # (format, output, cache key)


@dataclass
class _Result:
    """What a task wrote, warned and failed with, for the parent's report and manifest."""
    source: Path
    written: list[tuple[Path, str]] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    error: str = ""
    #: The reader's unknown templates and the text that reached the document.
    dropped: list[Dropped] = field(default_factory=list)
    text_chars: int = 0


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
        if result.dropped or result.text_chars:
            report.dropped_templates = list(result.dropped)
            report.text_chars = result.text_chars
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
    """The tasks for ``source``'s stale editions (the source is read later, by a worker)."""
    if source.is_dir():
        raise PublishError(f"{source}: a folder without .wiki files")
    if not source.is_file():
        raise PublishError(f"cannot read {source}: no such file")
    try:
        inputs = source_digest(source)
    except OSError as error:
        raise PublishError(f"cannot read {error.filename}: {error.strerror}") from None
    from .readers.source import edition_tags

    tags = edition_tags(source, options.scripts, options.scripts_asked, options.encoding)
    fonts.locate_all(tags)
    stale: dict[str, list[tuple[str, Path, str]]] = {}
    for script in tags:
        faces = sorted({face.path for face in fonts.faces(script).values()})
        for fmt in options.formats:
            output = edition_path(source, options, script, fmt)
            key = edition_key(inputs, script, fmt, options.key_options(), faces)
            if not options.force and manifest.fresh(output, key):
                report.outputs.append(f"{output} (unchanged)")
                continue
            manifest.forget(output)
            stale.setdefault(script, []).append((fmt, output, key))
    return [_Task(source, script, editions) for script, editions in stale.items()]


def _run(tasks: list[_Task], options: Options) -> list[_Result]:
    """Run the tasks across the machine's cores; one result per task, in order.

    With PDFs to typeset and more than one core, a process forked at once reads and transforms
    every document and writes the EPUBs while this one imports WeasyPrint; the PDFs are then
    set in processes forked from this one (sharing that import), each document as soon as it
    is transformed. Without PDFs, the sources are shared out across the cores.
    """
    if not tasks:
        return []
    cores = options.jobs or os.cpu_count() or 1
    typesetting = [task for task in tasks if _formats(task, typeset=True)]
    by_source = [list(group) for _, group in itertools.groupby(tasks, lambda t: t.source)]
    if cores <= 1 or (not typesetting and len(by_source) == 1):
        return [result for group in by_source for result in _build_source(group, options)]
    context = multiprocessing.get_context("fork")
    if not typesetting:
        with ProcessPoolExecutor(min(cores, len(by_source)), mp_context=context) as pool:
            return [result for results in pool.map(_build_source, by_source,
                                                    [options] * len(by_source))
                    for result in results]
    receiver, sender = context.Pipe(duplex=False)
    _widen(sender)
    preparer = context.Process(target=_prepare_all, args=(tasks, options, sender), daemon=True)
    preparer.start()
    sender.close()
    try:
        from .writers.pdf import install_layout_patches

        install_layout_patches()  # imports WeasyPrint, once, for the processes forked below
        prepared, typeset = _typeset_as_prepared(tasks, options, receiver,
                                                 min(cores, len(typesetting)))
    finally:
        receiver.close()  # a preparer still sending stops instead of waiting for a reader
        preparer.join()
    return [_merged(task, prepared[index], typeset.get(index))
            for index, task in enumerate(tasks)]


def _widen(pipe) -> None:
    """Let the pipe hold a megabyte (Linux), so the preparer sends its documents and goes on
    while this process, still importing WeasyPrint, cannot read them yet."""
    try:
        import fcntl
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # elsewhere the preparer waits for the reader a little longer


def _typeset_as_prepared(tasks: list[_Task], options: Options, receiver, workers: int
                         ) -> tuple[dict[int, _Result], dict[int, _Result]]:
    """Typeset each document the preparer sends, in ``workers`` processes (or in this one)."""
    prepared: dict[int, _Result] = {}
    typeset: dict[int, _Result] = {}
    with contextlib.ExitStack() as stack:
        pool = None
        if workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork")))
        pending: dict[int, Future] = {}
        while True:
            running = [future for future in pending.values() if not future.done()]
            if len(running) >= 2 * workers:  # enough queued: leave the rest in the preparer
                wait(running, return_when=FIRST_COMPLETED)
            try:
                kind, index, payload = receiver.recv()
            except EOFError:
                break
            if kind == "document":
                if pool is None:
                    typeset[index] = _typeset(tasks[index], payload, options)
                else:
                    pending[index] = pool.submit(_typeset, tasks[index], payload, options)
            elif kind == "result":
                prepared[index] = payload
            else:  # "crash": a defect in the preparer, raised here as it would be in one process
                raise payload
        typeset.update((index, future.result()) for index, future in pending.items())
    for index, task in enumerate(tasks):
        if index not in prepared:
            prepared[index] = _Result(task.source, error="the preparing process stopped")
    return prepared, typeset


def _prepare_all(tasks: list[_Task], options: Options, sender) -> None:
    """In the preparing process, source by source: transform each document, sending it at
    once if it has PDFs to typeset; then write the other editions and send the results."""
    try:
        for _, group in itertools.groupby(enumerate(tasks), lambda item: item[1].source):
            indices, source_tasks = zip(*group)
            prepared = []
            for index, (task, result, report, document) in zip(
                    indices, _transformed(list(source_tasks), options)):
                if document is not None and _formats(task, typeset=True):
                    sender.send(("document", index, document))
                prepared.append((index, task, result, report, document))
            for index, task, result, report, document in prepared:
                if document is not None:
                    _write_editions(document, task, _formats(task, typeset=False), options,
                                    result, report)
                result.warnings = report.warnings
                sender.send(("result", index, result))
    except (KeyboardInterrupt, BrokenPipeError):
        pass  # the parent was interrupted too, or has stopped reading: it reports
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        sender.send(("crash", -1, error))
    finally:
        sender.close()


def _build_source(tasks: list[_Task], options: Options) -> list[_Result]:
    """Read one source and write every edition of its tasks, one result per task."""
    results = []
    for task, result, report, document in _transformed(tasks, options):
        if document is not None:
            _write_editions(document, task, [fmt for fmt, _, _ in task.editions], options,
                            result, report)
        result.warnings = report.warnings
        results.append(result)
    return results


def _typeset(task: _Task, document: Document, options: Options) -> _Result:
    """Write the PDF editions of a transformed document."""
    result, report = _Result(task.source), Report(source=str(task.source))
    _write_editions(document, task, _formats(task, typeset=True), options, result, report)
    result.warnings = report.warnings
    return result


def _formats(task: _Task, *, typeset: bool) -> list[str]:
    """The task's formats that are typeset by WeasyPrint (PDF), or the others."""
    return [fmt for fmt, _, _ in task.editions if (fmt == "pdf") == typeset]


def _read(source: Path, options: Options, report: Report) -> Document:
    """The source's document, dated, cut to the sections asked for and numbered if asked."""
    from .readers.source import read
    from .transforms import excerpt, paragraphs

    document = read(source, report, encoding=options.encoding)
    date = source_date(document, source)
    document = replace(document, meta=replace(document.meta, source_date=date))
    if options.sections:
        document = excerpt.select(document, options.sections)
    if options.para_numbers:
        document = paragraphs.number(document)
    return document


def _transformed(tasks: list[_Task], options: Options
                 ) -> Iterator[tuple[_Task, _Result, Report, Document | None]]:
    """The tasks of one source, each with its result, its report and its document in its
    script (None where reading or the transform failed). The source is read once: its reading
    warnings go to the first task's report, a failed reading is every task's error."""
    from . import transforms

    article: Document | str | None = None  # the source read, or why it could not be
    for task in tasks:
        result, report = _Result(task.source), Report(source=str(task.source))
        if article is None:
            try:
                article = _read(task.source, options, report)
                result.dropped, result.text_chars = report.dropped_templates, report.text_chars
            except PublishError as error:
                article = str(error)
        document = None
        if isinstance(article, str):
            result.error = article
        else:
            try:
                document = transforms.apply(article, task.script, report)
            except PublishError as error:
                result.error = str(error)
        yield task, result, report, document


def _write_editions(document: Document, task: _Task, formats: list[str], options: Options,
                    result: _Result, report: Report) -> None:
    """Write the editions of ``task`` in ``formats``; the first failure stops them."""
    for fmt, output, key in task.editions:
        if fmt not in formats:
            continue
        try:
            _write(document, fmt, output, task.source, options, report)
        except PublishError as error:
            result.error = str(error)
            return
        except OSError as error:
            result.error = f"cannot write {error.filename or 'an output'}: {error.strerror}"
            return
        result.written.append((output, key))


def _merged(task: _Task, prepared: _Result, typeset: _Result | None) -> _Result:
    """One task's result from its two halves, outputs in the order of its editions."""
    if typeset is None:
        return prepared
    written = dict(prepared.written + typeset.written)
    return _Result(task.source,
                   written=[(output, written[output]) for _, output, _ in task.editions
                            if output in written],
                   warnings=prepared.warnings + typeset.warnings,
                   error=prepared.error or typeset.error,
                   dropped=prepared.dropped, text_chars=prepared.text_chars)


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
