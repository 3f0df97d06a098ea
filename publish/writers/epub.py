"""Writer: a converted Document → an EPUB 3 file through the XHTML, OPF and NCX templates.

Like Sphinx's EPUB builder, it reuses the HTML translator, gathers the book in a list of
``build_*`` steps (documents, navigation, figures, fonts, cover) and writes every file of the
package from a template: the pages, the package document (metadata, manifest, spine) and the
NCX. The ZIP is written here, each entry with the source's date, so that the same book gives
the same bytes.
"""
from __future__ import annotations

import datetime
import html
import io
import logging
import re
import textwrap
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__, fonts, images
from ..files import atomic_output
from ..media import Media
from ..model import Document, ExternalLink, Figure, Paragraph, Section, plain_text, walk
from ..report import PublishError, Report
from ..labels import labels
from .html import (LANG_TAGS, Translator, date_text, environment, is_bibliography,
                   render_attribution, render_credits, shortened, without_notes, wrap_runs)

__all__ = ["write_epub", "book_identifier"]

log = logging.getLogger(__name__)

#: A number as it is read: digits with the points and commas inside it ("2.5", "1,049").
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles>
<rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"""
#: The accessibility metadata (schema.org) every edition carries, beside its summary.
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
)
#: Fallback families for readers that cannot use the embedded subset, per script.
FALLBACKS = {
    "zh-Hans": ('"Songti SC", "STSong", "SimSun", "Noto Serif SC", "Source Han Serif SC"', "SC"),
    "zh-Hant": ('"Songti TC", "PMingLiU", "MingLiU", "Noto Serif TC", "Source Han Serif TC"', "TC"),
    "en": ('"Times New Roman", "Georgia"', "SC"),
}
FALLBACKS.update({"zh-CN": FALLBACKS["zh-Hans"], "zh-TW": FALLBACKS["zh-Hant"],
                  "zh-HK": ('"MingLiU_HKSCS", "PMingLiU", "Noto Serif CJK HK", '
                            '"Source Han Serif HC"', "HC")})


def book_identifier(document: Document, vertical: bool = False) -> str:
    """A URN stable across builds of the same source, script and writing mode (a reading
    system keeps its reading positions by it, so the vertical book has its own)."""
    key = f"publish:{document.meta.source_url or document.meta.title}:{document.script}"
    if vertical:
        key += ":vertical"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


@dataclass
class _Page:
    """One XHTML document of the book."""
    uid: str
    file_name: str
    title: str
    body_type: str
    content: Markup
    properties: list[str] = field(default_factory=list)


@dataclass
class _Resource:
    """One file of the package other than the pages: an image, the stylesheet, a font."""
    uid: str
    file_name: str
    media_type: str
    content: bytes
    properties: list[str] = field(default_factory=list)


@dataclass
class _TocEntry:
    """One entry of the contents, with the entries under it."""
    uid: str
    title: str
    href: str
    children: list[_TocEntry] = field(default_factory=list)


class _EpubBuilder:
    """Gathers one edition: each ``build_*`` step adds pages, resources or contents entries."""

    def __init__(self, document: Document, report: Report, media: Media | None,
                 vertical: bool):
        self.document = document
        self.report = report
        self.media = media
        self.vertical = vertical
        self.lang = LANG_TAGS[document.script]
        self.labels = labels(document.script)
        self.env = environment()
        self.translator = _EpubTranslator(document, "epub", vertical=vertical, report=report,
                                          media=media)
        self.pages: list[_Page] = []
        self.resources: list[_Resource] = []
        self.toc: list[_TocEntry] = []

    def build(self) -> None:
        self.build_front_matter()
        self.build_chapters()
        self.build_navigation()
        self.build_figures()
        self.build_styles_and_fonts()
        self.build_cover()

    # ------------------------------------------------------------ steps

    def build_front_matter(self) -> None:
        meta = self.document.meta
        template = self.env.get_template("front.xhtml.jinja")
        common = {"title": meta.title, "labels": self.labels}
        self.pages.append(_Page("cover", "text/cover.xhtml", meta.title, "cover",
                                Markup(template.render(kind="cover", **common))))
        self.pages.append(_Page("titlepage", "text/titlepage.xhtml", meta.title, "frontmatter",
                                Markup(template.render(
                                    kind="titlepage",
                                    date_text=self.translator.text(
                                        date_text(meta.source_date, self.document.script)),
                                    **common))))
        self.pages.append(_Page("imprint", "text/imprint.xhtml", self.labels["attribution"],
                                "frontmatter", Markup(template.render(
                                    kind="imprint",
                                    attribution=self.translator.numbers_in(
                                        render_attribution(self.document)),
                                    credits=render_credits(self.document), **common))))

    def build_chapters(self) -> None:
        t = self.translator
        meta = self.document.meta
        lead = t.blocks(self.document.blocks)
        heading = f'<h1 class="book-title-inline">{escape(meta.title)}</h1>'
        body = Markup(f'<section epub:type="chapter" role="doc-chapter" aria-label="'
                      f'{escape(meta.title)}">{heading}{lead}</section>') + t.chapter_notes()
        self.pages.append(_Page("lead", "text/lead.xhtml", meta.title, "bodymatter", body))
        self.toc.append(_TocEntry("toc-lead", meta.title, "text/lead.xhtml"))
        for index, section in enumerate(self.document.sections, 1):
            file_name = f"text/chapter-{index:02d}.xhtml"
            content = t.section(section) + t.chapter_notes()
            title = _title_text(section)
            body_type = "backmatter" if is_bibliography(section) else "bodymatter"
            self.pages.append(_Page(f"chapter-{index:02d}", file_name, title, body_type,
                                    Markup(content)))
            self.toc.append(self._toc_entry(section, file_name))

    def _toc_entry(self, section: Section, file_name: str) -> _TocEntry:
        return _TocEntry(f"toc-{section.id}", _title_text(section), f"{file_name}#{section.id}",
                         [self._toc_entry(sub, file_name) for sub in section.sections
                          if sub.level <= 3])

    def build_navigation(self) -> None:
        landmarks = [
            {"type": "cover", "href": "cover.xhtml", "title": self.labels["cover"]},
            {"type": "titlepage", "href": "titlepage.xhtml", "title": self.labels["title_page"]},
            {"type": "toc", "href": "nav.xhtml#toc", "title": self.labels["contents"]},
            {"type": "bodymatter", "href": "lead.xhtml", "title": self.document.meta.title},
        ]
        for page in self.pages:
            if page.body_type == "backmatter":
                landmarks.append({"type": "bibliography",
                                  "href": page.file_name.removeprefix("text/"),
                                  "title": page.title})
        content = self.env.get_template("nav.xhtml.jinja").render(
            labels=self.labels, toc=Markup(self._nav_list(self.toc)), landmarks=landmarks)
        nav = _Page("nav", "text/nav.xhtml", self.labels["contents"], "frontmatter",
                    Markup(content), properties=["nav"])
        self.pages.insert(3, nav)

    def _nav_list(self, entries: list[_TocEntry]) -> str:
        items = "".join(
            f'<li><a href="{escape(entry.href.removeprefix("text/"))}">'
            f"{self.translator.text(entry.title)}</a>"
            f"{self._nav_list(entry.children) if entry.children else ''}</li>"
            for entry in entries)
        return f"<ol>{items}</ol>"

    def build_figures(self) -> None:
        """Each figure's image, as the media check re-encoded it (the reader kept only
        figures whose image passed it)."""
        for node in walk(self.document):
            if isinstance(node, Figure) and node.path and self.media is not None:
                name = self.translator.image_src(node).removeprefix("../")
                if any(resource.file_name == name for resource in self.resources):
                    continue
                try:
                    image = images.prepare(self.media.path(node.path))
                except images.ImageRefused as refusal:
                    self.report.warn("media-refused", f"{refusal}; left out of the EPUB")
                    continue
                self.resources.append(_Resource(name.replace("/", "-"), name,
                                                image.media_type, image.data))

    def build_styles_and_fonts(self) -> None:
        faces = fonts.faces(self.document.script)
        families = fonts.FAMILIES[self.document.script]
        fallbacks, region = FALLBACKS[self.document.script]
        css = self.env.get_template("epub.css.jinja").render(
            text_family="Publish Text", heading_family="Publish Heading", fonts=families,
            region=region, fallbacks=fallbacks, vertical=self.vertical)
        self.resources.append(_Resource("style", "styles/book.css", "text/css", css.encode()))
        pages_text = "".join(str(page.content) for page in self.pages) + css
        text = _visible_text(pages_text) + self.document.meta.title
        headings = "".join(_title_text(s) for s in walk(self.document)
                           if isinstance(s, Section)) + self.document.meta.title \
            + "".join(self.labels.values())
        for uid, name, face, chars in (("font-text", "fonts/text.otf", faces["serif"], text),
                                       ("font-heading", "fonts/heading.otf", faces["sans"],
                                        headings)):
            self.resources.append(_Resource(uid, name, "font/otf", fonts.subset(face, chars)))

    def build_cover(self) -> None:
        faces = fonts.faces(self.document.script)
        self.resources.append(_Resource("cover-image", "images/cover.jpg", "image/jpeg",
                                        _cover_image(self.document, faces), ["cover-image"]))

    # ------------------------------------------------------------ package

    def files(self, modified: datetime.datetime) -> list[tuple[str, bytes]]:
        """Every file of the package after ``mimetype``, in ZIP order, with its path."""
        package = [("META-INF/container.xml", CONTAINER.encode())]
        package.append(("EPUB/content.opf", self._package_document(modified).encode()))
        package.append(("EPUB/toc.ncx", self._ncx().encode()))
        package += [(f"EPUB/{r.file_name}", r.content) for r in self.resources]
        template = self.env.get_template("page.xhtml.jinja")
        for page in self.pages:
            xhtml = template.render(lang=self.lang, title=page.title, body_type=page.body_type,
                                    content=page.content, vertical=self.vertical)
            package.append((f"EPUB/{page.file_name}", xhtml.encode("utf-8")))
        return package

    def _package_document(self, modified: datetime.datetime) -> str:
        meta = self.document.meta
        lead = next((plain_text(b.children) for b in self.document.blocks
                     if isinstance(b, Paragraph)), "")
        # A page holding MathML says so in the manifest (EPUB 3 requires it).
        manifest = [*self.resources,
                    *(_Resource(p.uid, p.file_name, "application/xhtml+xml", b"",
                                [*p.properties, *(["mathml"] if "<math " in p.content else [])])
                      for p in self.pages)]
        return self.env.get_template("content.opf.jinja").render(
            lang=self.lang, identifier=book_identifier(self.document, self.vertical), meta=meta,
            labels=self.labels, rights=f"{meta.licence} {meta.licence_url}".strip(),
            description=lead[:300], modified=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            accessibility=[*ACCESSIBILITY, ("schema:accessibilitySummary",
                                            self.labels["accessibility"])],
            version=__version__, vertical=self.vertical, resources=manifest, pages=self.pages)

    def _ncx(self) -> str:
        order = 0

        def numbered(entries: list[_TocEntry]) -> list[dict]:
            nonlocal order
            out = []
            for entry in entries:
                order += 1
                out.append({"uid": entry.uid, "title": entry.title, "href": entry.href,
                            "order": order, "children": numbered(entry.children)})
            return out

        def depth(entries: list[_TocEntry]) -> int:
            return max((1 + depth(entry.children) for entry in entries), default=0)

        return self.env.get_template("toc.ncx.jinja").render(
            lang=self.lang, identifier=book_identifier(self.document, self.vertical),
            title=self.document.meta.title, toc=numbered(self.toc), depth=depth(self.toc))


class _EpubTranslator(Translator):
    """The EPUB's translator: headings one level up (each chapter file starts at h1), images
    in images/ under ASCII names, a chapter's notes under a heading at its end, and in vertical
    text numbers set upright."""

    def __init__(self, document: Document, target: str, vertical: bool = False,
                 report: Report | None = None, media: Media | None = None):
        super().__init__(document, target, report)
        self.vertical = vertical
        self.media = media

    def image_src(self, node: Figure) -> str:
        """The image's name in the package, with the suffix of what the media check made of
        it (a WebP or a JPEG named ``.png`` is packed as what it now is)."""
        digest = uuid.uuid5(uuid.NAMESPACE_URL, node.file).hex[:12]
        suffix = Path(node.path).suffix.lower()
        if self.media is not None and node.path:
            try:
                suffix = images.prepare(self.media.path(node.path)).suffix
            except images.ImageRefused:
                pass  # left out of the package, with a warning, by build_figures
        return f"../images/figure-{digest}{suffix}"

    def text(self, text: str) -> Markup:
        """Plain text as markup, numbers set as in the body (for the title page and the
        contents)."""
        return Markup(self._text(text))

    def numbers_in(self, markup: Markup) -> Markup:
        """``markup`` with the numbers of its text (not of its addresses) set as in the body."""
        if not self.vertical:
            return markup
        parts = re.split(r"(<a\b[^>]*>.*?</a>|<[^>]+>)", str(markup))
        return Markup("".join(part if index % 2 else self._text(html.unescape(part))
                              for index, part in enumerate(parts)))

    def _text(self, text: str) -> str:
        """In vertical text a number of up to four characters ("25", "1917", "2.5") sits
        across the column (tate-chu-yoko); a longer one ("1,049") stands upright character by
        character, its separators with it."""
        if not self.vertical:
            return super()._text(text)

        def number(match: re.Match) -> str:
            kind = "tcy" if len(match.group(0)) <= 4 else "upright"
            return f'<span class="{kind}">{match.group(0)}</span>'

        return wrap_runs(text, _NUMBER, number)

    def visit_ExternalLink(self, node: ExternalLink) -> str:
        """A link that reads as its address stays one sideways run in vertical text."""
        text = plain_text(node.children)
        if self.vertical and "://" in text:
            return (f'<a class="external url" href="{escape(node.url)}">'
                    f"{escape(text)}</a>")
        return super().visit_ExternalLink(node)

    def heading(self, section: Section) -> str:
        level = min(max(section.level - 1, 1), 6)
        # The title's note calls are kept: the notes are the same in every edition.
        return f'<h{level} id="{section.id}">{self.inlines(section.title)}</h{level}>'

    def chapter_notes(self) -> Markup:
        """The notes called in the chapter, under a rule and a heading: reading systems with
        popup notes hide the asides; the others show them as the chapter's notes."""
        asides = self.footnotes()
        if not asides:
            return Markup("")
        return Markup(f'\n<section class="notes" aria-labelledby="notes-heading">'
                      f'<h2 class="notes-heading" id="notes-heading">'
                      f'{escape(self.labels["notes"])}</h2>\n{asides}</section>')


def _title_text(section: Section) -> str:
    return plain_text(without_notes(section.title)).strip()


def _visible_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _cover_image(document: Document, faces: dict) -> bytes:
    """A cover: the title set in the edition's heading face, the source below it."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 1200, 1800
    image = Image.new("RGB", (width, height), (246, 242, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, width - 60, height - 60), outline=(90, 30, 30), width=6)
    lines = _cover_lines(document.meta.title)
    face = str(faces["sans"].path), faces["sans"].index
    widest = max(ImageFont.truetype(face[0], 100, index=face[1]).getlength(line)
                 for line in lines)
    size = max(24, min(180, int(100 * (width - 240) / max(1.0, widest))))
    heading = ImageFont.truetype(face[0], size, index=face[1])
    small = ImageFont.truetype(str(faces["serif"].path), 56, index=faces["serif"].index)
    top = height * 0.38 - (len(lines) - 1) * size * 0.6
    for number, line in enumerate(lines):
        draw.text((width / 2, top + number * size * 1.2), line, font=heading,
                  fill=(60, 20, 20), anchor="mm")
    draw.line((width / 2 - 200, height * 0.48, width / 2 + 200, height * 0.48),
              fill=(90, 30, 30), width=4)
    draw.text((width / 2, height * 0.78), labels(document.script)["source"], font=small,
              fill=(60, 20, 20), anchor="mm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


#: The most characters of a title the cover shows (the title page shows it whole).
COVER_TITLE = 48


def _cover_lines(title: str) -> list[str]:
    """The title as the cover sets it: cut to :data:`COVER_TITLE` characters, in lines of at
    most 12 Chinese characters or 24 Latin ones, at word breaks where it has spaces."""
    title = shortened(title, COVER_TITLE) or " "
    if " " in title:
        return textwrap.wrap(title, 24, break_long_words=True) or [title]
    return [title[start:start + 12] for start in range(0, len(title), 12)]


def write_epub(document: Document, target: Path, report: Report, *,
               media: Media | None = None, vertical: bool = False) -> None:
    """Package ``document`` as the EPUB 3 file ``target`` (written atomically)."""
    builder = _EpubBuilder(document, report, media, vertical)
    builder.build()
    modified = _modified(document)
    with atomic_output(target) as temporary:
        try:
            with _FixedTimeZip(temporary, modified) as package:
                package.writestr("mimetype", "application/epub+zip",
                                 compress_type=zipfile.ZIP_STORED)
                for name, data in builder.files(modified):
                    package.writestr(name, data)
        except (OSError, ValueError) as error:
            raise PublishError(f"could not write {target.name}: {error}") from None
    log.debug("packed %s", target)


def _modified(document: Document) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(document.meta.source_date)
    except ValueError:
        day = datetime.date(1980, 1, 1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)


class _FixedTimeZip(zipfile.ZipFile):
    """A ZIP whose entries all carry one timestamp, so the same book gives the same bytes."""

    def __init__(self, path: Path, when: datetime.datetime):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
        self.when = max(when, datetime.datetime(1980, 1, 1, tzinfo=datetime.timezone.utc))

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        if isinstance(name, str):
            info = zipfile.ZipInfo(name, self.when.timetuple()[:6])
            info.compress_type = compress_type if compress_type is not None \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            name = info
        super().writestr(name, data, compress_type=compress_type, compresslevel=compresslevel)
