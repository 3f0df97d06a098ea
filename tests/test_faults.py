"""Faults, round two: line endings, byte order marks, undecodable files and deep lists read as
their author meant, or end in one line naming the file — never a traceback."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from publish.cli import main
from publish.model import BulletList, Text, to_json, walk
from publish.readers.repair import MAX_LIST_DEPTH
from publish.readers.source import read
from publish.readers.wikitext import read_text
from publish.report import PublishError, Report

ARTICLE = """'''山中'''是一个故事。
== 山中故事 ==
* 甲
** 乙
# 丙
第一行
第二行<ref>来源</ref>

{|
| 格 || 子
|}
=== 下一节 ===
<pre>pre
text</pre>
"""


def _document(text: str):
    report = Report()
    return read_text(text, report), report


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_crlf_and_lone_cr_read_exactly_as_lf(newline):
    expected, expected_report = _document(ARTICLE)
    document, report = _document(ARTICLE.replace("\n", newline))
    assert to_json(document) == to_json(expected)
    assert report.codes() == expected_report.codes()
    assert "heading-unclosed" not in report.codes()


@pytest.mark.parametrize("encoding, mark", [
    ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE)], ids=["utf-8", "utf-16-le", "utf-16-be"])
def test_a_byte_order_mark_is_honoured(tmp_path: Path, encoding, mark):
    source = tmp_path / "a.wiki"
    source.write_bytes(mark + ARTICLE.replace("\n", "\r\n").encode(encoding))
    document = read(source, Report())
    expected, _ = _document(ARTICLE)
    assert (document.blocks, document.sections, document.sources) == \
        (expected.blocks, expected.sections, expected.sources)


@pytest.mark.parametrize("encoding", ["gb18030", "big5"])
def test_an_undecodable_file_names_the_file_the_offset_and_the_likely_encoding(
        tmp_path: Path, encoding):
    source = tmp_path / "a.wiki"
    source.write_bytes("abc 中文的段落。".encode(encoding))
    with pytest.raises(PublishError) as caught:
        read(source, Report())
    message = str(caught.value)
    assert str(source) in message and "at byte 4" in message
    assert f"--encoding {encoding}" in message or "--encoding gb18030" in message
    assert "\n" not in message


def test_an_undecodable_file_is_one_line_and_exit_1(tmp_path: Path, capsys):
    source = tmp_path / "a.wiki"
    source.write_bytes("中文".encode("gb18030"))
    assert main(["parse", str(source)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "a.wiki" in err and "gb18030" in err


def test_a_list_nested_2000_deep_is_set_at_the_bounded_depth():
    text = "\n".join("*" * depth + f" 第{depth}层" for depth in range(1, 2001)) + "\n\n句末哨兵"
    document, report = _document(text)
    assert "list-too-deep" in report.codes()
    depth, node = 0, document.blocks[0]
    while isinstance(node, BulletList):
        depth += 1
        node = node.items[-1].sublists[-1] if node.items[-1].sublists else None
    assert depth == MAX_LIST_DEPTH
    texts = "".join(n.text for n in walk(document) if isinstance(n, Text))
    assert "第2000层" in texts and "句末哨兵" in texts


@pytest.mark.e2e
def test_a_list_nested_150_deep_builds_every_edition(tmp_path: Path):
    source = tmp_path / "deep.wiki"
    source.write_text("\n".join("*" * depth + f" 第{depth}层" for depth in range(1, 151))
                      + "\n\n句末哨兵", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir() if p.suffix in (".pdf", ".epub")) == [
        "deep.zh-Hans.epub", "deep.zh-Hans.pdf", "deep.zh-Hant.epub", "deep.zh-Hant.pdf"]
