"""Batch: a dump's articles → their editions on a shelf, a manifest and a catalogue.

The dump is read as the work goes (``sources.dump``); each article whose editions are not on
the shelf from the same inputs (the rebuild cache: its text, metadata, the code, fonts and
options, keyed as ``cache.edition_key`` keys them) becomes one task, which runs the whole
pipeline for every script on an engine: the local process pool (the default) or a Dask cluster
(``cluster``). At most a few tasks a worker are in flight (backpressure: the dump is never
held whole); a task that fails is sent once more, then recorded in the manifest and skipped.

The manifest (``manifest.jsonl``) has a line per article: title in both scripts, revision,
editions with sizes and SHA-256, warnings, seconds (wall and CPU) and the worker (each
article's warnings in full are in ``<stem>.report.json``); the catalogue
(``index.html``, ``catalogue``) lists the books in it. The previous run's manifest is the cache.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fonts
from .cache import edition_key
from .plan import Options, edition_path
from .report import PublishError, Report
from .shelf import Shelf
from .sources.dump import Article, DumpCounts, DumpReader, Selection

__all__ = ["MANIFEST", "BatchResult", "Job", "LocalEngine", "PageFailed", "build_dump",
           "build_page", "engine_for", "start_typesetter"]

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
CATALOGUE = "index.html"
#: Tasks in flight per worker slot: enough to keep every worker busy while results come back.
#: How often a task may be caught in a worker's death (the pool's) before that counts as
#: one of its attempts.
MAX_POOL_BREAKS = 2
IN_FLIGHT_PER_SLOT = 2


class PageFailed(Exception):
    """One article could not be built; the message is the one line its manifest entry keeps."""


@dataclass(frozen=True)
class Job:
    """Represents one article to build and its editions, like 中苏关系 with (script, format,
    file name, cache key) for each of its four editions."""
    article: Article
    editions: tuple[tuple[str, str, str, str], ...]


@dataclass
class BatchResult:
    """What a batch did: counts of the dump and of the articles built, kept and failed."""
    counts: DumpCounts
    built: int = 0
    kept: int = 0
    failed: int = 0
    seconds: float = 0.0
    engine: str = ""


# ---------------------------------------------------------------- one article (on a worker)

def build_page(job: Job, options: Options, shelf: Shelf) -> dict:
    """Build ``job``'s editions and put them on ``shelf``; its manifest entry. Any failure is
    a :class:`PageFailed` (nothing of the article reaches the shelf half-written)."""
    from . import pipeline

    started, cpu_started = time.perf_counter(), time.process_time()
    article = job.article
    report = Report(source=article.title)
    try:
        with tempfile.TemporaryDirectory(prefix="publish-page-") as work:
            folder = Path(work)
            source = folder / f"{article.stem}.wiki"
            source.write_text(article.text, encoding="utf-8")
            source.with_suffix(".toml").write_text(article.meta_toml(), encoding="utf-8")
            out = folder / "out"
            out.mkdir()
            for script in dict.fromkeys(script for script, *_ in job.editions):
                pipeline.run(source, script, options, report,
                             [(fmt, out / name) for s, fmt, name, _ in job.editions
                              if s == script])
            editions: list[dict[str, Any]] = []
            for script, fmt, name, key in job.editions:
                data = (out / name).read_bytes()
                editions.append({"file": name, "script": script, "format": fmt,
                                 "bytes": len(data), "sha256": _sha256(data), "key": key})
            for edition in editions:
                shelf.put(out / edition["file"], edition["file"])
                report.outputs.append(edition["file"])
            # Every warning's text, as a single source's build keeps it beside its editions.
            (out / "report.json").write_text(report.to_json() + "\n", encoding="utf-8")
            shelf.put(out / "report.json", f"{article.stem}.report.json")
    except PublishError as error:
        raise PageFailed(_without_work_folder(str(error), article)) from None
    except OSError as error:
        raise PageFailed(f"cannot write {error.filename or 'an output'}: "
                         f"{error.strerror or error}") from None
    except Exception as error:  # a bug shown by one article must not stop the batch
        log.debug("%s failed", article.title, exc_info=True)
        raise PageFailed(f"{type(error).__name__}: {error}") from None
    codes: dict[str, int] = {}
    for warning in report.warnings:
        codes[warning.code] = codes.get(warning.code, 0) + 1
    return {**_identity(article), "status": "built", "editions": editions,
            "warnings": len(report.warnings), "warning_codes": codes,
            "seconds": round(time.perf_counter() - started, 3),
            "cpu_seconds": round(time.process_time() - cpu_started, 3),
            "worker": _worker_name()}


def _without_work_folder(message: str, article: Article) -> str:
    """A message about the worker's temporary copy of the article, about the article."""
    return re.sub(r"\S*publish-page-[^/\s]+/" + re.escape(article.stem) + r"\.wiki",
                  article.title, message)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _identity(article: Article) -> dict:
    from .transforms.script import convert_text

    return {"title": article.title,
            "titles": {script: convert_text(article.title, script)
                       for script in ("zh-Hans", "zh-Hant")},
            "stem": article.stem, "revision": article.revision, "timestamp": article.timestamp,
            "source_url": article.meta["source_url"]}


def _worker_name() -> str:
    if "distributed" in sys.modules:
        from distributed import get_worker
        try:
            return get_worker().address
        except ValueError:
            pass
    return f"{socket.gethostname()}:{os.getpid()}"


# ---------------------------------------------------------------- the local engine

def start_typesetter() -> None:
    """A worker's first step (see ``writers.pdf.prepare_process``), once for all its
    articles."""
    from .writers.pdf import prepare_process

    prepare_process()


class LocalEngine:
    """The default engine: a pool of processes forked from this one, each of which imports
    WeasyPrint and installs its patches once, as it starts."""

    def __init__(self, jobs: int = 0):
        self.workers = jobs or os.cpu_count() or 1
        self.pool = self._pool()
        self.running: set = set()
        self.name = f"local pool of {self.workers}"

    def _pool(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("fork"),
            initializer=start_typesetter)

    @property
    def slots(self) -> int:
        return self.workers

    def submit(self, function, *args):
        try:
            future = self.pool.submit(function, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): its tasks and the others in flight have
            # failed with this error and are sent again; the batch goes on in a new pool.
            log.warning("a worker process died; starting the pool again")
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._pool()
            future = self.pool.submit(function, *args)
        self.running.add(future)
        return future

    def done(self) -> list:
        """The tasks that have finished since last asked, waiting for one if none has."""
        finished, self.running = concurrent.futures.wait(
            self.running, return_when=concurrent.futures.FIRST_COMPLETED)
        return list(finished)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


# ---------------------------------------------------------------- the batch

def build_dump(dump: Path, selection: Selection, options: Options, out: str,
               scheduler: str = "") -> BatchResult:
    """Build the selected articles of ``dump`` onto the shelf ``out`` (a folder or an fsspec
    URL), on the Dask cluster at ``scheduler`` or else the local pool."""
    started = time.perf_counter()
    shelf = Shelf(out)
    shelf.make()
    previous = _previous_manifest(shelf)
    on_shelf = shelf.sizes() if previous else {}
    counts = DumpCounts()
    fonts.locate_all(options.scripts)
    faces = {script: sorted({face.path for face in fonts.faces(script).values()})
             for script in options.scripts}
    result = BatchResult(counts)
    total = selection.limit or len(selection.titles) or None
    handle, name = tempfile.mkstemp(prefix=".publish-manifest-", suffix=".jsonl")
    os.close(handle)
    manifest = Path(name)
    try:
        with DumpReader(dump, selection, counts) as reader, \
                manifest.open("w", encoding="utf-8") as lines, _progress(total) as progress:
            _batch(reader, engine_for(scheduler, options), lines, progress, result, options,
                   faces, previous, on_shelf, shelf)
        shelf.put(manifest, MANIFEST)
        _write_catalogue(shelf, manifest)
    finally:
        manifest.unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result


def engine_for(scheduler: str, options: Options):
    """The Dask cluster at ``scheduler``, or else the local pool."""
    if scheduler:
        from .cluster import DaskEngine
        return DaskEngine(scheduler)
    return LocalEngine(options.jobs)


def _batch(reader: DumpReader, engine, lines, progress, result: BatchResult, options: Options,
           faces: dict, previous: dict, on_shelf: dict, shelf: Shelf) -> None:
    """Read the dump, plan each article, run the stale ones on ``engine``; a manifest line
    for each article as it is done."""
    counts = result.counts
    site = reader.site
    log.info("%s: %s (%s)", reader.path.name, site.name or site.dbname, site.server)
    result.engine = engine.name

    def record(entry: dict) -> None:
        lines.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        status = entry["status"]
        if status == "built":
            result.built += 1
        elif status == "unchanged":
            result.kept += 1
        else:
            result.failed += 1
            log.warning("%s: failed: %s", entry["title"], entry["error"])
        progress.update(1)
        progress.set_postfix(failed=result.failed, kept=result.kept,
                             dump=f"{100 * counts.position // max(counts.size, 1)}%",
                             refresh=False)

    try:
        jobs = _plan(reader.articles(), options, faces, previous, on_shelf, record)
        _run(engine, jobs, options, shelf, record)
    finally:
        engine.close()


def _previous_manifest(shelf: Shelf) -> dict[str, dict]:
    """The last run's entries by title (the rebuild cache); unreadable lines are ignored."""
    text = shelf.read_text(MANIFEST) or ""
    entries: dict[str, dict] = {}
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("status") in ("built", "unchanged") \
                and isinstance(entry.get("title"), str):
            entries[entry["title"]] = entry
    return entries


def _plan(articles: Iterator[Article], options: Options, faces: dict, previous: dict,
          on_shelf: dict[str, int], record) -> Iterator[Job]:
    """A job for each article with an edition to build; the others are recorded as kept."""
    for article in articles:
        digest = article.digest()
        editions = []
        for script in options.scripts:
            for fmt in options.formats:
                name = edition_path(Path(f"{article.stem}.wiki"), options, script, fmt).name
                key = edition_key(digest, script, fmt, options.key_options(), faces[script])
                editions.append((script, fmt, name, key))
        last = previous.get(article.title)
        if last and not options.force and _fresh(last, editions, on_shelf):
            record({**last, "status": "unchanged"})
            continue
        yield Job(article, tuple(editions))


def _fresh(last: dict, editions: list[tuple[str, str, str, str]],
           on_shelf: dict[str, int]) -> bool:
    """Whether the last run built these editions from the same keys and they are still there."""
    built = {edition.get("file"): edition for edition in last.get("editions", [])}
    return all(name in built and built[name].get("key") == key
               and on_shelf.get(name) == built[name].get("bytes")
               for _, _, name, key in editions)


def _run(engine, jobs: Iterator[Job], options: Options, shelf: Shelf, record) -> None:
    """Keep at most ``IN_FLIGHT_PER_SLOT`` tasks a worker slot in flight; retry a failed task
    once, then record it failed. A task that was in flight when a worker died (the local
    pool's BrokenProcessPool) is sent again without spending its retry, at most twice."""
    pending: dict = {}  # future → (job, attempt, pool breaks it has been through)
    exhausted = False
    while True:
        while not exhausted and len(pending) < IN_FLIGHT_PER_SLOT * max(engine.slots, 1):
            job = next(jobs, None)
            if job is None:
                exhausted = True
            else:
                pending[engine.submit(build_page, job, options, shelf)] = (job, 1, 0)
        if not pending:
            return
        for future in engine.done():
            job, attempt, breaks = pending.pop(future)
            try:
                record(future.result())
            except Exception as error:  # noqa: BLE001 - the task's failure, to record
                message = str(error) if isinstance(error, PageFailed) else \
                    f"{type(error).__name__}: {error}"
                if isinstance(error, BrokenProcessPool) and breaks < MAX_POOL_BREAKS:
                    log.debug("%s: %s; sent again", job.article.title, message)
                    pending[engine.submit(build_page, job, options, shelf)] = \
                        (job, attempt, breaks + 1)
                elif attempt == 1:
                    log.debug("%s: %s; trying once more", job.article.title, message)
                    pending[engine.submit(build_page, job, options, shelf)] = (job, 2, breaks)
                else:
                    record({**_identity(job.article), "status": "failed", "error": message,
                            "editions": [], "attempts": attempt})


def _write_catalogue(shelf: Shelf, manifest: Path) -> None:
    from .catalogue import render_catalogue

    with manifest.open(encoding="utf-8") as lines:
        entries = [json.loads(line) for line in lines if line.strip()]
    with tempfile.TemporaryDirectory(prefix="publish-catalogue-") as work:
        page = Path(work) / CATALOGUE
        page.write_text(render_catalogue(entries), encoding="utf-8")
        shelf.put(page, CATALOGUE)


@contextlib.contextmanager
def _progress(total: int | None):
    """Articles done, failed and kept, the rate and time left, on a terminal only (the
    package's log lines are printed above the bar meanwhile)."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True,
              disable=not sys.stderr.isatty(), desc="publish") as bar:
        if bar.disable:
            yield bar
        else:
            with logging_redirect_tqdm(loggers=[logging.getLogger("publish")]):
                yield bar
