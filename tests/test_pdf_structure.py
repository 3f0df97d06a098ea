"""End to end: the typeset PDF's structure tree and its text, as assistive technology and
copy and paste read them (issue 16, items 4 and 5)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from tests.helpers import SEED
from publish.cli import main
from publish.writers.pdf import PAPERS

pytestmark = pytest.mark.e2e

SCRIPTS = ("zh-Hans", "zh-Hant")
NOTES = 49
CONTENTS_ENTRIES = 15


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf-structure")
    assert main(["build", str(SEED), "--out", str(out), "--format", "pdf", "--quiet"]) == 0
    return out


def _pdf(pdfs: Path, script: str) -> Path:
    return pdfs / f"中苏关系.{script}.pdf"


def _kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _elements(element):
    yield element
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _elements(kid)


def _tree(pdf):
    return list(_elements(pdf.Root.StructTreeRoot.K[0]))


def _destination(pdf, annotation) -> str:
    """The named destination an internal link leads to."""
    dest = annotation.get("/Dest")
    if dest is None and "/A" in annotation:
        dest = annotation.A.get("/D")
    return str(dest)


# ------------------------------------------------------------------ 4. tagging

@pytest.mark.parametrize("script", SCRIPTS)
def test_running_heads_and_page_numbers_are_artifacts(pdfs, script):
    paper = PAPERS["a4"]
    with pdfplumber.open(_pdf(pdfs, script)) as pdf:
        margins = [char for page in pdf.pages[3:] for char in page.chars
                   if char["bottom"] < paper.top or char["top"] > page.height - paper.bottom]
        body = [char for page in pdf.pages[3:] for char in page.chars
                if paper.top < char["top"] < page.height - paper.bottom]
    assert len(margins) > 30  # the running heads and page numbers of the text pages
    assert {char["tag"] for char in margins} == {"Artifact"}
    assert all(char["tag"] != "Artifact" for char in body if char["text"] != "…")


@pytest.mark.parametrize("script", SCRIPTS)
def test_footnotes_are_notes_each_linked_from_its_call(pdfs, script):
    with pikepdf.open(_pdf(pdfs, script)) as pdf:
        tree = _tree(pdf)
        notes = [e for e in tree if e.S == "/Note"]
        ids = [str(note.ID) for note in notes]
        assert ids == [f"note-{n}" for n in range(1, NOTES + 1)]
        id_tree = pdf.Root.StructTreeRoot.IDTree.Names
        named = {str(id_tree[i]): id_tree[i + 1].objgen for i in range(0, len(id_tree), 2)}
        assert all(named[str(note.ID)] == note.objgen for note in notes)
        # Each note starts with its number as a label.
        assert all(_kids(note)[0].S == "/Lbl" for note in notes)
        calls = {}
        for element in tree:
            for kid in _kids(element):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    destination = _destination(pdf, kid.Obj)
                    if destination.startswith("note-"):
                        assert element.S == "/Link"
                        calls[destination] = element
        assert sorted(calls) == sorted(ids)


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_contents_entry_is_one_link_and_its_leader_dots_are_artifacts(pdfs, script):
    with pikepdf.open(_pdf(pdfs, script)) as pdf:
        tocs = [e for e in _tree(pdf) if e.S == "/TOC"]
        assert len(tocs) == 1
        entries = _kids(tocs[0])
        assert len(entries) == CONTENTS_ENTRIES
        for entry in entries:
            assert entry.S == "/TOCI"
            (link,) = _kids(entry)
            assert link.S == "/Link"
            annotations = [k for e in _elements(link) for k in _kids(e)
                           if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
            assert len(annotations) == 1
            assert not [e for e in _elements(link) if e.S in ("/NonStruct", "/Link")
                        and e.objgen != link.objgen]
        contents_page = pdf.pages[2]
        assert len(contents_page.obj.Annots) == CONTENTS_ENTRIES
    with pdfplumber.open(_pdf(pdfs, script)) as pdf:
        chars = pdf.pages[2].chars
    dots = [c for c in chars if c["text"] == "…"]
    assert len(dots) > 100 and {c["tag"] for c in dots} == {"Artifact"}
    numbers = [c for c in chars if c["text"].isdigit() and c["x0"] > 400]
    assert len(numbers) >= CONTENTS_ENTRIES and "Artifact" not in {c["tag"] for c in numbers}


@pytest.mark.parametrize("script", SCRIPTS)
def test_table_header_cells_have_a_scope_and_ids_in_the_id_tree(pdfs, script):
    with pikepdf.open(_pdf(pdfs, script)) as pdf:
        headers = [e for e in _tree(pdf) if e.S == "/TH"]
        assert headers
        assert all(header.A.Scope == "/Row" for header in headers)
        id_tree = pdf.Root.StructTreeRoot.IDTree.Names
        named = {str(id_tree[i]) for i in range(0, len(id_tree), 2)}
        assert {str(header.ID) for header in headers} <= named


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_tree_and_the_pages_agree_and_nothing_claims_pdf_ua(pdfs, script):
    with pikepdf.open(_pdf(pdfs, script)) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable = {e.objgen for e in _tree(pdf)}
        nums = root.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            key = int(page.obj.StructParents)
            marked = []
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) \
                        and "/MCID" in operands[1]:
                    marked.append(int(operands[1].MCID))
            assert marked, "every page has tagged content"
            for mcid in marked:
                element = parents[key][mcid]
                assert element.objgen in reachable
                assert any(kid == mcid or isinstance(kid, pikepdf.Dictionary)
                           and kid.get("/MCID") == mcid for kid in _kids(element))
            for annotation in page.obj.get("/Annots", []):
                element = parents[int(annotation.StructParent)]
                assert element.objgen in reachable
        assert b"pdfuaid" not in pdf.Root.Metadata.read_bytes()
        assert pdf.Root.MarkInfo.Marked
        metadata = pdf.open_metadata()
        assert metadata["dc:title"] == ("中苏关系" if script == "zh-Hans" else "中蘇關係")
        assert set(metadata["dc:language"]) == {script}


def test_the_same_input_gives_the_same_tagged_pdf(pdfs, tmp_path):
    assert main(["build", str(SEED), "--out", str(tmp_path), "--format", "pdf", "--script",
                 "zh-Hans", "--quiet"]) == 0
    assert _pdf(tmp_path, "zh-Hans").read_bytes() == _pdf(pdfs, "zh-Hans").read_bytes()



@pytest.mark.parametrize("script", SCRIPTS)
def test_every_stream_but_the_metadata_is_compressed(pdfs, script):
    """WeasyPrint writes a tagged PDF uncompressed; the retagging pass compresses it once."""
    with pikepdf.open(_pdf(pdfs, script)) as pdf:
        loose = [str(stream.get("/Type")) for stream in pdf.objects
                 if isinstance(stream, pikepdf.Stream) and "/Filter" not in stream]
    assert loose == ["/Metadata"]


def test_a_pdf_whose_tree_is_not_weasyprints_is_left_as_written_but_compressed(tmp_path):
    from publish.writers.pdf_structure import StructureError, retag

    path = tmp_path / "a.pdf"
    drawing = b"0 0 1 rg 0 0 10 10 re f\n" * 50
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.pages[0].obj.Contents = pdf.make_stream(drawing)
        pdf.save(path, compress_streams=False)
    with pytest.raises(StructureError, match="no structure tree"):
        retag(path)
    with pikepdf.open(path) as pdf:
        contents = pdf.pages[0].obj.Contents
        assert contents.Filter == pikepdf.Name.FlateDecode
        assert contents.read_bytes() == drawing
        assert "/StructTreeRoot" not in pdf.Root

# ------------------------------------------------------------------ 5. copied text

def _pdftotext(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8",
                           str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_title_and_the_imprint_copy_as_written(pdfs, script):
    path = _pdf(pdfs, script)
    title = "中苏关系" if script == "zh-Hans" else "中蘇關係"
    assert _pdftotext(path, 1).splitlines()[0] == title
    imprint = re.sub(r"\n", "", _pdftotext(path, 2))
    licence = "署名-相同方式共享 4.0 国际许可协议（CC BY-SA 4.0，" if script == "zh-Hans" \
        else "署名-相同方式共享 4.0 國際許可協議（CC BY-SA 4.0，"
    assert licence in imprint
    everything = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                                capture_output=True, text=True, check=True).stdout
    assert not re.search(r"(?:\w ){4,}", everything)  # no letter-spaced run anywhere


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_note_call_copies_without_a_space_before_it(pdfs, script):
    text = subprocess.run(["mutool", "draw", "-F", "text", "-o", "-", str(_pdf(pdfs, script))],
                          capture_output=True, text=True, check=True).stdout
    sovereignty = "主权2。" if script == "zh-Hans" else "主權2。"
    assert sovereignty in text
    assert not re.search(r"[\u4e00-\u9fff] \d{1,2}[，。、；：）」”]", text)
