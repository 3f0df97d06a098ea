"""End to end: nothing a real article prints runs past the text block's edge (issue 12: "never
clipped"): long addresses in footnotes, wide tables, infobox rows."""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from publish.cli import main
from publish.writers.pdf import PAPERS
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e

ARTICLES = ("roc_national_anthem", "roc_presidential_election_1996")
SCRIPTS = ("zh-Hans", "zh-Hant")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page-edges")
    sources = [str(ROOT / "tests" / "articles" / f"{name}.wiki") for name in ARTICLES]
    assert main(["build", *sources, "--out", str(out), "--format", "pdf", "--quiet"]) == 0
    return out


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("name", ARTICLES)
def test_no_character_runs_past_the_text_block(pdfs, name, script):
    paper = PAPERS["a4"]
    margin = min(paper.inner, paper.outer)
    past = []
    with pdfplumber.open(pdfs / f"{name}.{script}.pdf") as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for char in page.chars:
                if char["x0"] < margin - 1.5 or char["x1"] > page.width - margin + 1.5:
                    past.append((number, char["text"], round(char["x1"])))
    assert past == []
