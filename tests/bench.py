"""Benchmark (``make bench``): the seed's editions against one bare WeasyPrint render, side by side.

Every measurement is a cold command (a new Python process), repeated; each row's ratio is the
median of the ratios taken pair by pair within one round, so a noisy neighbour slows both
sides of a pair alike. Standard library timing only.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "中苏关系.wiki"
PUBLISH = [sys.executable, "-m", "publish", "build"]
BARE_CSS = ('@page { size: A4; margin: 2cm } '
            'body { font-family: "Noto Serif CJK SC", serif; font-size: 10.5pt; }')


def run(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=ROOT, **kwargs)
    return time.perf_counter() - started


def peak_rss_mb(command: list[str]) -> float:
    """The largest resident set of any process of ``command`` (it and its workers), in MB."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *command], check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout
    return int(out.strip()) / 1024


def bare_html(work: Path) -> Path:
    """The seed as pandoc writes it (or, without pandoc, as plain paragraphs), minimal CSS."""
    css = work / "bare.css"
    css.write_text(BARE_CSS, encoding="utf-8")
    html = work / "bare.html"
    if shutil.which("pandoc"):
        subprocess.run(["pandoc", "-f", "mediawiki", "-t", "html5", "-s", "--metadata",
                        "title=中苏关系", "--metadata", "lang=zh-Hans", "-c", str(css),
                        str(SEED), "-o", str(html)], check=True)
        return html
    text = SEED.read_text(encoding="utf-8")
    paragraphs = [re.sub(r"[\[\]{}|'<>=]", "", p) for p in text.split("\n\n")]
    html.write_text('<html lang="zh-Hans"><head><meta charset="utf-8"><link rel="stylesheet" '
                    'href="bare.css"></head><body>'
                    + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>",
                    encoding="utf-8")
    return html


def scaled_seed(work: Path, factor: int) -> Path:
    """The seed with its sections repeated ``factor`` times (lead, categories once)."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index("\n== ")
    end = text.index("\n== 参考文献")
    body = text[start:end]
    source = work / f"seed{factor}x.wiki"
    source.write_text(text[:start] + body * factor + text[end:], encoding="utf-8")
    return source


def articles(work: Path, count: int) -> Path:
    """``count`` small articles cut from the seed's sections."""
    folder = work / "articles"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    sections = re.split(r"\n(?=== )", text[text.index("\n== "):text.index("\n== 参考文献")])
    sections = [s for s in sections if len(s) > 500]
    for index in range(count):
        (folder / f"article{index:02d}.wiki").write_text(
            sections[index % len(sections)] + "\n== 参考文献 ==\n{{Reflist}}\n", encoding="utf-8")
    return folder


def median_ratio(pairs: list[tuple[float, float]]) -> float:
    return statistics.median(a / b for a, b in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1793145600"}
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        html = bare_html(work)
        bare_cmd = [sys.executable, "-c", "import sys, weasyprint; "
                    "weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])",
                    str(html), str(work / "bare.pdf")]
        # The same render with WeasyPrint's libraries found as publish finds them (see
        # publish/writers/libraries.py): the part of the gap that is not the book's work.
        bare_ldconfig_cmd = [sys.executable, "-c", "import sys\nfrom publish.writers.libraries "
                             "import ldconfig_lookup\nwith ldconfig_lookup():\n    import "
                             "weasyprint\nweasyprint.HTML(filename=sys.argv[1]).write_pdf("
                             "sys.argv[2])",
                             str(html), str(work / "bare-ldconfig.pdf")]
        out = work / "out"
        all_cmd = [*PUBLISH, str(SEED), "--out", str(out), "--force"]
        nochange_cmd = [*PUBLISH, str(SEED), "--out", str(out)]
        big = scaled_seed(work, 10)
        big_cmd = [*PUBLISH, str(big), "--out", str(work / "big"), "--force"]
        folder = articles(work, 20)
        many_cmd = [*PUBLISH, str(folder), "--out", str(work / "many"), "--force"]
        singles = {f"{script} {fmt} alone": [*PUBLISH, str(SEED), "--out", str(work / "one"),
                                             "--force", "--script", script, "--format", fmt]
                   for script in ("zh-Hans", "zh-Hant") for fmt in ("pdf", "epub")}
        run(all_cmd, env=env)  # warm the disk cache and the font cache once

        rows: dict[str, list[tuple[float, float]]] = {}
        seed_all: list[float] = []
        for _ in range(args.rounds):
            bare = run(bare_cmd, env=env)
            for label, command in (("all four editions, cold", all_cmd),
                                   ("bare render, libraries from ldconfig", bare_ldconfig_cmd),
                                   ("no-change rebuild", nochange_cmd), *singles.items()):
                seconds = run(command, env=env)
                rows.setdefault(label, []).append((seconds, bare))
                if label == "all four editions, cold":
                    seed_all.append(seconds)
            rows.setdefault("bare render", []).append((bare, bare))
        big_pairs = []
        for index in range(max(1, args.rounds // 2)):
            big_pairs.append((run(big_cmd, env=env), seed_all[index]))
        many_seconds = run(many_cmd, env=env)
        big_rss = peak_rss_mb(big_cmd)
        seed_rss = peak_rss_mb(all_cmd)

        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
              f"{'pandoc' if shutil.which('pandoc') else 'plain'} bare HTML, "
              f"{args.rounds} rounds, medians")
        print(f"{'run':36s} {'seconds':>8s} {'× bare':>8s}")
        for label, pairs in rows.items():
            seconds = statistics.median(a for a, _ in pairs)
            print(f"{label:36s} {seconds:8.2f} {median_ratio(pairs):8.2f}")
        big_seconds = statistics.median(a for a, _ in big_pairs)
        print(f"{'10x source, all four, cold':36s} {big_seconds:8.2f} "
              f"{median_ratio(big_pairs):8.2f} × the seed ({big.stat().st_size // 1024} KB)")
        print(f"{'20 articles, all four each':36s} {many_seconds:8.2f} "
              f"{20 * 60 / many_seconds:8.1f} articles a minute")
        print(f"peak memory (largest process): seed {seed_rss:.0f} MB, 10x source {big_rss:.0f} MB")
        for path in sorted(out.iterdir()):
            if path.suffix in (".pdf", ".epub"):
                print(f"size {path.name}: {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
