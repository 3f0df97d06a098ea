"""Writer: a converted Document → an EPUB 3 file through the XHTML templates and ebooklib.

Like Sphinx's EPUB builder, it reuses the HTML translator and packages the result in a list
of ``build_*`` steps: documents, navigation, fonts, cover, metadata. The XHTML is written
here and added as plain items (ebooklib's EpubHtml re-parses pages); ebooklib writes the
package, the manifest, the spine and the NCX.
"""
from __future__ import annotations

import datetime
import io
import logging
import mimetypes
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__, fonts
from ..files import atomic_output
from ..model import Document, Figure, Paragraph, Section, plain_text, walk
from ..report import PublishError, Report
from ..labels import labels
from .html import (LANG_TAGS, Translator, date_text, environment, is_bibliography,
                   render_attribution, without_notes, wrap_runs)

__all__ = ["write_epub", "book_identifier"]

log = logging.getLogger(__name__)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DIGITS = re.compile(r"\d+")
#: Fallback families for readers that cannot use the embedded subset, per script.
FALLBACKS = {
    "zh-Hans": ('"Songti SC", "STSong", "SimSun", "Noto Serif SC", "Source Han Serif SC"', "SC"),
    "zh-Hant": ('"Songti TC", "PMingLiU", "MingLiU", "Noto Serif TC", "Source Han Serif TC"', "TC"),
    "en": ('"Times New Roman", "Georgia"', "SC"),
}


def book_identifier(document: Document) -> str:
    """A URN stable across builds of the same source and script."""
    key = f"publish:{document.meta.source_url or document.meta.title}:{document.script}"
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


class _EpubBuilder:
    """Packs one edition: each ``build_*`` step adds to the ebooklib book."""

    def __init__(self, document: Document, report: Report, media_dir: Path | None,
                 vertical: bool):
        from ebooklib import epub

        self.epub = epub
        self.document = document
        self.report = report
        self.media_dir = media_dir
        self.vertical = vertical
        self.lang = LANG_TAGS[document.script]
        self.labels = labels(document.script)
        self.env = environment()
        self.translator = _EpubTranslator(document, "epub", vertical=vertical)
        self.book = epub.EpubBook()
        self.pages: list[_Page] = []
        self.toc: list = []

    def build(self) -> None:
        self.build_metadata()
        self.build_front_matter()
        self.build_chapters()
        self.build_navigation()
        self.build_figures()
        self.build_styles_and_fonts()
        self.build_cover()
        self.build_spine()

    # ------------------------------------------------------------ steps

    def build_metadata(self) -> None:
        meta, book = self.document.meta, self.book
        book.set_identifier(book_identifier(self.document))
        book.set_title(meta.title)
        book.set_language(self.lang)
        book.add_author(self.labels["creator"])
        book.add_metadata("DC", "publisher", self.labels["publisher"])
        if meta.source_url:
            book.add_metadata("DC", "source", meta.source_url)
        book.add_metadata("DC", "rights", f"{meta.licence} {meta.licence_url}".strip())
        book.add_metadata("DC", "date", meta.source_date)
        for subject in meta.subjects:
            book.add_metadata("DC", "subject", subject)
        lead = next((plain_text(b.children) for b in self.document.blocks
                     if isinstance(b, Paragraph)), "")
        if lead:
            book.add_metadata("DC", "description", lead[:300])
        for prop, value in (
                ("schema:accessMode", "textual"),
                ("schema:accessModeSufficient", "textual"),
                ("schema:accessibilityFeature", "structuralNavigation"),
                ("schema:accessibilityFeature", "tableOfContents"),
                ("schema:accessibilityFeature", "readingOrder"),
                ("schema:accessibilityFeature", "displayTransformability"),
                ("schema:accessibilityHazard", "none"),
                ("schema:accessibilitySummary", self.labels["accessibility"])):
            book.add_metadata(None, "meta", value, {"property": prop})
        book.metadata[None]["meta"] = [entry for entry in book.metadata[None]["meta"]
                                       if entry[1].get("name") != "generator"]
        book.add_metadata(None, "meta", "", {"name": "generator",
                                             "content": f"publish {__version__}"})
        if self.vertical:
            book.set_direction("rtl")

    def build_front_matter(self) -> None:
        meta = self.document.meta
        template = self.env.get_template("front.xhtml.jinja")
        common = {"title": meta.title, "labels": self.labels}
        self.pages.append(_Page("cover", "text/cover.xhtml", meta.title, "cover",
                                Markup(template.render(kind="cover", **common))))
        self.pages.append(_Page("titlepage", "text/titlepage.xhtml", meta.title, "frontmatter",
                                Markup(template.render(kind="titlepage",
                                                       date_text=date_text(
                                                           meta.source_date,
                                                           self.document.script),
                                                       **common))))
        self.pages.append(_Page("imprint", "text/imprint.xhtml", self.labels["attribution"],
                                "frontmatter", Markup(template.render(
                                    kind="imprint", attribution=render_attribution(self.document),
                                    **common))))

    def build_chapters(self) -> None:
        t = self.translator
        meta = self.document.meta
        lead = t.blocks(self.document.blocks)
        heading = f'<h1 class="book-title-inline">{escape(meta.title)}</h1>'
        body = Markup(f'<section epub:type="chapter" role="doc-chapter" aria-label="'
                      f'{escape(meta.title)}">{heading}{lead}</section>') + t.footnotes()
        self.pages.append(_Page("lead", "text/lead.xhtml", meta.title, "bodymatter", body))
        self.toc.append(self.epub.Link("text/lead.xhtml", meta.title, "toc-lead"))
        for index, section in enumerate(self.document.sections, 1):
            file_name = f"text/chapter-{index:02d}.xhtml"
            content = t.section(section) + t.footnotes()
            title = _title_text(section)
            body_type = "backmatter" if is_bibliography(section) else "bodymatter"
            self.pages.append(_Page(f"chapter-{index:02d}", file_name, title, body_type,
                                    Markup(content)))
            self.toc.append(self._toc_entry(section, file_name))

    def _toc_entry(self, section: Section, file_name: str):
        link = self.epub.Link(f"{file_name}#{section.id}", _title_text(section),
                              f"toc-{section.id}")
        subs = [self._toc_entry(sub, file_name) for sub in section.sections
                if sub.level <= 3]
        return (self.epub.Section(_title_text(section), f"{file_name}#{section.id}"), subs) \
            if subs else link

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
            labels=self.labels, toc=Markup(_nav_list(self.toc)), landmarks=landmarks)
        nav = _Page("nav", "text/nav.xhtml", self.labels["contents"], "frontmatter",
                    Markup(content), properties=["nav"])
        self.pages.insert(3, nav)
        self.book.add_item(self.epub.EpubNcx())
        self.book.toc = self.toc

    def build_figures(self) -> None:
        for node in walk(self.document):
            if isinstance(node, Figure) and self.media_dir is not None:
                path = self.media_dir.parent / node.path
                name = self.translator.image_src(node).removeprefix("../")
                media_type = mimetypes.guess_type(path.name)[0] or ""
                if media_type not in ("image/png", "image/jpeg", "image/gif", "image/svg+xml",
                                      "image/webp"):
                    self.report.warn("media-type", f"{path.name}: not an EPUB image type")
                    continue
                self.book.add_item(self.epub.EpubItem(uid=name.replace("/", "-"),
                                                      file_name=name, media_type=media_type,
                                                      content=path.read_bytes()))

    def build_styles_and_fonts(self) -> None:
        faces = fonts.faces(self.document.script)
        families = fonts.FAMILIES[self.document.script]
        fallbacks, region = FALLBACKS[self.document.script]
        css = self.env.get_template("epub.css.jinja").render(
            text_family="Publish Text", heading_family="Publish Heading", fonts=families,
            region=region, fallbacks=fallbacks, vertical=self.vertical)
        self.book.add_item(self.epub.EpubItem(uid="style", file_name="styles/book.css",
                                              media_type="text/css", content=css.encode()))
        pages_text = "".join(str(page.content) for page in self.pages) + css
        text = _visible_text(pages_text) + self.document.meta.title
        headings = "".join(_title_text(s) for s in walk(self.document)
                           if isinstance(s, Section)) + self.document.meta.title \
            + "".join(self.labels.values())
        for uid, name, face, chars in (("font-text", "fonts/text.otf", faces["serif"], text),
                                       ("font-heading", "fonts/heading.otf", faces["sans"],
                                        headings)):
            data = fonts.subset(face, chars)
            self.book.add_item(self.epub.EpubItem(uid=uid, file_name=name,
                                                  media_type="font/otf", content=data))

    def build_cover(self) -> None:
        faces = fonts.faces(self.document.script)
        image = _cover_image(self.document, faces)
        self.book.set_cover("images/cover.jpg", image, create_page=False)

    def build_spine(self) -> None:
        template = self.env.get_template("page.xhtml.jinja")
        spine = []
        for page in self.pages:
            xhtml = template.render(lang=self.lang, title=page.title, body_type=page.body_type,
                                    content=page.content, vertical=self.vertical)
            item = self.epub.EpubItem(uid=page.uid, file_name=page.file_name,
                                      media_type="application/xhtml+xml",
                                      content=xhtml.encode("utf-8"))
            item.properties = page.properties
            self.book.add_item(item)
            spine.append(item)
        self.book.spine = spine


class _EpubTranslator(Translator):
    """The EPUB's translator: headings one level up (each chapter file starts at h1), images
    in images/ under ASCII names."""

    def image_src(self, node: Figure) -> str:
        digest = uuid.uuid5(uuid.NAMESPACE_URL, node.file).hex[:12]
        return f"../images/figure-{digest}{Path(node.file).suffix.lower()}"

    def __init__(self, document: Document, target: str, vertical: bool = False):
        super().__init__(document, target)
        self.vertical = vertical

    def _text(self, text: str) -> str:
        """In vertical text, numbers of one or two digits sit across the column (tate-chu-yoko)
        and longer ones stand upright digit by digit."""
        if not self.vertical:
            return super()._text(text)

        def number(match: re.Match) -> str:
            kind = "tcy" if len(match.group(0)) <= 2 else "upright"
            return f'<span class="{kind}">{match.group(0)}</span>'

        return wrap_runs(text, _DIGITS, number)

    def heading(self, section: Section) -> str:
        level = min(max(section.level - 1, 1), 6)
        return f'<h{level} id="{section.id}">{self.inlines(without_notes(section.title))}</h{level}>'


def _title_text(section: Section) -> str:
    return plain_text(without_notes(section.title)).strip()


def _nav_list(entries) -> str:
    items = []
    for entry in entries:
        if isinstance(entry, tuple):
            head, subs = entry
            href = head.href.removeprefix("text/")
            items.append(f'<li><a href="{escape(href)}">{escape(head.title)}</a>'
                         f"{_nav_list(subs)}</li>")
        else:
            href = entry.href.removeprefix("text/")
            items.append(f'<li><a href="{escape(href)}">{escape(entry.title)}</a></li>')
    return f"<ol>{''.join(items)}</ol>"


def _visible_text(markup: str) -> str:
    import html
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _cover_image(document: Document, faces: dict) -> bytes:
    """A cover: the title set in the edition's heading face, the source below it."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 1200, 1800
    image = Image.new("RGB", (width, height), (246, 242, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, width - 60, height - 60), outline=(90, 30, 30), width=6)
    title = document.meta.title
    size = min(180, int((width - 240) / max(1, len(title))))
    heading = ImageFont.truetype(str(faces["sans"].path), size, index=faces["sans"].index)
    small = ImageFont.truetype(str(faces["serif"].path), 56, index=faces["serif"].index)
    draw.text((width / 2, height * 0.38), title, font=heading, fill=(60, 20, 20), anchor="mm")
    draw.line((width / 2 - 200, height * 0.48, width / 2 + 200, height * 0.48),
              fill=(90, 30, 30), width=4)
    draw.text((width / 2, height * 0.78), labels(document.script)["source"], font=small,
              fill=(60, 20, 20), anchor="mm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def write_epub(document: Document, target: Path, report: Report, *,
               media_dir: Path | None = None, vertical: bool = False) -> None:
    """Package ``document`` as the EPUB 3 file ``target`` (written atomically)."""
    from ebooklib import epub

    builder = _EpubBuilder(document, report, media_dir, vertical)
    builder.build()
    date = _modified(document)
    lang = LANG_TAGS[document.script]

    class Writer(epub.EpubWriter):
        def _write_opf_file(self, root):
            root.set(XML_LANG, lang)
            super()._write_opf_file(root)

        def write(self):
            self.out = _FixedTimeZip(self.file_name, date)
            self.out.writestr("mimetype", "application/epub+zip",
                              compress_type=zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()
            self.out.close()

    with atomic_output(target) as temporary:
        writer = Writer(str(temporary), builder.book,
                        {"mtime": date, "raise_exceptions": True, "epub3_pages": False,
                         "spine_direction": vertical})
        writer.process()
        try:
            writer.write()
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

    def __init__(self, path: str, when: datetime.datetime):
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
