"""Reader helper: any infobox-like template → a label/value :class:`Infobox`, by its shape.

``{{Infobox person|name=…|birth_place=…}}``, ``{{Taxobox}}``, ``{{Infobox Chinese}}``, ``{{日本都市}}``
…: named parameters become rows labelled from :data:`LABELS` (the common kinds' parameters on
Chinese Wikipedia); images, maps, styles, coordinates and other layout parameters are dropped;
a parameter the table does not know is shown only when its name reads as words (``原名``),
never as a raw name (``birth_place``); values are read as inlines, so their notes are kept.
"""
from __future__ import annotations

import re

from ..model import Infobox, InfoboxRow, Text, plain_text
from .runs import trim

__all__ = ["is_infobox", "infobox", "LABELS"]

#: Templates read as infoboxes though their names do not start with "infobox".
INFOBOX_NAMES = {"taxobox", "speciesbox", "automatic taxobox", "subspeciesbox", "geobox",
                 "日本都市", "日本町村", "國家", "国家", "人物", "艺术家", "藝術家", "election box",
                 "chembox", "drugbox", "settlement", "公司", "電影資訊", "电影资讯"}

#: Parameter name (case-folded, ``_`` and ``-`` as spaces, numbers stripped) → label. Person,
#: settlement, country, organisation, company, film, software, species, election and anthem
#: infoboxes share most of them.
LABELS = {
    # person
    "native name": "本名", "birth name": "出生名", "birth date": "出生", "birth place": "出生地",
    "death date": "逝世", "death place": "逝世地", "resting place": "安葬地",
    "nationality": "国籍", "citizenship": "公民权", "occupation": "职业", "education": "教育程度",
    "alma mater": "母校", "known for": "知名于", "notable works": "代表作", "movement": "艺术运动",
    "field": "领域", "spouse": "配偶", "partner": "伴侣", "children": "子女", "parents": "父母",
    "awards": "奖项", "party": "政党", "religion": "宗教", "years active": "活跃时期",
    "works": "作品", "genre": "类型", "office": "职务", "term start": "任期开始",
    "term end": "任期结束", "predecessor": "前任", "successor": "继任", "president": "总统",
    "website": "网站", "other names": "别名", "height": "身高", "style": "风格",
    "birthname": "出生名", "date of birth": "出生", "place of birth": "出生地",
    "date of death": "逝世", "place of death": "逝世地", "english name": "英文名",
    # settlement and country
    "official name": "正式名称", "settlement type": "类型", "subdivision type": "",
    "subdivision name": "所属", "established title": "", "established date": "成立",
    "seat": "政府所在地", "leader title": "", "leader name": "首长", "area total km": "面积（平方公里）",
    "area km": "面积（平方公里）", "area": "面积", "population total": "人口",
    "population": "人口", "population as of": "人口统计时间", "population density km": "人口密度（每平方公里）",
    "timezone": "时区", "utc offset": "UTC偏移", "postal code": "邮政编码", "area code": "电话区号",
    "capital": "首都", "largest city": "最大城市", "official languages": "官方语言",
    "languages": "语言", "government type": "政体", "currency": "货币", "calling code": "国际电话区号",
    "demonym": "居民称谓", "anthem": "国歌", "motto": "格言", "region": "地区", "prefecture": "都道府县",
    "city": "城市", "country": "国家", "location": "位置", "tree": "市树", "flower": "市花",
    "mayor": "首长", "address": "地址", "代表": "首长",
    # organisation and company
    "type": "类型", "formation": "成立", "founded": "成立", "founder": "创办人",
    "headquarters": "总部", "hq location": "总部", "location city": "总部",
    "membership": "成员", "leader": "领导人", "head": "负责人", "key people": "关键人物",
    "industry": "行业", "products": "产品", "revenue": "营业额", "num employees": "员工人数",
    "parent organization": "上级机构", "parent": "母公司", "owner": "所有者", "purpose": "宗旨",
    "abbreviation": "简称", "language": "语言", "budget": "预算", "staff": "职员",
    "secretary general": "秘书长", "general secretary": "秘书长", "head type": "",
    # film
    "director": "导演", "producer": "制片人", "writer": "编剧", "screenplay": "编剧",
    "starring": "主演", "music": "音乐", "cinematography": "摄影", "editing": "剪辑",
    "studio": "制片公司", "distributor": "发行商", "released": "上映", "runtime": "片长",
    "gross": "票房", "film name": "片名", "story": "原著", "based on": "原著",
    # software
    "developer": "开发者", "latest release version": "最新版本", "latest release date": "最新版本日期",
    "operating system": "操作系统", "platform": "平台", "programming language": "编程语言",
    "license": "许可协议", "licence": "许可协议", "status": "状态", "size": "大小",
    "paradigm": "编程范型", "designer": "设计者", "first appeared": "面世", "typing": "类型系统",
    "influenced by": "受影响于", "influenced": "影响", "file ext": "扩展名", "year": "年份",
    # species
    "regnum": "界", "phylum": "门", "divisio": "门", "classis": "纲", "ordo": "目",
    "familia": "科", "genus": "属", "species": "种", "binomial": "二名法",
    "binomial authority": "命名者", "status system": "", "subfamilia": "亚科",
    "subgenus": "亚属", "tribus": "族", "unranked classis": "",
    # election
    "election name": "选举", "election date": "选举日期", "turnout": "投票率",
    "nominee": "候选人", "running mate": "副手", "popular vote": "得票", "percentage": "得票率",
    "electoral vote": "选举人票", "title": "职位", "before election": "选前", "after election": "当选",
    "previous election": "上届", "next election": "下届",
    # anthem
    "english title": "英文名称", "lyrics": "作词", "lyricist": "作词", "composer": "作曲",
    "adopted": "采用", "until": "停用", "sound": "", "author": "作者", "english": "英文名称",
    "lyrics date": "作词时间", "music date": "作曲时间",
    "transliteration": "转写", "translation": "译名", "also known as": "别名",
    "名称": "名称", "原名": "原名", "original name": "原名", "native name lang": "",
    "imdb id": "", "amg id": "",
    # Infobox Chinese
    "t": "繁体字", "s": "简体字", "p": "汉语拼音", "j": "粤拼", "w": "威妥玛拼音",
    "poj": "白话字", "c": "中文", "l": "字面意思", "kanji": "日文汉字", "hiragana": "平假名",
    "romaji": "罗马字", "hangul": "谚文", "hanja": "汉字", "rr": "文观部式",
}

#: Parameters that never print: pictures, maps, layout, coordinates, colours, names of
#: parameters themselves.
_DROPPED = re.compile(
    r"^(imagesize|image|img|logo|flag|seal|coat|emblem|map|pushpin|locator|dot|mark|signature|"
    r"photo|picture|screenshot|caption|alt|width|height|size|upright|style|bodystyle|titlestyle|"
    r"color|colour|background|bgcolor|coord|coordinates|latd|latm|lats|latns|longd|longm|"
    r"longs|longew|lat|long|lon|grid|footnotes|module|embed|child|below|above|"
    r"header|onlysourced|fetchwikidata|qid|suppressfields|nocat|noicon|blank|"
    r"wikidata|data|label|pronunciation|iso|iso code|status ref|extinct|sound)"
    r"(\b|_|\d|\s|$)", re.I)
#: The same, as Chinese infoboxes name them (圖像, 地圖, 市旗, 經度 …).
_DROPPED_CHINESE = re.compile(
    r"^(圖像|图像|圖片|图片|影像|地圖|地图|位置圖|位置图|市章|市旗|町章|町旗|村章|村旗|國旗|国旗|"
    r"國徽|国徽|徽章|旗幟|旗帜|標誌|标志|經度|经度|緯度|纬度|坐標|坐标|座標|寬度|宽度|大小|顏色|颜色|"
    r"樣式|样式)")
#: A note call in a parameter's wikitext: ``<ref>``, ``{{efn}}``, ``{{NoteTag}}``, ``{{r}}`` ….
_NOTE_CALL = re.compile(
    r"<\s*ref[\s>/]|\{\{\s*(efn|notetag|note tag|refn|#tag:\s*ref|r|sfn)\s*[|}]", re.I)
#: A parameter name that reads as words (Chinese, or title case with spaces) may be shown.
_WORDY = re.compile(r"^[\u3400-\u9fff]{1,10}$")


def is_infobox(name: str) -> bool:
    """``name`` (normalised) is an infobox-like template."""
    return name.startswith(("infobox", "信息框", "資訊框", "资讯框")) or name.endswith(
        ("infobox", "信息框", "資訊框", "资讯框", "taxobox")) or name in INFOBOX_NAMES


def _label(key: str) -> str | None:
    """The row label for a parameter, "" to drop it silently, None when unknown."""
    folded = " ".join(re.sub(r"[_\-]", " ", key).split()).casefold()
    if _DROPPED.match(folded) or _DROPPED_CHINESE.match(key.strip()):
        return ""
    bare = re.sub(r"\s*\d+[a-z]?$", "", folded)
    if folded in LABELS:
        return LABELS[folded]
    if bare in LABELS:
        return LABELS[bare]
    if _WORDY.match(key.strip()):
        return key.strip()
    return None


def _spelled_out(key: str) -> str:
    """A parameter's name as a label: ``date_of_birth`` → ``Date of birth``."""
    return " ".join(re.sub(r"[_\-]", " ", key).split()).capitalize()


def infobox(ctx, params) -> list:
    """An infobox-like template → an Infobox: a title (``name``, or the template's own name
    when it reads as words) and a row for each labelled, non-empty parameter."""
    named = [(key, value) for key, value in params.items()]
    title: tuple = ()
    rows: list[InfoboxRow] = []
    unlabelled: list[str] = []
    for key, value in named:
        folded = key.strip().casefold().replace("_", " ")
        if folded in ("name", "名称", "名稱", "official name", "conventional long name",
                      "election name", "title", "film name", "taxon", "subject name",
                      "自治體名", "自治体名",
                      "中文名", "中文名稱", "中文名称") and not title:
            title = tuple(trim(ctx.inlines(value)))
            if plain_text(title).strip():
                continue
        if key.isdigit():
            continue
        label = _label(key)
        if label and not ctx.tag.startswith("zh") or label is None and re.fullmatch(
                r"[A-Za-z][A-Za-z _\-]*", key.strip()) and not ctx.tag.startswith("zh"):
            label = _spelled_out(key)
        if label in ("", None) and _NOTE_CALL.search(value):
            # A field this reader would not show, but its notes must reach the book: the row
            # is kept under its own name.
            label = _spelled_out(key)
            ctx.warn("infobox-field-kept",
                     f"{{{{{params.name}}}}}: parameter {key.strip()} has no label but holds a "
                     f"note; shown as {label!r}")
        if label == "":
            continue
        if label is None:
            unlabelled.append(key)
            continue
        # A value written as a one-item list (``|author = *[[孙中山]]``) is its item.
        inlines = tuple(trim(ctx.inlines(re.sub(r"^\s*[*#]+\s*", "", value))))
        if not plain_text(inlines).strip() or re.fullmatch(r"[\s\-–—]*", plain_text(inlines)):
            continue
        rows.append(InfoboxRow((Text(label),), inlines))
    if unlabelled:
        ctx.warn("infobox-fields-dropped",
                 f"{{{{{params.name}}}}}: parameters without a label dropped: "
                 f"{', '.join(sorted(set(unlabelled))[:12])}")
    if not title:
        kind = params.name.strip()
        title = (Text(kind),) if _WORDY.match(kind) else ()
    if not rows and not title:
        return []
    return [Infobox(tuple(title), tuple(rows))]
