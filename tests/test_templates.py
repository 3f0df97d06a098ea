"""Templates and citations: the template table's families (tests/cases/templates.txt), cite
templates formatted per edition (tests/cases/citations.txt), labels, language, metadata."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import compact_document, read
from publish import transforms
from publish.labels import LABELS, base_tag, labels
from publish.model import ExternalLink, plain_text, walk
from publish.readers.source import edition_tags, read as read_file
from publish.report import PublishError, Report
from publish.transforms import citations

CASES = Path(__file__).parent / "cases"
ARTICLES = Path(__file__).parent / "articles"


def _chunks(name: str):
    text = (CASES / name).read_text(encoding="utf-8")
    for chunk in text.split("\n### ")[1:]:
        title, rest = chunk.split("\n", 1)
        source, expected = rest.split("\n---\n", 1)
        yield title, source, expected.strip().splitlines()


@pytest.mark.parametrize("source, expected, warnings", [
    pytest.param(source, lines[0], lines[1].removeprefix("warnings:").split()
                 if len(lines) > 1 else [], id=title)
    for title, source, lines in _chunks("templates.txt")])
def test_template_case(source, expected, warnings):
    document, report = read(source)
    assert compact_document(document) == expected
    assert report.codes() == warnings


@pytest.mark.parametrize("source, expected", [
    pytest.param(source, dict(line.split(": ", 1) for line in lines), id=title)
    for title, source, lines in _chunks("citations.txt")])
def test_citation_case(source, expected):
    document, report = read(f"甲<ref>{source}</ref>")
    assert document.sources[0].citation, "read as a structured citation"
    zh = citations.apply(document, "zh-Hans", report).sources[0]
    en = citations.apply(document, "en", report).sources[0]
    assert plain_text(zh.full) == expected["zh-Hans"]
    assert plain_text(en.full) == expected["en"]
    assert plain_text(zh.short) == expected["short"]
    assert report.codes() == []


def test_a_citation_is_converted_with_its_words_in_the_traditional_edition():
    document, _ = read("甲<ref>{{cite web|author=李景贤|title=追忆|work=某网|"
                       "editor=编者|accessdate=2011-08-25}}</ref>")
    document = transforms.apply(document, "zh-Hant", Report())
    assert plain_text(document.notes[0].children) == \
        "李景賢；編者編：〈追憶〉，《某網》（2011年8月25日查閱）。"


def test_a_titled_url_keeps_its_link_in_the_entry():
    document, _ = read("甲<ref>{{cite web|title=题|url=http://x.org/a}}</ref>")
    links = [node for node in walk(document.sources[0]) if isinstance(node, ExternalLink)]
    assert [link.url for link in links] == ["http://x.org/a"]


# ------------------------------------------------------------------ labels

def test_regional_tags_map_to_their_script_in_one_place():
    assert [base_tag(tag) for tag in ("zh-CN", "zh-SG", "zh-TW", "zh-HK", "zh-MO", "zh-Hant-TW",
                                      "zh", "en-GB", "en", "fr")] == \
        ["zh-Hans", "zh-Hans", "zh-Hant", "zh-Hant", "zh-Hant", "zh-Hant", "zh-Hans", "en",
         "en", "en"]
    assert labels("zh-HK")["bibliography"] == "參考文獻"
    assert labels("zh-CN")["bibliography"] == "参考文献"


def test_every_table_has_every_label():
    keys = set(LABELS["zh-Hans"])
    assert all(set(table) == keys for table in LABELS.values())


def test_the_traditional_table_is_what_opencc_makes_of_the_simplified_one():
    """Character for character, but for Taiwan's own word for a computer file (檔案), which
    OpenCC's s2tw (no vocabulary) does not make."""
    from publish.transforms.script import convert_text
    for key, value in LABELS["zh-Hans"].items():
        assert convert_text(value, "zh-Hant") == \
            LABELS["zh-Hant"][key].replace("檔案", "文件"), key


# ------------------------------------------------------------------ metadata and language

def test_without_a_toml_the_title_is_the_bold_subject_and_the_source_is_said_unknown(tmp_path):
    source = tmp_path / "lu_xun.wiki"
    source.write_text("'''鲁迅'''是中国作家。", encoding="utf-8")
    report = Report()
    document = read_file(source, report)
    assert document.meta.title == "鲁迅"
    assert report.codes() == ["metadata-missing"]
    from publish.writers.html import render_attribution
    text = str(render_attribution(transforms.apply(document, "zh-Hans", report)))
    assert "（）" not in text and "网址与修订版本不详" in text and "source_url" in text


def test_displaytitle_comes_before_the_bold_subject(tmp_path):
    source = tmp_path / "x.wiki"
    source.write_text("{{DISPLAYTITLE:春光乍洩}}'''春光'''是电影。", encoding="utf-8")
    assert read_file(source, Report()).meta.title == "春光乍洩"


def test_without_a_bold_subject_the_infobox_names_the_article(tmp_path):
    source = tmp_path / "happy_together.wiki"
    source.write_text("{{Infobox film|name=春光乍洩|director=王家衛}}《春光乍洩》是电影。",
                      encoding="utf-8")
    assert read_file(source, Report()).meta.title == "春光乍洩"


def test_without_a_title_anywhere_the_file_name_is_the_title(tmp_path):
    source = tmp_path / "yinzhou_district.wiki"
    source.write_text("正文没有粗体。", encoding="utf-8")
    assert read_file(source, Report()).meta.title == "yinzhou_district"


def test_an_english_article_is_one_english_edition_and_scripts_are_refused():
    source = ARTICLES / "common_language_runtime.wiki"
    assert edition_tags(source, ("zh-Hans", "zh-Hant"), False) == ("en",)
    with pytest.raises(PublishError, match="not Chinese: --script does not apply"):
        edition_tags(source, ("zh-Hans",), True)
    assert edition_tags(ARTICLES / "haber_process.wiki", ("zh-Hans", "zh-Hant"), False) == \
        ("zh-Hans", "zh-Hant")


def test_an_english_article_reads_with_english_words():
    report = Report()
    document = read_file(ARTICLES / "common_language_runtime.wiki", report)
    assert document.meta.language == "en"
    assert document.meta.title == "Common Language Runtime"
    document = transforms.apply(document, "en", report)
    assert plain_text(document.notes[0].children) == (
        "“Common Language Runtime (CLR)”. MSDN Library. Accessed 14 November 2013.")
    assert plain_text(document.sections[1].title) == "References"


# ------------------------------------------------------------------ real articles

@pytest.mark.parametrize("name", ["happy_together_film", "haber_process",
                                  "world_meteorological_organization"])
def test_real_articles_have_no_empty_notes_and_no_raw_parameter_names(name):
    report = Report()
    document = read_file(ARTICLES / f"{name}.wiki", report)
    document = transforms.apply(document, "zh-Hans", report)
    assert document.notes
    assert all(plain_text(note.children).strip(" 。.，,") for note in document.notes)
    text = "".join(plain_text(getattr(node, "children", ())) for node in walk(document)
                   if type(node).__name__ in ("Paragraph", "ListItem", "InfoboxRow", "Note"))
    assert "birth_place" not in text and "{{" not in text and "（）" not in text


def test_plainly_chinese_wikitext_is_known_without_parsing_and_english_is_not_guessed():
    from publish.readers.language import obvious_language

    assert obvious_language("'''中苏关系'''是指1917年[[十月革命]]后的关系。" * 20) == "zh"
    assert obvious_language("'''Common Language Runtime''' is the virtual machine." * 20) is None
    assert obvious_language("「君が代」は日本の国歌である。" * 20) is None  # kana: parsed
