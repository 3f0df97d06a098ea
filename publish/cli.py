"""Command line: argument parsing and exit codes only (0 built, 1 failed, 2 bad usage)."""
from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from .report import PublishError, Report

__all__ = ["main", "run"]

log = logging.getLogger("publish")


def _list(choices: tuple[str, ...]):
    def parse(value: str) -> tuple[str, ...]:
        items = tuple(item.strip() for item in value.split(",") if item.strip())
        unknown = [item for item in items if item not in choices]
        if unknown or not items:
            raise argparse.ArgumentTypeError(
                f"{value!r}: choose from {', '.join(choices)} (comma-separated)")
        return items
    return parse


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: a whole number of at least 1")
    return number


def _megabytes(value: str) -> int:
    try:
        size = float(value)
    except ValueError:
        size = 0
    if not size > 0:
        raise argparse.ArgumentTypeError(f"{value!r}: a size in MB greater than 0")
    return int(size * 1024 * 1024)


def _parser() -> argparse.ArgumentParser:
    from .plan import ALL_SCRIPTS, FORMATS
    from .writers.paper import PAPERS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log every step")
    common.add_argument("-q", "--quiet", action="store_true",
                        help="only warnings and errors, not the files written")
    # The options that change the document, so that parse shows the one a build writes.
    document = argparse.ArgumentParser(add_help=False)
    document.add_argument("--encoding", default="utf-8")
    document.add_argument("--sections", default="", metavar="SPEC",
                          help="only these sections: numbers (1.2,2.1-2.3) or heading text")
    document.add_argument("--para-numbers", action="store_true",
                          help="number the paragraphs in the margin")
    document.add_argument("--max-size", type=_megabytes, default=None, metavar="MB",
                          help="read sources up to this size (default 2, MediaWiki's limit)")
    parser = argparse.ArgumentParser(
        prog="publish", description="Turn MediaWiki articles into PDF and EPUB books.")
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", parents=[common, document],
                                help="print the document a build's writers are given, as JSON")
    parse.add_argument("source", type=Path)
    parse.add_argument("--script", choices=ALL_SCRIPTS,
                       help="convert to this script first (default: as read)")
    parse.add_argument("--outline", action="store_true",
                       help="list the section numbers and titles instead (for --sections)")

    build = commands.add_parser("build", parents=[common, document],
                                help="write the editions of one or more sources")
    build.add_argument("sources", nargs="+", metavar="SOURCE",
                       help="wikitext files, folders of them, article URLs (fetched first), or a "
                            "MediaWiki XML dump (.xml, .xml.bz2)")
    build.add_argument("--out", default="build",
                       help="output folder (for a dump, also any fsspec URL: s3://bucket/books)")
    build.add_argument("--script", type=_list(ALL_SCRIPTS), default=None,
                       help="zh-Hans,zh-Hant (default both); regional editions: zh-CN,zh-TW,zh-HK")
    build.add_argument("--format", type=_list(FORMATS), default=FORMATS,
                       help="pdf,epub (default both)")
    build.add_argument("--paper", choices=sorted(PAPERS), default="a4")
    build.add_argument("--vertical", action="store_true",
                       help="set the EPUB top to bottom, right to left (<stem>.<script>.vertical.epub)")
    build.add_argument("--profile", choices=("book", "handout"), default="book",
                       help="handout: a classroom PDF (<stem>.<script>.handout.pdf)")
    build.add_argument("--booklet", action="store_true",
                       help="impose half-size pages two-up in saddle-stitch order")
    build.add_argument("--force", action="store_true",
                       help="rebuild editions whose inputs are unchanged")
    build.add_argument("--jobs", type=_positive, default=0,
                       help="worker processes (default: one a core)")
    build.add_argument("--wiki", help="read SOURCEs that are not files as titles on this wiki "
                       "and fetch them first (e.g. https://zh.wikipedia.org)")
    _add_fetch(commands, common)
    dump = build.add_argument_group("a MediaWiki XML dump as the SOURCE (.xml or .xml.bz2)")
    chosen = dump.add_mutually_exclusive_group()
    chosen.add_argument("--pages", type=Path, metavar="TITLES_FILE",
                        help="only the articles listed in this file, one title a line")
    chosen.add_argument("--category", default="", metavar="NAME",
                        help="only the articles in this category")
    dump.add_argument("--limit", type=int, default=0, metavar="N",
                      help="at most N articles")
    dump.add_argument("--scheduler", default="",
                      metavar="tcp://HOST:8786",
                      help="build on this Dask cluster (default: $DASK_SCHEDULER_ADDRESS, "
                           "else the local pool)")
    return parser


def _add_fetch(commands, common) -> None:
    """``publish fetch``: the one command (with ``build URL``) that touches the network."""
    fetch = commands.add_parser("fetch", parents=[common],
                                help="save articles from a wiki as sources (wikitext, metadata, "
                                     "images, expansions)")
    fetch.add_argument("articles", nargs="+", metavar="TITLE_OR_URL")
    fetch.add_argument("--wiki", default="https://zh.wikipedia.org",
                       help="the wiki that titles are on (default https://zh.wikipedia.org)")
    fetch.add_argument("--out", type=Path, default=Path("."), help="output folder")
    fetch.add_argument("--revision", type=int, default=0, metavar="ID",
                       help="this revision instead of the latest")


class _CliHandler(logging.StreamHandler):
    """The command line's own handler, so a second ``main()`` replaces it, not others'."""


def _configure_logging(level: int) -> None:
    """The package's messages, bare, on the current stderr (once per call of main)."""
    logger = logging.getLogger("publish")
    for handler in [h for h in logger.handlers if isinstance(h, _CliHandler)]:
        logger.removeHandler(handler)
    handler = _CliHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(logging.DEBUG if args.verbose else
                       logging.WARNING if args.quiet else logging.INFO)
    try:
        if args.command == "parse":
            return _parse(args)
        if args.command == "fetch":
            return _fetch(args)
        args.sources = _resolve_sources(args.sources, args.wiki)
        return _build(args)
    except PublishError as error:
        log.error("publish: error: %s", error)
        return 1
    except KeyboardInterrupt:
        log.error("publish: interrupted")
        return 130


def run() -> NoReturn:
    """The ``publish`` command: :func:`main` with three process-wide settings that tests calling
    :func:`main` in-process do not get (the processes a build forks inherit the first two)."""
    from .writers.libraries import ldconfig_lookup

    # A run is a short-lived batch that makes many objects and little cyclic garbage:
    # collecting every 200,000 allocations (as mypy does) instead of every 700 still bounds
    # memory. Measured with make bench's seed build, all four editions: without it 5% more
    # CPU time, and 15-28% more time against the bare render (on a loaded machine).
    gc.set_threshold(200_000, 30, 30)
    # WeasyPrint's library lookups from one ldconfig listing, without gcc and ld (see
    # libraries.py). Measured the same way: without it 13% more CPU time.
    with ldconfig_lookup():
        try:
            status = main()
        except SystemExit as stop:  # argparse: --help, or bad usage (it has printed why)
            status = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe: nothing more can be said
            stream.flush()
    # Every output is written and closed and every worker joined: exit without freeing the
    # heap object by object. It buys nothing where WeasyPrint ran in forked workers (they
    # end so already); where it ran here, measured on the zh-Hans PDF alone, without it 10%
    # more CPU time (the wall time on a loaded machine did not show it).
    os._exit(status)


def _parse(args) -> int:
    from .model import to_json
    from . import pipeline

    report = Report(source=str(args.source))
    if args.outline:
        # Numbered as --sections reads them: on the article as written.
        from .model import plain_text
        from .transforms.excerpt import outline
        from .transforms.script import convert_text

        document = pipeline.run(args.source, None, _options(args), report)
        for number, section in outline(document):
            title = plain_text(section.title).strip()
            title = convert_text(title, args.script) if args.script else title
            sys.stdout.write(f"{'  ' * number.count('.')}{number} {title}\n")
    else:
        document = pipeline.run(args.source, args.script,
                                _options(args, sections=args.sections,
                                         para_numbers=args.para_numbers), report)
        sys.stdout.write(to_json(document) + "\n")
    _print_report(report)
    return 0


def _build(args) -> int:
    from .build import build
    from .plan import SCRIPTS

    if any(_is_dump(source) for source in args.sources):
        return _build_dump(args)
    if args.pages or args.category or args.limit or args.scheduler:
        raise PublishError("--pages, --category, --limit and --scheduler take a dump "
                           "(.xml or .xml.bz2) as the SOURCE")
    options = _options(args, out_dir=Path(args.out), scripts=args.script or SCRIPTS,
                       scripts_asked=args.script is not None, formats=args.format,
                       paper=args.paper, vertical=args.vertical, force=args.force,
                       jobs=args.jobs, profile=args.profile, sections=args.sections,
                       para_numbers=args.para_numbers, booklet=args.booklet)
    reports = build(args.sources, options)
    for report in reports:
        _print_report(report)
    failed = [report for report in reports if report.error]
    for report in failed:
        log.error("publish: error: %s", report.error)
    return 1 if failed else 0


def _options(args, **fields):
    """The Options the arguments ask for (the reading options are common to every command)."""
    from .plan import Options

    reading = {"encoding": args.encoding}
    if args.max_size is not None:
        reading["max_size"] = args.max_size
    return Options(**reading, **fields)


def _fetch(args) -> int:
    from .sources.fetch import fetch

    if args.revision and len(args.articles) > 1:
        raise PublishError("--revision names one revision: give one article with it")
    for result in fetch(args.articles, args.out, wiki=args.wiki, revision=args.revision):
        _print_fetched(result)
    return 0


def _resolve_sources(sources: list[str], wiki: str | None) -> list[Path]:
    """Build's sources as files: an article URL (or, with ``--wiki``, a title that is not a
    file) is fetched into the cache folder first, unless its revision is there already. The
    network client is imported only when a source is remote."""
    resolved: list[Path] = []
    for source in sources:
        remote = "://" in source or (wiki is not None and not Path(source).exists())
        if not remote:
            resolved.append(Path(source))
            continue
        from .sources.fetch import DEFAULT_WIKI, cache_dir, fetch, parse_target

        target = parse_target(source, wiki or DEFAULT_WIKI)
        folder = cache_dir() / target.wiki.split("://", 1)[1].replace(":", "_")
        (result,) = fetch([source], folder, wiki=wiki or DEFAULT_WIKI)
        _print_fetched(result)
        resolved.append(result.source)
    return resolved


def _print_fetched(result) -> None:
    if result.unchanged:
        log.info("kept %s (revision %d, unchanged)", result.source, result.revision)
    else:
        log.info("fetched %s revision %d (%d images) into %s", result.title, result.revision,
                 result.images, result.source)
    for warning in result.warnings:
        log.warning("  %s", warning)


def _is_dump(path: Path) -> bool:
    """Whether ``path`` names a MediaWiki XML dump rather than wikitext (by name only: the
    dump reader and its libraries are imported for dumps alone)."""
    return path.name.lower().endswith((".xml", ".xml.bz2"))


def _build_dump(args) -> int:
    from .batch import MANIFEST, build_dump
    from .plan import SCRIPTS
    from .sources.dump import Selection

    if len(args.sources) != 1:
        raise PublishError("a dump is built on its own: give it as the only SOURCE")
    if args.limit < 0:
        raise PublishError("--limit takes a positive number")
    options = _options(args, scripts=args.script or SCRIPTS, formats=args.format,
                       paper=args.paper, vertical=args.vertical, force=args.force,
                       jobs=args.jobs, profile=args.profile, sections=args.sections,
                       para_numbers=args.para_numbers, booklet=args.booklet)
    selection = Selection.of(args.pages, args.category, args.limit)
    scheduler = args.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS", "").strip()
    result = build_dump(args.sources[0], selection, options, args.out, scheduler)
    log.info("%s", result.counts.summary())
    log.info("%d built, %d unchanged, %d failed in %.1f s on the %s; %s and index.html in %s",
             result.built, result.kept, result.failed, result.seconds, result.engine,
             MANIFEST, args.out)
    if result.failed:
        log.error("publish: error: %d of %d articles failed (see %s)", result.failed,
                  result.built + result.kept + result.failed, MANIFEST)
        return 1
    return 0


def _print_report(report: Report) -> None:
    """The build report, on stderr: outputs, then one line a warning."""
    for output in report.outputs:
        if output.endswith(" (unchanged)"):
            log.info("kept %s", output)
        else:
            log.info("wrote %s", output)
    if report.dropped_summary():
        log.warning("%s: %s", report.source, report.dropped_summary())
    if report.warnings:
        log.warning("%s: %d warning(s)", report.source, len(report.warnings))
        for warning in report.warnings:
            log.warning("  [%s] %s", warning.code, warning.message)
