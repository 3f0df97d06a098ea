"""Reader table: template name → what the template means on Chinese Wikipedia → document nodes.

Each handler takes the reader's context and the template's parameters and returns a list of
nodes (inline or block), or a :class:`Locator` for ``{{rp}}``. Names are matched case-folded,
with ``_`` read as a space. Templates not in the table (nor an infobox, ``lang-xx`` or ``cite …``
by their shape, see :func:`handler_for`) are dropped with a warning naming them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from mwparserfromhell import nodes as mw

from ..labels import labels
from ..model import (Bibliography, ExternalLink, Hatnote, Infobox, InfoboxRow, InternalLink,
                     NeedsSource, Text)
from ..transforms.citations import format_date
from .citations import CITE_TEMPLATES, page_locator
from .conversion import note_ta
from .infoboxes import infobox, is_infobox

__all__ = ["Locator", "Params", "HANDLERS", "LANGUAGES", "NOTE_GROUPS", "handler_for",
           "normalise_name"]


@dataclass(frozen=True)
class Locator:
    """Represents a ``{{rp|32}}`` page locator, attached by the reader to the note before it."""
    text: str


class Params:
    """Represents a template's name and parameters as raw wikitext, like ``{{rp|32}}``."""

    def __init__(self, template: mw.Template):
        self.name = str(template.name).strip()
        self._params = [(str(p.name).strip(), str(p.value)) for p in template.params]

    def positional(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self._params if key.isdigit()]

    def get(self, key: str) -> str | None:
        for name, value in self._params:
            if name.casefold() == key:
                return value
        return None

    def named(self) -> dict[str, str]:
        return {key.casefold(): value for key, value in self._params if not key.isdigit()}

    def first(self, keys: tuple[str, ...]) -> str | None:
        """The value of the first of ``keys`` (names, or positions as ``"1"``) given one that
        is not blank; a name given twice counts with its last value, as on MediaWiki."""
        named, positional = self.named(), dict(self.positional())
        for key in keys:
            value = positional.get(key) if key.isdigit() else named.get(key)
            if value is not None and value.strip():
                return value
        return None

    def items(self) -> list[tuple[str, str]]:
        """Every parameter, in order, positional ones named by their number."""
        return list(self._params)



def normalise_name(name: str) -> str:
    """``Cite_book `` → ``cite book``: how the table is keyed."""
    return " ".join(name.replace("_", " ").split()).casefold()


def _hatnote(kind: str, label: str) -> Callable:
    """``{{Main|X|Y}}`` → 主条目：X、Y (Main article: X, Y in an English article)."""
    def handler(ctx, params):
        chinese = ctx.tag.startswith("zh")
        words = labels(ctx.tag)
        targets = [name for name in (ctx.plain(value).strip() for _, value in params.positional())
                   if name]
        if not targets:
            ctx.warn("template-empty", f"{{{{{params.name}}}}} without an article name; dropped")
            return []
        children: list = [Text(label if chinese else words[kind] + ": ")]
        for index, target in enumerate(targets):
            if index:
                children.append(Text("、" if chinese else ", "))
            children.append(InternalLink(target, (Text(target),)))
        return [Hatnote(kind, tuple(children))]
    return handler


def _keep_first(ctx, params):
    """Keep the text of the first positional parameter."""
    positional = params.positional()
    return list(ctx.inlines(positional[0][1])) if positional else []


def _keep_last(ctx, params):
    """Keep the text of the last positional parameter (``{{lang|en|text}}``)."""
    positional = params.positional()
    return list(ctx.inlines(positional[-1][1])) if positional else []


def _keep(*keys: str) -> Callable:
    """Keep the text of the first of ``keys`` given, a name or a position
    (``{{font|text=…}}``)."""
    def handler(ctx, params):
        value = params.first(keys)
        return list(ctx.inlines(value)) if value is not None else []
    return handler


def _paragraphs(*keys: tuple[str, ...]) -> Callable:
    """Keep the text of each of ``keys`` (alternatives each) as paragraphs of their own:
    ``{{center|…}}``, ``{{hidden|title|content}}`` (a box the web page folds; a book shows its
    title, then its content)."""
    def handler(ctx, params):
        from .blocks import NEWLINE  # blocks imports this module (Locator)
        out: list = []
        for alternatives in keys:
            value = params.first(alternatives)
            if value is not None:
                out += [NEWLINE, *ctx.block_tokens(value), NEWLINE]
        return out
    return handler


def _needs_source(ctx, params):
    positional = params.positional()
    return [NeedsSource(ctx.inlines(positional[0][1]) if positional else ())]


def _locator(ctx, params):
    value = params.get("page") or params.get("pages") or params.get("at") or \
        (params.positional()[0][1] if params.positional() else "")
    return Locator(page_locator(ctx.plain(value), ctx.tag))


def _bibliography(ctx, params):
    group = params.get("group")
    return [Bibliography(group=ctx.plain(group).strip() if group else "")]


def _infobox_bilateral(ctx, params):
    """``{{Infobox Bilateral relations|A－B|Country A|Country B|map=…}}``: the Chinese names
    are in the first parameter; the English ones only pick flags, which print has no use for."""
    positional = params.positional()
    pair = ctx.plain(positional[0][1]).strip() if positional else ""
    if not pair:
        ctx.warn("template-empty", "{{Infobox Bilateral relations}} without its pair; dropped")
        return []
    if params.get("map"):
        ctx.figure_file(params.get("map").strip())
    sides = [side for side in pair.replace("-", "－").split("－") if side]
    rows = [InfoboxRow((Text("双方"),), (Text("、".join(sides)),))]
    return [Infobox((Text(pair + "关系"),), tuple(rows))]


def _citation(kind: str) -> Callable:
    def handler(ctx, params):
        return list(ctx.citation_inlines(kind, params))
    return handler


def _silent(ctx, params):
    """Dropped on purpose: navigation, sister-project boxes, maintenance banners, layout."""
    return []


def _text(value: str) -> Callable:
    def handler(ctx, params):
        return [Text(value)]
    return handler


#: Language codes → the language's name as Chinese Wikipedia's {{lang-xx}} prints it (英语：…)
#: and as English Wikipedia's does (Welsh: …).
LANGUAGES = {
    "en": ("英语", "English"), "fr": ("法语", "French"), "de": ("德语", "German"),
    "ja": ("日语", "Japanese"), "ko": ("韩语", "Korean"), "ru": ("俄语", "Russian"),
    "la": ("拉丁语", "Latin"), "es": ("西班牙语", "Spanish"), "it": ("意大利语", "Italian"),
    "pt": ("葡萄牙语", "Portuguese"), "nl": ("荷兰语", "Dutch"), "el": ("希腊语", "Greek"),
    "grc": ("古希腊语", "Ancient Greek"), "ar": ("阿拉伯语", "Arabic"), "eo": ("世界语", "Esperanto"),
    "cy": ("威尔士语", "Welsh"), "ga": ("爱尔兰语", "Irish"), "vi": ("越南语", "Vietnamese"),
    "th": ("泰语", "Thai"), "mn": ("蒙古语", "Mongolian"), "bo": ("藏语", "Tibetan"),
    "ug": ("维吾尔语", "Uyghur"), "sa": ("梵语", "Sanskrit"), "hi": ("印地语", "Hindi"),
    "fa": ("波斯语", "Persian"), "tr": ("土耳其语", "Turkish"), "pl": ("波兰语", "Polish"),
    "uk": ("乌克兰语", "Ukrainian"), "sv": ("瑞典语", "Swedish"), "fi": ("芬兰语", "Finnish"),
    "he": ("希伯来语", "Hebrew"), "id": ("印尼语", "Indonesian"), "ms": ("马来语", "Malay"),
    "zh": ("中文", "Chinese"), "yue": ("粤语", "Cantonese"), "nan": ("闽南语", "Min Nan"),
    "ain": ("阿伊努语", "Ainu"), "hu": ("匈牙利语", "Hungarian"), "cs": ("捷克语", "Czech"),
    "da": ("丹麦语", "Danish"), "no": ("挪威语", "Norwegian"), "ro": ("罗马尼亚语", "Romanian"),
}


def _language_name(ctx, code: str) -> str:
    names = LANGUAGES.get(code.strip().casefold().split("-")[0])
    if not names:
        return ""
    return names[0] if ctx.tag.startswith("zh") else names[1]


def _lang_prefixed(code: str) -> Callable:
    """``{{lang-en|.NET Framework}}`` prints the language's name, then the text: 英语：.NET
    Framework (Welsh: Yr Wyddfa in an English article)."""
    def handler(ctx, params):
        positional = params.positional()
        if not positional:
            return []
        text = ctx.inlines(positional[0][1])
        name = _language_name(ctx, code)
        if not name:
            return list(text)
        return [Text(name + ("：" if ctx.tag.startswith("zh") else ": ")), *text]
    return handler


def _lang_xx(ctx, params):
    """Any ``{{lang-xx|text}}`` not in the table by name."""
    return _lang_prefixed(params.name.split("-", 1)[1] if "-" in params.name else "")(ctx, params)


def _jpn(ctx, params):
    """``{{jpn|j=君が代|hg=きみがよ|r=Kimigayo}}``: 日语：君が代 (the kana and romaji are
    readings for the web's hover, not text)."""
    value = params.get("j") or params.get("k") or params.get("hg") or \
        (params.positional()[0][1] if params.positional() else "")
    if not value or not ctx.plain(value).strip():
        return []
    return [Text(_language_name(ctx, "ja") + ("：" if ctx.tag.startswith("zh") else ": ")),
            *ctx.inlines(value)]


def _interlanguage(ctx, params):
    """``{{link-en|中文名|English}}``, ``{{le|…}}``, ``{{ill|中文名|en|English}}``: a link to a
    page another wiki has; the reader sees the local name."""
    positional = params.positional()
    return list(ctx.inlines(positional[0][1])) if positional else []


def _tsl(ctx, params):
    """``{{tsl|en|English title|中文名|显示文字}}``: the local name (or the text to show)."""
    positional = [value for _, value in params.positional()]
    for index in (3, 2, 1):
        if len(positional) > index and ctx.plain(positional[index]).strip():
            return list(ctx.inlines(positional[index]))
    return []


def _icon_language(ctx, params):
    """``{{en icon}}``, ``{{ja icon}}``: the language of a cited work, printed （英文）."""
    code = params.name.split()[0]
    name = _language_name(ctx, code)
    if not name:
        return []
    if ctx.tag.startswith("zh"):
        return [Text("（" + name.removesuffix("语") + "文）" if name.endswith("语") else
                     "（" + name + "）")]
    return [Text(f"({name})")]


# ------------------------------------------------------------ dates and numbers

def _date_numbers(ctx, params, start: int = 0) -> tuple[int, int, int] | None:
    values = [ctx.plain(value).strip() for _, value in params.positional()][start:start + 3]
    numbers = []
    for value in values:
        match = re.match(r"^(\d+)", value)
        if not match:
            break
        numbers.append(int(match.group(1)))
    if not numbers or numbers[0] < 100:
        return None
    year, month, day = (numbers + [0, 0])[:3]
    return year, month if 1 <= month <= 12 else 0, day if 1 <= day <= 31 else 0


def _date_text(ctx, date: tuple[int, int, int]) -> str:
    year, month, day = date
    iso = f"{year:04d}" + (f"-{month:02d}" if month else "") \
        + (f"-{day:02d}" if month and day else "")
    return format_date(iso, ctx.tag)


def _age(born: tuple[int, int, int], at: tuple[int, int, int]) -> int:
    return at[0] - born[0] - (1 if (at[1], at[2]) < (born[1], born[2]) and at[1] else 0)


def _date(ctx, params):
    """``{{birth date|1862|7|14}}``, ``{{start date|…}}``, ``{{film date|1997|5|17}}``: the date."""
    date = _date_numbers(ctx, params)
    if date is None:
        return _keep_first(ctx, params)
    return [Text(_date_text(ctx, date))]


def _death_date_and_age(ctx, params):
    """``{{death date and age|1918|2|6|1862|7|14}}``: 1918年2月6日（55岁）."""
    died, born = _date_numbers(ctx, params), _date_numbers(ctx, params, 3)
    if died is None:
        return _keep_first(ctx, params)
    text = _date_text(ctx, died)
    if born is not None:
        age = _age(born, died)
        text += f"（{age}岁）" if ctx.tag.startswith("zh") else f" (aged {age})"
    return [Text(text)]


def _birth_date_and_age(ctx, params):
    """``{{birth date and age|1950|1|2}}``: the date; the age would change with the day the book
    is made, so it is given against the source's date when the metadata has one."""
    born = _date_numbers(ctx, params)
    if born is None:
        return _keep_first(ctx, params)
    text = _date_text(ctx, born)
    at = ctx.source_date()
    if at is not None:
        age = _age(born, at)
        text += f"（{age}岁）" if ctx.tag.startswith("zh") else f" (age {age})"
    return [Text(text)]


def _age_template(ctx, params):
    """``{{age|1862|7|14|1918|2|6}}`` → 55; with one date, against the source's date."""
    born, at = _date_numbers(ctx, params), _date_numbers(ctx, params, 3) or ctx.source_date()
    if born is None or at is None:
        ctx.warn("template-undated", f"{{{{{params.name}}}}} needs a second date or the "
                 "source's date (source_date in the .toml); its birth year is shown")
        return [Text(str(born[0]))] if born else []
    return [Text(str(_age(born, at)))]


def _bd(ctx, params):
    """``{{bd|1862年|7月14日|1918年|2月6日}}`` (born, died): 1862年7月14日—1918年2月6日."""
    values = [ctx.plain(value).strip() for _, value in params.positional()]
    born = "".join(values[0:2])
    died = "".join(values[2:4])
    if not born:
        return []
    return [Text(born + ("—" + died if died else "—"))] if died or len(values) > 2 \
        else [Text(born)]


#: {{convert}} units: symbol → (Chinese name, English symbol, factor to the base unit, base).
UNITS = {
    "m": ("米", "m", 1.0, "length"), "km": ("公里", "km", 1000.0, "length"),
    "cm": ("厘米", "cm", 0.01, "length"), "mm": ("毫米", "mm", 0.001, "length"),
    "ft": ("英尺", "ft", 0.3048, "length"), "mi": ("英里", "mi", 1609.344, "length"),
    "in": ("英寸", "in", 0.0254, "length"), "yd": ("码", "yd", 0.9144, "length"),
    "nmi": ("海里", "nmi", 1852.0, "length"),
    "km2": ("平方公里", "km²", 1e6, "area"), "sqmi": ("平方英里", "sq mi", 2589988.11, "area"),
    "ha": ("公顷", "ha", 1e4, "area"), "acre": ("英亩", "acres", 4046.8564, "area"),
    "m2": ("平方米", "m²", 1.0, "area"), "sqft": ("平方英尺", "sq ft", 0.09290304, "area"),
    "kg": ("公斤", "kg", 1.0, "mass"), "t": ("吨", "t", 1000.0, "mass"),
    "lb": ("磅", "lb", 0.45359237, "mass"), "g": ("克", "g", 0.001, "mass"),
    "km/h": ("公里每小时", "km/h", 1.0, "speed"), "mph": ("英里每小时", "mph", 1.609344, "speed"),
    "kn": ("节", "kn", 1.852, "speed"), "l": ("升", "L", 1.0, "volume"),
    "usgal": ("美制加仑", "US gal", 3.785411784, "volume"),
}
#: The unit each is converted to when the template names none.
_DEFAULT_TO = {"m": "ft", "km": "mi", "ft": "m", "mi": "km", "km2": "sqmi", "sqmi": "km2",
               "ha": "acre", "acre": "ha", "kg": "lb", "lb": "kg", "km/h": "mph", "mph": "km/h",
               "cm": "in", "in": "cm", "mm": "in", "t": "lb", "m2": "sqft", "sqft": "m2",
               "l": "usgal", "usgal": "l", "nmi": "km", "kn": "km/h", "yd": "m", "g": "lb"}


def _temperature(value: float, unit: str) -> tuple[float, str] | None:
    if unit in ("c", "°c"):
        return value * 9 / 5 + 32, "°F"
    if unit in ("f", "°f"):
        return (value - 32) * 5 / 9, "°C"
    return None


def _number(value: float, digits: int) -> str:
    return f"{value:,.{max(digits, 0)}f}"


def _convert(ctx, params):
    """``{{convert|1085|m|ft|0}}``: 1,085米（3,560英尺） (1,085 m (3,560 ft) in English); a unit
    the table does not know keeps its value and symbol as written."""
    positional = [ctx.plain(value).strip() for _, value in params.positional()]
    if not positional:
        return []
    raw = positional[0].replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return [Text(" ".join(positional[:2]))]
    unit = positional[1] if len(positional) > 1 else ""
    target = positional[2] if len(positional) > 2 else ""
    digits_text = positional[3] if len(positional) > 3 else ""
    chinese = ctx.tag.startswith("zh")
    shown = raw if "." in raw else _number(value, 0)
    source = UNITS.get(unit.casefold())
    if source is None:
        converted = _temperature(value, unit.casefold())
        if converted is None:
            return [Text(f"{shown}{'' if chinese else ' '}{unit}".strip())]
        to_value, to_unit = converted
        scale = unit.upper().lstrip("°")
        degrees = _number(to_value, 0)
        return [Text(f"{shown}°{scale}（{degrees}{to_unit}）" if chinese
                     else f"{shown} °{scale} ({degrees} {to_unit})")]
    to_key = target.casefold() if target.casefold() in UNITS else _DEFAULT_TO.get(unit.casefold())
    first = f"{shown}{source[0]}" if chinese else f"{shown} {source[1]}"
    if not to_key or UNITS[to_key][3] != source[3]:
        return [Text(first)]
    other = UNITS[to_key]
    digits = int(digits_text) if digits_text.lstrip("-").isdigit() else \
        (0 if value * source[2] / other[2] >= 10 else 1)
    result = _number(value * source[2] / other[2], digits)
    return [Text(f"{first}（{result}{other[0]}）" if chinese else f"{first} ({result} {other[1]})")]


# ------------------------------------------------------------ short references, links

def _harv_label(ctx, params) -> tuple[str, str]:
    """(``Smith & Jones 2010``, locator) from ``{{sfn|Smith|Jones|2010|p=32}}``."""
    positional = [ctx.plain(value).strip() for _, value in params.positional()]
    names = [value for value in positional if not re.fullmatch(r"\d{4}[a-z]?|n\.d\.", value)]
    years = [value for value in positional if re.fullmatch(r"\d{4}[a-z]?|n\.d\.", value)]
    joined = " & ".join(names[:2]) + (" et al." if len(names) > 2 else "")
    label = f"{joined} {years[0]}".strip() if years else joined
    page = params.get("p") or params.get("page") or params.get("pp") or params.get("pages") or \
        params.get("loc") or params.get("at") or ""
    return label, page_locator(ctx.plain(page), ctx.tag) if page else ""


def _sfn(ctx, params):
    """``{{sfn|Smith|2010|p=32}}``: a footnote citing the work listed under Smith 2010."""
    label, locator = _harv_label(ctx, params)
    if not label:
        ctx.warn("template-empty", f"{{{{{params.name}}}}} without an author; dropped")
        return []
    return ctx.refs.short_ref("sfn:" + label, (Text(label),), locator)


def _harvnb(ctx, params):
    """``{{harvnb|Smith|2010|p=32}}`` inside a note: Smith 2010，第32页."""
    label, locator = _harv_label(ctx, params)
    separator = "，" if ctx.tag.startswith("zh") else ", "
    return [Text(label + (separator + locator if locator else ""))] if label else []


def _harv(ctx, params):
    """``{{harv|Smith|2010}}``: (Smith 2010)."""
    inner = _harvnb(ctx, params)
    return [Text("（"), *inner, Text("）")] if inner and ctx.tag.startswith("zh") else \
        [Text("("), *inner, Text(")")] if inner else []


def _url(ctx, params):
    """``{{URL|https://example.org}}``: the address as a link."""
    positional = params.positional()
    url = ctx.plain(positional[0][1]).strip() if positional else ""
    if not url:
        return []
    if not re.match(r"^(https?|ftp)://", url, re.I):
        url = "https://" + url
    text = ctx.inlines(positional[1][1]) if len(positional) > 1 else (Text(url),)
    return [ExternalLink(url, tuple(text))]


def _official_website(ctx, params):
    """``{{Official website|https://…}}``: 官方网站 (Official website), linked."""
    positional = params.positional()
    url = ctx.plain(params.get("url") or (positional[0][1] if positional else "")).strip()
    if not url:
        return []
    label = "官方网站" if ctx.tag.startswith("zh") else "Official website"
    return [ExternalLink(url if "://" in url else "https://" + url, (Text(label),))]


def _external_title(site: str, pattern: str) -> Callable:
    """``{{IMDb title|0118845|春光乍洩}}``, ``{{YouTube|id|title}}``: the work's title on the site,
    linked."""
    def handler(ctx, params):
        positional = [value for _, value in params.positional()]
        ident = ctx.plain(params.get("id") or (positional[0] if positional else "")).strip()
        title_value = params.get("title") or (positional[1] if len(positional) > 1 else "")
        if not ident:
            return []
        if not title_value:
            return [ExternalLink(pattern.format(ident), (Text(site),))]
        return [ExternalLink(pattern.format(ident), (Text(site + ("：" if ctx.tag.startswith("zh")
                                                                   else ": ")),
                                                     *ctx.inlines(title_value)))]
    return handler


def _engname(ctx, params):
    """``{{engname|《春光乍洩》|''Happy Together''}}``: the name, then its English name."""
    positional = [value for _, value in params.positional()]
    if not positional:
        return []
    out = list(ctx.inlines(positional[0]))
    if len(positional) > 1 and ctx.plain(positional[1]).strip():
        out += [Text("（英语："), *ctx.inlines(positional[1]), Text("）")]
    return out


#: Country and party templates named by a code (``{{ROC}}``, ``{{KMT}}``): a flag and the
#: name on the web; the name in a book.
CODE_NAMES = {
    "roc": "中华民国", "prc": "中华人民共和国", "chn": "中国", "twn": "台湾", "hkg": "香港",
    "sui": "瑞士", "usa": "美国", "gbr": "英国", "uk": "英国", "fra": "法国",
    "ger": "德国", "rus": "俄罗斯", "urs": "苏联", "kor": "韩国", "aut": "奥地利", "ita": "意大利",
    "can": "加拿大", "aus": "澳大利亚", "ind": "印度", "kmt": "中国国民党", "dpp": "民主进步党",
}


def _doi(ctx, params):
    positional = params.positional()
    value = ctx.plain(positional[0][1]).strip() if positional else ""
    return [ExternalLink(f"https://doi.org/{value}", (Text(f"doi:{value}"),))] if value else []


def _columns(ctx, params):
    """``{{columns-list|colwidth=…|* a\\n* b}}``, ``{{div col}}`` content: the list it holds
    (columns are the web page's layout)."""
    positional = params.positional()
    return ctx.block_tokens(positional[-1][1]) if positional else []


def _infobox(ctx, params):
    return infobox(ctx, params)


#: The table is sized by use. Measured with mwparserfromhell over the 11 articles of the shared
#: corpus and the seed (12 articles, 130 distinct templates), uses × articles, the most used:
#: flag 230×2, cite web 46×8, wayback 45×8, rp 41×2, lang 28×6, r 20×2, nom 19×1, cite book
#: 17×7, cquote 15×2, reflist 12×12, main 11×3, youtube 11×3, ja icon 10×2, tsl 7×4, won 7×1,
#: cite news 7×2, columns-list 7×1, noteta 6×6, cite journal 6×2, link-en 6×3, link-ja 6×1,
#: lang-en 4×2, authority control 4×4, wikisource 4×4, commonscat 3×3, citation 3×2,
#: portal box 3×3, jpn 3×2, notetag 3×2, kmt 3×1, le 3×1, sfn 2×1, imdb title 2×2,
#: flagicon 2×2, official website 2×1, infobox * 7 kinds in 7 articles; then one use each of
#: birth date, death date and age, bd, film date, convert-like units, doi, internetquelle,
#: cite interview, webarchive, dead link, zh/de icon, engname, 29 article navboxes. The
#: .NET框架 article (chinapedia/mediawiki-to-gfm tests/pandoc/1.mediawiki, first 16,000 of
#: 28,555 characters read with the search tool) adds Infobox Software, Start date and age,
#: Release date and age, URL, N/A (in most cells of its tables), lang-en, link-en, tsl,
#: Refbegin/Refend and banners.
#: Quote, code, ruby and note-group templates (cquote, quote, efn, notetag …) are other
#: helpers' entries; article-specific navboxes stay unknown (reported, they hold no text).
HANDLERS: dict[str, Callable] = {
    # {{Main|X}} heads a section that summarises the article X (主条目).
    "main": _hatnote("main", "主条目："),
    "main article": _hatnote("main", "主条目："),
    "主条目": _hatnote("main", "主条目："),
    "主條目": _hatnote("main", "主条目："),
    # {{See|X}} / {{See also|X}} / {{Further|X}} / {{Details|X}} point to related articles (参见).
    "see": _hatnote("see", "参见："),
    "see also": _hatnote("see", "参见："),
    "seealso": _hatnote("see", "参见："),
    "further": _hatnote("see", "参见："),
    "further information": _hatnote("see", "参见："),
    "details": _hatnote("see", "参见："),
    "参见": _hatnote("see", "参见："),
    "參見": _hatnote("see", "参见："),
    # {{Redirect|X}} says readers may have come here from X: meaningless in a book.
    "redirect": _silent,
    "redirect2": _silent,
    "about": _silent,
    "otheruses": _silent,
    "other uses": _silent,
    "distinguish": _silent,
    "for": _silent,
    # {{Infobox Bilateral relations|A－B|…}} is the box of two countries' relations.
    "infobox bilateral relations": _infobox_bilateral,
    # {{fact|text}} / {{来源请求}}: the statement lacks a source (shown as [来源请求]).
    "fact": _needs_source,
    "citation needed": _needs_source,
    "cn": _needs_source,
    "来源请求": _needs_source,
    "來源請求": _needs_source,
    "需要来源": _needs_source,
    # {{rp|32}} gives the page of the citation just before it.
    "rp": _locator,
    # {{sfn|Smith|2010|p=32}} a footnote in short form; {{harvnb}} the short form inside one.
    "sfn": _sfn, "sfnp": _sfn, "sfnm": _sfn,
    "harvnb": _harvnb, "harvtxt": _harvnb, "harvp": _harv, "harv": _harv,
    # {{Reflist}} / {{reflist|2}} is where the list of references goes.
    "reflist": _bibliography,
    "references": _bibliography,
    "refs": _bibliography,
    "refbegin": _silent, "refend": _silent,
    # Portals, sister projects, navigation boxes and authority control link to other pages of
    # the wikis; a book drops them on purpose.
    "portal box": _silent, "portal": _silent, "portal bar": _silent, "portalbar": _silent,
    "commons": _silent, "commonscat": _silent, "commons category": _silent,
    "commons cat": _silent, "wikisource": _silent, "wikisourceshas2": _silent,
    "wikiquote": _silent, "wiktionary": _silent, "wikibooks": _silent, "wikinews": _silent,
    "sister project links": _silent, "authority control": _silent, "navbox": _silent,
    "navboxes": _silent, "external media": _silent, "listen": _silent,
    "中華民國與蘇聯關係": _silent,
    "中華民國外交": _silent,
    "中华人民共和国外交": _silent,
    "蘇聯外交": _silent,
    "冷戰": _silent,
    "冷战": _silent,
    # Maintenance banners and layout templates that print nothing.
    "clear": _silent, "clr": _silent, "-": _silent, "toc": _silent, "notoc": _silent,
    "expand": _silent, "cleanup": _silent, "unreferenced": _silent, "refimprove": _silent,
    "noteta": note_ta, "multiple issues": _silent, "multiple": _silent, "多個問題": _silent,
    "多个问题": _silent,
    "expert": _silent, "update": _silent, "merge from": _silent, "merge to": _silent,
    "refimprove section": _silent, "expand section": _silent, "rough translation": _silent,
    "请注意": _silent, "請注意": _silent, "third-party": _silent, "more citations needed": _silent,
    "dead link": _silent, "wayback": _silent, "webarchive": _silent, "cbignore": _silent,
    "div col end": _silent, "col-end": _silent, "col-begin": _silent, "col-break": _silent,
    "program execution": _silent, "use dmy dates": _silent, "use mdy dates": _silent,
    "short description": _silent, "good article": _silent, "featured article": _silent,
    "not": _silent, "copyedit": _silent, "pov": _silent, "current": _silent,
    # {{lang|en|text}}: text in another language (its language only marks it for the web).
    "lang": _keep_last,
    "lang-xx": _lang_xx,
    # {{jpn|j=…}}, {{Japanese|…}}: Japanese text with readings.
    "jpn": _jpn, "japanese": _jpn, "nihongo": _keep_first,
    # Interlanguage links: the local name, whether or not the local page exists.
    "link-en": _interlanguage, "link-ja": _interlanguage, "link-de": _interlanguage,
    "link-fr": _interlanguage, "link-ru": _interlanguage, "link-es": _interlanguage,
    "link-ko": _interlanguage, "link-it": _interlanguage, "le": _interlanguage,
    "ill": _interlanguage, "interlanguage link": _interlanguage, "tsl": _tsl,
    "internal link helper": _interlanguage,
    # {{en icon}}: the cited work's language, （英文）.
    "en icon": _icon_language, "ja icon": _icon_language, "zh icon": _icon_language,
    "de icon": _icon_language, "fr icon": _icon_language, "ru icon": _icon_language,
    "ko icon": _icon_language, "es icon": _icon_language,
    # Dates and ages.
    "birth date": _date, "death date": _date, "start date": _date, "end date": _date,
    "film date": _date, "release date": _date, "dts": _date, "date": _date,
    "birth date and age": _birth_date_and_age, "start date and age": _birth_date_and_age,
    "release date and age": _birth_date_and_age,
    "death date and age": _death_date_and_age, "age": _age_template, "bd": _bd,
    # {{convert|1085|m|ft|0}}: a measure with its conversion.
    "convert": _convert, "cvt": _convert,
    # {{flag|日本}} / {{flagicon|日本}}: a country's flag — in a book, its name.
    "flag": _keep_first, "flagicon": _keep_first, "flagcountry": _keep_first,
    "flagdeco": _silent, "flagicon image": _silent,
    # Formatting: the text, without the web page's styling.
    "nowrap": _keep_first, "nobr": _keep_first, "small": _keep_first, "big": _keep_first,
    "larger": _keep_first, "smaller": _keep_first, "resize": _keep_last,
    "color": _keep_last, "colour": _keep_last, "font color": _keep_last,
    "font": _keep("text", "1"), "red": _keep_first, "blue": _keep_first, "green": _keep_first,
    "gray": _keep_first, "grey": _keep_first, "serif": _keep_first, "sans-serif": _keep_first,
    "unicode": _keep_first, "script": _keep_last, "transl": _keep_last,
    # {{center|…}} / {{align|right|…}} / {{block indent|…}}: a paragraph set apart.
    "center": _paragraphs(("1", "text")), "align": _paragraphs(("2", "text")),
    "block indent": _paragraphs(("1", "text")), "quote indent": _paragraphs(("1", "text")),
    # {{hidden|title|content}} and {{collapse top|title}} … {{collapse bottom}} fold text on
    # the web page; a book shows it.
    "hidden": _paragraphs(("title", "1"), ("content", "2")),
    "hidden begin": _paragraphs(("title", "1")), "hidden end": _silent,
    "collapse top": _paragraphs(("title", "1")), "collapse bottom": _silent,
    "cot": _paragraphs(("title", "1")), "cob": _silent,
    # {{audio|file.ogg|label}}: a sound file; a book keeps its label.
    "audio": _keep("2", "label"),
    "em": _keep_first, "strong": _keep_first, "abbr": _keep_first, "tooltip": _keep_first,
    "ipa": _keep_first, "ipa-ja": _keep_first, "ipa-en": _keep_first, "ipac-en": _silent,
    "!": lambda ctx, params: [Text("|")],
    "=": lambda ctx, params: [Text("=")],
    # Award and comparison marks ({{won}}, {{yes}} …) are the table reader's (TABLE_TEMPLATES).
    "np": _silent, "nonp": _silent,
    # Links out: the address, or the work's title on a database site.
    "url": _url, "official website": _official_website, "official": _official_website,
    "imdb title": _external_title("IMDb", "https://www.imdb.com/title/tt{}/"),
    "imdb name": _external_title("IMDb", "https://www.imdb.com/name/nm{}/"),
    "youtube": _external_title("YouTube", "https://www.youtube.com/watch?v={}"),
    "rotten-tomatoes": _external_title("Rotten Tomatoes", "https://www.rottentomatoes.com/m/{}"),
    "amg movie": _external_title("AllMovie", "https://www.allmovie.com/movie/v{}"),
    "mtime": _external_title("时光网", "http://movie.mtime.com/{}/"),
    "hkmdb title": _external_title("香港影库", "http://www.hkmdb.com/db/movies/view.mhtml?id={}"),
    "@movies": _external_title("开眼电影网", "http://www.atmovies.com.tw/movie/{}/"),
    "douban": _silent,  # its address comes from Wikidata, which a book cannot ask
    "engname": _engname,
    "doi": _doi,
    # Lists laid out in columns: the list.
    "columns-list": _columns, "div col": _columns, "colbegin": _silent, "colend": _silent,
}
HANDLERS.update({name: _citation(kind) for name, kind in CITE_TEMPLATES.items()})


# ---------------------------------------------------------------- note groups

#: Templates that write a note, with the group they put it in (``""`` is the citations).
#: {{efn}} and its kin are explanatory notes lettered a, b, c (efn-ua: A, B; efn-lr: i, ii);
#: {{NoteTag}} is zhwiki's 注1, 注2 …; {{refn}} and {{#tag:ref}} take ``group=``.
NOTE_GROUPS = {
    "efn": "lower-alpha", "efn-la": "lower-alpha", "efn-ua": "upper-alpha",
    "efn-lr": "lower-roman", "efn-ur": "upper-roman", "efn-lg": "lower-greek",
    "notetag": "note", "note tag": "note", "refn": "", "#tag:ref": "",
}


def _note(group: str) -> Callable:
    def handler(ctx, params):
        return ctx.refs.template_note(params, group)
    return handler


def _group_list(group: str) -> Callable:
    def handler(ctx, params):
        named = params.get("group")
        return [Bibliography(group=ctx.plain(named).strip() if named and named.strip()
                             else group)]
    return handler


HANDLERS.update({name: _note(group) for name, group in NOTE_GROUPS.items()})
HANDLERS.update({
    # {{notelist}} lists the efn notes where it stands (注释); -ua, -lr … their other groups.
    "notelist": _group_list("lower-alpha"),
    "notelist-la": _group_list("lower-alpha"),
    "notelist-ua": _group_list("upper-alpha"),
    "notelist-lr": _group_list("lower-roman"),
    "notelist-ur": _group_list("upper-roman"),
    "notelist-lg": _group_list("lower-greek"),
    # {{r|name|page=12}} calls a named ref defined elsewhere (often in the list), with a page.
    "r": lambda ctx, params: ctx.refs.named_calls(params),
    # {{ReflistH}} … {{ReflistF}} open and close a small-type source list: they print nothing.
    "reflisth": _silent,
    "reflistf": _silent,
    # {{NoteFoot}} lists the {{NoteTag}} notes.
    "notefoot": _group_list("note"),
    "note foot": _group_list("note"),
})

HANDLERS.update({code: _text(name) for code, name in CODE_NAMES.items()})
HANDLERS["en"] = _icon_language  # {{en}}: （英文）, as {{en icon}}
HANDLERS = {normalise_name(name): handler for name, handler in HANDLERS.items()}


def handler_for(name: str) -> Callable | None:
    """The handler for a normalised template name: the table's entry; ``lang-xx`` for any
    language; any infobox-like template by its shape; any ``cite …`` by its fields."""
    if name in HANDLERS:
        return HANDLERS[name]
    if name.startswith("lang-"):
        return _lang_xx
    if name.endswith(" icon"):
        return _icon_language
    if is_infobox(name):
        return _infobox
    if name.startswith(("cite ", "citation")):
        return _citation("generic")
    return None
