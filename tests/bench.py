"""Benchmark (``make bench``): the seed's editions against one bare WeasyPrint render, side by side.

Every measurement is a cold command (a new Python process), repeated; each row's ratio is the
median of the ratios taken pair by pair within one round, so a noisy neighbour slows both
sides of a pair alike. Standard library timing only.

The batch figure (``--only batch``, ``make bench-batch``): a dump of the test articles and the
seed built on the local pool and on a two-worker Dask LocalCluster (articles a minute a core),
the scheduler's overhead a task, and each article's cost by size class, for the README's plan.

The coverage figure (``--only coverage``, also at the end of the full run): each article in
``tests/articles`` built in both scripts, and the share of its visible text found in the PDF
and in the EPUB (``tests/coverage.py``).

The size figures (``--only shapes``, ``make bench-shapes``): sources of 1 MB and 2 MB in each
shape of the size rule (tests/shapes.py: one line, notes, links, 100 KB headings, template
calls), each edition kind built alone in a child process (zh-Hans, one job): seconds and peak
resident memory, both per MB of source, and how each grows from 1 MB to 2 MB (2.0 is linear).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
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


def shapes(work: Path, limit: float = 900) -> None:
    """Seconds and peak memory per MB for each shape of the size rule, at 1 MB and 2 MB."""
    sys.path.insert(0, str(ROOT))
    from tests.shapes import MB, SHAPES, Usage, measured

    env = {**os.environ, "SOURCE_DATE_EPOCH": "1793145600"}
    print(f"size: each edition alone (zh-Hans, --jobs 1), a child process each; load average "
          f"{os.getloadavg()[0]:.1f} before")
    print(f"{'shape':10s} {'edition':7s} {'MB':>5s} {'seconds':>8s} {'peak MB':>8s} "
          f"{'s/MB':>7s} {'peak/MB':>8s} {'growth s':>9s} {'growth MB':>10s}")
    for name, shape in SHAPES.items():
        results: dict[tuple[str, int], Usage | None] = {}
        for size in (MB, 2 * MB):
            source = work / f"{name.replace(' ', '-')}-{size // MB}mb.wiki"
            source.write_text(shape(size), encoding="utf-8")
            megabytes = source.stat().st_size / MB
            for fmt in ("pdf", "epub"):
                command = [*PUBLISH, str(source), "--out", str(work / "shapes"), "--force",
                           "--script", "zh-Hans", "--format", fmt, "--jobs", "1"]
                result = results[fmt, size] = measured(command, limit, env)
                if result is None:
                    print(f"{name:10s} {fmt:7s} {megabytes:5.2f} failed or ran past {limit:.0f} s")
                    continue
                seconds, peak = result.seconds, result.peak_mb
                growth = ""
                smaller = results.get((fmt, size // 2))
                if size == 2 * MB and smaller is not None:
                    growth = (f"{seconds / smaller.seconds:9.2f} "
                              f"{peak / smaller.peak_mb:10.2f}")
                print(f"{name:10s} {fmt:7s} {megabytes:5.2f} {seconds:8.1f} {peak:8.0f} "
                      f"{seconds / megabytes:7.1f} {peak / megabytes:8.0f} {growth}", flush=True)


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


def _noop(value: int) -> int:
    return value


def batch_dump(work: Path) -> Path:
    """The test articles, the seed and the seed with its sections four times, as a dump."""
    sys.path.insert(0, str(ROOT))
    from tests.dumps import ARTICLES, page_xml, write_dump

    texts = {path.stem: path.read_text(encoding="utf-8")
             for path in sorted(ARTICLES.glob("*.wiki"))}
    texts["seed"] = SEED.read_text(encoding="utf-8")
    texts["seed4x"] = scaled_seed(work, 4).read_text(encoding="utf-8")
    pages = [page_xml(title, text, index + 1, 1000 + index)
             for index, (title, text) in enumerate(texts.items())]
    return write_dump(work / "bench-pages-articles.xml.bz2", pages)


def batch(work: Path, rounds: int) -> None:
    """Articles a minute a core on the local pool and on a 2-worker LocalCluster; the
    scheduler's overhead a task; each article's cost and output by size class."""
    from distributed import Client, LocalCluster

    from publish.batch import MANIFEST, build_dump
    from publish.plan import Options
    from publish.sources.dump import Selection

    import logging

    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # its shutdown chatter
    os.environ["SOURCE_DATE_EPOCH"] = "1793145600"
    dump = batch_dump(work)
    load_before = os.getloadavg()[0]
    options = Options(force=True, jobs=2)
    local_out, cluster_out = work / "batch-local", work / "batch-cluster"
    build_dump(dump, Selection(), options, str(local_out))  # warm the disk and font caches
    local = [build_dump(dump, Selection(), options, str(local_out)) for _ in range(rounds)]
    pool_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    entries = [json.loads(line) for line in
               (local_out / MANIFEST).read_text(encoding="utf-8").splitlines()]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        build_dump(dump, Selection(), options, str(cluster_out),
                   scheduler=cluster.scheduler_address)  # the plugin's first install
        remote = [build_dump(dump, Selection(), options, str(cluster_out),
                             scheduler=cluster.scheduler_address) for _ in range(rounds)]
        with Client(cluster) as client:
            client.gather(client.map(_noop, range(100), pure=False))
            count = 2000
            started = time.perf_counter()
            client.gather(client.map(_noop, range(count), pure=False))
            overhead = (time.perf_counter() - started) / count
            worker_rss = max(client.run(
                lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values()) / 1024
    articles = local[0].built
    assert articles == remote[0].built and not any(r.failed for r in local + remote)
    cores = 2
    local_s = statistics.median(r.seconds for r in local)
    remote_s = statistics.median(r.seconds for r in remote)
    print(f"batch: {articles} articles (all four editions each), {rounds} rounds, medians, "
          f"{os.cpu_count()} cores, load average {load_before:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after")
    print(f"{'engine':34s} {'seconds':>8s} {'articles/min/core':>18s}")
    print(f"{'local pool, 2 processes':34s} {local_s:8.2f} "
          f"{articles * 60 / local_s / cores:18.1f}")
    print(f"{'Dask LocalCluster, 2 workers':34s} {remote_s:8.2f} "
          f"{articles * 60 / remote_s / cores:18.1f}")
    print(f"scheduler overhead: {overhead * 1000:.2f} ms a task (round trip of {count} no-op "
          f"tasks); the batch on the cluster {(remote_s - local_s) / articles * 1000:+.0f} ms "
          f"an article against the pool")
    print(f"peak memory of a worker: pool {pool_rss:.0f} MB, Dask worker {worker_rss:.0f} MB")
    classes = ((0, 10), (10, 20), (20, 40), (40, 1 << 20))
    print(f"{'wikitext size':16s} {'articles':>8s} {'CPU s each':>10s} {'wall s each':>11s} "
          f"{'output KB each':>15s}")
    sizes = {entry["title"]: entry for entry in entries}
    for low, high in classes:
        chosen = [entry for title, entry in sizes.items()
                  if low <= _source_kb(dump, title) < high]
        if not chosen:
            continue
        cpu = statistics.mean(entry["cpu_seconds"] for entry in chosen)
        seconds = statistics.mean(entry["seconds"] for entry in chosen)
        output = statistics.mean(sum(e["bytes"] for e in entry["editions"]) / 1024
                                 for entry in chosen)
        label = f"{low}-{high} KB" if high < 1 << 20 else f">= {low} KB"
        print(f"{label:16s} {len(chosen):8d} {cpu:10.2f} {seconds:11.2f} {output:15.0f}")


_SOURCE_KB: dict[str, float] = {}


def _source_kb(dump: Path, title: str) -> float:
    """The size of ``title``'s wikitext in the dump, in KB."""
    if not _SOURCE_KB:
        from publish.sources.dump import DumpCounts, DumpReader, Selection

        with DumpReader(dump, Selection(), DumpCounts()) as reader:
            for article in reader.articles():
                _SOURCE_KB[article.title] = len(article.text.encode("utf-8")) / 1024
    return _SOURCE_KB[title]


def coverage(work: Path) -> None:
    """The share of each test article's visible text found in its books (tests/coverage.py),
    every article built in both scripts, and how many of its formulas each book holds."""
    sys.path.insert(0, str(ROOT))
    from tests.coverage import epub_formulas, epub_text, formulas, measure, pdf_formulas, pdf_text

    folder = work / "coverage"
    folder.mkdir()
    for path in sorted((ROOT / "tests" / "articles").glob("*.wiki")):
        shutil.copy(path, folder / path.name)
    subprocess.run([*PUBLISH, str(folder), "--out", str(folder / "out"), "--force"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    print(f"{'text reaching the books':42s} {'PDF':>7s} {'EPUB':>7s}  formulas (PDF, EPUB);"
          " characters the report says were dropped with unknown templates")
    for path in sorted(folder.glob("*.wiki")):
        wikitext = path.read_text(encoding="utf-8")
        report = json.loads((folder / "out" / f"{path.stem}.report.json").read_text())
        dropped = sum(entry["chars"] for entry in report["dropped_templates"])
        for pdf_book in sorted((folder / "out").glob(f"{path.stem}.*.pdf")):
            edition = pdf_book.name.removesuffix(".pdf")
            script = edition.rsplit(".", 1)[-1]
            epub_book = pdf_book.with_suffix(".epub")
            pdf = measure(wikitext, pdf_text(pdf_book), script=script,
                          formulas_found=pdf_formulas(pdf_book))
            epub = measure(wikitext, epub_text(epub_book), script=script,
                           formulas_found=epub_formulas(epub_book))
            count = len(formulas(wikitext))
            print(f"{edition:42s} {pdf.share:7.2%} {epub.share:7.2%}  "
                  f"{count - len(pdf.formulas_missing)}/{count}, "
                  f"{count - len(epub.formulas_missing)}/{count}; {dropped}")


def seed(work: Path, rounds: int) -> None:
    """The seed's editions, each way they are built, against the bare render, side by side."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1793145600"}
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
    for _ in range(rounds):
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
    for index in range(max(1, rounds // 2)):
        big_pairs.append((run(big_cmd, env=env), seed_all[index]))
    many_seconds = run(many_cmd, env=env)
    big_rss = peak_rss_mb(big_cmd)
    seed_rss = peak_rss_mb(all_cmd)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{'pandoc' if shutil.which('pandoc') else 'plain'} bare HTML, "
          f"{rounds} rounds, medians")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("seed", "batch", "coverage", "shapes"),
                        help="run one part alone (seed: the seed's editions against the bare "
                             "render; batch: the dump on the pool and on Dask; "
                             "coverage: the test articles' text in their books; "
                             "shapes: the size rule's sources at 1 MB and 2 MB)")
    parser.add_argument("--limit", type=float, default=900,
                        help="seconds a shape's build may take before it is stopped")
    args = parser.parse_args()
    if args.only:
        with tempfile.TemporaryDirectory() as name:
            if args.only == "seed":
                seed(Path(name), args.rounds)
            elif args.only == "batch":
                batch(Path(name), max(1, args.rounds // 2))
            elif args.only == "coverage":
                coverage(Path(name))
            else:
                shapes(Path(name), args.limit)
        return
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        seed(work, args.rounds)
        batch(work, max(1, args.rounds // 2))
        coverage(work)
        shapes(work, args.limit)


if __name__ == "__main__":
    main()
