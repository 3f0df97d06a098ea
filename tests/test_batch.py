"""A dump built as a batch: the local pool and a two-worker Dask LocalCluster write the same
files byte for byte; a page that fails is in the manifest and the others are built; an
unchanged article is not built again; the catalogue works in a real headless browser."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from publish.batch import CATALOGUE, MANIFEST, build_dump
from publish.cli import main
from publish.plan import Options
from publish.sources.dump import Selection
from tests.dumps import corpus_dump

pytestmark = pytest.mark.e2e

BOOKS = {"靜夜思", "古斯塔夫·克林姆", "君之代"}
CHROMIUM = Path("/usr/bin/chromium")


def manifest(folder: Path) -> dict[str, dict]:
    lines = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    return {entry["title"]: entry for entry in map(json.loads, lines)}


def editions(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()
            if path.suffix in (".pdf", ".epub")}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The test dump, built with the local pool into one folder and on a LocalCluster of two
    worker processes into another (given as a file:// URL, through fsspec)."""
    from distributed import LocalCluster

    work = tmp_path_factory.mktemp("batch")
    dump = corpus_dump(work / "zhwiki-test-pages-articles.xml.bz2")
    local, dask = work / "local", work / "dask"
    assert main(["build", str(dump), "--out", str(local), "--jobs", "2"]) == 1  # one failed
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        os.environ["DASK_SCHEDULER_ADDRESS"] = cluster.scheduler_address
        try:  # the scheduler from the environment, the shelf as an fsspec URL
            assert main(["build", str(dump), "--out", dask.as_uri()]) == 1
        finally:
            del os.environ["DASK_SCHEDULER_ADDRESS"]
    return dump, local, dask


def test_the_pool_and_the_cluster_write_the_same_files(batch):
    _, local, dask = batch
    built = editions(local)
    assert len(built) == 12 and built == editions(dask)
    statuses = sorted(entry["status"] for entry in manifest(dask).values())
    assert statuses == ["built", "built", "built", "failed"]
    workers = {entry["worker"] for entry in manifest(dask).values() if "worker" in entry}
    assert all(worker.startswith("tcp://127.0.0.1:") for worker in workers)
    assert not [path for path in dask.iterdir() if path.name.endswith(".tmp")]


def test_the_failed_page_is_in_the_manifest_and_the_others_are_built(batch):
    _, local, _ = batch
    entries = manifest(local)
    assert set(entries) == BOOKS | {"空白条目"}
    failed = entries["空白条目"]
    assert (failed["status"], failed["attempts"], failed["editions"]) == ("failed", 2, [])
    assert failed["error"] == "空白条目: the source is empty"
    for title in BOOKS:
        entry = entries[title]
        assert entry["status"] == "built" and len(entry["editions"]) == 4
        for edition in entry["editions"]:
            data = (local / edition["file"]).read_bytes()
            assert edition["bytes"] == len(data)
            assert edition["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["revision"] and entry["seconds"] > 0 and entry["worker"]
    assert entries["靜夜思"]["titles"] == {"zh-Hans": "静夜思", "zh-Hant": "靜夜思"}
    report = json.loads((local / "古斯塔夫·克林姆.report.json").read_text(encoding="utf-8"))
    assert len(report["warnings"]) == entries["古斯塔夫·克林姆"]["warnings"] > 0
    assert not (local / "空白条目.report.json").exists()


def test_an_unchanged_article_is_not_built_again(batch, tmp_path):
    dump, local, _ = batch
    before = {path.name: path.stat().st_mtime_ns for path in local.iterdir()
              if path.suffix in (".pdf", ".epub")}
    again = build_dump(dump, Selection(), Options(), str(local))
    assert (again.built, again.kept, again.failed) == (0, 3, 1)
    assert before == {path.name: path.stat().st_mtime_ns for path in local.iterdir()
                      if path.suffix in (".pdf", ".epub")}
    assert {e["status"] for e in manifest(local).values()} == {"unchanged", "failed"}
    # An edition removed by hand is built again, with the rest of its article.
    (local / "君之代.zh-Hant.epub").unlink()
    third = build_dump(dump, Selection(), Options(), str(local))
    assert (third.built, third.kept) == (1, 2) and (local / "君之代.zh-Hant.epub").is_file()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make setup)")
def test_the_catalogue_in_a_headless_browser(batch):
    from playwright.sync_api import sync_playwright

    _, _, dask = batch
    page_url = (dask / CATALOGUE).as_uri()
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_url)
            books = page.locator("li.book")
            assert books.count() == 3
            assert page.locator("li.book:visible").count() == 3
            # the search filters, in either script
            page.fill("#search", "克林")
            assert page.locator("li.book:visible").count() == 1
            assert "古斯塔夫" in page.locator("li.book:visible h2").inner_text()
            page.fill("#search", "静夜")
            assert page.locator("li.book:visible").count() == 1
            page.fill("#search", "没有这本书")
            assert page.locator("li.book:visible").count() == 0
            assert page.locator("#none").is_visible()
            page.fill("#search", "")
            assert page.locator("li.book:visible").count() == 3
            # the toggle: one script's titles and editions
            page.click("#scripts button[data-script='zh-Hant']")
            titles = page.locator("li.book h2").all_inner_texts()
            assert "靜夜思" in titles and "静夜思" not in titles
            assert page.locator("tr.hans:visible").count() == 0
            assert page.locator("tr.hant:visible").count() == 6
            page.click("#scripts button[data-script='zh-Hans']")
            titles = page.locator("li.book h2").all_inner_texts()
            assert "静夜思" in titles and "靜夜思" not in titles
            assert page.locator("tr.hant:visible").count() == 0
            # every link to a book resolves to a file beside the page
            hrefs = page.eval_on_selector_all("li.book td a", "links => links.map(a => a.href)")
            assert len(hrefs) == 12
            for href in hrefs:
                assert Path(unquote(urlsplit(href).path)).is_file(), href
            assert all(url.startswith("file://") for url in requests)  # nothing external

            # Without JavaScript the list is all there, and the controls that need it are not.
            still = browser.new_page(java_script_enabled=False)
            still.goto(page_url)
            assert still.locator("li.book:visible").count() == 3
            assert still.locator("td a:visible").count() == 12
            assert not still.locator("#search").is_visible()
        finally:
            browser.close()
