"""End to end: an English article (tests/articles/common_language_runtime.wiki) built as one
English book, PDF and EPUB, inspected as real files."""
from __future__ import annotations

import re
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from tests.helpers import ROOT
from publish.cli import main

pytestmark = pytest.mark.e2e

ARTICLE = ROOT / "tests" / "articles" / "common_language_runtime.wiki"
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    folder = tmp_path_factory.mktemp("english")
    source = folder / ARTICLE.name
    shutil.copy(ARTICLE, source)
    out = folder / "out"
    assert main(["build", str(source), "--out", str(out)]) == 0
    return out


def test_one_english_edition_per_format(english):
    assert sorted(p.name for p in english.iterdir() if p.suffix in (".pdf", ".epub")) == \
        ["common_language_runtime.en.epub", "common_language_runtime.en.pdf"]


def test_the_pdf_has_english_front_matter_and_no_chinese_words(english):
    text = "\n".join(page.extract_text() for page in
                     PdfReader(english / "common_language_runtime.en.pdf").pages)
    for words in ("Common Language Runtime", "Copyright and sources", "Contents", "References",
                  "Accessed 14 November 2013", "address and revision are unknown"):
        assert words in " ".join(text.split()), words
    assert not CJK.search(text)
    assert "converted between scripts" not in text and "繁简" not in text


def test_the_epub_is_in_english(english):
    with zipfile.ZipFile(english / "common_language_runtime.en.epub") as book:
        opf = next(book.read(name).decode() for name in book.namelist() if name.endswith(".opf"))
        pages = "".join(book.read(name).decode() for name in book.namelist()
                        if name.endswith(".xhtml"))
    assert "<dc:language>en</dc:language>" in opf
    assert 'lang="en"' in pages and not CJK.search(pages)


def test_asking_for_a_script_is_a_one_line_error(english, capsys):
    assert main(["build", str(ARTICLE), "--out", str(english / "again"),
                 "--script", "zh-Hant"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("publish: error: common_language_runtime.wiki is in en, not Chinese")
