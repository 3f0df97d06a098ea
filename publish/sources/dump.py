"""Source: a MediaWiki XML dump (``pages-articles.xml[.bz2]``) → the articles in it, one by one.

The dump is streamed with mwxml; a ``.bz2`` dump is decompressed as it is read, so memory holds
one page at a time whatever the dump's size. Main-namespace articles come out; redirects,
disambiguation pages and the other namespaces are skipped and counted. Each article carries the
metadata ``publish fetch`` writes to ``<stem>.toml`` (title, source and history URLs, revision,
timestamp, licence, the date of the text), its URLs built from the dump's ``<siteinfo>``.
"""
from __future__ import annotations

import bz2
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import mwxml
import tomli_w

from ..report import PublishError
from .stems import safe_stem

__all__ = ["Article", "DumpCounts", "DumpReader", "Selection", "Site"]

LICENCE = "CC BY-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"

#: Templates that mark a disambiguation page on Chinese Wikipedia (and their English names).
DISAMBIGUATION_TEMPLATES = ("disambig", "disambiguation", "dab", "消歧义", "消歧義", "消歧义页",
                            "消歧義頁", "地名消歧义", "地名消歧義", "人名消歧义", "人名消歧義",
                            "hndis", "geodis", "shipindex", "numberdis", "molformdisambig")
_DISAMBIGUATION = re.compile(
    r"__DISAMBIG__|\{\{\s*(?:template\s*:\s*|模板\s*:\s*)?(?:"
    + "|".join(re.escape(name) for name in DISAMBIGUATION_TEMPLATES) + r")\s*[|}]", re.I)
_REDIRECT = re.compile(r"^\s*#\s*(redirect|重定向)\s*\[\[", re.I)
_CATEGORY = re.compile(r"\[\[\s*(?:category|分类|分類)\s*:\s*([^\]|]+?)\s*(?:\|[^\]]*)?\]\]", re.I)


def normalise_title(title: str) -> str:
    """A title as MediaWiki stores it: NFC, spaces for underscores, first letter capitalised."""
    title = " ".join(unicodedata.normalize("NFC", title).replace("_", " ").split())
    return title[:1].upper() + title[1:]


@dataclass(frozen=True)
class Site:
    """Represents what a dump's ``<siteinfo>`` says of its wiki, like zh.wikipedia.org's
    server and article path."""
    name: str
    dbname: str
    server: str
    article_path: str

    @classmethod
    def from_base(cls, name: str, dbname: str, base: str) -> Site:
        """From the main page's address in ``<base>``: ``https://zh.wikipedia.org/wiki/Main``
        gives the server and the article path ``/wiki/$1``."""
        parts = urlsplit(base or "")
        if not parts.scheme or not parts.netloc:
            raise PublishError(f"the dump's <siteinfo> has no usable <base> ({base!r})")
        path = parts.path.rsplit("/", 1)[0] + "/$1" if "/" in parts.path else "/wiki/$1"
        return cls(name, dbname, f"{parts.scheme}://{parts.netloc}", path)

    def url(self, title: str) -> str:
        return self.server + self.article_path.replace("$1", _in_url(title))

    def history_url(self, title: str) -> str:
        script = self.article_path.split("/$1")[0]
        script = "/w" if script in ("", "/wiki") else script
        return f"{self.server}{script}/index.php?title={_in_url(title)}&action=history"


def _in_url(title: str) -> str:
    """A title as wiki addresses write it: ``_`` for spaces, only URL syntax escaped."""
    return re.sub(r'[%&?#+"<>\s]', lambda match: quote(match.group()), title.replace(" ", "_"))


@dataclass(frozen=True)
class Article:
    """Represents one article of a dump, like 中苏关系 at revision 123456, with its metadata."""
    title: str
    stem: str
    page_id: int
    revision: int
    timestamp: str
    text: str
    meta: dict

    def meta_toml(self) -> str:
        """The ``<stem>.toml`` ``publish fetch`` would write for this revision."""
        return (f"# From the dump of {self.meta['source_url']} (revision {self.revision}).\n"
                + tomli_w.dumps(self.meta))

    def digest(self) -> str:
        """One digest of what the article brings: its text and its metadata."""
        digest = hashlib.sha256(self.text.encode("utf-8"))
        digest.update(self.meta_toml().encode("utf-8"))
        return digest.hexdigest()


@dataclass(frozen=True)
class Selection:
    """Which articles to take: listed titles, one category, at most ``limit`` (0: all)."""
    titles: frozenset[str] = frozenset()
    category: str = ""
    limit: int = 0

    @classmethod
    def of(cls, pages_file: Path | None = None, category: str = "", limit: int = 0) -> Selection:
        titles: set[str] = set()
        if pages_file is not None:
            try:
                lines = pages_file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as error:
                raise PublishError(f"cannot read the list of pages {pages_file}: "
                                   f"{getattr(error, 'strerror', None) or error}") from None
            titles = {normalise_title(line) for line in lines
                      if line.strip() and not line.lstrip().startswith("#")}
            if not titles:
                raise PublishError(f"{pages_file}: no titles in it (one a line)")
        category = re.sub(r"^(category|分类|分類)\s*:\s*", "", category.strip(), flags=re.I)
        return cls(frozenset(titles), normalise_title(category) if category else "", limit)

    def wants(self, title: str, text: str) -> bool:
        if self.titles and title not in self.titles:
            return False
        if self.category:
            return any(normalise_title(name) == self.category for name in _CATEGORY.findall(text))
        return True


@dataclass
class DumpCounts:
    """Counts of what a dump held, filled in as it is read."""
    pages: int = 0
    articles: int = 0
    redirects: int = 0
    disambiguations: int = 0
    other_namespaces: int = 0
    not_selected: int = 0
    #: Compressed bytes read and the dump's size, for progress.
    position: int = 0
    size: int = 0
    stems: set[str] = field(default_factory=set, repr=False)

    def summary(self) -> str:
        return (f"{self.pages} pages read: {self.articles} articles taken, {self.redirects} "
                f"redirects, {self.disambiguations} disambiguation pages and "
                f"{self.other_namespaces} pages of other namespaces skipped, "
                f"{self.not_selected} not selected")


class DumpReader:
    """Represents an open dump, like zhwiki-latest-pages-articles.xml.bz2, read as a stream:
    ``with DumpReader(path, selection, counts) as dump:`` then ``dump.site`` and
    ``dump.articles()``; the file is closed when the block ends, however it ends."""

    def __init__(self, path: Path, selection: Selection, counts: DumpCounts):
        self.path, self.selection, self.counts = path, selection, counts
        try:
            self.raw = path.open("rb")
            counts.size = path.stat().st_size
        except OSError as error:
            raise PublishError(f"cannot read {path}: {error.strerror}") from None
        stream = bz2.BZ2File(self.raw) if path.name.lower().endswith(".bz2") else self.raw
        try:
            self.dump = mwxml.Dump.from_file(stream)
            info = self.dump.site_info
            self.site = Site.from_base(info.name or "", info.dbname or "", info.base or "")
        except (OSError, EOFError, ValueError, ParseError, mwxml.errors.MalformedXML) as error:
            self.raw.close()
            raise PublishError(f"{path}: not a readable MediaWiki XML dump ({error})") from None
        except PublishError:
            self.raw.close()
            raise

    def __enter__(self) -> DumpReader:
        return self

    def __exit__(self, *exc) -> None:
        self.raw.close()

    def articles(self) -> Iterator[Article]:
        """The selected articles, one at a time, as the dump is read."""
        counts, taken = self.counts, 0
        try:
            for page in self.dump:
                revision = None
                for revision in page:  # pages-articles holds one; a history ends on the latest
                    pass
                counts.pages += 1
                counts.position = self.raw.tell()
                text = (revision.text or "") if revision is not None else ""
                if page.namespace != 0:
                    counts.other_namespaces += 1
                elif page.redirect or _REDIRECT.match(text):
                    counts.redirects += 1
                elif _DISAMBIGUATION.search(text) or page.title.endswith(("(消歧义)", "(消歧義)")):
                    counts.disambiguations += 1
                elif revision is None or not self.selection.wants(normalise_title(page.title),
                                                                  text):
                    counts.not_selected += 1
                else:
                    counts.articles += 1
                    yield _article(page, revision, text, self.site, counts.stems)
                    taken += 1
                    if self.selection.limit and taken >= self.selection.limit:
                        return
        except (OSError, EOFError, ParseError, mwxml.errors.MalformedXML) as error:
            raise PublishError(f"{self.path}: the dump is cut short or malformed after "
                               f"{counts.pages} pages ({error})") from None


def _article(page, revision, text: str, site: Site, stems: set[str]) -> Article:
    title = page.title
    stem = safe_stem(title)
    if stem.casefold() in stems:  # two titles, one file name (or one on a case-blind disk)
        stem = f"{stem}_{page.id}"
    stems.add(stem.casefold())
    timestamp = revision.timestamp.long_format() if revision.timestamp else ""
    meta = {"title": title, "source_url": site.url(title), "history_url": site.history_url(title),
            "revision": int(revision.id or 0), "timestamp": timestamp,
            "licence": LICENCE, "licence_url": LICENCE_URL, "source_date": timestamp[:10]}
    return Article(title, stem, int(page.id or 0), int(revision.id or 0), timestamp, text, meta)
