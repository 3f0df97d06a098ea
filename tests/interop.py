"""Interoperability: the seed's EPUBs in reading tools no one here wrote (``make interop``).

Builds the four editions and the vertical one, then checks each EPUB with DAISY Ace and
calibre: no Ace violation; ``ebook-convert`` to AZW3 succeeds; the AZW3, read back, keeps
every note link; its ASIN is the book's identifier (the same on every conversion); the
vertical book is ``vertical-rl`` in the AZW3; a text export does not print the landmarks.
Each PDF is read by ``ebook-meta`` and converted to text by ``ebook-convert``.
Prints one line per check and exits 1 if any fails. Needs calibre, chromium and an installed
``ace-puppeteer`` (the Makefile installs them); not part of ``make test``.
"""
from __future__ import annotations

import argparse
import json
import logging
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree, html

from publish.transforms.script import labels

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "中苏关系.wiki"
log = logging.getLogger("interop")
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
#: EXTH records of a MOBI/KF8 file: ASIN, language, primary writing mode.
EXTH_ASIN, EXTH_LANGUAGE, EXTH_WRITING_MODE = 113, 524, 525


def build(out: Path) -> list[Path]:
    """The four editions and the vertical one."""
    publish = [sys.executable, "-m", "publish"]
    subprocess.run([*publish, "build", str(SEED), "--out", str(out), "--quiet"], check=True)
    subprocess.run([*publish, "build", str(SEED), "--out", str(out), "--format", "epub",
                    "--script", "zh-Hant", "--vertical", "--quiet"], check=True)
    return sorted([*out.glob("*.epub"), *out.glob("*.pdf")])


def script_of(path: Path) -> str:
    return "zh-Hant" if ".zh-Hant." in path.name else "zh-Hans"


def ace(ace_bin: Path, epub: Path, work: Path) -> list[str]:
    """Ace's violations: one line each (rule, impact, file)."""
    report_dir = work / f"ace-{epub.stem}"
    run = subprocess.run([str(ace_bin), "--force", "--silent", "--outdir", str(report_dir),
                          str(epub)], capture_output=True, text=True)
    if run.returncode != 0:
        return [f"ace failed: {run.stderr.strip()[-300:]}"]
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return [f"{test['earl:test']['dct:title']} ({test['earl:test']['earl:impact']}) in "
            f"{group['earl:testSubject']['url']}"
            for group in report.get("assertions", []) for test in group["assertions"]
            if test["earl:result"]["earl:outcome"] == "fail"]


def convert(source: Path, target: Path) -> str:
    """Run ebook-convert; its error output's end if it failed, else ""."""
    run = subprocess.run(["ebook-convert", str(source), str(target)], capture_output=True,
                         text=True)
    if run.returncode != 0 or not target.exists():
        return (run.stderr or run.stdout).strip()[-300:]
    return ""


def exth(path: Path) -> dict[int, list[bytes]]:
    """The EXTH metadata records of a MOBI/AZW3 file, by type."""
    data = path.read_bytes()
    records: dict[int, list[bytes]] = {}
    start = data.find(b"EXTH")
    while start >= 0:
        count = struct.unpack(">I", data[start + 8:start + 12])[0]
        position = start + 12
        for _ in range(count):
            kind, length = struct.unpack(">II", data[position:position + 8])
            records.setdefault(kind, []).append(data[position + 8:position + length])
            position += length
        start = data.find(b"EXTH", start + 4)
    return records


def epub_notes(epub: Path) -> tuple[int, str]:
    """The EPUB's note calls and its package identifier."""
    calls = 0
    with zipfile.ZipFile(epub) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(book.read(name))
                calls += sum(1 for a in root.iter(f"{XHTML}a")
                             if a.get(EPUB_TYPE) == "noteref")
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    unique = opf.get("unique-identifier")
    identifier = opf.xpath("//*[local-name()='identifier'][@id=$id]/text()", id=unique)[0]
    return calls, identifier


def linked_notes(book_dir: Path) -> int:
    """Note calls in calibre's EPUB export of the AZW3 whose target exists."""
    ids: dict[str, set[str]] = {}
    calls = []
    for page in book_dir.rglob("*.*html"):
        root = html.fromstring(page.read_bytes())
        ids[page.name] = {element.get("id") for element in root.iter() if element.get("id")}
        calls += [(page.name, a.get("href", "")) for a in root.iter("a")
                  if "noteref" in (a.get("class") or "").split()]
    linked = 0
    for page, href in calls:
        file_name, _, anchor = href.partition("#")
        if anchor in ids.get(Path(file_name).name or page, set()):
            linked += 1
    return linked


def check(epub: Path, ace_bin: Path, work: Path) -> list[str]:
    """The failures for one EPUB (and prints what it measured)."""
    failures = []
    vertical = ".vertical." in epub.name
    violations = ace(ace_bin, epub, work)
    log.info("%s: Ace violations: %d", epub.name, len(violations))
    failures += [f"{epub.name}: Ace: {v}" for v in violations]

    azw3 = work / f"{epub.stem}.azw3"
    error = convert(epub, azw3)
    if error:
        return failures + [f"{epub.name}: ebook-convert to AZW3 failed: {error}"]
    calls, identifier = epub_notes(epub)
    records = exth(azw3)
    asin = b"".join(records.get(EXTH_ASIN, [])).decode()
    mode = b"".join(records.get(EXTH_WRITING_MODE, [])).decode()
    language = b"".join(records.get(EXTH_LANGUAGE, [])).decode()
    back = work / f"{epub.stem}.from-azw3.epub"
    error = convert(azw3, back)
    if error:
        return failures + [f"{epub.name}: ebook-convert of the AZW3 back to EPUB failed: {error}"]
    unpacked = work / f"{epub.stem}.from-azw3"
    with zipfile.ZipFile(back) as book:
        book.extractall(unpacked)
    linked = linked_notes(unpacked)
    log.info("%s: AZW3 note links %d of %d, ASIN %s, writing mode %s, language %s",
             epub.name, linked, calls, asin, mode or "-", language)
    if linked != calls:
        failures.append(f"{epub.name}: the AZW3 keeps {linked} of {calls} note links")
    if asin != identifier.removeprefix("urn:uuid:"):
        failures.append(f"{epub.name}: the AZW3's ASIN {asin} is not the book's {identifier}")
    if vertical and not mode.startswith("vertical"):
        failures.append(f"{epub.name}: the AZW3's writing mode is {mode or 'unset'}")

    text = work / f"{epub.stem}.txt"
    error = convert(epub, text)
    if error:
        return failures + [f"{epub.name}: ebook-convert to TXT failed: {error}"]
    log.info("%s: ebook-meta: %s", epub.name, book_meta(epub))
    cover = labels(script_of(epub))["cover"]
    if cover in text.read_text(encoding="utf-8"):
        failures.append(f"{epub.name}: the text export prints the landmarks ({cover} …)")
    return failures


def book_meta(path: Path) -> str:
    """What ebook-meta reads as the book's languages and identifiers."""
    meta = subprocess.run(["ebook-meta", str(path)], capture_output=True, text=True).stdout
    return "; ".join(" ".join(part.strip() for part in line.split(":", 1))
                     for line in meta.splitlines()
                     if line.startswith(("Title", "Languages", "Identifiers")))


def check_pdf(pdf: Path, work: Path) -> list[str]:
    """The failures for one PDF: calibre reads its metadata and converts it to text."""
    log.info("%s: ebook-meta: %s", pdf.name, book_meta(pdf))
    text = work / f"{pdf.stem}.txt"
    error = convert(pdf, text)
    if error:
        return [f"{pdf.name}: ebook-convert to TXT failed: {error}"]
    title = "中苏关系" if script_of(pdf) == "zh-Hans" else "中蘇關係"
    if title not in text.read_text(encoding="utf-8"):
        return [f"{pdf.name}: calibre's text has no {title}"]
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ace", type=Path, required=True, help="the ace-puppeteer program")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "interop")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="interop: %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory(prefix="interop-") as temporary:
        for book in build(args.out):
            failures += check(book, args.ace, Path(temporary)) if book.suffix == ".epub" \
                else check_pdf(book, Path(temporary))
    for failure in failures:
        log.error("FAIL %s", failure)
    log.info("%s", "all checks passed" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
