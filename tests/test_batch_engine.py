"""The batch's scheduling without typesetting: bounded work in flight, one retry, a dead
worker, the manifest and the cache (the article builder replaced by a fast stand-in)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from publish import batch
from publish.plan import Options
from publish.sources.dump import Selection
from tests.dumps import page_xml, write_dump

TITLES = [f"条目{index}" for index in range(9)]


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return write_dump(tmp_path / "small.xml.bz2",
                      [page_xml(title, f"{title}的正文。", index + 1, 100 + index)
                       for index, title in enumerate(TITLES)])


def stand_in(job, options, shelf):
    """Writes one small file an edition; 条目3 always fails, 条目5 kills its process once."""
    title = job.article.title
    if title == "条目3":
        raise batch.PageFailed("条目3: cannot be built")
    marker = Path(shelf.root) / ".killed-once"
    if title == "条目5" and not marker.exists():
        marker.touch()
        os._exit(1)
    editions = []
    for script, fmt, name, key in job.editions:
        target = Path(shelf.root) / name
        target.write_bytes(name.encode())
        editions.append({"file": name, "script": script, "format": fmt,
                         "bytes": target.stat().st_size, "sha256": "-", "key": key})
    return {**batch._identity(job.article), "status": "built", "editions": editions,
            "warnings": 0, "warning_codes": {}, "seconds": 0.0, "cpu_seconds": 0.0,
            "worker": str(os.getpid())}


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(batch, "build_page", stand_in)
    monkeypatch.setattr(batch, "start_typesetter", lambda: None)


def entries(folder: Path) -> dict[str, dict]:
    lines = (folder / batch.MANIFEST).read_text(encoding="utf-8").splitlines()
    return {entry["title"]: entry for entry in map(json.loads, lines)}


def test_failures_are_retried_once_and_a_dead_worker_does_not_stop_the_batch(dump, tmp_path,
                                                                            fast):
    out = tmp_path / "out"
    result = batch.build_dump(dump, Selection(), Options(jobs=2), str(out))
    assert (result.built, result.failed) == (8, 1)
    found = entries(out)
    assert set(found) == set(TITLES)
    assert found["条目3"] | {"titles": None} == found["条目3"] | {
        "status": "failed", "error": "条目3: cannot be built", "attempts": 2, "editions": [],
        "titles": None}
    assert found["条目5"]["status"] == "built"  # its process died; sent again, built
    assert (out / "条目5.zh-Hant.pdf").read_bytes() == b"\xe6\x9d\xa1\xe7\x9b\xae5.zh-Hant.pdf"
    assert (out / batch.CATALOGUE).is_file()
    # The next run keeps what is there and tries the failed one again.
    again = batch.build_dump(dump, Selection(), Options(jobs=2), str(out))
    assert (again.built, again.kept, again.failed) == (0, 8, 1)


class CountingEngine:
    """Runs tasks at once, one at a time, and remembers the most ever in flight."""

    name, slots = "counting", 2

    def __init__(self):
        self.waiting, self.most = [], 0

    def submit(self, function, *args):
        from concurrent.futures import Future

        future = Future()
        try:
            future.set_result(function(*args))
        except Exception as error:  # noqa: BLE001
            future.set_exception(error)
        self.waiting.append(future)
        self.most = max(self.most, len(self.waiting))
        return future

    def done(self) -> list:
        finished, self.waiting = self.waiting[:1], self.waiting[1:]
        return finished

    def close(self) -> None:
        pass


def test_work_in_flight_is_bounded_and_the_dump_read_as_it_goes(dump, tmp_path, fast,
                                                                 monkeypatch):
    engine = CountingEngine()
    monkeypatch.setattr(batch, "engine_for", lambda scheduler, options: engine)
    in_flight_when_read = []
    original = batch._plan

    def watching(articles, *args):
        for job in original(articles, *args):
            in_flight_when_read.append(len(engine.waiting))
            yield job

    monkeypatch.setattr(batch, "_plan", watching)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".killed-once").touch()  # the stand-in runs in this process here: no killing
    result = batch.build_dump(dump, Selection(), Options(), str(out))
    assert result.built == 8 and result.failed == 1
    assert engine.most == batch.IN_FLIGHT_PER_SLOT * engine.slots
    assert max(in_flight_when_read) < engine.most  # a page is read only when there is room for it
