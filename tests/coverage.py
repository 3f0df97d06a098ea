"""Test helper: how much of a wikitext source's visible text reaches a book (PDF or EPUB).

The source side is computed from the wikitext alone, independently of the reader under test:
mwparserfromhell's ``strip_code`` gives the text MediaWiki shows outside templates (tables'
cells, lists, links' text, quotations …), ``<ref>`` contents and the text parameters of
templates named in ``text_templates`` (notes such as ``{{efn|…}}``) are added, and each line of
that is a segment. Both sides are normalised to simplified characters with OpenCC, white space
and punctuation removed; a segment's character n-grams are then looked up in the book's. The
share of n-grams found is the text that reached the book; segments with n-grams missing are
listed, worst first, so a loss can be read.

Usage::

    result = measure(wikitext, pdf_text(path))
    result.share        # 0.0 … 1.0
    result.missing[:5]  # [(segment, share of it found), …]
"""
from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import mwparserfromhell
import opencc
from lxml import etree

__all__ = ["NOTE_TEMPLATES", "Coverage", "measure", "segments", "normalise", "pdf_text",
           "epub_text"]

#: Templates whose text parameter (1 = the first positional one) a reader sees, as notes.
#: Other helpers extend the mapping they pass for the structures they add.
NOTE_TEMPLATES = {"efn": "1", "efn-ua": "1", "efn-lr": "1", "efn-la": "1", "notetag": "1",
                  "refn": "1", "#tag:ref": "1"}
_HIDDEN_LINKS = re.compile(r"^\s*:?\s*(category|分类|分類|file|image|文件|檔案|档案|图像|圖像)\s*:",
                           re.I)
_VARIANT = re.compile(r"-\{(?:[^{}|]*\|)?(?:\s*zh(?:-\w+)?\s*:)?([^;{}]*)[^{}]*\}-")
_KEEP = re.compile(r"[\w]")
_CATEGORY = ("category", "分类", "分類")
#: A table line of cells: its ``||`` and ``!!`` start cells of their own lines, so each cell is
#: a segment of its own.
_CELL_LINE = re.compile(r"^[ \t]*[|!](?![-}+])[^\n]*$", re.M)
_IMAGE_OPTION = re.compile(r"^(thumb|thumbnail|frame|frameless|left|right|center|none|"
                           r"upright.*|\d*x?\d+px|alt=.*|link=.*)?$")


@functools.cache
def _simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified characters, NFKC, case-folded; only letters, digits and CJK kept."""
    text = unicodedata.normalize("NFKC", text)
    text = _simplified().convert(text).casefold()
    return "".join(ch for ch in text if _KEEP.match(ch) and ch != "_")


def _strip(code) -> str:
    """``strip_code``, with categories removed and a file link replaced by its caption."""
    for link in code.filter_wikilinks(recursive=True):
        match = _HIDDEN_LINKS.match(str(link.title))
        if not match:
            continue
        caption = "" if link.text is None or match.group(1).casefold() in _CATEGORY \
            else str(link.text).split("|")[-1]
        if _IMAGE_OPTION.match(caption.strip()):
            caption = ""
        try:
            code.replace(link, caption)
        except ValueError:  # inside a link already replaced
            continue
    return code.strip_code(normalize=True, collapse=False)


def segments(wikitext: str, text_templates: dict[str, str] | None = None) -> list[str]:
    """The visible text of ``wikitext``, one segment a line, notes' texts after it."""
    templates = NOTE_TEMPLATES if text_templates is None else text_templates
    wikitext = _VARIANT.sub(r"\1", re.sub(r"<!--.*?-->", "", wikitext, flags=re.S))
    wikitext = _CELL_LINE.sub(lambda line: re.sub(r"\|\||!!", lambda m: "\n" + m.group(0)[0],
                                                  line.group(0)), wikitext)
    code = mwparserfromhell.parse(wikitext)
    extra: list[str] = []
    for tag in code.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() == "ref" and tag.contents is not None:
            extra.append(_strip(mwparserfromhell.parse(str(tag.contents))))
    for template in code.filter_templates(recursive=True):
        name = " ".join(str(template.name).replace("_", " ").split()).casefold()
        key = templates.get(name)
        if key is not None and template.has(key):
            extra.append(_strip(mwparserfromhell.parse(str(template.get(key).value))))
    text = _strip(code)
    lines = [line.strip() for chunk in (text, *extra) for line in chunk.split("\n")]
    return [line for line in lines if normalise(line)]


def _grams(text: str, n: int) -> list[str]:
    if len(text) <= n:
        return [text] if text else []
    return [text[i:i + n] for i in range(len(text) - n + 1)]


@dataclass
class Coverage:
    """Represents the measure of one source against one book's text."""
    total: int = 0
    found: int = 0
    missing: list[tuple[str, float]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 1.0


def measure(wikitext: str, book_text: str, n: int = 4,
            text_templates: dict[str, str] | None = None) -> Coverage:
    """How many of the source's visible character n-grams are in ``book_text``."""
    book = normalise(book_text)
    # A note call (1, 23, a) printed inside a sentence splits its n-grams: the book's text is
    # also read without digits and without Latin letters, so the sentence is still found.
    have = set(_grams(book, n))
    for variant in (re.sub(r"[0-9]", "", book), re.sub(r"[a-z]", "", book)):
        have.update(_grams(variant, n))
    result = Coverage()
    for segment in segments(wikitext, text_templates):
        text = normalise(segment)
        grams = _grams(text, n)
        # A segment shorter than n (a heading such as 历史) is looked for whole.
        hits = sum(1 for gram in grams if (gram in have if len(gram) == n else gram in book))
        result.total += len(grams)
        result.found += hits
        if hits < len(grams):
            result.missing.append((segment, hits / len(grams)))
    result.missing.sort(key=lambda item: (item[1], -len(item[0])))
    return result


def pdf_text(path: Path) -> str:
    """The text of a PDF, as pdftotext reads it."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def epub_text(path: Path) -> str:
    """The text of every XHTML document of an EPUB, in package order."""
    parts: list[str] = []
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                parts.append("".join(etree.fromstring(book.read(name)).itertext()))
    return "\n".join(parts)


def _main(argv: list[str]) -> int:
    """``python tests/coverage.py SOURCE.wiki BOOK.pdf|BOOK.epub …``: the share per book and
    the segments least found."""
    wikitext = Path(argv[0]).read_text(encoding="utf-8")
    for book in map(Path, argv[1:]):
        result = measure(wikitext, pdf_text(book) if book.suffix == ".pdf" else epub_text(book))
        print(f"{book.name}: {result.share:.2%} of {result.total} n-grams")
        for segment, share in result.missing[:10]:
            print(f"  {share:.0%}  {segment[:100]}")
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(_main(sys.argv[1:]))
