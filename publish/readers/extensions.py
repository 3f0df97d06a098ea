"""Reader stage, extension tags and their templates: formulas, code, quotations, verse,
galleries and ruby → document nodes.

The dispatcher (:mod:`publish.readers.wikitext`) hands each ``<math>``, ``<chem>``, ``<ce>``,
``<code>``, ``<pre>``, ``<syntaxhighlight>``, ``<source>``, ``<blockquote>``, ``<poem>``,
``<gallery>`` and ``<ruby>`` tag to :data:`TAG_HANDLERS`; :data:`TEMPLATE_HANDLERS` reads the
formula (``{{math}}``, ``{{mvar}}``, ``{{tmath}}``, ``{{frac}}``), quotation (``{{Quote}}``,
``{{Cquote}}`` …), ``{{code}}`` and ruby (``{{ruby-py}}`` …) templates. Formulas and code keep
their source exactly: a ``-{…}-`` the conversion pre-pass lifted out of them is written back as
it stood, never left as a private-use placeholder.
"""
from __future__ import annotations

import html
import re
from typing import Callable

import mwparserfromhell

from ..model import (Block, BulletList, Code, CodeBlock, DisplayFormula, Emphasis, Figure,
                     Formula, Gallery, Hatnote, Inline, LineBreak, OrderedList, Paragraph, Poem,
                     PoemLine, Protected, Quotation, Ruby, Styled, Text, Variant, plain_text)
from .blocks import (BLOCK_TOKENS, NEWLINE, Heading, ListMarker, Newline, build_blocks,
                     split_lines)
from .refs import tag_attribute
from .runs import clean_text, normalise, trim
from .templates import Locator

__all__ = ["TAG_HANDLERS", "TEMPLATE_HANDLERS", "as_inlines",
           "hoist_quotations"]

#: Gallery line options that are not the caption (MediaWiki's gallery image parameters).
_GALLERY_OPTION = re.compile(r"^\s*(alt|link|page|lang|class|upright|thumbtime)\s*=", re.I)
_FILE_PREFIX = re.compile(r"^\s*(file|image|文件|檔案|档案|图像|圖像|媒体|媒體)\s*:", re.I)


def _raw(ctx, tag) -> str:
    """A tag's content as written, or "" (the ``-{ }-`` pass never looks inside the tags
    whose content is read raw: math, chem, code, pre)."""
    return str(tag.contents) if tag.contents is not None else ""


# ---------------------------------------------------------------- formulas

def _math(ctx, tag) -> list:
    """``<math>`` (``chem`` attribute: mhchem), inline or ``display="block"``."""
    tex = _raw(ctx, tag).strip()
    if not tex:
        ctx.warn("formula-empty", "an empty <math></math> dropped")
        return []
    chem = tag_attribute(tag, "chem") is not None
    if (tag_attribute(tag, "display") or "").lower() == "block":
        return [DisplayFormula(tex, chem)]
    return [Formula(tex, chem)]


def _chem(ctx, tag) -> list:
    """``<chem>`` and ``<ce>``: mhchem notation, always inline."""
    tex = _raw(ctx, tag).strip()
    if not tex:
        ctx.warn("formula-empty", f"an empty <{str(tag.tag).strip()}> dropped")
        return []
    return [Formula(tex, chem=True)]


def _math_template(ctx, params) -> list:
    """``{{math|2''i''π}}``: a formula written in wikitext (italic letters, links, ``<sup>``),
    which MediaWiki prints as text in a serif face: its text, as written."""
    value = params.get("1")
    return list(trim(ctx.inlines(value))) if value is not None and value.strip() else []


def _mvar_template(ctx, params) -> list:
    """``{{mvar|x}}``: one variable of a formula, in italics."""
    value = params.get("1")
    inlines = trim(ctx.inlines(value)) if value is not None else []
    return [Emphasis(tuple(inlines))] if inlines else []


def _frac_template(ctx, params) -> list:
    """``{{frac|1|2}}`` → 1/2, ``{{frac|3|1|2}}`` → 3 1/2, ``{{frac|4}}`` → 1/4 (``{{sfrac}}``
    alike): the fraction, its numerator raised and its denominator lowered, as the wiki sets
    it."""
    parts = [trim(ctx.inlines(value)) for _, value in params.positional()[:3]]
    if not parts or not any(parts):
        return []
    whole = list(parts[0]) + [Text(" ")] if len(parts) == 3 else []
    numerator, denominator = ([Text("1")], parts[0]) if len(parts) == 1 else parts[-2:]
    return [*whole, Styled("sup", tuple(numerator)), Text("/"),
            Styled("sub", tuple(denominator))]


def _tmath_template(ctx, params) -> list:
    """``{{tmath|e^{i\\pi}}}``: a TeX formula in running text, as ``<math>`` is."""
    value = params.get("1")
    tex = plain_text(ctx._unconverted(lambda: list(ctx.inlines(value)))).strip() \
        if value is not None else ""
    if not tex:
        ctx.warn("formula-empty", f"an empty {{{{{params.name}}}}} dropped")
        return []
    return [Formula(tex)]


# ---------------------------------------------------------------- code

def _code_block(ctx, tag) -> list:
    """``<syntaxhighlight>`` / ``<source>``: lines as written (``inline``: code in the text)."""
    text = _raw(ctx, tag)
    language = (tag_attribute(tag, "lang") or "").lower()
    if tag_attribute(tag, "inline") is not None:
        return [Code(" ".join(text.split()), language)] if text.strip() else []
    text = text.strip("\n").rstrip()
    return [CodeBlock(text, language)] if text.strip() else []


def _pre(ctx, tag) -> list:
    """``<pre>``: nowiki text with entities resolved, lines as written."""
    text = clean_text(html.unescape(_raw(ctx, tag)), ctx.report)
    text = re.sub(r"</?nowiki\s*/?>", "", text).strip("\n").rstrip()
    return [CodeBlock(text)] if text.strip() else []


def _code(ctx, tag) -> list:
    """``<code>``: wikitext (links, entities) read, kept as one monospace run; its text is
    literal, as MediaWiki never converts it (``-{ }-`` and markup debris stay as written)."""
    text = plain_text(ctx._unconverted(lambda: list(ctx.inlines(tag.contents or ""))))
    return [Code(text)] if text else []


def _code_template(ctx, params) -> list:
    """``{{code|a++|cpp}}``."""
    positional = params.positional()
    if not positional:
        return []
    language = (params.get("lang") or (positional[1][1] if len(positional) > 1 else "")).strip()
    text = plain_text(ctx.inlines(positional[0][1])).strip()
    return [Code(text, language.lower())] if text else []


# ---------------------------------------------------------------- quotations and verse

def _blockquote(ctx, tag) -> list:
    tokens = ctx.tokens(tag.contents.nodes) if tag.contents is not None else []
    content = build_blocks(tokens, ctx.report)
    return [NEWLINE, Quotation(content), NEWLINE] if content else []


def _quote_template(text_keys: tuple[str, ...], author_keys: tuple[str, ...],
                    source_keys: tuple[str, ...]) -> Callable:
    """A quotation template: where its text, author and source are among its parameters."""
    def handler(ctx, params):
        text = params.first(text_keys)
        if text is None:
            ctx.warn("template-empty", f"{{{{{params.name}}}}} without its quotation; dropped")
            return []
        content = build_blocks(ctx.tokens(mwparserfromhell.parse(text).nodes), ctx.report)
        attribution: list[Inline] = []
        for value in (params.first(author_keys), params.first(source_keys)):
            inlines = trim(ctx.inlines(value)) if value is not None else []
            if inlines:
                attribution.extend([Text("，" if attribution else "——"), *inlines])
        quotation = Quotation(content, tuple(normalise(attribution, ctx.report)))
        return [NEWLINE, quotation, NEWLINE] if content else []
    return handler


def _poem(ctx, tag) -> list:
    """``<poem>``: each source line a line; leading spaces or ``:`` indent it."""
    outer, ctx.in_poem = ctx.in_poem, True
    try:
        tokens = ctx.tokens(tag.contents.nodes) if tag.contents is not None else []
    finally:
        ctx.in_poem = outer
    lines: list[PoemLine] = []
    for line in split_lines(tokens):
        indent = 0
        while line and isinstance(line[0], ListMarker) and line[0].char == ":":
            indent += 1
            line.pop(0)
        if line and isinstance(line[0], (Text, Protected)):
            stripped = line[0].text.lstrip(" \u3000")
            indent += len(line[0].text) - len(stripped)
            line[0] = type(line[0])(stripped)
        kept: list = []
        for token in line:
            if isinstance(token, Heading):
                kept.extend(token.title)
            elif isinstance(token, (Paragraph, Hatnote)):
                kept.extend(token.children)
            elif isinstance(token, (*BLOCK_TOKENS, BulletList, OrderedList)):
                # A poem, quotation or figure inside the poem: its text, on this line.
                kept.extend(as_inlines(token, ctx.warn))
            elif not isinstance(token, (Newline, ListMarker)):
                kept.append(token)
        content = trim(normalise(kept, ctx.report, keep_spaces=True))
        lines.append(PoemLine(tuple(content), indent if content else 0))
    while lines and not lines[0].children:
        lines.pop(0)
    while lines and not lines[-1].children:
        lines.pop()
    return [NEWLINE, Poem(tuple(lines)), NEWLINE] if lines else []


# ---------------------------------------------------------------- galleries

def _gallery(ctx, tag) -> list:
    """``<gallery>`` in any mode: one figure a line, ``File:name|caption``; a figure whose
    image is missing keeps its caption."""
    from .wikitext import _split_pipes  # the dispatcher imports this module
    figures: list[Figure] = []
    for line in _raw(ctx, tag).split("\n"):
        if not line.strip():
            continue
        parts = _split_pipes(line)
        name = _FILE_PREFIX.sub("", parts[0]).strip()
        captions = [part for part in parts[1:] if not _GALLERY_OPTION.match(part)]
        caption = tuple(trim(ctx.inlines(captions[-1]))) if captions else ()
        path = ctx.figure_file(name)
        if path or caption:
            figures.append(Figure(name.replace("_", " "), path, caption))
    title = tag_attribute(tag, "caption")
    caption = tuple(trim(ctx.inlines(title))) if title else ()
    if not figures and not caption:
        return []
    return [NEWLINE, Gallery(tuple(figures), caption), NEWLINE]


# ---------------------------------------------------------------- ruby

def _ruby(ctx, tag) -> list:
    """``<ruby>`` with ``<rb>``/``<rt>``/``<rp>``: each base with the reading after it."""
    out: list = []
    base: list = []
    for node in tag.contents.nodes if tag.contents is not None else []:
        name = str(node.tag).strip().lower() if hasattr(node, "tag") else ""
        if name == "rp":
            continue
        if name == "rt":
            annotation = tuple(trim(ctx.inlines(node.contents or "")))
            base_inlines = tuple(trim(normalise(base, ctx.report)))
            if base_inlines:
                out.append(Ruby(base_inlines, annotation))
            base = []
        elif name == "rb":
            base.extend(ctx.inlines(node.contents or ""))
        else:
            base.extend(ctx.inlines(str(node)))
    out.extend(normalise(base, ctx.report))
    return out


def _ruby_template(ctx, params) -> list:
    """``{{ruby|漢字|hàn zì}}`` and its script-specific forms: base, then reading."""
    positional = params.positional()
    base = tuple(trim(ctx.inlines(positional[0][1]))) if positional else ()
    annotation = tuple(trim(ctx.inlines(positional[1][1]))) if len(positional) > 1 else ()
    if not base:
        return []
    return [Ruby(base, annotation)] if annotation else list(base)


# ---------------------------------------------------------------- blocks in running text

def as_inlines(block: Block, warn) -> list:
    """One of this module's blocks, or a figure, met where only inlines fit (a note, a
    caption, a table cell): its text kept as inlines (a figure's caption, without its image);
    a gallery, which has no inline form, is dropped."""
    match block:
        case Figure():
            warn("block-in-inline", "a figure inside running text: its caption kept, its "
                 "image left out")
            return list(block.caption)
        case DisplayFormula():
            return [Formula(block.tex, block.chem)]
        case CodeBlock():
            return [Code(" ".join(block.text.split()), block.language)]
        case Poem():
            out: list = []
            for line in block.lines:
                if out:
                    out.append(LineBreak())
                out.extend(line.children)
            return out
        case BulletList() | OrderedList():
            out = []
            for item in block.items:
                if out:
                    out.append(LineBreak())
                out.extend(item.children)
                for sub in item.sublists:
                    out.extend([LineBreak(), *as_inlines(sub, warn)])
            return out
        case Quotation():
            out = [Text("「")]
            for inner in block.blocks:
                out.extend(inner.children if isinstance(inner, Paragraph)
                           else as_inlines(inner, warn))
            return [*out, Text("」"), *block.attribution]
    warn("block-in-inline", f"a {type(block).__name__} inside running text dropped")
    return []


def hoist_quotations(branches: list[tuple[str, list]]) -> list | None:
    """A ``-{zh-cn:{{Cquote|…}};zh-tw:{{Cquote|…}}}-`` variant: the quotation outside, the
    variant inside it, each branch's quotation read as one run of lines. ``None`` when a
    branch holds no quotation."""
    runs: list[tuple[str, tuple]] = []
    attributions: list[tuple[str, tuple]] = []
    for code, tokens in branches:
        quotes = [t for t in tokens if isinstance(t, Quotation)]
        if not quotes:
            return None
        inlines: list = []
        for token in tokens:
            if isinstance(token, Quotation):
                for block in token.blocks:
                    if inlines:
                        inlines.append(LineBreak())
                    inlines.extend(block.children if isinstance(block, Paragraph)
                                   else as_inlines(block, lambda *_: None))
            elif not isinstance(token, (Newline, ListMarker, Heading,
                                        Locator, *BLOCK_TOKENS)):
                inlines.append(token)
        runs.append((code, tuple(inlines)))
        attributions.append((code, quotes[0].attribution))
    attribution = (Variant(tuple(attributions)),) \
        if any(branch for _, branch in attributions) else ()
    quotation = Quotation((Paragraph((Variant(tuple(runs)),)),), attribution)
    return [NEWLINE, quotation, NEWLINE]


TAG_HANDLERS: dict[str, Callable] = {
    "math": _math, "chem": _chem, "ce": _chem,
    "syntaxhighlight": _code_block, "source": _code_block, "pre": _pre, "code": _code,
    "blockquote": _blockquote, "poem": _poem, "gallery": _gallery, "ruby": _ruby,
}

#: Template name (normalised) → handler, looked up after :data:`.templates.HANDLERS`.
TEMPLATE_HANDLERS: dict[str, Callable] = {
    # {{math|…}} a formula in wikitext, {{mvar|x}} one of its variables, {{tmath|…}} in TeX.
    "math": _math_template, "mvar": _mvar_template, "tmath": _tmath_template,
    # {{frac|1|2}} and {{sfrac|1|2}}: a fraction in running text.
    "frac": _frac_template, "sfrac": _frac_template,
    # {{Quote|text|author|source}} and {{Blockquote}} (text=, author=/sign=, source=/title=).
    "quote": _quote_template(("text", "quote", "1"), ("author", "sign", "person", "2"),
                             ("source", "title", "3")),
    "blockquote": _quote_template(("text", "quote", "1"), ("author", "sign", "person", "2"),
                                  ("source", "title", "3")),
    "quotation": _quote_template(("text", "quote", "1"), ("author", "sign", "2"),
                                 ("source", "title", "3")),
    # {{Cquote|quotation|||author|source}}: its 2nd and 3rd parameters set widths.
    "cquote": _quote_template(("quote", "text", "1"), ("author", "person", "4"),
                              ("source", "title", "5")),
    "quote box": _quote_template(("quote", "text", "1"), ("author", "sign", "2"),
                                 ("source", "3")),
    "quotebox": _quote_template(("quote", "text", "1"), ("author", "sign", "2"),
                                ("source", "3")),
    # {{code|a++|cpp}} and its alias.
    "code": _code_template,
    # {{ruby|base|reading}} and the forms that fix the reading's script.
    **{name: _ruby_template for name in (
        "ruby", "ruby-py", "ruby-zh-p", "ruby-zh-b", "ruby-zh-w", "ruby-zh-ts", "ruby-yue-j",
        "ruby-yue-jp", "ruby-ja", "ruby-ko", "ruby-hak", "ruby-nan", "ruby-wuu", "ruby-zh")},
}
