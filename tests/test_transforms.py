"""Transforms: note numbering, script conversion and ids, on small documents."""
from __future__ import annotations

import pytest

from tests.helpers import compact, compact_document, read
from publish import transforms
from publish.labels import labels
from publish.model import Bibliography, plain_text, walk
from publish.report import Report
from publish.transforms import notes
from publish.transforms.script import convert_text


def _apply(wikitext: str, script_name: str):
    document, report = read(wikitext)
    return transforms.apply(document, script_name, report), report


# ------------------------------------------------------------------ notes

NOTED = ('甲<ref name="a">{{cite book|title=《长书名》|author=某人|year=1993}}</ref>{{rp|5}}。'
         '乙<ref name="a"/>{{rp|6}}<ref>另一来源</ref>。\n\n== 参考文献 ==\n{{Reflist|2}}')


def test_each_use_is_a_note_numbered_in_reading_order():
    document, report = read(NOTED)
    document = notes.apply(document, "zh-Hans", report)
    assert [compact(ref) for ref in walk(document) if type(ref).__name__ == "NoteRef"] == \
        ['N(s1#1@"第5页")', 'N(s1#2@"第6页")', "N(s2#3)"]
    assert [plain_text(note.children) for note in document.notes] == [
        "某人：《长书名》，1993年，第5页。", "某人：《长书名》，第6页。", "另一来源。"]


def test_the_bibliography_lists_each_source_once_where_reflist_was():
    document, report = read(NOTED)
    document = notes.apply(document, "zh-Hans", report)
    bibliography = [node for node in walk(document) if isinstance(node, Bibliography)]
    assert [b.sources for b in bibliography] == [("s1", "s2")]


def test_without_reflist_a_closing_section_holds_the_bibliography():
    document, report = read("甲<ref>来源</ref>。")
    document = notes.apply(document, "zh-Hans", report)
    assert compact(document.sections) == 'H2("参考文献"){BIB(s1)}'


def test_a_second_reflist_warns_and_is_dropped():
    document, report = read("甲<ref>来源</ref>。\n{{Reflist}}\n<references/>")
    document = notes.apply(document, "zh-Hans", report)
    assert sum(isinstance(n, Bibliography) for n in walk(document)) == 1
    assert report.codes() == ["bibliography-repeated"]


# ------------------------------------------------------------------ script conversion

@pytest.mark.parametrize("source, hans, hant", [
    ("中苏关系", "中苏关系", "中蘇關係"),
    ("中蘇關係", "中苏关系", "中蘇關係"),
    # s2tw, not s2twp: no vocabulary substitution.
    ("项目", "项目", "項目"),
    # The source's traditional characters guide the traditional edition.
    ("但確定共產主義不適合中國。", "但确定共产主义不适合中国。", "但確定共產主義不適合中國。"),
    # OpenCC 1.4.2 writes 中俄關系; corrected.
    ("由中俄关系所代替", "由中俄关系所代替", "由中俄關係所代替"),
    # Quotation marks follow the script.
    ("他说：“好‘是’”", "他说：“好‘是’”", "他說：「好『是』」"),
    ("他說：「好『是』」", "他说：“好‘是’”", "他說：「好『是』」"),
])
def test_convert_text(source, hans, hant):
    assert convert_text(source, "zh-Hans") == hans
    assert convert_text(source, "zh-Hant") == hant


def test_protected_text_is_not_converted():
    document, _ = _apply("外交部長王世-{杰}-，陳-{布}-雷", "zh-Hant")
    assert plain_text(document.blocks[0].children) == "外交部長王世杰，陳布雷"


def test_each_script_takes_its_variant_branch_unconverted():
    source = "-{zh-hans:苏联;zh-hant:蘇聯;}-，-{zh-cn:甲;zh-tw:乙;}-，-{zh-hans:后;}-"
    hans, _ = _apply(source, "zh-Hans")
    hant, _ = _apply(source, "zh-Hant")
    assert plain_text(hans.blocks[0].children) == "苏联，甲，后"
    # No zh-hant branch: the simplified one is shown as written.
    assert plain_text(hant.blocks[0].children) == "蘇聯，乙，后"


def test_conversion_rules_apply_to_later_text_only():
    source = "信息。-{H|zh-hans:信息;zh-hant:資訊;}-信息。-{A|zh-hans:软件;zh-hant:軟體;}-软件"
    document, _ = _apply(source, "zh-Hant")
    assert plain_text(document.blocks[0].children) == "信息。資訊。軟體軟體"


def test_phrases_are_not_cut_at_link_edges():
    # 头发 → 頭髮 only when the two characters are converted together.
    document, _ = _apply("[[头]]发", "zh-Hant")
    assert plain_text(document.blocks[0].children) == "頭髮"


def test_identifiers_are_never_converted():
    document, _ = _apply("[[苏联|苏联]] [http://例子.org/苏联 苏联]", "zh-Hant")
    assert compact(document.blocks[0].children) == \
        'L(苏联|"蘇聯") " " X(http://例子.org/苏联|"蘇聯")'


def test_notes_titles_and_metadata_are_converted():
    document, _ = read("== 历史 ==\n甲<ref>{{cite book|title=《苏联史》}}</ref>\n[[Category:苏联]]")
    document = transforms.apply(document, "zh-Hant", Report())
    assert compact(document.sections[0].title) == '"歷史"'
    assert plain_text(document.notes[0].children) == "《蘇聯史》。"
    assert document.meta.subjects == ("蘇聯",)


def test_labels_follow_the_script():
    assert labels("zh-Hant")["bibliography"] == "參考文獻"
    assert labels("zh-Hans")["bibliography"] == "参考文献"


# ------------------------------------------------------------------ ids

def test_sections_get_ascii_ids_from_the_outline():
    document, _ = _apply("== 甲 ==\n=== 甲一 ===\n=== 甲二 ===\n== 乙 ==\n", "zh-Hans")
    assert [s.id for s in document.sections] == ["s1", "s2"]
    assert [s.id for s in document.sections[0].sections] == ["s1-1", "s1-2"]
    assert compact_document(document).startswith('H2("甲")')
