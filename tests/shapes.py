"""Test helper: large wikitext sources in the shapes the size rule names, generated at run time,
and the time and peak memory of a build of one, measured in a child process.

Each shape is a function of a size in bytes (UTF-8) giving a source of about that size whose
bulk is one construct: one line with no break, notes, links, long headings or template calls.
Every source ends in :data:`SENTINEL`, so a test can check that its last word reaches the book.
The text is drawn from a fixed list of common characters by a seeded generator: the same size
gives the same source, and no run of it repeats often enough to be laid out from a cache.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

__all__ = ["MB", "SENTINEL", "SHAPES", "Usage", "heading", "links", "measured", "notes",
           "one_line", "templates"]

_ROOT = Path(__file__).resolve().parent.parent

MB = 1 << 20
#: The last word of every generated source.
SENTINEL = "句末哨兵"
_CHARACTERS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
               "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
               "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
               "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
               "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
               "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指")


def _sentence(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_CHARACTERS) for _ in range(length)) + "。"


def _filled(parts: Callable[[random.Random, int], str], size: int, seed: int,
            head: str = "", tail: str = "") -> str:
    """``head``, pieces ``parts(rng, index)`` a blank line apart while the whole stays within
    ``size`` bytes, the sentinel and ``tail``."""
    rng = random.Random(seed)
    pieces: list[str] = []
    total = len(f"{head}\n\n{SENTINEL}\n{tail}".encode("utf-8"))
    index = 0
    while True:
        piece = parts(rng, index)
        total += len(piece.encode("utf-8")) + 2
        if total > size:
            break
        pieces.append(piece)
        index += 1
    return head + "\n\n".join(pieces) + "\n\n" + SENTINEL + "\n" + tail


def one_line(size: int) -> str:
    """One paragraph of ``size`` bytes on a single line (no line break anywhere)."""
    rng = random.Random(1)
    count = (size - 20) // (40 * 3)
    return "".join(_sentence(rng, 39) for _ in range(count)) + SENTINEL + "\n"


def notes(size: int) -> str:
    """Notes all through: each sentence of about 20 characters ends in a ``<ref>`` of its
    own (about 20,000 in 2 MB), ten to a paragraph, a section every fifty paragraphs."""

    def paragraph(rng: random.Random, index: int) -> str:
        heading = f"== 第{index // 50 + 1}节 ==\n" if index % 50 == 0 else ""
        return heading + "".join(
            f"{_sentence(rng, 20)}<ref>{_sentence(rng, 5)}第{index * 10 + n + 1}条</ref>"
            for n in range(10))

    return _filled(paragraph, size, 2, "'''注释'''测试。\n\n", "\n== 参考文献 ==\n{{Reflist}}\n")


def links(size: int) -> str:
    """Internal links all through: a link in about every 40 bytes (about 50,000 in 2 MB),
    half of them with a label of their own, twenty to a paragraph."""

    def paragraph(rng: random.Random, index: int) -> str:
        words = []
        for n in range(20):
            target = "".join(rng.choice(_CHARACTERS) for _ in range(3))
            link = f"[[{target}{index}]]" if n % 2 else f"[[{target}|{target[:2]}]]"
            words.append("".join(rng.choice(_CHARACTERS) for _ in range(4)) + link)
        return "、".join(words) + "。"

    return _filled(paragraph, size, 3)


def heading(size: int) -> str:
    """Headings of 100 KB, one in every 200 KB (ten in 2 MB), each followed by paragraphs."""
    rng = random.Random(4)
    count = max(1, round(size / (200 * 1024)))
    title_length = 100 * 1024 // 3
    paragraphs = max(1, (size // count - 100 * 1024 - 64) // (10 * 31 * 3 + 2))
    parts = []
    for _ in range(count):
        title = "".join(rng.choice(_CHARACTERS) for _ in range(title_length))
        body = "\n\n".join("".join(_sentence(rng, 30) for _ in range(10))
                            for _ in range(paragraphs))
        parts.append(f"== {title} ==\n{body}")
    return "\n\n".join(parts) + "\n\n" + SENTINEL + "\n"


def templates(size: int) -> str:
    """Template calls all through: one in about every 200 bytes (about 10,000 in 2 MB),
    known ones (``lang``, ``tsl``, ``cite web`` in a note) and one the reader has no rule for."""
    calls = ("{{{{lang|en|Word {n}}}}}", "{{{{tsl|en|Article {n}|条目{n}}}}}",
             "<ref>{{{{cite web|url=https://example.org/{n}|title=标题{n}}}}}</ref>",
             "{{{{未知模板|参数{n}}}}}")

    def paragraph(rng: random.Random, index: int) -> str:
        return "".join(_sentence(rng, 50) + calls[(index * 5 + n) % 4].format(n=index * 5 + n)
                       for n in range(5))

    return _filled(paragraph, size, 5, tail="\n== 参考文献 ==\n{{Reflist}}\n")


#: The shapes by name, each a function of a size in bytes.
SHAPES: dict[str, Callable[[int], str]] = {
    "one line": one_line, "notes": notes, "links": links, "heading": heading,
    "templates": templates}


class Usage(NamedTuple):
    """Represents what a child process took: wall and CPU seconds, peak resident MB."""
    seconds: float
    cpu_seconds: float
    peak_mb: float


def measured(command: list[str], limit: float,
             env: dict[str, str] | None = None) -> Usage | None:
    """What ``command`` took, run as a child (its own children included), or None when it
    failed or ran past ``limit`` seconds (then it is killed)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    timer = threading.Timer(limit, os.killpg, (process.pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        return None
    return Usage(time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
                 usage.ru_maxrss / 1024)
