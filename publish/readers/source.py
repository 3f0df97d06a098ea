"""Reader stage, source I/O: a ``.wiki`` file and its ``<stem>.toml`` → a Document.

Reads and decodes the file, loads the metadata, the stored template expansions and the
conversion groups (``<stem>.cgroups.json``) beside it, and hands the text to
:func:`publish.readers.wikitext.read_text` with the source's media folder.
"""
from __future__ import annotations

import codecs
import dataclasses
import json
import stat
import tomllib
from pathlib import Path
from typing import Any

from ..labels import LABELS
from ..media import Media
from ..model import Credit, Document, Meta
from ..report import PublishError, Report
from . import MAX_SOURCE_BYTES
from .language import obvious_language
from .runs import clean_text

__all__ = ["read", "read_bytes", "decode", "load_meta", "load_groups", "edition_tags",
           "source_language"]


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
    texts = {"title", "source_url", "history_url", "licence", "licence_url", "source_date",
             "display_title", "revision", "timestamp", "language", "redirected_from"}
    lists = {"variants", "categories"}
    for key in sorted(set(data) - texts - lists - {"media"}):
        report.warn("metadata-unknown", f"{meta_path.name}: unknown key {key!r} ignored")
    fields: dict[str, Any] = {key: clean_text(str(value), report).strip()
                              for key, value in data.items() if key in texts}
    for key in lists & set(data):
        values = data[key] if isinstance(data[key], list) else [data[key]]
        fields[key] = tuple(clean_text(str(value), report).strip() for value in values)
    fields["credits"] = _credits(data.get("media", []), meta_path.name, report)
    if not fields.get("source_url"):
        report.warn("metadata-missing",
                    f"no source_url in {meta_path.name}: the licence page says the article's "
                    f"address and revision are unknown (add source_url and history_url to "
                    f"{meta_path.name})")
    # An empty title is found by the reader ({{DISPLAYTITLE}}, the lead's bold subject) or
    # falls back to the file name in read().
    fields.setdefault("title", "")
    return Meta(**fields)


def _credits(tables, name: str, report: Report) -> tuple[Credit, ...]:
    """The ``[[media]]`` tables: one image's credit each (file, title, artist, licence,
    licence_url, source_url); a table without a plain ``file`` name is ignored."""
    fields = {field.name for field in dataclasses.fields(Credit)}
    credits = []
    for table in tables if isinstance(tables, list) else [tables]:
        file = str(table.get("file", "")) if isinstance(table, dict) else ""
        if not file or "/" in file or "\\" in file or file.startswith("."):
            report.warn("metadata-invalid", f"{name}: a [[media]] entry without a plain file "
                        "name ignored")
            continue
        credits.append(Credit(**{key: clean_text(str(value), report).strip()
                                 for key, value in table.items() if key in fields}))
    return tuple(credits)


def load_groups(source: Path, report: Report) -> dict[str, tuple[str, ...]]:
    """Read ``<stem>.cgroups.json`` beside the source, if any: the conversion groups
    ``{{NoteTA|G1=…}}`` names, as ``{"groups": {"IT": ["zh-cn:信息; zh-tw:資訊;", …]}}``
    (each string a rule as in Module:CGroup/IT)."""
    path = source.with_name(source.stem + ".cgroups.json")
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        report.warn("cgroups-invalid", f"{path.name}: {error}; no conversion groups read")
        return {}
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        report.warn("cgroups-invalid", f"{path.name}: no \"groups\" object; no conversion "
                    "groups read")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, rules in groups.items():
        if isinstance(rules, list) and all(isinstance(rule, str) for rule in rules):
            out[str(name)] = tuple(rules)
        else:
            report.warn("cgroups-invalid", f"{path.name}: group {name!r} is not a list of "
                        "rule strings; ignored")
    return out


def read(source: Path, report: Report, encoding: str = "utf-8",
         max_bytes: int = MAX_SOURCE_BYTES) -> Document:
    """Read the wikitext file ``source`` (and its ``.toml`` metadata) into a document."""
    # The parser is imported here, not with this module: planning asks only for the language.
    from . import expansions
    from .wikitext import read_text

    raw = read_bytes(source, max_bytes)
    text = decode(raw, encoding, source)
    if not text.strip():
        raise PublishError(f"{source}: the source is empty")
    meta = load_meta(source, report)
    document = read_text(text, report, meta, media=Media.of(source),
                         expansions=expansions.load(source, report),
                         groups=load_groups(source, report))
    if not document.meta.title:
        document = dataclasses.replace(
            document, meta=dataclasses.replace(document.meta, title=source.stem))
    return document


def source_language(source: Path, encoding: str = "utf-8",
                    max_bytes: int = MAX_SOURCE_BYTES) -> str:
    """The article's language: ``language`` in ``<stem>.toml``, else detected from its text."""
    meta = load_meta(source, Report())
    if meta.language:
        return meta.language
    text = decode(read_bytes(source, max_bytes), encoding, source)
    obvious = obvious_language(text)
    if obvious:
        return obvious
    import mwparserfromhell

    from .language import detect_language

    return detect_language(mwparserfromhell.parse(text))


def edition_tags(source: Path, scripts: tuple[str, ...], scripts_asked: bool,
                 encoding: str = "utf-8", max_bytes: int = MAX_SOURCE_BYTES) -> tuple[str, ...]:
    """The editions of ``source``: each of ``scripts`` for a Chinese article; one edition in
    its language for an English one (asking for scripts then is an error); an error for a
    language the books have no words for."""
    language = source_language(source, encoding, max_bytes)
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


def read_bytes(source: Path, max_bytes: int = MAX_SOURCE_BYTES) -> bytes:
    """The source's bytes: a regular file of at most ``max_bytes`` (a FIFO, a device or
    ``/dev/zero`` is refused before reading, so nothing blocks or grows without end)."""
    try:
        # stat before open: opening a FIFO blocks until something writes to it.
        if not stat.S_ISREG(source.stat().st_mode):
            raise PublishError(f"{source}: not a regular file")
        with source.open("rb") as file:
            raw = file.read(max_bytes + 1)
    except OSError as error:
        raise PublishError(f"cannot read {source}: {error.strerror}") from None
    if len(raw) > max_bytes:
        raise PublishError(f"{source}: larger than {_megabytes(max_bytes)}, the most a wiki "
                           "article holds (--max-size raises the bound)")
    return raw


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB"


#: Byte order marks and the encodings they announce; a mark wins over the encoding asked for.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
#: Encodings Chinese text is commonly saved in, tried (in this order) to name the likely one
#: when the file is not in the encoding asked for.
_LIKELY = ("utf-8", "gb18030", "big5", "utf-16")


def decode(raw: bytes, encoding: str, source: Path) -> str:
    """The source's text: a byte order mark honoured, else ``encoding``; an undecodable file is
    one line naming the file, the byte offset and the encoding it most likely is."""
    for mark, marked in _BOMS:
        if raw.startswith(mark):
            encoding = marked
            break
    try:
        return raw.decode(encoding)
    except LookupError:
        raise PublishError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        likely = next((name for name in _LIKELY if name != encoding and _decodes(raw, name)),
                      "")
        hint = f"; it looks like {likely} (use --encoding {likely})" if likely else \
            " (use --encoding to name the file's encoding)"
        raise PublishError(f"{source}: not valid {encoding} at byte {error.start}{hint}") \
            from None


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    # UTF-16 decodes most even-length byte strings; believe it only for mostly-printable text.
    return encoding != "utf-16" or sum(ch.isprintable() or ch in "\n\r\t" for ch in text) \
        > 0.95 * len(text)
