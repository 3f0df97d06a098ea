"""The dump source: a small export-schema dump, read as a stream; what is taken and skipped."""
from __future__ import annotations

import bz2
import tomllib
from pathlib import Path

import pytest

from publish.cli import main
from publish.report import PublishError
from publish.sources.dump import DumpCounts, DumpReader, Selection, Site
from publish.sources.stems import safe_stem
from tests.dumps import corpus_dump, page_xml, write_dump


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return corpus_dump(tmp_path / "zhwiki-test-pages-articles.xml.bz2")


def articles(dump: Path, selection: Selection = Selection()) -> tuple[list, DumpCounts]:
    counts = DumpCounts()
    with DumpReader(dump, selection, counts) as reader:
        return list(reader.articles()), counts


def test_articles_are_taken_and_the_rest_counted(dump):
    found, counts = articles(dump)
    assert [a.title for a in found] == ["靜夜思", "古斯塔夫·克林姆", "空白条目", "君之代"]
    assert (counts.pages, counts.articles, counts.redirects, counts.disambiguations,
            counts.other_namespaces, counts.not_selected) == (7, 4, 1, 1, 1, 0)
    assert counts.position == counts.size  # the compressed file was read to its end


def test_metadata_is_what_publish_fetch_writes(dump):
    klimt = articles(dump)[0][1]
    meta = tomllib.loads(klimt.meta_toml())
    assert meta == {
        "title": "古斯塔夫·克林姆",
        "source_url": "https://zh.wikipedia.org/wiki/古斯塔夫·克林姆",
        "history_url": "https://zh.wikipedia.org/w/index.php?title=古斯塔夫·克林姆&action=history",
        "revision": 103, "timestamp": "2024-06-02T09:30:00Z",
        "licence": "CC BY-SA 4.0",
        "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
        "source_date": "2024-06-02"}
    assert klimt.text == (Path(__file__).parent / "articles" / "gustav_klimt.wiki").read_text(
        encoding="utf-8")


def test_limit_stops_reading(dump):
    found, counts = articles(dump, Selection(limit=1))
    assert [a.title for a in found] == ["靜夜思"]
    assert counts.pages == 1


def test_pages_file_and_category(dump, tmp_path):
    listed = tmp_path / "titles.txt"
    listed.write_text("# wanted\n君之代\n古斯塔夫·克林姆\n不存在的条目\n", encoding="utf-8")
    found, counts = articles(dump, Selection.of(listed))
    assert [a.title for a in found] == ["古斯塔夫·克林姆", "君之代"]
    assert counts.not_selected == 2
    in_category = [a.title for a in articles(dump, Selection.of(category="Category:日本歌曲"))[0]]
    assert in_category == ["君之代"]


def test_uncompressed_dump_and_site(tmp_path):
    path = write_dump(tmp_path / "small.xml", [page_xml("A/B: c?", "正文。", 1, 9)])
    found, _ = articles(path)
    assert found[0].stem == "A_B_ c_" == safe_stem("A/B: c?")
    assert found[0].meta["source_url"] == "https://zh.wikipedia.org/wiki/A/B:_c%3F"
    assert Site.from_base("", "", "https://en.wikipedia.org/wiki/Main_Page").article_path \
        == "/wiki/$1"


def test_disambiguation_by_magic_word_and_template_names(tmp_path):
    path = write_dump(tmp_path / "d.xml", [page_xml("甲", "甲可以指：\n__DISAMBIG__", 1, 9),
                                           page_xml("乙", "{{消歧義|人名}}", 2, 10),
                                           page_xml("丙", "{{Disambiguation needed}}正文。", 3, 11)])
    found, counts = articles(path)
    assert [a.title for a in found] == ["丙"] and counts.disambiguations == 2


def test_titles_that_make_one_file_name_get_two(tmp_path):
    path = write_dump(tmp_path / "d.xml", [page_xml("A/B", "甲。", 1, 9),
                                           page_xml("A:B", "乙。", 2, 10)])
    assert [a.stem for a in articles(path)[0]] == ["A_B", "A_B_2"]


def test_a_broken_dump_is_one_line(tmp_path, capsys):
    broken = tmp_path / "broken.xml.bz2"
    broken.write_bytes(bz2.compress(b"<mediawiki><siteinfo><base>https://zh.wikipedia.org/"
                                    b"wiki/X</base></siteinfo><page><title>A"))
    with pytest.raises(PublishError, match="cut short or malformed|not a readable"):
        articles(broken)
    assert main(["build", str(broken), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip().count("\n") <= 2


def test_dump_options_need_a_dump(tmp_path, capsys, monkeypatch):
    source = tmp_path / "a.wiki"
    source.write_text("正文。", encoding="utf-8")
    assert main(["build", str(source), "--limit", "3"]) == 1
    assert "take a dump" in capsys.readouterr().err
    # A scheduler in the environment is for dumps: a single source still builds here.
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    assert main(["build", str(source), "--format", "epub", "--script", "zh-Hans",
                 "--out", str(tmp_path / "out")]) == 0
