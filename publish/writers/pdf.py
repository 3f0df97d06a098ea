"""Writer: a converted Document → a typeset PDF through the print templates and WeasyPrint.

The page geometry makes the text measure a whole number of em for the paper chosen, notes are
CSS footnotes, and WeasyPrint's URL fetcher reads nothing but the source's media folder.
WeasyPrint's layout is patched first (see ``weasyprint_patches``).
"""
from __future__ import annotations

import contextlib
import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__, fonts, images
from ..files import atomic_output, scratch_beside
from ..media import Media
from ..model import Document, Paragraph, plain_text
from ..report import PublishError, Report
from . import pdf_join, pdf_structure, weasyprint_patches
from .booklet import impose
from .html import (LANG_TAGS, TEMPLATES, Translator, date_text, environment, layout_runs,
                   render_attribution, render_credits, running_head, shortened,
                   without_notes)
from .paper import BOOKLET_PAGES, HANDOUT_PAPERS, PAPERS, Paper
from .parts import PART_WEIGHT, Part, cut

__all__ = ["HEADING_TITLE", "PAPERS", "HANDOUT_PAPERS", "Paper", "prepare_process",
           "render_html", "write_pdf"]

log = logging.getLogger(__name__)

#: The most characters of the title the heading above the text shows; a longer title is set
#: whole, in body type, on the title page only.
HEADING_TITLE = 200

#: The pages from which a laid-out document's boxes are collected as soon as it is written.
COLLECT_PAGES = 50


def prepare_process() -> None:
    """A typesetting process's first step: import WeasyPrint and install its patches, and
    import pikepdf (which retags every PDF), once for all its jobs. Both load C libraries: an
    interrupt that lands in the middle of that prints a C-level traceback, so it is done
    before any work starts, not in the middle of the first PDF."""
    import pikepdf  # noqa: F401 - the import is the point

    weasyprint_patches.install()


def render_html(document: Document, paper: str = "a4", profile: str = "book",
                report: Report | None = None) -> tuple[str, str]:
    """The print HTML and its stylesheet for ``document`` on ``paper`` in ``profile``."""
    book = _Markup(document, paper, profile, report)
    return book.whole(), book.stylesheet()


class _Markup:
    """One document's print HTML, whole or (a long book) front matter and body parts."""

    def __init__(self, document: Document, paper: str, profile: str, report: Report | None):
        self.document = document
        self.paper, self.profile = paper, profile
        self.env = environment()
        self.translator = translator = Translator(document, "print", report)
        toc: list[dict] = []

        def outline(sections):
            for section in sections:
                if section.level <= 3:
                    toc.append({"id": section.id, "level": section.level,
                                "title": translator.inlines(without_notes(section.title))})
                outline(section.sections)

        outline(document.sections)
        self.toc = toc
        lead_text = next((plain_text(block.children) for block in document.blocks
                          if isinstance(block, Paragraph)), "")
        self.context = dict(
            lang=LANG_TAGS[document.script],
            source_url=document.meta.source_url,
            title=document.meta.title,
            # Whole on the title page, in runs WeasyPrint lays out in linear time (a 1 MB
            # title is one line), in body type when it is long; cut to HEADING_TITLE above
            # the text.
            title_runs=Markup("".join(f'<span class="run">{escape(piece)}</span>'
                                      for piece in layout_runs(document.meta.title))),
            long_title=" long" if len(document.meta.title) > HEADING_TITLE else "",
            heading_title=shortened(document.meta.title, HEADING_TITLE),
            running_title=running_head(document.meta.title),
            labels=translator.labels,
            description=lead_text[:160],
            subjects=document.meta.subjects,
            created=document.meta.source_date,
            date_text=date_text(document.meta.source_date, document.script),
            version=__version__,
            attribution=render_attribution(document),
            credits=render_credits(document),
            toc=toc,
        )

    def _render(self, **context) -> str:
        template = "handout" if self.profile == "handout" else "book"
        context = {"toc_pages": None, "stand_ins": (), "part": None, **context}
        return self.env.get_template(f"{template}.html.jinja").render(**self.context,
                                                                       **context)

    def whole(self) -> str:
        """The whole book as one document."""
        return self._render(front=True, body=True,
                            lead=self.translator.blocks(self.document.blocks),
                            sections=[self.translator.section(section)
                                      for section in self.document.sections])

    def front(self, pages: dict[str, int] | None) -> str:
        """A book's front matter alone (title page, imprint, contents), each contents entry
        with its page number from ``pages`` (None: a stand-in five digits wide), and a
        stand-in anchor for each, so that WeasyPrint links the entries (``pdf_join`` points
        the links at the parts that hold them)."""
        numbers = {entry["id"]: (pages or {}).get(entry["id"], 88888) for entry in self.toc}
        return self._render(front=True, body=False, toc_pages=numbers,
                            stand_ins=list(numbers))

    def part(self, part: Part) -> str:
        """One part of a book's body."""
        return self._render(front=False, body=True, part=part)

    def stylesheet(self, extra: str = "") -> str:
        families = fonts.FAMILIES[self.document.script]
        before, rest = self.translator.labels["page_of"].split("{page}")
        middle, after = rest.split("{pages}")
        stylesheet = self.env.get_template("handout.css.jinja" if self.profile == "handout"
                                           else "print.css.jinja")
        return stylesheet.render(
            paper=(HANDOUT_PAPERS if self.profile == "handout" else PAPERS)[self.paper],
            fonts={"serif": families["serif"], "sans": families["sans"]},
            page_before=before, page_middle=middle, page_after=after,
            note_size=8.5 if self.profile == "handout" else 8) + extra


def write_pdf(document: Document, target: Path, report: Report, *, paper: str = "a4",
              media: Media | None = None, tagged: bool = True, profile: str = "book",
              booklet: bool = False, part_weight: float = PART_WEIGHT) -> None:
    """Typeset ``document`` into the PDF file ``target`` (written atomically); a booklet is
    set on half-size pages and imposed two-up on ``paper``. Figures are read from ``media``
    alone (none without it). A book whose body weighs more than ``part_weight`` (see
    ``parts``) is laid out in parts and joined."""
    sheet = paper
    if booklet:
        if paper not in BOOKLET_PAGES:
            raise PublishError(f"--booklet folds {' or '.join(BOOKLET_PAGES)} sheets, "
                               f"not {paper}")
        paper = BOOKLET_PAGES[paper]
    if paper not in PAPERS:
        raise PublishError(f"unknown paper size {paper!r} (choose from {', '.join(PAPERS)})")
    fonts.faces(document.script)
    unpatched = weasyprint_patches.install()
    if unpatched:
        report.warn("renderer-unpatched", unpatched)

    book = _Markup(document, paper, profile, report)
    typesetter = _Typesetter(document, media, report, tagged=tagged and not booklet)
    parts = cut(document, book.translator, part_weight) if profile == "book" else []
    with atomic_output(target) as temporary:
        pages = 0
        if len(parts) > 1:
            try:
                pages = _in_parts(book, parts, typesetter, temporary)
            except pdf_join.JoinError as error:
                report.warn("pdf-parts", f"{target.name}: laid out as one document, its "
                                         f"parts could not be joined ({error})")
        if not pages:
            pages = typesetter.write(book.whole(), book.stylesheet(), temporary).pages
        if typesetter.tagged:
            try:
                pdf_structure.retag(temporary)
            except pdf_structure.StructureError as error:
                report.warn("pdf-structure", f"{target.name}: tags left as WeasyPrint "
                                             f"wrote them ({error})")
        if booklet:
            impose(temporary, PAPERS[sheet])
    log.debug("typeset %s (%d pages)", target, pages)


def _in_parts(book: _Markup, parts: list[Part], typesetter: _Typesetter,
              temporary: Path) -> int:
    """Lay out and write each part of the body in turn, then the front matter with the
    contents' page numbers, and join them into ``temporary``; the number of pages. The
    numbers sit in a box of fixed width, so the front matter takes as many pages with the
    stand-in numbers, laid out first to learn where the body begins, as with the real ones."""
    front_css = book.stylesheet(_FRONT_CSS)
    start = len(typesetter.layout(book.front(None), front_css).pages) + 1
    with contextlib.ExitStack() as files:
        paths, levels, anchors = [], [], {}
        for index, part in enumerate(parts):
            path = files.enter_context(scratch_beside(temporary, f"part{index + 1}"))
            side = "right" if start % 2 else "left"
            css = book.stylesheet(_PART_CSS.format(side=side, start=start))
            written = typesetter.write(book.part(part), css, path, joining=True)
            anchors.update({name: start + page for name, page in written.anchors.items()})
            paths.append(path)
            levels.append(written.levels)
            start += written.pages
        front = files.enter_context(scratch_beside(temporary, "front"))
        levels.insert(0, typesetter.write(book.front(anchors), front_css, front,
                                          joining=True).levels)
        pdf_join.join([front, *paths], temporary, levels)
    log.debug("laid out in %d parts", len(parts))
    return start - 1


#: The front matter of a book in parts: the contents' page numbers are text (their headings
#: are in other documents), in a box five digits wide.
_FRONT_CSS = """
.toc a::after { content: attr(data-page); width: 3em; }
"""
#: A part of a book's body: its first page is on the side and has the number it has in the
#: whole book.
_PART_CSS = """
html {{ break-before: {side}; }}
@page :first {{ counter-set: page {start}; }}
"""


class _Typesetter:
    """WeasyPrint, set up once for a document: its fetcher, its warnings into the report."""

    def __init__(self, document: Document, media: Media | None, report: Report,
                 tagged: bool):
        self.document = document
        self.media = media
        self.report = report
        self.tagged = tagged
        self.fetcher = _fetcher(media)
        self.base = str(media.base if media is not None else TEMPLATES) + "/"

    def layout(self, html: str, css: str):
        import weasyprint

        with _renderer_warnings(self.report):
            return weasyprint.HTML(string=html, base_url=self.base,
                                   url_fetcher=self.fetcher).render(
                stylesheets=[weasyprint.CSS(string=css, url_fetcher=self.fetcher)])

    def write(self, html: str, css: str, path: Path, joining: bool = False) -> _Written:
        """Lay out ``html`` and write it to ``path``; with ``joining``, what joining it to
        other parts needs (see :class:`_Written`)."""
        rendered = self.layout(html, css)
        if self.tagged:
            pdf_structure.link_note_calls(rendered)
        written = _Written(len(rendered.pages))
        if joining:
            for index, page in enumerate(rendered.pages):
                written.anchors.update(dict.fromkeys(page.anchors, index))
                written.levels.extend(level for level, *_ in page.bookmarks)
        with _renderer_warnings(self.report):
            # Tagged, but not claimed PDF/UA-1: see the README's "Tagged PDF". A tagged PDF
            # is written uncompressed: the retagging pass compresses it as it saves.
            rendered.write_pdf(path, pdf_tags=self.tagged, pdf_version="1.7",
                               pdf_identifier=_identifier(self.document),
                               custom_metadata=True, uncompressed_pdf=self.tagged)
        # A long book's boxes go before pikepdf reads the file back: they are most of the
        # memory it takes (2 MB a page of notes), and the retagging adds its own. A short
        # book's are left to the collector: a collection goes over every object of
        # WeasyPrint's modules too, and in a forked worker writes to every page of the
        # parent's it touches (the seed's four editions: 6.5 → 5.9 s CPU, +14 MB at the peak).
        del rendered
        if written.pages >= COLLECT_PAGES:
            gc.collect()
        return written


@dataclass
class _Written:
    """A document :meth:`_Typesetter.write` wrote."""
    pages: int
    #: The page (from 0) of each element id.
    anchors: dict[str, int] = field(default_factory=dict)
    #: Each bookmark's level (CSS ``bookmark-level``), in the order of the outline's items.
    levels: list[int] = field(default_factory=list)


def _identifier(document: Document) -> bytes:
    import hashlib
    key = f"{document.meta.source_url}|{document.meta.title}|{document.script}"
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


def _fetcher(media: Media | None):
    """A URL fetcher that serves only images in ``media``, as the media check re-encoded them;
    every other URL is refused."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class MediaFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(unquote(parts.path))
            if parts.scheme == "file" and media is not None and media.may_read(path):
                image = images.prepare(path)
                return URLFetcherResponse(url, image.data, {"Content-Type": image.media_type})
            raise ValueError(f"refused to fetch {url[:200]}")

    return MediaFetcher(allowed_protocols=("file",), allow_redirects=False, timeout=1)


class _renderer_warnings:
    """Gather WeasyPrint's warnings into the build report while it renders."""

    class _Handler(logging.Handler):
        def __init__(self, report: Report):
            super().__init__(logging.WARNING)
            self.report = report

        def emit(self, record: logging.LogRecord) -> None:
            self.report.warn("renderer", record.getMessage()[:300])

    def __init__(self, report: Report):
        self.report = report
        self.handler = self._Handler(report)

    def __enter__(self):
        logger = logging.getLogger("weasyprint")
        self.propagate, logger.propagate = logger.propagate, False  # reported, not echoed
        logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        logger = logging.getLogger("weasyprint")
        logger.removeHandler(self.handler)
        logger.propagate = self.propagate
        return False

