"""Faults, round two: line endings, byte order marks, undecodable files and deep lists read as
their author meant, or end in one line naming the file — never a traceback."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from lxml import etree

from publish.cli import main
from publish.model import BulletList, Text, to_json, walk
from publish.readers.repair import MAX_LIST_DEPTH
from publish.readers.source import read
from publish.readers.wikitext import read_text
from publish.report import PublishError, Report

ARTICLE = """'''山中'''是一个故事。
== 山中故事 ==
* 甲
** 乙
# 丙
第一行
第二行<ref>来源</ref>

{|
| 格 || 子
|}
=== 下一节 ===
<pre>pre
text</pre>
"""


def _document(text: str):
    report = Report()
    return read_text(text, report), report


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_crlf_and_lone_cr_read_exactly_as_lf(newline):
    expected, expected_report = _document(ARTICLE)
    document, report = _document(ARTICLE.replace("\n", newline))
    assert to_json(document) == to_json(expected)
    assert report.codes() == expected_report.codes()
    assert "heading-unclosed" not in report.codes()


@pytest.mark.parametrize("encoding, mark", [
    ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE)], ids=["utf-8", "utf-16-le", "utf-16-be"])
def test_a_byte_order_mark_is_honoured(tmp_path: Path, encoding, mark):
    source = tmp_path / "a.wiki"
    source.write_bytes(mark + ARTICLE.replace("\n", "\r\n").encode(encoding))
    document = read(source, Report())
    expected, _ = _document(ARTICLE)
    assert (document.blocks, document.sections, document.sources) == \
        (expected.blocks, expected.sections, expected.sources)


@pytest.mark.parametrize("encoding", ["gb18030", "big5"])
def test_an_undecodable_file_names_the_file_the_offset_and_the_likely_encoding(
        tmp_path: Path, encoding):
    source = tmp_path / "a.wiki"
    source.write_bytes("abc 中文的段落。".encode(encoding))
    with pytest.raises(PublishError) as caught:
        read(source, Report())
    message = str(caught.value)
    assert str(source) in message and "at byte 4" in message
    assert f"--encoding {encoding}" in message or "--encoding gb18030" in message
    assert "\n" not in message


def test_an_undecodable_file_is_one_line_and_exit_1(tmp_path: Path, capsys):
    source = tmp_path / "a.wiki"
    source.write_bytes("中文".encode("gb18030"))
    assert main(["parse", str(source)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "a.wiki" in err and "gb18030" in err


def test_a_list_nested_2000_deep_is_set_at_the_bounded_depth():
    text = "\n".join("*" * depth + f" 第{depth}层" for depth in range(1, 2001)) + "\n\n句末哨兵"
    document, report = _document(text)
    assert "list-too-deep" in report.codes()
    depth, node = 0, document.blocks[0]
    while isinstance(node, BulletList):
        depth += 1
        node = node.items[-1].sublists[-1] if node.items[-1].sublists else None
    assert depth == MAX_LIST_DEPTH
    texts = "".join(n.text for n in walk(document) if isinstance(n, Text))
    assert "第2000层" in texts and "句末哨兵" in texts


@pytest.mark.e2e
def test_a_list_nested_150_deep_builds_every_edition(tmp_path: Path):
    source = tmp_path / "deep.wiki"
    source.write_text("\n".join("*" * depth + f" 第{depth}层" for depth in range(1, 151))
                      + "\n\n句末哨兵", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir() if p.suffix in (".pdf", ".epub")) == [
        "deep.zh-Hans.epub", "deep.zh-Hans.pdf", "deep.zh-Hant.epub", "deep.zh-Hant.pdf"]


HOSTILE_LINKS = """'''链接'''测试。<ref>{{cite web|url=javascript:alert(1)|title=标题}}</ref>
[javascript:alert(2) 点此]与[https://example.org/ 正常]。<ref>{{cite web|url=JaVa\tScRiPt:alert(3)|title=二}}</ref>

{{Reflist}}
"""
HOSTILE_META = """title = "链接"
source_url = "javascript:alert(4)"
history_url = "data:text/html,<script>alert(5)</script>"
licence_url = "https://creativecommons.org/licenses/by-sa/4.0/"
"""


def test_urls_outside_the_allow_list_never_become_links():
    from publish import transforms
    from publish.transforms.links import is_allowed

    assert [is_allowed(url) for url in (
        "https://a.org/x", "http://a.org", "mailto:a@b.org", "#note-1", "javascript:x",
        "JavaScript:x", "java\tscript:x", "data:text/html,x", "file:///etc/passwd",
        "vbscript:x", "", " https://a.org")] == [True] * 4 + [False] * 8
    document, report = _document(HOSTILE_LINKS)
    report = Report()
    document = transforms.apply(document, "zh-Hans", report)
    urls = [n.url for n in walk(document) if type(n).__name__ == "ExternalLink"]
    assert urls == ["https://example.org/"]
    assert all(not source.url for source in document.sources)
    assert "url-refused" in report.codes()


@pytest.mark.e2e
def test_hostile_urls_reach_neither_edition_as_links(tmp_path: Path):
    import zipfile

    import pypdf

    source = tmp_path / "links.wiki"
    source.write_text(HOSTILE_LINKS, encoding="utf-8")
    source.with_suffix(".toml").write_text(HOSTILE_META, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), "--out", str(out), "--script", "zh-Hans"]) == 0
    with zipfile.ZipFile(out / "links.zh-Hans.epub") as book:
        for name in book.namelist():
            if not name.endswith((".xhtml", ".opf", ".ncx")):
                continue
            tree = etree.fromstring(book.read(name))
            values = [value for element in tree.iter() for value in element.attrib.values()]
            values += [element.text or "" for element in tree.iter("{*}source")]
            assert not [value for value in values
                        if value.strip().lower().startswith(("javascript", "data:"))], name
    for page in pypdf.PdfReader(out / "links.zh-Hans.pdf").pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                assert str(action["/URI"]).startswith(("https://", "http://")), action["/URI"]


def test_metadata_is_cleaned_like_body_text(tmp_path: Path):
    from publish.readers.source import load_meta

    source = tmp_path / "a.wiki"
    source.with_suffix(".toml").write_text(
        'title = "标\\u0000题\\u202e\\ufdd0"\nsource_url = "https://a.org/\\u0007"\n',
        encoding="utf-8")
    report = Report()
    meta = load_meta(source, report)
    assert meta.title == "标题" and meta.source_url == "https://a.org/"
    assert "invalid-characters" in report.codes()


def test_sources_larger_than_a_wiki_article_are_refused_before_reading(tmp_path: Path, capsys):
    source = tmp_path / "big.wiki"
    source.write_bytes(b"a" * (2 * 1024 * 1024 + 1))
    assert main(["parse", str(source)]) == 1
    err = capsys.readouterr().err
    assert "big.wiki" in err and "2 MB" in err and "Traceback" not in err
    from publish.readers.source import read
    assert read(source, Report(), max_bytes=3 * 1024 * 1024).blocks


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path: Path, capsys, make):
    import os
    if make == "fifo":
        source = tmp_path / "pipe.wiki"
        os.mkfifo(source)
    else:
        source = Path("/dev/zero")
    assert main(["parse", str(source)]) == 1
    assert "not a regular file" in capsys.readouterr().err


@pytest.mark.e2e
def test_a_killed_builds_temporary_files_are_removed_by_the_next_build(tmp_path: Path):
    source = tmp_path / "a.wiki"
    source.write_text("'''甲'''是一篇文章。\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".a.zh-Hans.pdf.k3j2h1.tmp"
    stale.write_bytes(b"%PDF-1.7 half written")
    assert main(["build", str(source), "--out", str(out), "--format", "epub"]) == 0
    assert not stale.exists()
    assert not list(out.glob(".*.tmp"))


@pytest.mark.e2e
def test_two_builds_into_one_folder_at_once_both_end_with_valid_files(tmp_path: Path):
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "a.wiki"
    source.write_text("'''甲'''是一篇文章。<ref>来源</ref>\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "publish", "build", str(source), "--out", str(out),
               "--format", "epub", "--force"]
    builds = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for process in builds:
        stderr = process.communicate(timeout=300)[1]
        assert process.returncode == 0 and "Traceback" not in stderr, stderr
    for name in ("a.zh-Hans.epub", "a.zh-Hant.epub"):
        with zipfile.ZipFile(out / name) as book:
            assert book.testzip() is None
    assert not list(out.glob(".*.tmp"))


@pytest.mark.parametrize("jobs", ["0", "-3", "x"])
def test_jobs_below_one_is_a_usage_error(tmp_path: Path, jobs, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["build", str(tmp_path / "a.wiki"), "--jobs", jobs])
    assert stop.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_two_sources_with_one_stem_are_an_error_before_anything_is_built(tmp_path: Path,
                                                                        capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.wiki").write_text("正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "a" / "same.wiki"), str(tmp_path / "b" / "same.wiki"),
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "a/same.wiki" in err and "b/same.wiki" in err and "Traceback" not in err
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix in (".pdf", ".epub")]


def test_a_source_given_twice_is_built_once(tmp_path: Path, capsys):
    source = tmp_path / "a.wiki"
    source.write_text("正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), str(tmp_path / "." / "a.wiki"), "--out", str(out),
                 "--format", "epub", "--script", "zh-Hans"]) == 0
    assert capsys.readouterr().err.count("wrote") == 1


@pytest.mark.parametrize("where, value", [("toml", "9999-12-31"), ("toml", "1900-01-01"),
                                          ("epoch", "99999999999999999"), ("epoch", "0")])
def test_a_date_no_book_can_hold_is_one_line(tmp_path: Path, monkeypatch, capsys, where, value):
    source = tmp_path / "a.wiki"
    source.write_text("正文。\n", encoding="utf-8")
    if where == "toml":
        source.with_suffix(".toml").write_text(f'source_date = "{value}"\n', encoding="utf-8")
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert main(["build", str(source), "--out", str(tmp_path / "out"), "--format", "epub"]) == 1
    err = capsys.readouterr().err
    assert "1980–2107" in err and "Traceback" not in err


@pytest.mark.parametrize("content", ["[]", "null", '{"a.zh-Hans.epub": "key"}', "{", '"x"',
                                     '{"a.zh-Hans.epub": {"key": 1, "sha256": []}}'])
def test_a_cache_file_of_any_wrong_shape_is_discarded_not_served(tmp_path: Path, content):
    source = tmp_path / "a.wiki"
    source.write_text("正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(source), "--out", str(out), "--format", "epub", "--script", "zh-Hans"]
    assert main(args) == 0
    (out / ".publish-cache.json").write_text(content, encoding="utf-8")
    assert main(args) == 0
    assert main(args) == 0  # and the cache written again is whole


def test_an_edition_dated_by_the_files_day_is_rebuilt_when_only_that_day_changes(
        tmp_path: Path, capsys, monkeypatch):
    import os

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = tmp_path / "a.wiki"
    source.write_text("正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(source), "--out", str(out), "--format", "epub", "--script", "zh-Hans"]
    assert main(args) == 0
    os.utime(source, (1_000_000_000, 1_000_000_000))  # 2001-09-09
    capsys.readouterr()
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().err
    import zipfile
    with zipfile.ZipFile(out / "a.zh-Hans.epub") as book:
        assert b"2001-09-09" in book.read("EPUB/content.opf")


def _complete_editions_only(out: Path) -> None:
    import zipfile

    for path in out.iterdir():
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                assert book.testzip() is None, path
        elif path.suffix == ".pdf":
            assert path.read_bytes().rstrip().endswith(b"%%EOF"), path


def _moment_reached(out: Path, moment: str) -> bool:
    """Whether the build writing into ``out`` is at ``moment``: ``early``, the folder made but
    nothing written in it; ``mid-pdf`` or ``mid-epub``, that edition's temporary file being
    written; ``rename``, a first edition renamed into place while the others are not."""
    try:
        names = [entry.name for entry in os.scandir(out)]
    except FileNotFoundError:
        return False
    editions = [name for name in names if name.endswith((".pdf", ".epub"))
                and not name.startswith(".")]
    temporaries = [name for name in names if name.endswith(".tmp")]
    if moment == "early":
        return not editions and not temporaries
    if moment in ("mid-pdf", "mid-epub"):
        return any(name.startswith(".") and f".{moment[4:]}." in name for name in temporaries)
    return 0 < len(editions) < 4


@pytest.mark.e2e
@pytest.mark.parametrize("moment", ["early", "mid-pdf", "mid-epub", "rename"])
def test_kill_9_at_any_moment_leaves_only_complete_editions(tmp_path: Path, moment):
    import signal
    import subprocess
    import sys
    import time

    from tests.helpers import ROOT, SEED

    out = tmp_path / "out"
    command = [sys.executable, "-m", "publish", "build", str(SEED), "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 600
    while not _moment_reached(out, moment):
        assert process.poll() is None, f"the build ended before the moment {moment}"
        assert time.monotonic() < deadline, f"the moment {moment} never came"
        time.sleep(0.001)
    os.killpg(process.pid, signal.SIGKILL)
    # Killed at that moment, not after it ended on its own.
    assert process.wait(timeout=60) == -signal.SIGKILL
    _complete_editions_only(out)
    assert subprocess.run(command, cwd=ROOT, stderr=subprocess.DEVNULL,
                          timeout=900).returncode == 0
    _complete_editions_only(out)
    assert not list(out.glob(".*.tmp"))
    assert len([p for p in out.iterdir() if p.suffix in (".pdf", ".epub")]) == 4


def test_a_running_head_shows_at_most_forty_characters_of_a_title():
    from publish.writers.html import RUNNING_HEAD, running_head

    assert running_head("中苏关系") == "中苏关系"
    long = running_head("长" * 50_000)
    assert len(long) == RUNNING_HEAD and long.endswith("…")


@pytest.mark.e2e
def test_a_100_kb_heading_builds_with_a_short_running_head(tmp_path: Path):
    import subprocess

    source = tmp_path / "heading.wiki"
    source.write_text("== " + "标题" * 16_600 + " ==\n正文。\n\n句末哨兵\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(source), "--out", str(out), "--script", "zh-Hans"]) == 0
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / "heading.zh-Hans.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "句末哨兵" in text and "标题" * 19 + "标…" in text


def test_the_cover_shows_at_most_a_bounded_part_of_a_title():
    from publish.writers.epub import COVER_TITLE, _cover_lines

    assert _cover_lines("中苏关系") == ["中苏关系"]
    lines = _cover_lines("长" * 1_000_000)
    assert len("".join(lines)) == COVER_TITLE and lines[-1].endswith("…") and len(lines) == 4
    assert all(len(line) <= 24 for line in _cover_lines("A very long English title " * 40))


@pytest.mark.e2e
@pytest.mark.parametrize("where, length", [("toml", 1000), ("toml", 350_000),
                                           ("lead", 1000)])
def test_a_long_title_is_whole_on_the_title_page_and_short_elsewhere(tmp_path, where, length):
    """A title over 960 characters (the EPUB cover's font size fell to 0) or of 1 MB, in the
    metadata or as the article's bold subject: both editions, in bounded time."""
    import io
    import subprocess
    import sys
    import time
    import zipfile

    from PIL import Image

    from tests.helpers import ROOT

    title = ("长标题" * length)[:length]
    source = tmp_path / "long.wiki"
    if where == "toml":
        source.write_text("正文。\n\n句末哨兵\n", encoding="utf-8")
        source.with_suffix(".toml").write_text(f'title = "{title}"\nlanguage = "zh"\n',
                                               encoding="utf-8")
    else:
        source.write_text(f"'''{title}'''是一篇文章。\n\n句末哨兵\n", encoding="utf-8")
    out = tmp_path / "out"
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-m", "publish", "build", str(source), "--out",
                              str(out), "--script", "zh-Hans"], capture_output=True, text=True,
                             timeout=900, cwd=ROOT)
    seconds = time.monotonic() - started
    assert process.returncode == 0 and "Traceback" not in process.stderr, process.stderr
    assert seconds < 600, seconds
    with zipfile.ZipFile(out / "long.zh-Hans.epub") as book:
        cover = Image.open(io.BytesIO(book.read("EPUB/images/cover.jpg")))
        assert cover.size == (1200, 1800)
        opf = book.read("EPUB/content.opf").decode()
        assert title in opf  # the package's title is whole
    pdf = out / "long.zh-Hans.pdf"
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    # The title page holds the whole title, cut only into lines.
    assert title in "".join("".join(page.split()) for page in pages)
    # Running heads: at most 40 characters of it, on every page that has one.
    head = title[:39] + "…"
    assert any(head in page for page in pages)
    assert "句末哨兵" in "".join(pages)
