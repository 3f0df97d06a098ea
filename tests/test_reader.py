"""Reader: small wikitext cases → expected documents (tests/cases/reader.txt), and the notes."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import compact, compact_document, read
from publish.model import Figure, plain_text
from publish.readers.source import read as read_file
from publish.report import PublishError, Report
from publish.transforms import citations

CASES = Path(__file__).parent / "cases" / "reader.txt"


def _cases():
    text = CASES.read_text(encoding="utf-8")
    for chunk in text.split("\n### ")[1:]:
        name, rest = chunk.split("\n", 1)
        source, expected = rest.split("\n---\n", 1)
        lines = expected.strip().splitlines()
        warnings = lines[1].removeprefix("warnings:").split() \
            if len(lines) > 1 and lines[1].startswith("warnings:") else []
        yield pytest.param(source, lines[0], warnings, id=name)


@pytest.mark.parametrize("source, expected, warnings", list(_cases()))
def test_case(source, expected, warnings):
    document, report = read(source)
    assert compact_document(document) == expected
    assert report.codes() == warnings


def test_categories_become_subjects():
    document, _ = read("正文\n[[Category:中苏关系|]]\n[[分类:蘇聯雙邊關係|中]]")
    assert document.meta.subjects == ("中苏关系", "蘇聯雙邊關係")


def test_sources_are_formatted_in_chinese_style():
    document, _ = _read_cited(
        '甲<ref name="a">{{cite book |editor=[[现代教育研究社]]编辑委员会 |title=《书名》'
        '|location=香港 |publisher=某出版社 |year=1993 |author=[[王尔敏]]校订 |isbn=962-11-2588-X}}'
        '</ref>乙<ref>{{cite news|title=〈报道〉|work=《明报》|date=2015-08-09|page=A12版}}</ref>'
        '丙<ref>{{Cite news|url=http://example.org/x|title=追忆|author=李景贤|work=某网}}</ref>')
    full = [plain_text(source.full) for source in document.sources]
    assert full == [
        "王尔敏校订；现代教育研究社编辑委员会编：《书名》，香港：某出版社，1993年",
        "〈报道〉，《明报》，2015年8月9日，A12版",
        "李景贤：〈追忆〉，《某网》",
    ]
    assert [source.isbn for source in document.sources] == ["962-11-2588-X", "", ""]
    assert plain_text(document.sources[0].short) == "王尔敏：《书名》"
    assert document.sources[2].url == "http://example.org/x"


def _read_cited(wikitext: str, script: str = "zh-Hans"):
    """(document, report) with the sources' citations formatted for ``script``."""
    document, report = read(wikitext)
    return citations.apply(document, script, report), report


def test_a_figure_whose_file_exists_is_kept(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    Image.new("RGB", (8, 8), "white").save(media / "map.png")  # a real image: media are checked
    document, report = read("[[File:map.png|缩略图|地图说明]]\n正文", media_dir=media)
    figure = document.blocks[0]
    assert isinstance(figure, Figure)
    assert (figure.file, figure.path, compact(figure.caption)) == \
        ("map.png", "media/map.png", '"地图说明"')
    assert report.codes() == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", ".hidden.png"])
def test_file_names_outside_the_media_folder_are_refused(tmp_path, name):
    document, report = read(f"[[File:{name}|thumb]]正文", media_dir=tmp_path)
    assert not any(isinstance(block, Figure) for block in document.blocks)
    assert "media-refused" in report.codes()


def test_invalid_utf8_names_the_byte_offset(tmp_path):
    source = tmp_path / "bad.wiki"
    source.write_bytes("正文".encode() + b"\xff\xfe")
    with pytest.raises(PublishError, match=r"bad.wiki: not valid utf-8 at byte 6"):
        read_file(source, Report())


def test_an_empty_source_is_an_error(tmp_path):
    source = tmp_path / "empty.wiki"
    source.write_text(" \n\n", encoding="utf-8")
    with pytest.raises(PublishError, match="empty"):
        read_file(source, Report())


def test_control_characters_are_removed_with_a_warning():
    document, report = read("甲\x00乙\x1b丙\ufffe丁\u202e戊")
    assert compact_document(document) == 'P("甲乙丙丁戊")'
    assert report.codes() == ["invalid-characters"]


def test_metadata_from_the_toml_beside_the_source(tmp_path):
    source = tmp_path / "a.wiki"
    source.write_text("正文", encoding="utf-8")
    source.with_suffix(".toml").write_text('title = "标题"\nsource_url = "https://x"\n',
                                           encoding="utf-8")
    document = read_file(source, Report())
    assert (document.meta.title, document.meta.source_url) == ("标题", "https://x")
