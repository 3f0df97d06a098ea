"""Labels: every word the books print themselves, one table per language and script.

Writers and transforms look words up here by the edition's language tag and print them as they
are: nothing is converted at write time. ``base_tag`` is the one place that maps a regional
edition (zh-CN, zh-TW, zh-HK …) to the table of its script.
"""
from __future__ import annotations

__all__ = ["LABELS", "MONTHS", "base_tag", "labels", "is_chinese"]

#: English month names, for dates written out in English editions (``{month}`` in the tables).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

#: Each script's table has the same keys; ``{…}`` fields are filled by the caller.
LABELS: dict[str, dict[str, str]] = {
    "zh-Hans": {
        "contents": "目录", "bibliography": "参考文献", "notes": "注释", "source": "维基百科",
        "creator": "维基百科贡献者", "needs_source": "来源请求", "attribution": "版权与来源",
        "back_to_text": "返回正文", "cover": "封面", "title_page": "书名页",
        "page": "页", "main": "主条目", "see": "参见", "publisher": "维基百科",
        "class": "班级", "name": "姓名", "date": "日期", "source_label": "来源",
        "page_of": "第 {page} 页 / 共 {pages} 页",
        "attribution_text": (
            "本书内容取自维基百科条目《{title}》（{url}），依知识共享 署名-相同方式共享 4.0 国际"
            "许可协议（CC BY-SA 4.0，{licence_url}）发布。本版本经格式转换与繁简转换，"
            "属于对原条目的改编作品，同样以 CC BY-SA 4.0 发布。条目的作者列表见页面历史：{history}。"
        ),
        "attribution_unknown": (
            "本书内容取自维基百科条目《{title}》，依知识共享 署名-相同方式共享 4.0 国际许可协议"
            "（CC BY-SA 4.0，{licence_url}）发布。本版本经格式转换与繁简转换，属于对原条目的改编"
            "作品，同样以 CC BY-SA 4.0 发布。条目的网址与修订版本不详，作者列表因此无从注明；"
            "在源文件旁同名的 .toml 文件中写明 source_url 与 history_url 即可补上。"
        ),
        "accessibility": "本书为可重排的文字版，含目录、标题结构与可跳转的注释；图片附有说明。",
        "missing_image": "图片缺失", "image_credits": "图片来源", "artist_unknown": "作者不详",
        "licence_unknown": "许可协议不详",
        # Citations (the citations transform): GB/T 7714-like words.
        "et_al": "等", "editor": "编", "accessed": "{date}查阅", "volume": "第{value}卷",
        "issue": "第{value}期", "pages": "第{value}页", "edition": "第{value}版",
        "list_separator": "、", "title_open": "《", "title_close": "》",
        "part_open": "〈", "part_close": "〉", "in": "收入", "date_ymd": "{y}年{m}月{d}日",
        "date_ym": "{y}年{m}月", "date_y": "{y}年", "interview": "访谈", "thesis": "学位论文",
        "press_release": "新闻稿", "map": "地图",
        # Punctuation the writers put between parts they assemble (credits, printed URLs).
        "colon": "：", "comma": "，", "semicolon": "；", "paren_open": "（", "paren_close": "）",
    },
    "zh-Hant": {
        "contents": "目錄", "bibliography": "參考文獻", "notes": "註釋", "source": "維基百科",
        "creator": "維基百科貢獻者", "needs_source": "來源請求", "attribution": "版權與來源",
        "back_to_text": "返回正文", "cover": "封面", "title_page": "書名頁",
        "page": "頁", "main": "主條目", "see": "參見", "publisher": "維基百科",
        "class": "班級", "name": "姓名", "date": "日期", "source_label": "來源",
        "page_of": "第 {page} 頁 / 共 {pages} 頁",
        "attribution_text": (
            "本書內容取自維基百科條目《{title}》（{url}），依知識共享 署名-相同方式共享 4.0 國際"
            "許可協議（CC BY-SA 4.0，{licence_url}）發佈。本版本經格式轉換與繁簡轉換，"
            "屬於對原條目的改編作品，同樣以 CC BY-SA 4.0 發佈。條目的作者列表見頁面歷史：{history}。"
        ),
        "attribution_unknown": (
            "本書內容取自維基百科條目《{title}》，依知識共享 署名-相同方式共享 4.0 國際許可協議"
            "（CC BY-SA 4.0，{licence_url}）發佈。本版本經格式轉換與繁簡轉換，屬於對原條目的改編"
            "作品，同樣以 CC BY-SA 4.0 發佈。條目的網址與修訂版本不詳，作者列表因此無從註明；"
            "在源文件旁同名的 .toml 檔案中寫明 source_url 與 history_url 即可補上。"
        ),
        "accessibility": "本書為可重排的文字版，含目錄、標題結構與可跳轉的註釋；圖片附有說明。",
        "missing_image": "圖片缺失", "image_credits": "圖片來源", "artist_unknown": "作者不詳",
        "licence_unknown": "許可協議不詳",
        "et_al": "等", "editor": "編", "accessed": "{date}查閱", "volume": "第{value}卷",
        "issue": "第{value}期", "pages": "第{value}頁", "edition": "第{value}版",
        "list_separator": "、", "title_open": "《", "title_close": "》",
        "part_open": "〈", "part_close": "〉", "in": "收入", "date_ymd": "{y}年{m}月{d}日",
        "date_ym": "{y}年{m}月", "date_y": "{y}年", "interview": "訪談", "thesis": "學位論文",
        "press_release": "新聞稿", "map": "地圖",
        "colon": "：", "comma": "，", "semicolon": "；", "paren_open": "（", "paren_close": "）",
    },
    "en": {
        "contents": "Contents", "bibliography": "References", "notes": "Notes",
        "source": "Wikipedia", "creator": "Wikipedia contributors", "needs_source":
        "citation needed", "attribution": "Copyright and sources", "back_to_text": "Back to text",
        "cover": "Cover", "title_page": "Title page", "page": "p.", "main": "Main article",
        "see": "See also", "publisher": "Wikipedia", "class": "Class", "name": "Name",
        "date": "Date", "source_label": "Source", "page_of": "Page {page} of {pages}",
        "attribution_text": (
            "This book is taken from the Wikipedia article “{title}” ({url}), published under "
            "the Creative Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0, "
            "{licence_url}). This edition changes its format and is an adaptation of the article, "
            "also published under CC BY-SA 4.0. The article’s authors are listed in its page "
            "history: {history}."
        ),
        "attribution_unknown": (
            "This book is taken from the Wikipedia article “{title}”, published under the Creative "
            "Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0, "
            "{licence_url}). This edition changes its format and is an adaptation of the article, "
            "also published under CC BY-SA 4.0. The article’s address and revision are unknown, "
            "so its authors cannot be named here; give source_url and history_url in the .toml "
            "file of the same name beside the source to add them."
        ),
        "accessibility": "A reflowable text edition with contents, headings and linked notes; "
                         "images have captions.",
        "missing_image": "image missing", "image_credits": "Image credits",
        "artist_unknown": "author unknown", "licence_unknown": "licence unknown",
        "et_al": "et al.", "editor": "ed.", "accessed": "Accessed {date}",
        "volume": "vol. {value}", "issue": "no. {value}", "pages": "p. {value}",
        "edition": "{value} ed.", "list_separator": "; ", "title_open": "", "title_close": "",
        "part_open": "“", "part_close": "”", "in": "In", "date_ymd": "{d} {month} {y}",
        "date_ym": "{month} {y}", "date_y": "{y}", "interview": "Interview",
        "thesis": "Thesis", "press_release": "Press release", "map": "Map",
        "colon": ": ", "comma": ", ", "semicolon": "; ", "paren_open": " (", "paren_close": ")",
    },
}

#: Regional and script tags → the table that serves them.
_REGIONAL = {"zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-my": "zh-Hans", "zh-hans": "zh-Hans",
             "zh": "zh-Hans", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant",
             "zh-hant": "zh-Hant"}


def base_tag(tag: str) -> str:
    """The table for an edition's language tag: ``zh-CN`` → ``zh-Hans``, ``zh-TW``/``zh-HK`` →
    ``zh-Hant``, ``zh-Hant-TW`` → ``zh-Hant``, ``en-GB`` → ``en``; a language without a table
    of its own is labelled in English."""
    folded = tag.strip().replace("_", "-").casefold()
    for prefix in (folded, "-".join(folded.split("-")[:2])):
        if prefix in _REGIONAL:
            return _REGIONAL[prefix]
    language = folded.split("-")[0]
    if language == "zh":
        return "zh-Hans"
    return language if language in LABELS else "en"


def labels(tag: str) -> dict[str, str]:
    """The words an edition tagged ``tag`` prints."""
    return LABELS[base_tag(tag)]


def is_chinese(tag: str) -> bool:
    """Whether an edition tag names a Chinese script (and so is set as Chinese text)."""
    return base_tag(tag).startswith("zh")
