"""HTML writer: the translator's markup for small documents, for print and for EPUB."""
from __future__ import annotations

import dataclasses

import pytest
from lxml import etree
from lxml.html import fragment_fromstring

from tests.helpers import contains_markup, markup_tree, read
from publish import transforms
from publish.model import Credit, Document, Figure, Meta, Paragraph, Text
from publish.writers.html import Translator, render_credits


def _translate(wikitext: str, target: str, script: str = "zh-Hans") -> tuple[str, Translator]:
    document, report = read(wikitext)
    document = transforms.apply(document, script, report)
    translator = Translator(document, target)
    body = translator.blocks(document.blocks)
    return str(body), translator


def test_a_note_call_is_glued_to_the_character_before_and_the_punctuation_after():
    html, _ = _translate("改组<ref>来源</ref>。孙中山", "print")
    assert contains_markup(html, '<span class="glue">组<span class="fn" id="note-1" data-n="1">'
                                 '来源。</span>。</span>孙<span class="glue">中山</span>')


def test_a_paragraph_never_ends_with_a_single_character_line():
    html, _ = _translate("第一段的文字。\n\n第二段<ref>来源</ref>。", "print")
    assert '<p>第一段的<span class="glue">文字。</span></p>' in html
    assert '<span class="glue">二段<span class="fn"' in html


def test_a_closing_quote_keeps_the_mark_after_it_when_both_are_compressed():
    html, _ = _translate("经过及“种种障碍”，宣布暂停", "print")
    assert '<span class="halt">”</span>，宣布' in html  # no break between ” and ，
    html, _ = _translate("他说“好”然后走了。", "print")
    assert "”\u200b然后" in html  # a break after ” before text stays


def test_a_paragraph_ending_in_a_statement_that_needs_a_source_keeps_two_characters():
    html, _ = _translate("前文。{{fact|不合于当时革命现实。}}", "print")
    paragraph = markup_tree(html)[-1]
    assert paragraph[0] == "p" and paragraph[-1] == markup_tree(
        '<span class="glue">现实。<sup class="needs-source">［来源请求］</sup></span>')[0]
    html, _ = _translate("前文{{fact|没有来源}}<ref>甲</ref>。", "epub")
    assert '<span class="unsourced">没有来源</span><sup class="needs-source">' in html


def test_adjacent_calls_are_separated():
    html, _ = _translate("甲<ref>一</ref><ref>二</ref>，乙", "print")
    assert '</span><span class="call-sep">,</span><span class="fn"' in html


def test_epub_notes_are_popup_footnotes_linked_both_ways():
    html, translator = _translate("甲<ref>来源</ref>。", "epub")
    assert '<a class="noteref" epub:type="noteref" role="doc-noteref" id="ref-1" ' \
           'href="#note-1">1</a>' in html
    asides = str(translator.footnotes())
    assert 'epub:type="footnote" role="doc-footnote" id="note-1"' in asides
    assert 'href="#ref-1" role="doc-backlink"' in asides
    assert translator.footnotes() == ""  # each aside is written once


def test_print_compresses_adjacent_marks():
    html, _ = _translate("《书》，1917年", "print")
    assert markup_tree(html) == markup_tree(
        '<p>《书<span class="halt">》</span>，<span class="glue">1917年</span></p>')


def test_print_allows_a_break_after_a_closing_quotation_mark():
    html, _ = _translate("“好”1920年发生了一些事情", "print")
    assert "”\u200b1920" in html


def test_print_shows_the_url_of_an_external_link():
    html, _ = _translate("[http://example.org/a 报道]", "print")
    assert '<span class="url">（<a href="http://example.org/a">http://example.org/a</a>）</span>' \
        in html


def test_text_is_escaped():
    html, _ = _translate("a<x & y>", "epub")
    assert "a&lt;x &amp; y&gt;" in html


def test_an_unknown_node_raises():
    @dataclasses.dataclass(frozen=True)
    class Strange:
        children: tuple = ()

    document = Document(Meta(title="x"), blocks=(Paragraph((Strange(),)),), script="zh-Hans")
    with pytest.raises(TypeError, match="no rule for Strange"):
        Translator(document, "print").blocks(document.blocks)
    with pytest.raises(TypeError, match="no rule for Text"):
        Translator(document, "epub").block(Text("x"))


def test_every_block_is_well_formed_xml():
    html, _ = _translate("* 甲\n* 乙\n\n{{Main|丙}}\n{{Infobox Bilateral relations|甲－乙|A|B}}\n"
                         "'''粗'''''斜''<br/>正文<ref>来源</ref>\n{{Reflist}}", "epub")
    etree.fromstring(f'<div xmlns:epub="http://www.idpf.org/2007/ops">{html}</div>')


def test_a_note_call_after_a_wikilink_glues_to_the_link_text():
    html, _ = _translate("见[[中东铁路]]<ref>来源</ref>。其后文字", "print")
    assert '<span class="glue">路<span class="fn"' in html


def test_a_long_text_run_is_set_as_runs_cut_where_a_line_may_end():
    from publish.writers.html import LAYOUT_RUN, layout_runs

    text = "中文句子，测试文本。" * 700 + "尾" * (3 * LAYOUT_RUN)
    runs = layout_runs(text)
    assert "".join(runs) == text
    assert all(len(run) <= LAYOUT_RUN for run in runs)
    sentence_runs = [run for run in runs if "句" in run][:-1]
    assert sentence_runs and all(run.endswith(("，", "。")) for run in sentence_runs)
    assert layout_runs("短") == ["短"]


@pytest.mark.parametrize(("script", "entry"), [
    ("zh-Hans", "File:Map.png：地图作者，CC BY-SA 4.0（https://creativecommons.org/licenses/by-sa/4.0/）"
                "；来源：https://commons.wikimedia.org/wiki/File:Map.png"),
    ("en", "File:Map.png: Mapmaker, CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)"
           "; Source: https://commons.wikimedia.org/wiki/File:Map.png"),
])
def test_image_credits_are_punctuated_in_the_books_language(script, entry):
    credit = Credit("Map.png", "File:Map.png", "Mapmaker" if script == "en" else "地图作者",
                    "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/",
                    "https://commons.wikimedia.org/wiki/File:Map.png")
    document = Document(Meta(title="T", credits=(credit,)),
                        (Figure("Map.png", "media/Map.png", ()),), script=script)
    items = fragment_fromstring(str(render_credits(document)), create_parent="div")
    assert ["".join(item.itertext()) for item in items.iter("li")] == [entry]
