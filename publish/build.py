"""Scheduling: the planned tasks run across the machine's cores, with a build report per source.

Each task, one (source, script), runs the pipeline (``pipeline``) in one job: in a pool of
processes forked from this one after it has imported WeasyPrint and installed its layout
patches (the workers share them); or, with ``--jobs 1`` or a single task, here. While this
process imports WeasyPrint, the first tasks' sources are read and transformed in processes
forked before the import, and the pool writes those tasks' editions from the documents they
send back. Writes are atomic; a failed source leaves its previous editions untouched and does
not stop the others.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import pipeline
from .cache import Manifest
from .files import atomic_output, output_folder_lock
from .model import Document
from .plan import Options, Task, expand_sources, plan
from .report import Dropped, PublishError, Report, Warning

__all__ = ["build"]

log = logging.getLogger(__name__)


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
    #: The document read and transformed, when the editions are written in another process.
    document: Document | None = None


def build(sources: list[Path], options: Options) -> list[Report]:
    """Build every stale edition of every source; one report per source, in order."""
    try:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"cannot create the output folder {options.out_dir}: "
                           f"{error.strerror}") from None
    with output_folder_lock(options.out_dir):
        return _build_locked(sources, options)


def _build_locked(sources: list[Path], options: Options) -> list[Report]:
    manifest = Manifest(options.out_dir)
    reports: dict[Path, Report] = {}
    tasks: list[Task] = []
    for source in expand_sources(sources):
        report = reports[source] = Report(source=str(source))
        try:
            tasks.extend(plan(source, options, manifest, report))
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


def _run(tasks: list[Task], options: Options) -> list[_Result]:
    """One result per task, in order: here with one worker, else in a pool of forked workers."""
    workers = min(options.jobs or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        return [_job(task, options) for task in tasks]
    fork = multiprocessing.get_context("fork")
    if not any(edition.format == "pdf" for task in tasks for edition in task.editions):
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            return list(pool.map(_job, tasks, [options] * len(tasks)))
    # The import takes this process 0.7 s, while the other cores would wait: they read the
    # first tasks meanwhile. The workers forked after it share WeasyPrint and pikepdf
    # copy-on-write instead of each importing them (see ``writers.pdf.prepare_process``).
    first, later = tasks[:workers], tasks[workers:]
    readers = ProcessPoolExecutor(workers - 1, mp_context=fork, initializer=_quit_on_interrupt)
    try:
        reading = readers.map(partial(_job, write=False), first, [options] * len(first))
        from .writers.pdf import prepare_process

        prepare_process()
        read = list(reading)
    finally:
        readers.shutdown(cancel_futures=True)
    with ProcessPoolExecutor(workers, mp_context=fork) as pool:
        jobs = [pool.submit(_job, task, options, prepared) for task, prepared in zip(first, read)]
        jobs += [pool.submit(_job, task, options) for task in later]
        return [job.result() for job in jobs]


def _quit_on_interrupt() -> None:
    """A reading process ends at once, without a word, on Ctrl-C (the command says it)."""
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(1))


def _job(task: Task, options: Options, prepared: _Result | None = None, *,
         write: bool = True) -> _Result:
    """Run the pipeline for one task: read and transform its source (unless ``prepared``, a
    reading done elsewhere, holds the document) and, with ``write``, write its editions, else
    send the document back. (Each task of a source reads it: the parent's report keeps one of
    each warning.)"""
    document = prepared.document if prepared is not None else None
    if prepared is not None and document is None:
        return prepared  # its reading failed
    result = _Result(task.source)
    report = Report(source=str(task.source))
    if prepared is not None:
        report.warnings = list(prepared.warnings)
        report.dropped_templates, report.text_chars = prepared.dropped, prepared.text_chars
    keys = {edition.path: edition.key for edition in task.editions}
    try:
        if document is None:
            document = pipeline.prepare(task.source, task.script, options, report)
        if write:
            pipeline.write(document, task.source, options, report,
                           [(edition.format, edition.path) for edition in task.editions],
                           written=lambda output: result.written.append((output, keys[output])))
        else:
            result.document = document
    except PublishError as error:
        result.error = str(error)
    except OSError as error:
        result.error = f"cannot write {error.filename or 'an output'}: {error.strerror}"
    result.warnings = report.warnings
    result.dropped, result.text_chars = report.dropped_templates, report.text_chars
    return result


def _write_report(source: Path, options: Options, report: Report) -> None:
    try:
        with atomic_output(options.out_dir / f"{source.stem}.report.json") as temporary:
            temporary.write_text(report.to_json() + "\n", encoding="utf-8")
    except OSError as error:
        log.warning("could not write the build report: %s", error)
