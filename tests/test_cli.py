"""Command line: exit codes, errors on one line, reports, atomic outputs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from publish.cli import main


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "publish", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


def test_bad_usage_exits_2():
    result = _run("build")
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert _run("build", "x.wiki", "--script", "zh-Latn").returncode == 2
    assert _run("build", "x.wiki", "--format", "docx").returncode == 2


def test_a_missing_source_is_a_one_line_error(tmp_path):
    result = _run("build", str(tmp_path / "nope.wiki"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("publish: error")]
    assert len(errors) == 1 and "nope.wiki" in errors[0]
    assert "Traceback" not in result.stderr


def test_parse_of_a_bad_file_is_a_one_line_error(tmp_path):
    source = tmp_path / "bad.wiki"
    source.write_bytes(b"\xff\xfe\x00")
    result = _run("parse", str(source))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("publish: error: ")
    assert "byte 0" in result.stderr


def test_build_writes_the_report_beside_the_outputs(tmp_path, capsys):
    source = tmp_path / "short.wiki"
    source.write_text("'''短文'''是一篇{{某模板}}文章。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), "--out", str(out), "--format", "epub",
                 "--script", "zh-Hant"]) == 0
    assert sorted(p.name for p in out.iterdir()) == \
        [".publish-cache.json", "short.report.json", "short.zh-Hant.epub"]
    report = json.loads((out / "short.report.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in report["warnings"]] == ["template-unknown"]
    assert "某模板" in capsys.readouterr().err


def test_one_bad_source_does_not_stop_the_others(tmp_path):
    good = tmp_path / "good.wiki"
    good.write_text("正文。", encoding="utf-8")
    bad = tmp_path / "bad.wiki"
    bad.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(bad), str(good), "--out", str(out), "--format", "epub"]) == 1
    assert (out / "good.zh-Hans.epub").exists() and (out / "good.zh-Hant.epub").exists()
    report = json.loads((out / "bad.report.json").read_text(encoding="utf-8"))
    assert "empty" in report["error"]


@pytest.mark.parametrize("paper, size", [("a5", (420, 595)), ("letter", (612, 792))])
def test_paper_sizes(tmp_path, paper, size):
    from pypdf import PdfReader

    source = tmp_path / "a.wiki"
    source.write_text("== 一 ==\n正文。" * 3, encoding="utf-8")
    assert main(["build", str(source), "--out", str(tmp_path), "--format", "pdf",
                 "--script", "zh-Hans", "--paper", paper]) == 0
    page = PdfReader(tmp_path / "a.zh-Hans.pdf").pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_an_output_folder_that_cannot_be_made_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = _run("build", "seeds/中苏关系.wiki", "--out", str(blocker / "sub"),
                  cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("publish: error: cannot create the output folder")
    assert "Traceback" not in result.stderr
