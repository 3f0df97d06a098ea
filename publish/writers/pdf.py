"""Writer: a converted Document → a typeset PDF through the print templates and WeasyPrint.

The page geometry makes the text measure a whole number of em for the paper chosen, notes are
CSS footnotes, and WeasyPrint's URL fetcher reads nothing but the source's media folder.
WeasyPrint's layout is patched first (see ``weasyprint_patches``).
"""
from __future__ import annotations

import gc
import logging
from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__, fonts, images
from ..files import atomic_output
from ..media import Media
from ..model import Document, Paragraph, plain_text
from ..report import PublishError, Report
from . import pdf_structure, weasyprint_patches
from .booklet import impose
from .html import (LANG_TAGS, TEMPLATES, Translator, date_text, environment, layout_runs,
                   render_attribution, render_credits, running_head, shortened,
                   without_notes)
from .paper import BOOKLET_PAGES, HANDOUT_PAPERS, PAPERS, Paper

__all__ = ["HEADING_TITLE", "PAPERS", "HANDOUT_PAPERS", "Paper", "prepare_process",
           "render_html", "write_pdf"]

log = logging.getLogger(__name__)

#: The most characters of the title the heading above the text shows; a longer title is set
#: whole, in body type, on the title page only.
HEADING_TITLE = 200


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
    env = environment()
    translator = Translator(document, "print", report)
    families = fonts.FAMILIES[document.script]
    toc = []

    def outline(sections):
        for section in sections:
            if section.level <= 3:
                toc.append({"id": section.id, "level": section.level,
                            "title": translator.inlines(without_notes(section.title))})
            outline(section.sections)

    outline(document.sections)
    lead_text = next((plain_text(block.children) for block in document.blocks
                      if isinstance(block, Paragraph)), "")
    template = "handout" if profile == "handout" else "book"
    html = env.get_template(f"{template}.html.jinja").render(
        lang=LANG_TAGS[document.script],
        source_url=document.meta.source_url,
        title=document.meta.title,
        # Whole on the title page, in runs WeasyPrint lays out in linear time (a 1 MB title
        # is one line), in body type when it is long; cut to HEADING_TITLE above the text.
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
        lead=translator.blocks(document.blocks),
        sections=[translator.section(section) for section in document.sections],
    )
    before, rest = translator.labels["page_of"].split("{page}")
    middle, after = rest.split("{pages}")
    stylesheet = env.get_template("handout.css.jinja" if profile == "handout"
                                  else "print.css.jinja")
    css = stylesheet.render(
        paper=(HANDOUT_PAPERS if profile == "handout" else PAPERS)[paper],
        fonts={"serif": families["serif"], "sans": families["sans"]},
        page_before=before, page_middle=middle, page_after=after,
        note_size=8.5 if profile == "handout" else 8)
    return html, css


def write_pdf(document: Document, target: Path, report: Report, *, paper: str = "a4",
              media: Media | None = None, tagged: bool = True, profile: str = "book",
              booklet: bool = False) -> None:
    """Typeset ``document`` into the PDF file ``target`` (written atomically); a booklet is
    set on half-size pages and imposed two-up on ``paper``. Figures are read from ``media``
    alone (none without it)."""
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
    import weasyprint

    html, css = render_html(document, paper, profile, report)
    base = media.base if media is not None else TEMPLATES
    fetcher = _fetcher(media)
    with _renderer_warnings(report):
        rendered = weasyprint.HTML(string=html, base_url=str(base) + "/",
                                   url_fetcher=fetcher).render(
            stylesheets=[weasyprint.CSS(string=css, url_fetcher=fetcher)])
        tagged = tagged and not booklet
        if tagged:
            pdf_structure.link_note_calls(rendered)
        with atomic_output(target) as temporary:
            # Tagged, but not claimed PDF/UA-1: see the README's "Tagged PDF". A tagged PDF
            # is written uncompressed: the retagging pass compresses it as it saves.
            rendered.write_pdf(temporary, pdf_tags=tagged, pdf_version="1.7",
                               pdf_identifier=_identifier(document), custom_metadata=True,
                               uncompressed_pdf=tagged)
            pages = len(rendered.pages)
            # Every page's boxes go before pikepdf reads the file back: they are most of the
            # memory a long book takes (2 MB a page of notes), and the retagging adds its own.
            del rendered
            gc.collect()
            if tagged:
                try:
                    pdf_structure.retag(temporary)
                except pdf_structure.StructureError as error:
                    report.warn("pdf-structure", f"{target.name}: tags left as WeasyPrint "
                                                 f"wrote them ({error})")
            if booklet:
                impose(temporary, PAPERS[sheet])
    log.debug("typeset %s (%d pages)", target, pages)


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

