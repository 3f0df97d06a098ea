"""Test helper: the lines of a PDF as positioned characters (pdfplumber), for layout checks."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pdfplumber

BODY_SIZE = 10.5


@dataclass
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    size: float


def lines(path) -> list[Line]:
    """Every text line of the PDF, top to bottom on each page (superscripts folded in)."""
    out: list[Line] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: list[list[dict]] = []
            for char in sorted(page.chars, key=lambda c: (round(c["bottom"]), c["x0"])):
                for row in rows:
                    # Same line: baselines within half a body line (note calls sit higher).
                    if abs(row[0]["bottom"] - char["bottom"]) < 4 and \
                            max(c["size"] for c in row) > 0:
                        row.append(char)
                        break
                else:
                    rows.append([char])
            for row in rows:
                row.sort(key=lambda c: c["x0"])
                main = max(c["size"] for c in row)
                out.append(Line(number, "".join(c["text"] for c in row), row[0]["x0"],
                                row[-1]["x1"], min(c["top"] for c in row), round(main, 1)))
    out.sort(key=lambda line: (line.page, line.top))
    return out


def body_line_report(path):
    """(full lines, how many end within 0.5 em of the right edge, the ragged ones)."""
    all_lines = [line for line in lines(path) if abs(line.size - BODY_SIZE) < 0.3]
    full, flush, ragged = 0, 0, []
    # The text block's right edge on each page: where most lines end.
    right_edges = {}
    for page in {line.page for line in all_lines}:
        ends = Counter(round(line.x1, 1) for line in all_lines if line.page == page)
        right_edges[page] = ends.most_common(1)[0][0]
    for line, following in zip(all_lines, all_lines[1:]):
        if following.page != line.page:
            continue
        # A following line at the same left edge continues the paragraph: this one is full.
        if abs(following.x0 - line.x0) > 1 or following.top - line.top > BODY_SIZE * 2.2 \
                or line.text.startswith("•"):
            continue
        full += 1
        right = right_edges[line.page]
        if right - line.x1 <= BODY_SIZE * 0.5:
            flush += 1
        else:
            ragged.append((line, round((right - line.x1) / BODY_SIZE, 2)))
    return full, flush, ragged


def stranded_headings(path) -> list[tuple[int, str]]:
    """(page, heading) for each bookmarked heading with no text after it on its page: notes,
    running heads and page numbers (under 9 pt) and a "☞ see also" line do not count."""
    from pypdf import PdfReader

    outline = PdfReader(path).outline
    headings = {item.title for entry in outline
                for item in (entry if isinstance(entry, list) else [entry])}
    assert headings, "the PDF has no bookmarks"
    all_lines = lines(path)
    stranded = []
    for index, line in enumerate(all_lines):
        if line.text not in headings:
            continue
        after = [other for other in all_lines[index + 1:] if other.page == line.page]
        if not any(other.size >= 9 and not other.text.startswith("☞") for other in after):
            stranded.append((line.page, line.text))
    return stranded


def note_pages(path) -> tuple[dict[int, int], dict[int, int]]:
    """(page of each note call, page of each footnote): calls are the smallest digits in the
    book (raised), footnote markers the bold digits in note type."""
    calls: dict[int, int] = {}
    notes: dict[int, int] = {}
    with pdfplumber.open(path) as pdf:
        call_size = min(c["size"] for page in pdf.pages for c in page.chars
                        if c["text"].isdigit())
        for number, page in enumerate(pdf.pages, 1):
            digits = [c for c in page.chars if c["size"] < call_size + 0.1
                      and c["text"].isdigit()]
            digits.sort(key=lambda c: (round(c["top"]), c["x0"]))
            run, last = "", None
            for char in digits + [None]:
                if char is not None and last is not None and abs(char["top"] - last["top"]) < 1 \
                        and char["x0"] - last["x1"] < 1:
                    run += char["text"]
                else:
                    if run:
                        calls.setdefault(int(run), number)
                    run = char["text"] if char is not None else ""
                last = char
        for number, page in enumerate(pdf.pages, 1):
            for marker in re.finditer(r"\d+", "".join(
                    c["text"] if "Bold" in c["fontname"] and c["size"] < 9 else " "
                    for c in sorted(page.chars, key=lambda c: (round(c["bottom"]), c["x0"])))):
                notes.setdefault(int(marker.group(0)), number)
    return calls, notes


PUNCTUATION = "，。、；：？！）」』》〉】（「『《〈【“”‘’…—·"


def short_last_lines(path) -> list[Line]:
    """Body lines that end a paragraph holding a single character (punctuation aside)."""
    body = [line for line in lines(path) if abs(line.size - BODY_SIZE) < 0.3]
    short = []
    for line, following in zip(body, body[1:] + [None]):
        ends_paragraph = following is None or following.page != line.page \
            or following.x0 - line.x0 > BODY_SIZE * 1.5
        letters = [ch for ch in line.text if ch not in PUNCTUATION and not ch.isdigit()]
        if ends_paragraph and len(letters) <= 1 and line.text.strip():
            short.append(line)
    return short
