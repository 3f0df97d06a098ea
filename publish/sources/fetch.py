"""Sources: an article on a MediaWiki → a source folder the build reads offline.

For each article, beside each other in the output folder:

- ``<stem>.wiki``: the exact wikitext of the revision (redirects followed and recorded);
- ``<stem>.toml``: title, display title, URLs, revision and its timestamp, licence, language,
  variants, categories, and one ``[[media]]`` table a downloaded image (its credit);
- ``media/``: the images the article shows, at print width, checked with Pillow;
- ``<stem>.expansions.json``: the wiki's expansion of each template the reader does not know;
- ``<stem>.cgroups.json``: the rules of the NoteTA conversion groups the article names.

Everything is gathered in a staging folder first and moved into place at the end, the wikitext
last, so a failed fetch leaves nothing half-written. An article whose latest revision is the
one already in the folder is not fetched again.
"""
from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import tomli_w

from ..images import ImageRefused, identify
from ..report import PublishError
from .client import Client, Limits, check_wiki_url
from ..readers.scan import file_names, noteta_groups, unknown_invocations
from .stems import safe_stem

__all__ = ["Target", "Fetched", "parse_target", "fetch", "fetch_article",
           "site_info", "DEFAULT_WIKI", "PRINT_WIDTH", "cache_dir"]

log = logging.getLogger("publish")

DEFAULT_WIKI = "https://zh.wikipedia.org"
#: Thumbnail width asked for (px): about 300 dpi across a 16 cm text measure.
PRINT_WIDTH = 2000
MAX_IMAGES = 150
#: Invocations per expandtemplates request, and characters of wikitext per request.
EXPAND_BATCH, EXPAND_CHARS = 50, 60_000
#: Pillow's formats a book holds, with the file suffix each is stored under.
IMAGE_FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "GIF": (".gif",),
                 "WEBP": (".webp",)}
_ARTICLE_PATH = re.compile(r"^/(?:wiki|zh(?:-[a-z]+)?)/(.+)$")
_LUA_RULE = re.compile(r"""\brule\s*=\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")""")
_SPLIT = "\ue100publish-expansion-{}\ue101"
_SPLIT_PATTERN = re.compile("\ue100publish-expansion-(\\d+)\ue101")


@dataclass(frozen=True)
class Target:
    """Represents one article to fetch, like ``Target("https://zh.wikipedia.org", "辛亥革命")``."""
    wiki: str
    title: str
    revision: int = 0


@dataclass
class Fetched:
    """Represents the outcome of fetching one article: its source file, and what was kept."""
    source: Path
    title: str
    revision: int
    unchanged: bool = False
    images: int = 0
    warnings: list[str] = field(default_factory=list)


def cache_dir() -> Path:
    """Where ``publish build URL`` keeps fetched sources: ``$XDG_CACHE_HOME/publish``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "publish"


def parse_target(text: str, wiki: str = DEFAULT_WIKI, revision: int = 0) -> Target:
    """A title (on ``wiki``) or an article URL (``/wiki/T``, ``/zh-hans/T``,
    ``/w/index.php?title=T&oldid=N``) → the article to fetch; anything else a one-line error."""
    text = text.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        if not text or "\n" in text:
            raise PublishError(f"{text!r}: not an article title")
        return Target(check_wiki_url(wiki), text.replace("_", " "), revision)
    parts = urlsplit(text)
    base = check_wiki_url(f"{parts.scheme}://{parts.netloc}")
    query = parse_qs(parts.query)
    match = _ARTICLE_PATH.match(parts.path)
    title = unquote(match.group(1)) if match else ""
    if parts.path.endswith("/index.php"):
        title = query.get("title", [""])[0]
        if not revision and query.get("oldid", [""])[0].isdigit():
            revision = int(query["oldid"][0])
    title = title.replace("_", " ").strip()
    if not title and not revision:
        raise PublishError(f"{text}: not a MediaWiki article URL (expected …/wiki/TITLE)")
    return Target(base, title, revision)


def fetch(texts: list[str], out_dir: Path, wiki: str = DEFAULT_WIKI, revision: int = 0,
          limits: Limits = Limits()) -> list[Fetched]:
    """Fetch each article named in ``texts`` (titles or URLs) into ``out_dir``."""
    targets = [parse_target(text, wiki, revision) for text in texts]
    results: list[Fetched] = []
    stems: set[str] = set()
    clients: dict[str, Client] = {}
    sites: dict[str, _Site] = {}
    try:
        for target in targets:
            if target.wiki not in clients:
                clients[target.wiki] = Client(target.wiki, limits)
                sites[target.wiki] = site_info(clients[target.wiki])
            result = fetch_article(clients[target.wiki], target, out_dir, sites[target.wiki],
                                   taken=stems)
            stems.add(result.source.stem.casefold())
            results.append(result)
    finally:
        for client in clients.values():
            client.close()
    return results


def _on_terminal() -> bool:
    return sys.stderr.isatty()


def _progress(message: str, *args) -> None:
    """Progress on a terminal; nothing when stderr is piped (unless --verbose)."""
    log.log(logging.INFO if _on_terminal() else logging.DEBUG, message, *args)


# ---------------------------------------------------------------- the site

@dataclass(frozen=True)
class _Site:
    server: str
    script: str
    article_path: str
    language: str
    variants: tuple[str, ...]
    licence: str
    licence_url: str
    file_prefixes: frozenset[str]


def site_info(client: Client) -> _Site:
    """What the wiki says of itself: addresses, language, variants, licence, file prefixes."""
    data = client.api({"action": "query", "meta": "siteinfo",
                       "siprop": "general|rightsinfo|namespaces|namespacealiases"})
    query = data.get("query") or {}
    general = query.get("general")
    if not isinstance(general, dict):
        raise PublishError(f"{client.api_url} is not a MediaWiki API (no siteinfo)")
    rights = query.get("rightsinfo") or {}
    prefixes = {"file", "image"}
    namespaces = query.get("namespaces") or {}
    for namespace in (namespaces.values() if isinstance(namespaces, dict) else namespaces):
        if isinstance(namespace, dict) and namespace.get("id") == 6:
            prefixes.update(str(namespace.get(key, "")).casefold() for key in ("name", "canonical"))
    for alias in query.get("namespacealiases") or []:
        if isinstance(alias, dict) and alias.get("id") == 6:
            prefixes.add(str(alias.get("alias", "")).casefold())
    server = str(general.get("server", client.wiki))
    if server.startswith("//"):
        server = f"{client.scheme}:{server}"
    site = _Site(
        server=server, script=str(general.get("scriptpath", "/w")),
        article_path=str(general.get("articlepath", "/wiki/$1")),
        language=str(general.get("lang", "")),
        variants=tuple(str(v.get("code")) for v in general.get("variants") or []
                       if isinstance(v, dict) and v.get("code")),
        licence=str(rights.get("text", "")), licence_url=str(rights.get("url", "")),
        file_prefixes=frozenset(prefixes - {""}))
    return site


def _in_url(title: str) -> str:
    """A title as wiki addresses write it: ``_`` for spaces, only URL syntax escaped."""
    return re.sub(r'[%&?#+"<>\s]', lambda match: quote(match.group()), title.replace(" ", "_"))


def _url(site: _Site, title: str) -> str:
    return site.server + site.article_path.replace("$1", _in_url(title))


# ---------------------------------------------------------------- one article

def fetch_article(client: Client, target: Target, out_dir: Path, site: _Site,
                  taken: AbstractSet[str] = frozenset()) -> Fetched:
    """Fetch ``target`` into ``out_dir``; ``taken`` holds the stems (case-folded) other articles
    of this run have used."""
    page, redirected_from = _page_info(client, target)
    title = str(page["title"])
    revision = target.revision or int(page.get("lastrevid") or 0)
    stem = _stem_for(title, out_dir, taken, _url(site, title))
    source = out_dir / f"{stem}.wiki"
    if _unchanged(source, revision):
        _progress("%s: revision %d already in %s", title, revision, source)
        return Fetched(source, title, revision, unchanged=True)
    _progress("%s: fetching revision %d", title, revision)
    content, timestamp, categories = _revision(client, revision, title)
    result = Fetched(source, title, revision)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".publish-fetch-", dir=out_dir))
    except OSError as error:
        raise PublishError(f"cannot write to {out_dir}: {error.strerror}") from None
    try:
        expansions = _expansions(client, title, content, result)
        names = file_names("\n".join([content, *expansions.values()]), set(site.file_prefixes))
        credits = _images(client, names, staging / "media", site, result)
        groups = _cgroups(client, noteta_groups(content), result)
        meta = {
            "title": title,
            "display_title": _plain(str(page.get("displaytitle") or title)),
            "source_url": str(page.get("canonicalurl") or _url(site, title)),
            "history_url": f"{site.server}{site.script}/index.php?title={_in_url(title)}"
                           "&action=history",
            "licence": site.licence or "CC BY-SA 4.0",
            "licence_url": site.licence_url or "https://creativecommons.org/licenses/by-sa/4.0/",
            "source_date": timestamp[:10],
            "revision": revision,
            "timestamp": timestamp,
            "language": str(page.get("pagelanguage") or site.language),
            "variants": list(site.variants),
            "categories": categories,
        }
        if redirected_from:
            meta["redirected_from"] = redirected_from
        if credits:
            meta["media"] = credits
        (staging / "meta.toml").write_text(
            f"# Fetched by publish from {meta['source_url']} (revision {revision}).\n"
            + tomli_w.dumps(meta), encoding="utf-8")
        (staging / "expansions.json").write_text(json.dumps(
            {"expansions": expansions}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (staging / "cgroups.json").write_text(json.dumps(
            {"groups": groups}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (staging / "source.wiki").write_text(content, encoding="utf-8", newline="")
        _commit(staging, out_dir, stem)
    except OSError as error:
        raise PublishError(f"cannot write {title} into {out_dir}: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.images = len(credits)
    return result


def _commit(staging: Path, out_dir: Path, stem: str) -> None:
    """Move the staged files into place, the images first and the wikitext last."""
    media = staging / "media"
    if media.is_dir():
        (out_dir / "media").mkdir(exist_ok=True)
        for path in sorted(media.iterdir()):
            os.chmod(path, 0o644)
            os.replace(path, out_dir / "media" / path.name)
    for staged, suffix in (("expansions.json", ".expansions.json"),
                           ("cgroups.json", ".cgroups.json"), ("meta.toml", ".toml"),
                           ("source.wiki", ".wiki")):
        os.chmod(staging / staged, 0o644)
        os.replace(staging / staged, out_dir / f"{stem}{suffix}")


def _stem_for(title: str, out_dir: Path, taken: AbstractSet[str], url: str) -> str:
    """The title's stem, numbered (``T-2``) if another article of this run or of the folder
    already has it."""
    base = safe_stem(title)
    for number in range(1, 1000):
        stem = base if number == 1 else f"{base}-{number}"
        if stem.casefold() in taken:
            continue
        existing = out_dir / f"{stem}.toml"
        if not existing.exists():
            return stem
        try:
            owner = tomllib.loads(existing.read_text(encoding="utf-8")).get("title")
        except (OSError, ValueError):
            owner = None
        if owner == title:
            return stem
    raise PublishError(f"{title}: no free file name in {out_dir}")


def _unchanged(source: Path, revision: int) -> bool:
    meta = source.with_suffix(".toml")
    if not (source.is_file() and meta.is_file()):
        return False
    try:
        return tomllib.loads(meta.read_text(encoding="utf-8")).get("revision") == revision
    except (OSError, ValueError):
        return False


def _pages(data: dict) -> list[dict]:
    pages = (data.get("query") or {}).get("pages") or []
    if isinstance(pages, dict):  # formatversion 1
        pages = list(pages.values())
    return [page for page in pages if isinstance(page, dict)]


def _flag(page: dict, key: str) -> bool:
    """A boolean of either format version: ``true`` (fv2) or ``""`` (fv1)."""
    return key in page and page[key] is not False


def _page_info(client: Client, target: Target) -> tuple[dict, str]:
    """The page ``target`` names, redirects followed: its info, and the title it came from."""
    params = {"prop": "info|pageprops", "inprop": "url|displaytitle",
              "ppprop": "disambiguation", "redirects": "1", "converttitles": "1"}
    if target.revision:
        params["revids"] = str(target.revision)
    else:
        params["titles"] = target.title
    data = client.api({"action": "query", **params})
    query = data.get("query") or {}
    if target.revision and query.get("badrevids"):
        raise PublishError(f"{client.host} has no revision {target.revision}")
    pages = _pages(data)
    if not pages:
        raise PublishError(f"{client.host}: no page answers to {target.title!r}")
    page = pages[0]
    shown = target.title or f"revision {target.revision}"
    if _flag(page, "invalid"):
        raise PublishError(f"{shown!r} is not a valid title on {client.host}: "
                           f"{page.get('invalidreason', '')}".rstrip(": "))
    if _flag(page, "missing"):
        raise PublishError(f"{client.host} has no article {shown!r}")
    if "disambiguation" in (page.get("pageprops") or {}):
        raise PublishError(f"{page['title']} is a disambiguation page on {client.host}; "
                           f"name one of its articles: {_some_links(client, page['title'])}")
    redirects = query.get("redirects") or []
    redirected_from = str(redirects[0].get("from", "")) if redirects else ""
    return page, redirected_from


def _some_links(client: Client, title: str) -> str:
    data = client.api({"action": "query", "prop": "links", "titles": title,
                       "plnamespace": "0", "pllimit": "8"})
    links = [str(link.get("title")) for page in _pages(data) for link in page.get("links") or []]
    return "、".join(links[:6]) + (" …" if len(links) > 6 else "") if links else "(none listed)"


def _revision(client: Client, revision: int, title: str) -> tuple[str, str, list[str]]:
    """The wikitext of ``revision``, its timestamp, and the page's visible categories."""
    answers = client.query({"prop": "revisions|categories", "revids": str(revision),
                            "rvprop": "ids|timestamp|content", "rvslots": "main",
                            "clshow": "!hidden", "cllimit": "max"})
    content, timestamp, categories = None, "", []
    for data in answers:
        if (data.get("query") or {}).get("badrevids"):
            raise PublishError(f"{client.host} has no revision {revision} of {title}")
        for page in _pages(data):
            for entry in page.get("revisions") or []:
                main = ((entry.get("slots") or {}).get("main") or {})
                if main.get("texthidden") is not None or _flag(main, "texthidden"):
                    raise PublishError(f"revision {revision} of {title} is hidden on "
                                       f"{client.host}")
                if main.get("contentmodel", "wikitext") != "wikitext":
                    raise PublishError(f"{title} is not wikitext "
                                       f"({main.get('contentmodel')}); only articles are fetched")
                if isinstance(main.get("content"), str):
                    content, timestamp = main["content"], str(entry.get("timestamp", ""))
            for category in page.get("categories") or []:
                name = str(category.get("title", "")).partition(":")[2]
                if name and name not in categories:
                    categories.append(name)
    if content is None:
        raise PublishError(f"{client.host} sent no wikitext for revision {revision} of {title}")
    return content, timestamp, categories


# ---------------------------------------------------------------- expansions

def _expansions(client: Client, title: str, content: str, result: Fetched) -> dict[str, str]:
    """Each invocation the reader does not handle → the wiki's expansion of it, batched."""
    invocations = unknown_invocations(content)
    expansions: dict[str, str] = {}
    batch: list[str] = []
    for invocation in invocations:
        if len(invocation) > EXPAND_CHARS:
            result.warnings.append(f"a {len(invocation):,}-character template invocation "
                                   "is too long to expand; the reader drops it")
            continue
        if batch and (len(batch) == EXPAND_BATCH
                      or sum(map(len, batch)) + len(invocation) > EXPAND_CHARS):
            expansions.update(_expand_batch(client, title, batch, result))
            batch = []
        batch.append(invocation)
    if batch:
        expansions.update(_expand_batch(client, title, batch, result))
    if invocations:
        _progress("%s: %d template invocations expanded on the wiki", title, len(expansions))
    return expansions


def _expand_batch(client: Client, title: str, batch: list[str], result: Fetched) -> dict:
    text = "".join(_SPLIT.format(index) + invocation for index, invocation in enumerate(batch))
    data = client.api({"action": "expandtemplates", "title": title, "text": text,
                       "prop": "wikitext"}, post=True)
    expanded = (data.get("expandtemplates") or {}).get("wikitext")
    if not isinstance(expanded, str):
        raise PublishError(f"{client.host}: expandtemplates sent no wikitext")
    pieces = _SPLIT_PATTERN.split(expanded)
    # ["", "0", expansion 0, "1", expansion 1, …] when every marker came back in order.
    if pieces[0].strip() or [int(n) for n in pieces[1::2]] != list(range(len(batch))):
        result.warnings.append(f"{len(batch)} template expansions came back out of order; "
                               "not used")
        return {}
    return {invocation: pieces[2 + 2 * index] for index, invocation in enumerate(batch)}


# ---------------------------------------------------------------- conversion groups

def _cgroups(client: Client, names: list[str], result: Fetched) -> dict[str, list[str]]:
    """Each NoteTA group → the rule strings of its ``Module:CGroup/NAME`` page."""
    groups: dict[str, list[str]] = {}
    for start in range(0, len(names), 50):
        chunk = names[start:start + 50]
        titles = {f"Module:CGroup/{name}": name for name in chunk}
        for data in client.query({"prop": "revisions", "rvprop": "content", "rvslots": "main",
                                  "titles": "|".join(titles)}):
            for page in _pages(data):
                name = titles.get(str(page.get("title")))
                if name is None:
                    continue
                if _flag(page, "missing"):
                    result.warnings.append(f"conversion group {name}: no Module:CGroup/{name}")
                    continue
                for entry in page.get("revisions") or []:
                    lua = ((entry.get("slots") or {}).get("main") or {}).get("content") or ""
                    groups[name] = [_lua_string(m.group(1) if m.group(1) is not None
                                                else m.group(2))
                                    for m in _LUA_RULE.finditer(lua)]
    return {name: groups[name] for name in names if name in groups}


def _lua_string(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


# ---------------------------------------------------------------- images

class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(markup: str) -> str:
    """HTML (an ``extmetadata`` value, a display title) → its text on one line."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ".join(html.unescape("".join(parser.parts)).split())


def _images(client: Client, names: list[str], media: Path, site: _Site,
            result: Fetched) -> list[dict]:
    """Download each image at print width into ``media``; its credit for the ``.toml``."""
    if len(names) > MAX_IMAGES:
        result.warnings.append(f"{len(names)} images; only the first {MAX_IMAGES} fetched")
        names = names[:MAX_IMAGES]
    infos = _image_infos(client, names)
    credits: list[dict] = []
    total = 0
    for count, name in enumerate(names, 1):
        info = infos.get(name)
        if info is None:
            result.warnings.append(f"File:{name}: not on {client.host}; figure left out")
            continue
        metadata = info.get("extmetadata") or {}

        def value(key: str) -> str:
            entry = metadata.get(key)
            return _plain(str(entry.get("value", ""))) if isinstance(entry, dict) else ""

        if value("NonFree").lower() in ("true", "1", "yes"):
            result.warnings.append(f"File:{name}: not freely licensed; left out")
            continue
        licence = value("LicenseShortName") or value("UsageTerms")
        if not licence:
            result.warnings.append(f"File:{name}: no licence information; left out")
            continue
        url = str(info.get("thumburl") or info.get("url") or "")
        if not url:
            result.warnings.append(f"File:{name}: no address to download; left out")
            continue
        try:
            data = client.download(url, f"File:{name}")
            stored = _checked_name(name, data)
        except PublishError as error:
            result.warnings.append(f"{error}; figure left out")
            continue
        media.mkdir(parents=True, exist_ok=True)
        (media / stored).write_bytes(data)
        total += len(data)
        _progress("  image %d/%d %s (%s KB, %.1f MB in all)", count, len(names), stored,
                  f"{len(data) // 1024:,}", total / 1e6)
        credits.append({"file": stored, "title": f"File:{name.replace('_', ' ')}",
                        "artist": value("Artist") or value("Credit"),
                        "licence": licence, "licence_url": value("LicenseUrl"),
                        "source_url": str(info.get("descriptionurl", ""))})
    return credits


def _image_infos(client: Client, names: list[str]) -> dict[str, dict]:
    """Each name (as written) → its ``imageinfo`` (thumbnail URL, extmetadata …)."""
    infos: dict[str, dict] = {}
    for start in range(0, len(names), 50):
        chunk = names[start:start + 50]
        asked = {f"File:{name.replace('_', ' ')}": name for name in chunk}
        answers = client.query({
            "prop": "imageinfo", "titles": "|".join(asked), "redirects": "1",
            "iiprop": "url|size|mime|extmetadata", "iiurlwidth": str(PRINT_WIDTH),
            "iiextmetadatafilter": "Artist|Credit|LicenseShortName|LicenseUrl|UsageTerms|NonFree",
            "iiextmetadatalanguage": "zh"}, enough=("iistart",))
        renamed: dict[str, str] = {}
        for data in answers:
            query = data.get("query") or {}
            for step in (query.get("normalized") or []) + (query.get("redirects") or []):
                before, after = str(step.get("from")), str(step.get("to"))
                if before != after:
                    renamed[after] = renamed.get(before, before)
            for page in _pages(data):
                name = asked.get(renamed.get(str(page.get("title")), str(page.get("title"))))
                if name is None or not page.get("imageinfo"):
                    continue
                infos[name] = page["imageinfo"][0]
    return infos


def _checked_name(name: str, data: bytes) -> str:
    """The file name to keep ``data`` under (``X.svg`` rendered as PNG → ``X.svg.png``), once
    it has passed the checks every embedded image passes (:func:`publish.images.identify`)."""
    try:
        kind = identify(name, data)
    except ImageRefused as error:
        raise PublishError(f"File:{error}") from None
    if kind not in IMAGE_FORMATS:
        raise PublishError(f"File:{name}: a {kind} image, which a book cannot hold")
    if name.startswith(".") or "\x00" in name or "/" in name or "\\" in name:
        raise PublishError(f"File:{name}: not a plain file name")
    suffixes = IMAGE_FORMATS[kind]
    return name if name.lower().endswith(suffixes) else f"{name}{suffixes[0]}"
