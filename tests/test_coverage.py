"""The coverage measure (tests/coverage.py) itself: what it reads as the source's visible text,
and that a loss is a loss."""
from __future__ import annotations

from tests.coverage import formulas, measure, segments


def test_a_template_a_ref_and_a_formula_end_a_segment():
    # 组织缩写 and 对于规定 exist in no book: the template's text and the formula stand between.
    assert segments("世界气象组织（{{lang-en|World Meteorological Organization}}，縮寫：WMO）"
                    "对于<math>a</math>，规定<chem>H2O</chem>。甲<ref>乙丙</ref>丁") == \
        ["世界气象组织（", "，縮寫：WMO）对于", "，规定", "。甲", "丁", "乙丙",
         "World Meteorological Organization"]


def test_text_templates_are_measured_outside_boxes_the_book_drops():
    source = "甲{{math|2''i''π}}乙{{Wikisourceshas2|{{nowrap|日本國旗國歌法律}}}}{{efn|注文}}"
    assert segments(source) == ["甲", "乙", "2iπ", "注文"]


def test_variants_are_read_for_the_edition_nested_and_across_lines():
    source = "作：-{zh-cn:<poem>\n床前明月光\n</poem>;zh-tw:<poem>\n牀前看月光\n</poem>}-后" \
             "-{H|zh-cn:甲;zh-tw:乙}--{{x}}"
    assert segments(source, script="zh-Hans") == ["作：", "床前明月光", "后-"]
    assert segments(source, script="zh-Hant") == ["作：", "牀前看月光", "后-"]


def test_the_articles_rules_give_the_editions_words():
    source = "{{noteTA|1=zh-tw:葉爾辛效應; zh-cn:叶利钦效应;}}\n葉爾辛效應使選民轉向"
    assert measure(source, "叶利钦效应使选民转向", script="zh-Hans").share == 1.0
    assert measure(source, "葉爾辛效應使選民轉向", script="zh-Hant").share == 1.0
    assert measure(source, "叶尔辛效应使选民转向", script="zh-Hans").share < 1.0


def test_a_zh_hant_book_is_read_through_the_editions_phrases():
    # s2tw writes 极坐标 as 極座標, which t2s reads back as 极座标.
    assert measure("对复数的极坐标表示", "對複數的極座標表示", script="zh-Hant").share == 1.0


def test_gallery_captions_are_measured_and_image_options_are_not():
    source = ("<gallery>\nFile:A.jpg|《[[雕塑|雕塑]]的寓意》，1889年\nFile:B.jpg|alt=x|《盲人》\n"
              "</gallery>\n[[File:C.jpg|缩略图]]期間沈阳开原合成氨厂")
    assert segments(source) == ["期間沈阳开原合成氨厂", "《雕塑的寓意》，1889年", "《盲人》"]


def test_a_lost_sentence_and_a_lost_formula_are_losses():
    source = "第一句话很长很长。\n\n第二句话也很长。<math>e^{i\\pi}</math>"
    whole = measure(source, "第一句话很长很长。第二句话也很长。", formulas_found=["e^{i\\pi}"])
    assert whole.share == 1.0 and whole.formulas == 1 and whole.formulas_missing == []
    lost = measure(source, "第一句话很长很长。", formulas_found=[])
    assert lost.share < 0.6 and lost.missing[0][0] == "第二句话也很长。"
    assert lost.formulas_missing == ["e^{i\\pi}"]
    # A formula set as TeX (the library could not lay it out) is in the text.
    assert measure(source, "第二句话也很长。e^{i \\pi}", formulas_found=[]).formulas_missing == []


def test_formulas_are_math_chem_ce_and_tmath():
    assert formulas("<math>x</math><math></math><chem>H2O</chem><ce>H+</ce>{{tmath|1= y }}") \
        == ["x", "H2O", "H+", "y"]


def test_behaviour_switches_and_interlanguage_links_are_not_text():
    assert segments("__NOTOC__\n甲乙丙丁\n[[en:Foo bar]][[zh-yue:X]]\n[[:en:Bar|巴]][[s:ja:x|书]]") \
        == ["甲乙丙丁", "巴书"]
