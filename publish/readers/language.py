"""Reader stage, language: the language of an article's text, when its metadata does not say.

The script decides first, from the visible prose (templates, refs and markup stripped):
Chinese characters → ``zh`` (the usual case, decided without a model), kana → ``ja``, Hangul →
``ko``. Text in other scripts goes to py3langid (a naive Bayes model over character n-grams,
loaded only then), which tells English from German, French, Russian ….
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mwparserfromhell.wikicode import Wikicode

__all__ = ["detect_language", "obvious_language"]

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")
#: The share of letters in Chinese characters above which prose is Chinese: a Chinese
#: article quoting English titles stays far above it, an English one naming 北京 far below.
CHINESE_SHARE = 0.3
#: Prose shorter than this (a fragment, a test case) is taken as Chinese, the project's
#: language, rather than guessed at.
MIN_LETTERS = 200


def obvious_language(wikitext: str) -> str | None:
    """``zh`` where the raw wikitext alone says so, without parsing it (Chinese characters over
    the share :func:`detect_language` asks of the prose: markup and URLs add Latin letters, so
    the prose's share is higher still); else None, and the prose must be measured."""
    letters = len(_LETTER.findall(wikitext))
    han, kana, hangul = (len(pattern.findall(wikitext)) for pattern in (_HAN, _KANA, _HANGUL))
    chinese = letters and han > CHINESE_SHARE * letters and kana + hangul < 0.05 * letters
    return "zh" if chinese else None


def detect_language(code: Wikicode) -> str:
    """``zh``, ``ja``, ``ko``, or the ISO 639-1 code py3langid finds for the prose; ``zh`` when
    there is too little prose to tell from."""
    # The running text, roughly: templates, refs, maths and markup stripped.
    prose = code.strip_code(normalize=True, collapse=True)
    letters = len(_LETTER.findall(prose))
    if not letters:
        return "zh"
    kana, hangul, han = (len(pattern.findall(prose)) for pattern in (_KANA, _HANGUL, _HAN))
    if kana > 0.1 * letters:
        return "ja"
    if hangul > 0.3 * letters:
        return "ko"
    if han > CHINESE_SHARE * letters:
        return "zh"
    if letters < MIN_LETTERS:
        return "zh"
    import py3langid  # loads its model (about a second): only for text that is not CJK
    language, _ = py3langid.classify(prose[:20000])
    return str(language)
