"""Planning: sources and options → the stale editions to build (output paths, cache keys, tasks).

Nothing here reads a source's text beyond its digest: an edition whose key matches the
manifest's (see ``cache``) is kept, the others become one task per (source, script).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import fonts
from .cache import Manifest, edition_key, source_digest
from .readers import MAX_SOURCE_BYTES
from .report import PublishError, Report

__all__ = ["ALL_SCRIPTS", "FORMATS", "SCRIPTS", "Edition", "Options", "Task",
           "edition_path", "expand_sources", "plan"]

SCRIPTS = ("zh-Hans", "zh-Hant")
#: Every edition --script accepts: the two scripts, and regional editions with their own
#: vocabulary and glyph standards (publish.transforms.script.EDITIONS describes each).
ALL_SCRIPTS = (*SCRIPTS, "zh-CN", "zh-TW", "zh-HK")
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
    #: Sources larger than this many bytes are refused before they are read.
    max_size: int = MAX_SOURCE_BYTES
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
        return {"paper": self.paper, "encoding": self.encoding, "max_size": self.max_size, "vertical": self.vertical,
                "profile": self.profile, "sections": self.sections,
                "para_numbers": self.para_numbers, "booklet": self.booklet}


@dataclass(frozen=True)
class Edition:
    """Represents one edition to write, like ``build/中苏关系.zh-Hans.pdf`` with its cache key."""
    format: str
    path: Path
    key: str


@dataclass(frozen=True)
class Task:
    """Represents one (source, script) and its stale editions, like the seed in zh-Hant and its
    PDF; a source's tasks are adjacent."""
    source: Path
    script: str
    editions: tuple[Edition, ...]


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


def expand_sources(paths: list[Path]) -> list[Path]:
    """Folders stand for the wikitext files directly in them, in name order (a folder with
    none stays, to be reported); a source named twice is built once. Two sources with one stem
    would write the same editions: that is a :class:`PublishError` before anything is built."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = sorted(p for p in path.iterdir() if p.suffix in SOURCE_SUFFIXES) \
            if path.is_dir() else []
        for source in found or [path]:
            if source.resolve() not in seen:
                seen.add(source.resolve())
                out.append(source)
    stems: dict[str, Path] = {}
    for source in out:
        other = stems.setdefault(source.stem, source)
        if other is not source:
            raise PublishError(f"{other} and {source} would write the same editions "
                               f"({source.stem}.*); build them into different --out folders")
    return out


def plan(source: Path, options: Options, manifest: Manifest, report: Report) -> list[Task]:
    """The tasks for ``source``'s stale editions; its fresh ones are listed in ``report`` as
    unchanged and an unreadable source is a :class:`PublishError`."""
    if source.is_dir():
        raise PublishError(f"{source}: a folder without .wiki files")
    if not source.is_file():
        raise PublishError(f"cannot read {source}: no such file")
    try:
        inputs = source_digest(source)
    except OSError as error:
        raise PublishError(f"cannot read {error.filename}: {error.strerror}") from None
    from .readers.source import edition_tags

    tags = edition_tags(source, options.scripts, options.scripts_asked, options.encoding,
                        options.max_size)
    fonts.locate_all(tags)
    tasks: list[Task] = []
    for script in tags:
        faces = sorted({face.path for face in fonts.faces(script).values()})
        stale = []
        for fmt in options.formats:
            output = edition_path(source, options, script, fmt)
            key = edition_key(inputs, script, fmt, options.key_options(), faces)
            if not options.force and manifest.fresh(output, key):
                report.outputs.append(f"{output} (unchanged)")
                continue
            manifest.forget(output)
            stale.append(Edition(fmt, output, key))
        if stale:
            tasks.append(Task(source, script, tuple(stale)))
    return tasks
