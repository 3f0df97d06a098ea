"""PDF writer's WeasyPrint helpers: the note-by-note footnote area lays pages out as WeasyPrint's
own method does; the library lookup answers as ldconfig does, without gcc or ld. (That notes
stay on the page of their call is checked on the seed's PDFs, in test_editions.)

WeasyPrint compares float sums, so its own method sometimes finds a footnote area overflowing
by 2e-13 px and moves a line on; the patch adds the same heights in another order. The test
pages use lengths that floats hold exactly, so the two methods must agree to the bit.
"""
from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys

import pytest

from conftest import read
from publish import transforms
from publish.writers.libraries import ldconfig_lookup
from publish.writers.pdf import render_html

#: Page geometry in lengths that binary floats hold exactly.
EXACT_CSS = """
@page { size: 512px 768px; margin: 64px;
  @footnote { margin-top: 8px; padding-top: 4px; border-top: 1px solid; max-height: 50%; } }
@page :left { margin: 64px; }
@page :right { margin: 64px; }
html { font-size: 16px; line-height: 32px; }
.fn { font-size: 8px; line-height: 16px; }
"""

#: Lays out the HTML and CSS given on stdin, with or without the footnote-area patch, and
#: prints every text box of every page: text and position.
LAYOUT = r"""
import json, sys
import weasyprint
from publish.writers import footnotes, justify
justify.install()
if sys.argv[1] == "patched":
    footnotes._measure_area_by_note()
html, css = json.load(sys.stdin)
document = weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(string=css)])

def boxes(box):
    if hasattr(box, "text"):
        yield [box.text, round(box.position_x, 3), round(box.position_y, 3)]
    for child in getattr(box, "children", ()):
        yield from boxes(child)

print(json.dumps([list(boxes(page._page_box)) for page in document.pages]))
"""


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


def test_the_footnote_area_patch_lays_pages_out_as_weasyprint_does():
    document, report = read(_notes_heavy_wikitext())
    document = transforms.apply(document, "zh-Hans", report)
    html, css = render_html(document)
    css += EXACT_CSS
    pages = {}
    for mode in ("original", "patched"):
        result = subprocess.run([sys.executable, "-c", LAYOUT, mode], check=True,
                                input=json.dumps([html, css]), capture_output=True, text=True)
        pages[mode] = json.loads(result.stdout)
    assert len(pages["original"]) > 5
    assert sum(1 for page in pages["original"] for text, _, _ in page if "很长的说明" in text)
    assert pages["patched"] == pages["original"]


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
