"""Test helper: how much of a wikitext source's visible text reaches a book (PDF or EPUB).

The source side is computed from the wikitext alone, independently of the reader under test:
mwparserfromhell's ``strip_code`` gives the text MediaWiki shows outside templates (tables'
cells, lists, links' text, quotations …); ``<ref>`` contents, ``<gallery>`` captions and the
text parameters of templates named in ``text_templates`` (notes such as ``{{efn|…}}``, and
templates that print their text as written, ``{{lang|en|…}}``, ``{{math|…}}``,
``{{Cquote|…}}``: see :data:`TEXT_TEMPLATES`) are added, and each line of that is a segment.
Both sides are normalised to simplified characters with OpenCC, white space and punctuation
removed; a segment's character n-grams are then looked up in the book's. The share of n-grams
found is the text that reached the book; segments with n-grams missing are listed, worst
first, so a loss can be read. Other templates' text (infoboxes, citations, navigation boxes)
is not measured: a template the reader has no rule for is named in the build's report
(``template-unknown``) with the characters it held.

What the source side leaves out, and why that is honest (each was a loss the measure made up,
read against the books' text):

- **A template, a ``<ref>`` or a formula ends a segment.** Their text is not measured where
  they stand (a note's text is measured on its own; a template's is not measured), so the text
  on either side of one must not be joined: 世界气象组织（{{lang-en|…}}，縮寫：WMO would make
  the 4-gram 组织缩写, which exists in no book, since the template's text stands between.
- **Formulas** (``<math>``, ``<chem>``, ``<ce>``) are not text: the PDF draws them (SVG, their
  TeX as the figure's alternative text) and the EPUB writes MathML. They are counted apart:
  each source formula must be in the book's formulas (:func:`pdf_formulas`,
  :func:`epub_formulas`) or, set as TeX where it could not be laid out, in its text.
- **The edition's script.** ``-{…}-`` markup is read as MediaWiki reads it for the edition
  (``zh-cn``/``zh-hans`` … branches for zh-Hans, ``zh-tw``/``zh-hant`` … for zh-Hant, nested
  markup and branches across lines included; ``-{H|…}-`` and ``-{T|…}-`` show nothing), and the
  article's own rules (``{{NoteTA|1=zh-tw:葉爾辛效應; zh-cn:叶利钦效应}}``, ``-{A|…}-``,
  ``-{H|…}-``) replace their other variants' words with the edition's, as the book does. A
  zh-Hant book went through OpenCC's s2tw (a mostly traditional run through t2s first), whose
  phrases t2s does not undo (极坐标 and 極坐標 → 極座標 → 极座标): for it both sides are
  normalised through t2s, s2tw, then t2s. Conversion groups (``{{NoteTA|G1=…}}``) are not in
  a source: a book built with the wiki's groups may show words the measure does not expect.
- **Printed addresses.** The PDF prints an external link's address after its text,
  （https://…）; the address is the writer's addition and cuts the sentence it stands in (登別棕熊
  牧場（…）中文介紹), so :func:`pdf_text` leaves it out.
- **The page.** pdftotext's reading order cuts a line at an inline formula, and a sentence
  running over a page is cut by the page's footnotes and the next one's running head:
  :func:`pdf_text` reads the PDF in drawing order and its page margins after the running text.
- **File links' options.** zhwiki's localised image options (缩略图, 左 …) are options, not
  captions.

Usage::

    result = measure(wikitext, pdf_text(path), script="zh-Hans",
                     formulas_found=pdf_formulas(path))
    result.share        # 0.0 … 1.0
    result.missing[:5]  # [(segment, share of it found), …]
    result.formulas_missing  # source formulas not in the book
"""
from __future__ import annotations

import functools
import html
import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import mwparserfromhell
import opencc
import pikepdf
from lxml import etree
from mwparserfromhell.nodes import Tag, Template

__all__ = ["NOTE_TEMPLATES", "TEXT_TEMPLATES", "Coverage", "measure", "segments", "formulas",
           "normalise", "pdf_text", "epub_text", "pdf_formulas", "epub_formulas"]

#: Templates whose text parameter (1 = the first positional one) a reader sees, as notes.
#: Other helpers extend the mapping they pass for the structures they add.
NOTE_TEMPLATES = {"efn": "1", "efn-ua": "1", "efn-lr": "1", "efn-la": "1", "notetag": "1",
                  "refn": "1", "#tag:ref": "1"}
#: Templates whose text MediaWiki prints as it is written, and the parameter holding it (``-1``
#: the last positional one; ``4|3`` the first of those given): measured as segments of their
#: own, as notes are. ``lang-xx`` and ``link-xx`` are matched by their prefix. Templates whose
#: text the wiki rewrites (``{{flag}}`` prints a localised country name) are left out.
TEXT_TEMPLATES = {**NOTE_TEMPLATES, "lang": "-1", "lang-": "1", "link-": "1", "le": "1",
                  "ill": "1", "tsl": "4|3", "math": "1", "mvar": "1", "nowrap": "1",
                  "engname": "1", "jpn": "j", "japanese": "1", "nihongo": "1",
                  "cquote": "1|quote|text", "quote": "1|quote|text",
                  "quotation": "1|quote|text", "blockquote": "1|quote|text",
                  "columns-list": "-1", "div col": "1", "font": "text|1", "red": "1",
                  "blue": "1", "green": "1", "serif": "1", "unicode": "1", "transl": "-1",
                  "center": "1|text", "align": "2|text", "block indent": "1|text",
                  "hidden": "content|2", "collapse top": "title|1", "audio": "2|label"}
_HIDDEN_LINKS = re.compile(r"^\s*:?\s*(category|分类|分類|file|image|文件|檔案|档案|图像|圖像)\s*:",
                           re.I)
#: An interlanguage link (``[[en:Foo]]``, no leading colon) is shown beside the page, not in it.
_INTERLANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z]+)*:")
#: Behaviour switches (``__NOTOC__``) are instructions to the wiki.
_SWITCH = re.compile(r"__[A-Z]+(?:_[A-Z]+)*__")
_KEEP = re.compile(r"[\w]")
_CATEGORY = ("category", "分类", "分類")
#: A table line of cells: its ``||`` and ``!!`` start cells of their own lines, so each cell is
#: a segment of its own.
_CELL_LINE = re.compile(r"^[ \t]*[|!](?![-}+])[^\n]*$", re.M)
#: Image options, in English and as zhwiki's localised magic words (缩略图 is thumb).
_IMAGE_OPTION = re.compile(r"^(thumb|thumbnail|缩略图|縮圖|缩图|frame|framed|frameless|border|"
                           r"left|right|center|centre|none|左|右|居中|无框|upright.*|"
                           r"\d*x?\d+px|(alt|link|page|lang|class)=.*)?$", re.I)
#: Tags whose content is not running text where it stands: notes (measured on their own) and
#: formulas (counted apart).
_BREAK_TAGS = ("ref", "math", "chem", "ce")
_FORMULA_TAGS = ("math", "chem", "ce")
#: MediaWiki's variant fallbacks for the two editions, best first.
_BRANCHES = {"zh-Hans": ("zh-hans", "zh-cn", "zh-sg", "zh-my", "zh"),
             "zh-Hant": ("zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh")}
_BRANCH_START = re.compile(r"(?:^|;)\s*(zh(?:-[a-z]+)?)\s*:", re.I)
_FLAGS = re.compile(r"^\s*([A-Za-z+\-]{1,3})\s*\|", re.S)
#: The addresses the print edition adds after a link's text, as pdftotext reads them (an
#: address broken across lines included).
_PRINTED_URL = re.compile(r"[（(]\s*(?:https?|ftp)://[^\s（）()]*(?:\s[^\s（）()]+)*[）)]")
_BBOX_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
                        r"([^<]*)</word>")


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def normalise(text: str, script: str = "zh-Hans") -> str:
    """Simplified characters, NFKC, case-folded; only letters, digits and CJK kept. For a
    zh-Hant edition the text goes through t2s and s2tw first, as the edition's did."""
    text = unicodedata.normalize("NFKC", text)
    if script == "zh-Hant":
        text = _converter("s2tw").convert(_converter("t2s").convert(text))
    text = _converter("t2s").convert(text).casefold()
    return "".join(ch for ch in text if _KEEP.match(ch) and ch != "_")


# ------------------------------------------------------------ -{ }- markup and rules

def _markup_spans(text: str) -> list[tuple[int, int]]:
    """The outermost ``-{…}-`` spans of ``text`` (start, end), nested markup inside; a ``}-``
    inside a template of the markup (``-{zh-cn:{{Cquote|…}}}-``) does not close it, and
    ``-{{`` opens a template, not markup."""
    spans: list[tuple[int, int]] = []
    depth = templates = start = index = 0
    while index < len(text) - 1:
        pair = text[index:index + 2]
        if pair == "-{" and not text.startswith("-{{", index):
            if depth == 0:
                start, templates = index, 0
            depth += 1
        elif pair == "{{" and depth:
            templates += 1
        elif pair == "}}" and depth and templates:
            templates -= 1
        elif pair == "}-" and depth and not templates:
            depth -= 1
            if depth == 0:
                spans.append((start, index + 2))
        else:
            index += 1
            continue
        index += 2
    return spans


def _branches(body: str) -> dict[str, str]:
    """``zh-cn:甲;zh-tw:乙`` → {"zh-cn": "甲", "zh-tw": "乙"}; {} for text without branches.
    A branch ends only where the next ``zh…:`` begins (its text may hold ``;``)."""
    starts = list(_BRANCH_START.finditer(body))
    if not starts or starts[0].start() != 0 and body[:starts[0].start()].strip():
        return {}
    branches = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        branches[match.group(1).lower()] = body[match.end():end].strip()
    return branches


def _choose(branches: dict[str, str], script: str) -> str:
    for code in _BRANCHES[script]:
        if code in branches:
            return branches[code]
    return next(iter(branches.values()), "")


def _resolve(text: str, script: str, rules: list[dict[str, str]]) -> str:
    """``-{…}-`` markup → what the edition shows; rules (``A``, ``H``) are added to ``rules``."""
    out, position = [], 0
    for start, end in _markup_spans(text):
        out.append(text[position:start])
        position = end
        body = text[start + 2:end - 2]
        flags = _FLAGS.match(body)
        flag = flags.group(1).upper() if flags else ""
        if flags and set(flag) <= set("AHTRDN+-"):
            body = body[flags.end():]
        else:
            flag = ""
        branches = _branches(body)
        if flag in ("A", "H") and branches:
            rules.append(branches)
        if flag in ("H", "T", "-", "D"):
            continue
        shown = _choose(branches, script) if branches and flag != "R" else body
        out.append(_resolve(shown, script, rules))
    out.append(text[position:])
    return "".join(out)


def _note_ta_rules(code) -> list[dict[str, str]]:
    """The numbered rules of ``{{NoteTA|1=zh-cn:…; zh-tw:…}}`` (groups are not in a source)."""
    rules = []
    for template in code.filter_templates(recursive=True):
        if str(template.name).strip().casefold() != "noteta":
            continue
        for param in template.params:
            if str(param.name).strip().isdigit():
                branches = _branches(str(param.value).strip().rstrip(";"))
                if branches:
                    rules.append(branches)
    return rules


def _apply_rules(text: str, rules: list[tuple[str, list[str]]]) -> str:
    for word, others in rules:
        for other in others:
            text = text.replace(other, word)
    return text


def _normalised_rules(rules: list[dict[str, str]], script: str) -> list[tuple[str, list[str]]]:
    """Each rule as (the edition's word, the other words), normalised, longest first."""
    out = []
    for branches in rules:
        word = normalise(_choose(branches, script), script)
        others = sorted({normalise(other, script) for other in branches.values()} - {word, ""},
                        key=len, reverse=True)
        if others:
            out.append((word, others))
    return sorted(out, key=lambda rule: -len(rule[1][0]))


# ------------------------------------------------------------ segments

def _strip(code) -> str:
    """``strip_code`` with categories removed, a file link replaced by its caption, and each
    template, ``<ref>`` and formula replaced by a line break (the end of a segment)."""
    for node in code.filter(recursive=True, forcetype=(Template, Tag)):
        if isinstance(node, Tag) and str(node.tag).strip().lower() not in _BREAK_TAGS:
            continue
        try:
            code.replace(node, "\n")
        except ValueError:  # inside a node already replaced
            continue
    for link in code.filter_wikilinks(recursive=True):
        match = _HIDDEN_LINKS.match(str(link.title))
        if not match:
            if _INTERLANGUAGE.match(str(link.title)):
                try:
                    code.replace(link, "")
                except ValueError:  # inside a link already replaced
                    pass
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


def _source(wikitext: str, script: str) -> tuple[str, list[dict[str, str]]]:
    """The wikitext without comments, its ``-{ }-`` markup read for ``script``, and the
    article's conversion rules."""
    rules: list[dict[str, str]] = []
    wikitext = _resolve(_SWITCH.sub("", re.sub(r"<!--.*?-->", "", wikitext, flags=re.S)),
                        script, rules)
    return wikitext, rules


def segments(wikitext: str, text_templates: dict[str, str] | None = None,
             script: str = "zh-Hans") -> list[str]:
    """The visible text of ``wikitext`` in the ``script`` edition, one segment a line, notes'
    texts after it."""
    return _segments(wikitext, text_templates, script)[0]


def _segments(wikitext: str, text_templates: dict[str, str] | None,
              script: str) -> tuple[list[str], list[dict[str, str]]]:
    templates = TEXT_TEMPLATES if text_templates is None else text_templates
    wikitext, rules = _source(wikitext, script)
    wikitext = _CELL_LINE.sub(lambda line: re.sub(r"\|\||!!", lambda m: "\n" + m.group(0)[0],
                                                  line.group(0)), wikitext)
    code = mwparserfromhell.parse(wikitext)
    rules += _note_ta_rules(code)
    extra: list[str] = []
    for tag in code.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() == "ref" and tag.contents is not None:
            extra.append(_strip(mwparserfromhell.parse(str(tag.contents))))
    for tag in code.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() == "gallery" and tag.contents is not None:
            extra += [_strip(mwparserfromhell.parse(caption))
                      for caption in _gallery_captions(str(tag.contents))]
    for template in code.filter_templates(recursive=True):
        value = _text_parameter(template, templates)
        # Inside a template whose text is not measured (a sister-project box, an infobox),
        # a text template is not measured either; a note is, as a <ref> is, wherever it is.
        if value is not None and (_name(template) in NOTE_TEMPLATES or all(
                _text_parameter(outer, templates) is not None
                for outer in code.get_ancestors(template) if isinstance(outer, Template))):
            extra.append(_strip(mwparserfromhell.parse(value)))
    text = _strip(code)
    lines = [line.strip() for chunk in (text, *extra) for line in chunk.split("\n")]
    return [line for line in lines if normalise(line)], rules


def _gallery_captions(contents: str) -> list[str]:
    """A ``<gallery>``'s captions: on each ``File:name|option|caption`` line, the last part
    that is not an option (``|`` inside ``[[ ]]`` and ``{{ }}`` does not split)."""
    captions = []
    for line in contents.split("\n"):
        parts, depth, start = [], 0, 0
        for index, char in enumerate(line):
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(depth - 1, 0)
            elif char == "|" and depth == 0:
                parts.append(line[start:index])
                start = index + 1
        parts.append(line[start:])
        kept = [part for part in parts[1:] if not _IMAGE_OPTION.match(part.strip())]
        if kept:
            captions.append(kept[-1])
    return captions


def _name(template) -> str:
    return " ".join(str(template.name).replace("_", " ").split()).casefold()


def _text_parameter(template, templates: dict[str, str]) -> str | None:
    """The text a template in ``templates`` prints, or None."""
    name = _name(template)
    key = templates.get(name)
    if key is None and "-" in name:
        key = templates.get(name.split("-")[0] + "-")
    if key is None:
        return None
    positional = [param for param in template.params if str(param.name).strip().isdigit()]
    for choice in key.split("|"):
        if choice == "-1":
            param = positional[-1] if positional else None
        else:
            param = template.get(choice) if template.has(choice) else None
        if param is not None and str(param.value).strip():
            return str(param.value)
    return None


def formulas(wikitext: str) -> list[str]:
    """The TeX of every non-empty ``<math>``, ``<chem>``, ``<ce>`` and ``{{tmath}}`` of the
    source."""
    code = mwparserfromhell.parse(re.sub(r"<!--.*?-->", "", wikitext, flags=re.S))
    found = [str(tag.contents).strip() for tag in code.filter_tags(recursive=True)
             if str(tag.tag).strip().lower() in _FORMULA_TAGS and tag.contents is not None]
    found += [str(template.get("1").value).strip()
              for template in code.filter_templates(recursive=True)
              if _name(template) == "tmath" and template.has("1")]
    return [tex for tex in found if tex]


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
    formulas: int = 0
    formulas_missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 1.0


def _tex_key(tex: str) -> str:
    return re.sub(r"\s+", "", tex)


def measure(wikitext: str, book_text: str, n: int = 4,
            text_templates: dict[str, str] | None = None, script: str = "zh-Hans",
            formulas_found: list[str] | None = None) -> Coverage:
    """How many of the source's visible character n-grams are in ``book_text``, the book being
    the ``script`` edition; with ``formulas_found`` (the book's formulas' TeX), which of the
    source's formulas are neither there nor in the text."""
    book = normalise(book_text, script)
    # A note call (1, 23, a) printed inside a sentence splits its n-grams: the book's text is
    # also read without digits and without Latin letters, so the sentence is still found.
    have = set(_grams(book, n))
    for variant in (re.sub(r"[0-9]", "", book), re.sub(r"[a-z]", "", book)):
        have.update(_grams(variant, n))
    result = Coverage()
    source, rules = _segments(wikitext, text_templates, script)
    rules_normalised = _normalised_rules(rules, script)
    for segment in source:
        text = _apply_rules(normalise(segment, script), rules_normalised)
        grams = _grams(text, n)
        # A segment shorter than n (a heading such as 历史) is looked for whole.
        hits = sum(1 for gram in grams if (gram in have if len(gram) == n else gram in book))
        result.total += len(grams)
        result.found += hits
        if hits < len(grams):
            result.missing.append((segment, hits / len(grams)))
    result.missing.sort(key=lambda item: (item[1], -len(item[0])))
    if formulas_found is not None:
        found = {_tex_key(tex) for tex in formulas_found}
        flat = _tex_key(book_text)
        source_formulas = formulas(wikitext)
        result.formulas = len(source_formulas)
        result.formulas_missing = [tex for tex in source_formulas
                                   if _tex_key(tex) not in found and _tex_key(tex) not in flat]
    return result


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext reads it, in the order it is drawn (``-raw``: a line cut
    by inline formulas is read whole), the running text first and the smaller type after it,
    without the addresses printed after links.

    A page's footnotes stand between its last line and the next page's first; read in page
    order, a sentence running over the page would be cut by them (阿扁的风度值得肯 … notes …
    定。), and its running head too (值得肯 总统提名 定。). So the small type below a page's
    last line of body type (the size most of the text is set in) and above its first is read
    after all the pages, in the order drawn."""
    markup = subprocess.run(["pdftotext", "-raw", "-bbox", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, text=True, check=True).stdout
    pages = [[(float(y_min), float(y_max), html.unescape(text))
              for y_min, y_max, text in _BBOX_WORD.findall(page)]
             for page in markup.split("<page ")[1:]]
    sizes: Counter[float] = Counter()
    for page in pages:
        for y_min, y_max, text in page:
            sizes[round(y_max - y_min, 1)] += len(text)
    body = sizes.most_common(1)[0][0] * 0.95 if sizes else 0.0
    running: list[str] = []
    notes: list[str] = []
    for page in pages:
        # The page's margins: the small type above its first line of body type (the running
        # head) and below its last (the notes, the page number).
        lines = [(y_min, y_max) for y_min, y_max, _ in page if y_max - y_min >= body]
        top = min((y_min for y_min, _ in lines), default=0.0)
        bottom = max((y_max for _, y_max in lines), default=0.0)
        for y_min, y_max, text in page:
            margin = y_max - y_min < body and (y_min >= bottom or y_max <= top)
            (notes if margin else running).append(text)
    return _PRINTED_URL.sub("", " ".join(running) + "\n" + " ".join(notes))


def epub_text(path: Path) -> str:
    """The text of every XHTML document of an EPUB, in package order."""
    parts: list[str] = []
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                parts.append("".join(etree.fromstring(book.read(name)).itertext()))
    return "\n".join(parts)


def pdf_formulas(path: Path) -> list[str]:
    """The alternative texts of a PDF's figures (a formula's is its TeX), from its structure
    tree."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        stack = [pdf.Root.get("/StructTreeRoot")]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Array):
                stack.extend(item)
            elif isinstance(item, pikepdf.Dictionary):
                if item.get("/S") == pikepdf.Name.Figure and "/Alt" in item:
                    found.append(str(item.Alt))
                if "/K" in item:
                    stack.append(item.K)
    return found


def epub_formulas(path: Path) -> list[str]:
    """The TeX of an EPUB's MathML formulas (their ``alttext``)."""
    found: list[str] = []
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(book.read(name))
                found += [math.get("alttext", "") for math in
                          root.iter("{http://www.w3.org/1998/Math/MathML}math")]
    return found


def _main(argv: list[str]) -> int:
    """``python tests/coverage.py [--script zh-Hant] SOURCE.wiki BOOK.pdf|BOOK.epub …``: the
    share per book, the segments least found and the formulas missing."""
    script = "zh-Hans"
    if argv[:1] == ["--script"]:
        script, argv = argv[1], argv[2:]
    wikitext = Path(argv[0]).read_text(encoding="utf-8")
    for book in map(Path, argv[1:]):
        pdf = book.suffix == ".pdf"
        result = measure(wikitext, pdf_text(book) if pdf else epub_text(book), script=script,
                         formulas_found=pdf_formulas(book) if pdf else epub_formulas(book))
        print(f"{book.name}: {result.share:.2%} of {result.total} n-grams; "
              f"{result.formulas - len(result.formulas_missing)} of {result.formulas} formulas")
        for segment, share in result.missing[:10]:
            print(f"  {share:.0%}  {segment[:100]}")
        for tex in result.formulas_missing[:5]:
            print(f"  formula missing: {tex[:100]}")
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(_main(sys.argv[1:]))
