"""PDF writer's WeasyPrint patches, each against WeasyPrint's own layout of the same page, and the
library lookup (it answers as ldconfig does, without gcc or ld).

Each layout runs in a new process with only the patches named, so that one patch's effect is
compared with WeasyPrint as it is. WeasyPrint compares float sums, so its own footnote-area
method sometimes finds an area overflowing by 2e-13 px and moves a line on; the patch adds the
same heights in another order. The footnote test pages use lengths that floats hold exactly,
so the two methods must agree to the bit.
"""
from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
from itertools import groupby

import pytest

from publish import transforms
from publish.writers import weasyprint_patches
from publish.writers.libraries import ldconfig_lookup
from publish.writers.pdf import render_html
from tests.helpers import SEED, read

#: Page geometry in lengths that binary floats hold exactly.
EXACT_CSS = """
@page { size: 512px 768px; margin: 64px;
  @footnote { margin-top: 8px; padding-top: 4px; border-top: 1px solid; max-height: 50%; } }
@page :left { margin: 64px; }
@page :right { margin: 64px; }
html { font-size: 16px; line-height: 32px; }
.fn { font-size: 8px; line-height: 16px; }
"""

#: Lays out the HTML and CSS given on stdin with the patches named in argv[1] (comma-separated:
#: justify, calls, area; or none) and prints every text box of every page: text, x, y, width,
#: and "call", "marker" or "margin" for a footnote call's, a footnote marker's or a page margin
#: box's text.
LAYOUT = r"""
import json, sys
import weasyprint
from weasyprint.layout import LayoutContext, block, inline
from publish.writers import weasyprint_patches as patches
wanted = sys.argv[1].split(",")
if "justify" in wanted:
    inline.justify_line = patches._justifying(inline.justify_line)
if "calls" in wanted:
    block._linebox_layout = patches._patched_linebox_layout()
if "area" in wanted:
    LayoutContext._update_footnote_area = patches._measuring_by_note(
        LayoutContext._update_footnote_area)
html, css = json.load(sys.stdin)
document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=css)])

def boxes(box, kind=""):
    pseudo = (getattr(box, "element_tag", None) or "").partition("::")[2]
    kind = {"footnote-call": "call", "footnote-marker": "marker"}.get(pseudo, kind)
    if type(box).__name__ == "MarginBox":
        kind = "margin"
    if hasattr(box, "text"):
        yield [box.text, round(box.position_x, 3), round(box.position_y, 3),
               round(box.width, 3), kind]
    for child in getattr(box, "children", ()):
        yield from boxes(child, kind)

print(json.dumps([list(boxes(page._page_box)) for page in document.pages]))
"""


def _layout(html: str, css: str, patches: str) -> list[list[list]]:
    result = subprocess.run([sys.executable, "-c", LAYOUT, patches], check=True,
                            input=json.dumps([html, css]), capture_output=True, text=True)
    return json.loads(result.stdout)


def _notes_heavy_wikitext() -> str:
    """Sections of paragraphs with many notes of every length, some too long for one page."""
    sections = []
    for section in range(6):
        paragraphs = []
        for paragraph in range(4):
            text = ""
            for sentence in range(7):
                n = section * 100 + paragraph * 10 + sentence
                note = "注释文字" * (1 + n % 9) + ("很长的说明" * 160 if n == 213 else "")
                words = f"第{n}句话说的是中苏关系的一个方面，" * (1 + n % 3)
                text += f"{words}<ref>{note}</ref>。"
            paragraphs.append(text)
        sections.append(f"== 第{section}章 ==\n" + "\n\n".join(paragraphs))
    return "导言。\n" + "\n".join(sections) + "\n== 参考文献 ==\n{{Reflist}}\n"


@pytest.mark.e2e
def test_the_footnote_area_patch_lays_pages_out_as_weasyprint_does():
    document, report = read(_notes_heavy_wikitext())
    document = transforms.apply(document, "zh-Hans", report)
    html, css = render_html(document)
    css += EXACT_CSS
    original = _layout(html, css, "justify")
    patched = _layout(html, css, "justify,area")
    assert len(original) > 5
    assert sum(1 for page in original for text, *_ in page if "很长的说明" in text)
    assert patched == original


# ------------------------------------------------------------------ justification

#: A 320 px measure (20 characters of 16 px): the kinsoku rules (no 。 or ， at a line start)
#: push a character down on some lines, which WeasyPrint then leaves short.
JUSTIFY_CSS = """
@page { size: 400px 600px; margin: 40px; }
body { margin: 0; }
p { width: 320px; margin: 0 0 16px; font: 16px/32px "Noto Serif CJK SC"; text-align: justify; }
"""
JUSTIFY_HTML = ('<html lang="zh-Hans"><p>'
                + "中苏两国的关系在这一时期经历了很多变化，双方的领导人多次会面。" * 6
                + '</p><p>' + "一九五〇年二月，两国签订友好同盟互助条约。" * 5
                + '</p><p>Latin words only, spread at their spaces as WeasyPrint does, '
                'never between their letters, in a line long enough to wrap twice over.</p>')
RIGHT = 360.0


def _lines(pages: list[list[list]]) -> list[tuple[int, float, str, float, float]]:
    """(page, y, text, left edge, right edge) of every line."""
    out = []
    for number, page in enumerate(pages):
        for y, group in groupby(sorted(page, key=lambda box: (box[2], box[1])),
                                key=lambda box: box[2]):
            group = [box for box in group if box[0]]
            if group:
                out.append((number, y, "".join(box[0] for box in group), group[0][1],
                            max(box[1] + box[3] for box in group)))
    return out


def test_justification_breaks_lines_as_weasyprint_does_and_ends_chinese_lines_flush():
    original = _lines(_layout(JUSTIFY_HTML, JUSTIFY_CSS, "none"))
    patched = _lines(_layout(JUSTIFY_HTML, JUSTIFY_CSS, "justify"))
    # The same lines on the same pages at the same heights, starting at the same place.
    assert [(page, y, text, round(left, 2)) for page, y, text, left, _ in patched] == \
        [(page, y, text, round(left, 2)) for page, y, text, left, _ in original]
    chinese = [index for index, line in enumerate(original) if not line[2].isascii()]
    paragraph_ends = {index for index, (line, following) in
                      enumerate(zip(original, original[1:] + [None]))
                      if following is None or following[1] - line[1] > 32}
    full = [index for index in chinese if index not in paragraph_ends]
    # WeasyPrint leaves some of these lines short of the measure; the patch ends them all flush.
    assert any(original[index][4] < RIGHT - 8 for index in full)
    assert all(abs(patched[index][4] - RIGHT) < 0.01 for index in full)
    # A paragraph's last line and Latin lines are WeasyPrint's own.
    for index, line in enumerate(original):
        if index in paragraph_ends or line[2].isascii():
            assert patched[index] == line


# ------------------------------------------------------------------ notes with their calls

def _note_pages(pages: list[list[list]]) -> tuple[dict[str, int], dict[str, int]]:
    """(page of each note call, page of each footnote) by note number."""
    calls: dict[str, int] = {}
    notes: dict[str, int] = {}
    for number, page in enumerate(pages):
        for text, _, _, _, kind in page:
            if kind == "call" and text.strip():
                calls.setdefault(text.strip(), number)
            elif kind == "marker" and text.strip().rstrip(".").isdigit():
                notes.setdefault(text.strip().rstrip("."), number)
    return calls, notes


@pytest.mark.e2e
@pytest.mark.parametrize("paper, profile, extra_css", [
    ("a4", "handout", ""),  # orphans and widows 2, as the handout sets them
    ("a4", "book", "p { orphans: 1; widows: 1; }"),  # the CSS that might have replaced the patch
])
def test_notes_stay_on_the_page_of_their_call_where_weasyprint_moves_them_on(paper, profile,
                                                                            extra_css):
    """The seed: WeasyPrint moves notes on (and loses some) to fit a paragraph's first lines;
    with the patch every note is on its call's page, and the pages before the first one where
    WeasyPrint moves a note are laid out as WeasyPrint lays them out."""
    document, report = read(SEED.read_text(encoding="utf-8"))
    document = transforms.apply(document, "zh-Hans", report)
    html, css = render_html(document, paper, profile)
    css += extra_css
    patched = _layout(html, css, "justify,area,calls")
    calls, notes = _note_pages(patched)
    assert len(calls) > 40 and notes == calls
    original = _layout(html, css, "justify,area")
    calls, notes = _note_pages(original)
    moved = [number for number, page in calls.items() if notes.get(number) != page]
    assert moved, "WeasyPrint kept every note with its call: the case no longer tests the patch"
    first = min(calls[number] for number in moved)
    assert first > 0 and _text(patched[:first]) == _text(original[:first])


def _text(pages: list[list[list]]) -> list[list[list]]:
    """The pages' text boxes but those that give page numbers (the running foot, the
    contents' numbers and their leaders), which a later page's move changes."""
    return [[box for box in page if box[4] != "margin" and box[0].strip("…0123456789 ")]
            for page in pages]


def test_an_unknown_weasyprint_is_left_unpatched_with_one_reason(monkeypatch):
    script = ("import weasyprint; weasyprint.__version__ = '99.0'\n"
              "from weasyprint.layout import LayoutContext, inline\n"
              "before = inline.justify_line, LayoutContext._update_footnote_area\n"
              "from publish.writers import weasyprint_patches\n"
              "print(weasyprint_patches.install())\n"
              "assert (inline.justify_line, LayoutContext._update_footnote_area) == before\n")
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                            text=True)
    assert result.stdout.count("\n") == 1 and "WeasyPrint 99.0" in result.stdout
    assert weasyprint_patches.TESTED_VERSIONS == ("70.0",)


@pytest.mark.e2e
def test_on_an_unknown_weasyprint_the_book_is_built_with_one_warning(tmp_path):
    source = tmp_path / "a.wiki"
    source.write_text("正文<ref>来源</ref>。\n{{Reflist}}\n", encoding="utf-8")
    source.with_suffix(".toml").write_text('source_url = "https://zh.wikipedia.org/wiki/正文"\n',
                                           encoding="utf-8")
    out = tmp_path / "out"
    script = ("import sys, weasyprint; weasyprint.__version__ = '99.0'\n"
              "from publish.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    subprocess.run([sys.executable, "-c", script, "build", str(source), "--out", str(out),
                    "--format", "pdf", "--jobs", "1"], check=True, capture_output=True)
    report = json.loads((out / "a.report.json").read_text(encoding="utf-8"))
    assert report["error"] == ""
    assert [w["code"] for w in report["warnings"]] == ["renderer-unpatched"]
    assert "WeasyPrint 99.0" in report["warnings"][0]["message"]
    assert (out / "a.zh-Hans.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldconfig is Linux's")
def test_the_library_lookup_answers_from_ldconfig_alone(monkeypatch):
    original = ctypes.util.find_library
    expected = original("c")
    with ldconfig_lookup():
        assert ctypes.util.find_library is not original

        def no_process(*args, **kwargs):
            raise AssertionError(f"ran {args[0]}")

        monkeypatch.setattr(subprocess, "Popen", no_process)
        assert ctypes.util.find_library("c") == expected == "libc.so.6"
        assert ctypes.util.find_library("pango-1.0") == "libpango-1.0.so.0"
        assert ctypes.util.find_library("libgobject-2.0-0") is None  # no gcc, no ld
    assert ctypes.util.find_library is original


def test_page_references_are_pydyfs_and_follow_added_pages():
    import pydyf

    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    wanted = tuple(f"{number} 0 R".encode() for number in pdf.pages["Kids"][::3])
    assert weasyprint_patches._page_references(pdf) == wanted
    assert weasyprint_patches._page_references(pdf) is weasyprint_patches._page_references(pdf)
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(weasyprint_patches._page_references(pdf)) == 4


def test_the_line_layout_is_recompiled_with_every_change():
    """In a new process: this one may have installed the patches already."""
    script = ("from publish.writers import weasyprint_patches as patches\n"
              "from weasyprint.layout import block\n"
              "layout = patches._patched_linebox_layout()\n"
              "assert layout is not None and layout is not block._linebox_layout\n"
              "print(layout.__code__.co_filename)\n")
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                            text=True)
    assert result.stdout.strip().endswith("block.py")
