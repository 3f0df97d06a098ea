"""Command line: exit codes, errors on one line, reports, atomic outputs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from publish.cli import main

ROOT = Path(__file__).resolve().parent.parent


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
    source.write_bytes(b"\xff\xfd\x00")  # not UTF-8, and no byte order mark (\xff\xfe is UTF-16's)
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
    assert [w["code"] for w in report["warnings"]] == ["metadata-missing", "template-unknown"]
    assert report["dropped_templates"] == [
        {"template": "某模板", "count": 1, "chars": 0, "sections": ["(lead)"]}]
    err = capsys.readouterr().err
    assert "某模板" in err
    assert "1 unknown template(s) dropped, holding 0 characters of text" in err


@pytest.mark.parametrize("formats", ["epub", pytest.param("pdf,epub", marks=pytest.mark.e2e)])
def test_one_bad_source_does_not_stop_the_others(tmp_path, formats):
    good = tmp_path / "good.wiki"
    good.write_text("正文<ref>来源</ref>。", encoding="utf-8")
    bad = tmp_path / "bad.wiki"
    bad.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(bad), str(good), "--out", str(out), "--format", formats,
                 "--jobs", "2"]) == 1
    for fmt in formats.split(","):
        assert (out / f"good.zh-Hans.{fmt}").exists() and (out / f"good.zh-Hant.{fmt}").exists()
    report = json.loads((out / "bad.report.json").read_text(encoding="utf-8"))
    assert "empty" in report["error"] and report["outputs"] == []
    report = json.loads((out / "good.report.json").read_text(encoding="utf-8"))
    assert report["error"] == "" and [w["code"] for w in report["warnings"]] == ["metadata-missing"]
    assert len(report["outputs"]) == 2 * len(formats.split(","))


@pytest.mark.e2e
def test_a_parallel_build_gives_the_bytes_and_reports_of_a_build_in_turn(tmp_path, monkeypatch):
    """Three sources, six tasks on two workers: the first two read while WeasyPrint is
    imported and written by the pool, the rest run whole in it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793145600")
    sources = []
    for name in ("一", "二", "三"):
        source = tmp_path / "src" / f"{name}.wiki"
        source.parent.mkdir(exist_ok=True)
        source.write_text(f"{name}号条目的正文。<ref>来源{name}</ref>{{{{某模板|{name}}}}}\n\n"
                          f"== 参考文献 ==\n{{{{Reflist}}}}\n", encoding="utf-8")
        sources.append(str(source))
    built = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        assert main(["build", *sources, "--out", str(out), "--jobs", jobs]) == 0
        built[jobs] = {path.name: path.read_bytes().replace(str(out).encode(), b"OUT")
                       for path in sorted(out.iterdir()) if not path.name.startswith(".")}
    assert len(built["1"]) == 3 * 5  # four editions and a report each
    assert built["2"] == built["1"]
    report = json.loads(built["2"]["二.report.json"])
    assert [w["code"] for w in report["warnings"]] == ["metadata-missing", "template-unknown"]
    assert [Path(output).name for output in report["outputs"]] == [
        "二.zh-Hans.pdf", "二.zh-Hans.epub", "二.zh-Hant.pdf", "二.zh-Hant.epub"]


@pytest.mark.e2e
@pytest.mark.parametrize("writing", ["epub", "pdf"])
def test_an_interrupted_parallel_build_stops_cleanly(tmp_path, writing):
    """Ctrl-C while a worker writes an EPUB or a PDF: one line, exit 130, and no partial file
    left behind."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "publish", "build", "seeds/中苏关系.wiki", "--out", str(out),
         "--jobs", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not (out.exists() and any(out.glob(f".*.{writing}.*.tmp"))) \
            and time.monotonic() < deadline:
        time.sleep(0.005)  # until such an edition is being written
    os.killpg(process.pid, signal.SIGINT)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["publish: interrupted"]
    assert not list(out.glob(".*.tmp"))
    for path in out.iterdir():  # an edition finished before the interrupt is whole
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                assert book.testzip() is None
        elif path.suffix == ".pdf":
            assert path.read_bytes().rstrip().endswith(b"%%EOF")


@pytest.mark.e2e
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


def test_parse_takes_the_options_that_change_the_document(tmp_path, capsys):
    source = tmp_path / "a.wiki"
    source.write_text("导言。\n== 甲 ==\n甲文<ref>一</ref>。\n== 乙 ==\n乙文<ref>二</ref>。\n"
                      "== 参考文献 ==\n{{Reflist}}\n", encoding="utf-8")
    assert main(["parse", str(source), "--script", "zh-Hant"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert main(["parse", str(source), "--script", "zh-Hant", "--sections", "2",
                 "--para-numbers"]) == 0
    excerpt = json.loads(capsys.readouterr().out)
    assert len(whole["sections"]) == 3 and len(whole["notes"]) == 2
    assert len(excerpt["sections"]) == 2  # 乙 and the bibliography
    assert len(excerpt["notes"]) == 1 and "乙文" in json.dumps(excerpt, ensure_ascii=False)
    assert "甲文" not in json.dumps(excerpt, ensure_ascii=False)
    numbers = [block.get("number") for section in excerpt["sections"]
               for block in section["blocks"] if block["type"] == "Paragraph"]
    assert numbers == [1]


def test_main_leaves_the_process_wide_settings_to_the_command(tmp_path, capsys, monkeypatch):
    """The collector threshold and the ldconfig library lookup are the publish command's
    (cli.run), not main's: a test calling main runs with Python's own."""
    import ctypes.util
    import gc

    seen = []
    monkeypatch.setattr("publish.cli._parse", lambda args: seen.append(
        (gc.get_threshold(), ctypes.util.find_library)) or 0)
    threshold, lookup = gc.get_threshold(), ctypes.util.find_library
    assert main(["parse", str(tmp_path / "a.wiki")]) == 0
    assert seen == [(threshold, lookup)]
