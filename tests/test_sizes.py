"""Size rule: a notes-heavy source builds every edition in time that grows with its size, not
its square, and in bounded memory, measured in a child process; its last word reaches the book."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import epub_text
from tests.shapes import MB, SENTINEL, measured, notes, one_line

#: Peak resident memory a build of the notes-heavy source below may take (it takes about
#: 800 MB; WeasyPrint holds every page's boxes until the PDF is written).
NOTES_PEAK_MB = 1200


def _build(source: Path, out: Path, fmt: str, limit: float):
    command = [sys.executable, "-m", "publish", "build", str(source), "--out", str(out),
               "--script", "zh-Hans", "--format", fmt, "--jobs", "1"]
    return measured(command, limit, {**os.environ, "SOURCE_DATE_EPOCH": "1793145600"})


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_each_shape_is_as_large_as_asked_and_ends_in_the_sentinel():
    from tests.shapes import SHAPES

    for name, shape in SHAPES.items():
        text = shape(MB // 4)
        assert MB // 4 - 12_000 < len(text.encode("utf-8")) <= MB // 4, name
        assert text.rstrip().endswith(SENTINEL) or SENTINEL in text[-100:], name
    assert notes(MB // 4).count("<ref>") > 2_000
    assert "\n" not in one_line(MB // 4).rstrip("\n")


@pytest.mark.e2e
@pytest.mark.slow
def test_a_source_with_4000_notes_builds_in_linear_time_and_bounded_memory(tmp_path: Path):
    """4,000 notes took four times as long as 2,000 when WeasyPrint looked every line's boxes
    up in the list of notes left (docs/upstream/line-note-calls-lookup.md); now about twice."""
    usage = {}
    for kb in (200, 400):
        source = tmp_path / f"notes{kb}.wiki"
        source.write_text(notes(kb * 1024), encoding="utf-8")
        out = tmp_path / f"out{kb}"
        usage[kb] = _build(source, out, "pdf", limit=1800)
        assert usage[kb] is not None, f"the PDF of {kb} KB of notes failed or took over 30 min"
        assert usage[kb].peak_mb < NOTES_PEAK_MB, usage[kb]
    last_note = re.findall(r"第\d+条", source.read_text(encoding="utf-8"))[-1]
    text = _pdf_text(out / "notes400.zh-Hans.pdf")
    assert SENTINEL in text and last_note in text
    # CPU time, not wall time: a busy machine slows both builds alike. Linear is 2, the n²
    # lookup made it about 3.5; a 2.8 bound leaves room for a noisy neighbour's caches.
    assert usage[400].cpu_seconds / usage[200].cpu_seconds < 2.8, usage

    epub = _build(source, out, "epub", limit=600)
    assert epub is not None and epub.peak_mb < NOTES_PEAK_MB, epub
    assert SENTINEL in epub_text(out / "notes400.zh-Hans.epub")
