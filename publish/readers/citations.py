"""Reader helper: a cite template's parameters (as inlines) → a structured :class:`Citation`.

The reader keeps the fields and formats nothing: authors as name parts, title, work,
publisher, place, date as written, volume, issue, pages, URL, access date, identifiers and
language. :mod:`publish.transforms.citations` formats them for each edition. Parameter names
are CS1's (``cite web`` …), with the German ``Internetquelle``/``Literatur`` names beside them;
a citation template the table does not know is read by the same names.
"""
from __future__ import annotations

import re

from ..model import Citation, Inline, Person, Text, plain_text

__all__ = ["CITE_TEMPLATES", "citation", "is_citation", "kind_of", "page_locator"]

#: Citation templates read as sources, name → kind. Chinese Wikipedia uses CS1's English
#: names (lower or capitalised) and a few of other wikis' (哈柏法 cites ``Internetquelle``).
CITE_TEMPLATES = {
    "cite book": "book", "cite news": "news", "cite web": "web", "cite journal": "journal",
    "cite magazine": "journal", "cite periodical": "journal", "cite paper": "journal",
    "cite report": "report", "cite thesis": "thesis", "cite encyclopedia": "encyclopedia",
    "cite dictionary": "encyclopedia", "cite press release": "press release",
    "cite wikisource": "wikisource", "cite av media": "av media", "cite video": "av media",
    "cite episode": "av media", "cite interview": "interview", "cite conference": "conference",
    "cite map": "map", "cite speech": "interview", "cite arxiv": "journal",
    "cite tweet": "web", "cite mailing list": "web", "cite newsgroup": "web",
    "citation": "generic", "cite": "generic", "internetquelle": "web", "literatur": "book",
    "cite document": "generic", "cite patent": "generic", "cite court": "generic",
    "cite sign": "generic", "cite techreport": "report", "cite letter": "generic",
}

#: Field → the parameter names that carry it, best first.
FIELDS = {
    "title": ("title", "trans-title", "script-title", "titel", "title-link"),
    "chapter": ("chapter", "contribution", "entry", "article", "section", "trans-chapter",
                "episode", "kapitel"),
    "work": ("work", "journal", "newspaper", "magazine", "website", "periodical",
             "encyclopedia", "encyclopaedia", "dictionary", "series", "book-title",
             "conference", "werk", "sammelwerk", "zeitschrift", "agency"),
    "publisher": ("publisher", "institution", "school", "network", "station", "via",
                  "hrsg", "verlag", "department"),
    "place": ("location", "place", "publication-place", "ort"),
    "edition": ("edition", "auflage"),
    "date": ("date", "publication-date", "year", "datum", "jahr", "air-date", "airdate"),
    "volume": ("volume", "band"),
    "issue": ("issue", "number", "nummer", "no"),
    "pages": ("pages", "page", "at", "seiten", "seite", "minutes", "time"),
    "access_date": ("access-date", "accessdate", "abruf", "zugriff"),
    "language": ("language", "lang", "sprache"),
}
#: Identifiers printed after an entry, as their kind is usually written.
IDENTIFIERS = {"isbn": "ISBN", "doi": "DOI", "issn": "ISSN", "oclc": "OCLC", "pmid": "PMID",
               "jstor": "JSTOR", "arxiv": "arXiv", "hdl": "hdl", "bibcode": "Bibcode",
               "eissn": "eISSN"}
#: Parameters that say a template is a citation when its name does not.
_CITATION_SIGNS = {"title", "url", "author", "last", "last1", "publisher", "work", "journal",
                   "isbn", "doi", "titel", "autor", "website", "newspaper"}

_PAGES = re.compile(r"^[\dA-Za-z]+(?:\s*[-–—~、,，]\s*[\dA-Za-z]+)*$")


def page_locator(value: str, tag: str = "zh-Hans") -> str:
    """A ``{{rp}}`` or ``page=`` value as a locator: ``32`` → ``第32页`` (``p. 32`` in English);
    text as written."""
    value = value.strip()
    if _PAGES.match(value):
        value = value.replace("-", "–")
        if tag.startswith("zh"):
            return f"第{value}页"
        return ("pp. " if re.search(r"[–,、]", value) else "p. ") + value
    return value


def is_citation(name: str, params: dict[str, str]) -> bool:
    """A template read as a citation: one of the table's, a ``cite …`` the table does not
    know, or any template with a title and one more bibliographic field."""
    if name in CITE_TEMPLATES or name.startswith(("cite ", "citation")):
        return True
    signs = _CITATION_SIGNS & {key for key, value in params.items() if value.strip()}
    return ("title" in signs or "titel" in signs) and len(signs) >= 2


def kind_of(name: str) -> str:
    return CITE_TEMPLATES.get(name, "generic")


def citation(kind: str, params: dict[str, tuple[Inline, ...]]) -> Citation:
    """The fields of a cite template of ``kind``; ``params`` maps lower-case parameter names to
    their values read as inlines."""
    params = {key.replace("_", "-"): value for key, value in params.items()
              if plain_text(value).strip()}
    text = {key: plain_text(value).strip() for key, value in params.items()}

    def first(field: str) -> tuple[Inline, ...]:
        return next((params[key] for key in FIELDS[field] if key in params), ())

    def first_text(field: str) -> str:
        return next((text[key] for key in FIELDS[field] if key in text), "")

    url = text.get("url", "")
    status = text.get("url-status", text.get("dead-url", text.get("deadurl", ""))).casefold()
    archive = text.get("archive-url", text.get("archiveurl", ""))
    if archive and (status in ("yes", "dead", "true", "y") or not url):
        url = archive
    if kind == "wikisource" and not url and text.get("wslink"):
        url = "https://zh.wikisource.org/wiki/" + text["wslink"].replace(" ", "_")
    date = first_text("date")
    if text.get("month") and date and not text.get("date"):
        date = f"{text['month']} {date}"
    authors, more = _people(params, text, "author")
    editors, _ = _people(params, text, "editor")
    ids = tuple((label, text[key]) for key, label in IDENTIFIERS.items() if text.get(key))
    return Citation(
        kind=kind, authors=authors, editors=editors, title=first("title"),
        chapter=first("chapter"), work=first("work"), publisher=first("publisher"),
        place=first("place"), edition=first("edition"), date=date,
        volume=first_text("volume"), issue=first_text("issue"), pages=first_text("pages"),
        url=url, access_date=first_text("access_date"), ids=ids,
        language=first_text("language"), more_authors=more)


def _people(params: dict[str, tuple[Inline, ...]], text: dict[str, str],
            role: str) -> tuple[tuple[Person, ...], bool]:
    """Authors (or editors) in order: numbered ``last1``/``first1`` … pairs, ``author1`` …,
    ``author``/``authors``, ``vauthors``, the German ``autor``; ``et al.`` or
    ``display-authors=etal`` says there are more."""
    people: list[Person] = []
    prefix = "" if role == "author" else "editor-"
    for number in range(1, 15):
        suffixes = [str(number)] + ([""] if number == 1 else [])
        found = False
        for suffix in suffixes:
            family = params.get(f"{prefix}last{suffix}") or params.get(f"{prefix}surname{suffix}") \
                or (params.get(f"{role}{suffix}-last") if role == "editor" else None) \
                or (params.get(f"editor{suffix}-last") if role == "editor" else None)
            given = params.get(f"{prefix}first{suffix}") or params.get(f"{prefix}given{suffix}") \
                or (params.get(f"editor{suffix}-first") if role == "editor" else None)
            whole = params.get(f"{role}{suffix}")
            if family:
                people.append(Person(family=family, given=given or ()))
                found = True
                break
            if whole:
                people.extend(_split_names(whole))
                found = True
                break
        if not found and number > 1:
            break
    if not people:
        plural = params.get(f"{role}s") or (params.get("vauthors") if role == "author" else None) \
            or (params.get("people") if role == "author" else None) \
            or (params.get("autor") if role == "author" else None) \
            or (params.get("hrsg") if role == "editor" and "publisher" in params else None)
        if plural:
            people.extend(_split_names(plural))
    if role == "author" and params.get("coauthors"):
        people.extend(_split_names(params["coauthors"]))
    more = text.get("display-authors", "").casefold() in ("etal", "et al", "et al.") \
        or bool(re.search(r"\bet al\.?$|等$", text.get(f"{role}s", text.get(role, ""))))
    return tuple(people), more


def _split_names(value: tuple[Inline, ...]) -> list[Person]:
    """One parameter naming several people (``authors=Smith, J.; Jones, K.``) split at the
    separators between them; a single name is kept whole, with its links."""
    raw = plain_text(value).strip()
    raw = re.sub(r"(,?\s*\bet al\.?|等)$", "", raw).strip()
    parts = [part.strip() for part in re.split(r"\s*[;；、]\s*|\s+and\s+|\s*&\s*", raw)
             if part.strip()]
    if len(parts) <= 1:
        if raw != plain_text(value).strip():
            return [Person(name=(Text(raw),))] if raw else []
        return [Person(name=value)]
    out = []
    for part in parts:
        family, comma, given = part.partition(",")
        if comma and given.strip() and " " not in family.strip():
            out.append(Person(family=(Text(family.strip()),), given=(Text(given.strip()),)))
        else:
            out.append(Person(name=(Text(part),)))
    return out
