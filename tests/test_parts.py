"""Writer: a long book's body cut into parts (publish/writers/parts.py) — where the cuts fall,
that nothing is lost or moved, and where the running heads stand as each part begins."""
from __future__ import annotations

import re

from publish import transforms
from publish.writers.html import Translator
from publish.writers.parts import NOTE_CHARACTERS, cut, weight
from tests.helpers import markup_tree, read

#: Two chapters; the second has two subsections, the first of them long enough to be cut.
SOURCE = """导言一段。

== 甲章 ==
甲章一段<ref>注一</ref>。

== 乙章 ==
乙章开头。

=== 乙一节 ===
""" + "\n\n".join(f"乙一节第{n}段<ref>注{n}</ref>。" for n in range(1, 9)) + """

=== 乙二节 ===
乙二节一段。
"""


def _document():
    document, report = read(SOURCE)
    return transforms.apply(document, "zh-Hans", report)


def _whole_body(document, translator) -> str:
    return "\n".join([translator.blocks(document.blocks),
                      *(translator.section(section) for section in document.sections)])


def _texts(markup: str) -> list[str]:
    """The text runs of ``markup`` in order (what a reader sees, notes included)."""
    return [text for text in re.split(r"<[^>]+>|\n", markup) if text.strip()]


def test_a_light_body_is_one_part_holding_exactly_the_whole_body():
    document = _document()
    translator = Translator(document, "print")
    parts = cut(document, translator, limit=10_000)
    assert len(parts) == 1 and parts[0].first and parts[0].chapter == ""
    assert parts[0].markup == _whole_body(document, translator)


def test_cuts_fall_between_chapters_then_between_blocks_and_lose_nothing():
    document = _document()
    translator = Translator(document, "print")
    limit = 4.5
    parts = cut(document, translator, limit=limit)
    assert len(parts) > 2
    # Every run of text, every note among them, in the order of the whole body.
    assert [text for part in parts for text in _texts(part.markup)] \
        == _texts(_whole_body(document, translator))
    # The first chapter is whole in a part; the long subsection is cut between paragraphs,
    # each part after that opens its two sections again, without their headings.
    assert any('<section class="level2" aria-labelledby="s1">' in part.markup
               and "</section>" in part.markup for part in parts)
    continued = [part for part in parts[1:] if part.markup.startswith(
        '<section class="level2">\n<section class="level3">')]
    assert continued
    for part in parts:
        tree = markup_tree(f"<div>{part.markup}</div>")  # balanced: it parses as one element
        assert tree
        assert part.markup.count("<section") == part.markup.count("</section>")
    # Each part holds no more notes than a part weighs (a paragraph here holds one).
    assert all(part.markup.count('class="fn') <= limit for part in parts)


def test_a_part_begins_with_the_running_head_of_the_chapter_it_begins_in():
    document = _document()
    parts = cut(document, Translator(document, "print"), limit=4.5)
    assert len(parts) > 2
    chapter = ""
    for part in parts:
        headings = re.findall(r'<h2 id="[^"]+" data-running="([^"]+)"', part.markup)
        # A part that opens with a chapter's heading is under that chapter from its first
        # page, as the heading puts it in a book laid out whole; else under the last before.
        opening = re.sub(r"^(\s*<section[^>]*>)*\s*", "", part.markup).startswith("<h2")
        assert part.chapter == (headings[0] if opening else chapter)
        chapter = headings[-1] if headings else chapter
    assert "乙章" in [part.chapter for part in parts]


def test_a_heading_is_never_the_last_thing_in_a_part():
    document = _document()
    for limit in (1.5, 2.5, 4.5, 8):
        for part in cut(document, Translator(document, "print"), limit=limit)[:-1]:
            assert not re.search(r"</h[2-6]>\s*(</section>\s*)*$", part.markup), (limit, part)


def test_a_notes_weight_is_one_and_a_characters_a_fraction_of_one():
    document = _document()
    chapter = document.sections[0]  # 甲章: its title, 甲章一段。 and one note
    sources = {source.id: source for source in document.sources}
    assert abs(weight(chapter, sources) - (1 + len("甲章甲章一段。") / NOTE_CHARACTERS)) < 1e-9


def test_a_list_of_sources_heavier_than_a_part_is_cut_between_entries_numbered_on():
    wikitext = "正文。" + "".join(f"第{n}句<ref>来源第{n}号</ref>。" for n in range(1, 41)) \
        + "\n\n== 参考文献 ==\n{{Reflist}}\n"
    document, report = read(wikitext)
    document = transforms.apply(document, "zh-Hans", report)
    translator = Translator(document, "print")
    parts = cut(document, translator, limit=10)
    lists = [piece for part in parts
             for piece in re.findall(r'<ol class="bibliography"[^>]*>.*?</ol>', part.markup)]
    assert len(lists) > 2
    starts = [int(re.search(r'start="(\d+)"', piece).group(1)) if "start=" in piece else 1
              for piece in lists]
    counts = [piece.count("<li") for piece in lists]
    assert starts == [1 + sum(counts[:index]) for index in range(len(lists))]
    assert all(f"counter-reset: list-item {start - 1}" in piece
               for start, piece in zip(starts, lists) if start > 1)
    entries = re.findall(r"来源第(\d+)号", "".join(lists))
    assert entries == [str(n) for n in range(1, 41)]
