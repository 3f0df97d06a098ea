"""Writer: the PDF parts of a long book, each as WeasyPrint 70 writes it, joined into one PDF —
pages in order, one name tree, one outline, one structure tree of the shape the retagging
expects — and the shapes a join does not know refused with nothing written."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import weasyprint

from publish.writers.pdf_join import JoinError, join
from publish.writers.pdf_structure import retag

#: Small pages, each with a running head and a page number (WeasyPrint tags the margin boxes
#: as elements outside the tree, pointing to the document element).
_CSS = """
@page { size: A6; margin: 2cm 1.5cm;
        @top-center { content: "Running head" }
        @bottom-center { content: counter(page) } }
.break { break-before: page; }
"""


def _html(body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Book</title>'
            f"<style>{_CSS}</style></head><body>{body}</body></html>")


def _part(path: Path, body: str, tagged: bool = True) -> Path:
    """``body`` written to ``path`` as the PDF writer writes a part (see ``_Typesetter.write``):
    tagged, PDF 1.7, uncompressed when tagged."""
    weasyprint.HTML(string=_html(body), base_url=f"{path.parent}/").write_pdf(
        path, pdf_tags=tagged, pdf_version="1.7", pdf_identifier=b"0" * 32,
        custom_metadata=True, uncompressed_pdf=tagged)
    return path


def _pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _page_index(pdf, page) -> int:
    """The place in ``pdf`` of the page object ``page``."""
    return [p.objgen for p in pdf.pages].index(page.objgen)


def _kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _names(pdf) -> list[tuple[bytes, Any]]:
    """The name tree of named destinations, in its order (a node's own, then its kids')."""
    out: list[tuple[bytes, Any]] = []

    def walk(node):
        entries = node.get("/Names", ())
        out.extend((bytes(entries[i]), entries[i + 1]) for i in range(0, len(entries), 2))
        for kid in node.get("/Kids", ()):
            walk(kid)

    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        walk(pdf.Root.Names.Dests)
    return out


def _siblings(container) -> list:
    """An outline node's items, First to Last along /Next."""
    items, item = [], container.get("/First")
    while item is not None:
        items.append(item)
        item = item.get("/Next")
    return items


def _titles(container) -> list[str]:
    """An outline's titles, depth first."""
    out = []
    for item in _siblings(container):
        out.append(str(item.Title))
        out.extend(_titles(item))
    return out


WORDS = ["Alphaword", "Bravoword", "Charlieword", "Deltaword"]


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> list[Path]:
    """Three tagged parts of 1, 2 and 1 pages, a word of its own on each page, a heading and a
    link (to a place in the same part) in each part, and a list, a quotation, a table."""
    folder = tmp_path_factory.mktemp("three")
    return [
        _part(folder / "a.pdf", f'<h1>One</h1><p><a href="#one-end">{WORDS[0]}</a></p>'
                                f'<p id="one-end">The end of one.</p>'),
        _part(folder / "b.pdf", f'<h2 id="two">Two</h2><ul><li>{WORDS[1]}</li></ul>'
                                f'<p class="break"><a href="#two">{WORDS[2]}</a></p>'),
        _part(folder / "c.pdf", f'<blockquote><a href="#cell">{WORDS[3]}</a></blockquote>'
                                f'<table><tr><th>Head</th></tr><tr><td id="cell">Cell</td></tr>'
                                f"</table>"),
    ]


# ------------------------------------------------------------------ pages


def test_the_parts_pages_follow_one_another_in_order(three, tmp_path):
    target = tmp_path / "joined.pdf"
    join(three, target)
    pages = _pages(target)
    assert len(pages) == 4
    for page, word in zip(pages, WORDS):
        assert [w for w in WORDS if w in page] == [word]


def test_the_parts_are_left_as_they_were(three, tmp_path):
    before = [path.read_bytes() for path in three]
    join(three, tmp_path / "joined.pdf")
    assert [path.read_bytes() for path in three] == before


def test_the_same_parts_join_into_the_same_bytes(three, tmp_path):
    join(three, tmp_path / "once.pdf")
    join(three, tmp_path / "again.pdf")
    assert (tmp_path / "once.pdf").read_bytes() == (tmp_path / "again.pdf").read_bytes()


@pytest.mark.parametrize("which", [0, 1])
def test_the_target_may_be_one_of_the_parts(tmp_path, which):
    parts = [_part(tmp_path / "a.pdf", f"<p>{WORDS[0]}</p>"),
             _part(tmp_path / "b.pdf", f"<h1>Two</h1><p>{WORDS[1]}</p>")]
    join(parts, parts[which])
    pages = _pages(parts[which])
    assert len(pages) == 2
    assert WORDS[0] in pages[0] and WORDS[1] in pages[1]
    with pikepdf.open(parts[which]) as pdf:
        assert _titles(pdf.Root.Outlines) == ["Two"]
        # One paragraph, then a heading and a paragraph.
        assert [str(kid.S) for kid in _kids(pdf.Root.StructTreeRoot.K[0])] \
            == ["/P", "/H1", "/P"]
    # Nothing else is left in the folder.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]


# ------------------------------------------------------------------ named destinations


@pytest.fixture
def linked(tmp_path) -> tuple[list[Path], Path]:
    """Part one links to ``later``, found only in part two (part one holds a stand-in of the
    same id, as the PDF writer's front matter does, so that WeasyPrint keeps the link); each
    part has names of its own too, one of them upper case (before every lower case byte)."""
    parts = [
        _part(tmp_path / "a.pdf",
              '<p><a href="#later">to later</a> <a href="#zulu">to zulu</a>'
              '<span id="later"></span></p><p id="zulu">Zulu</p>'),
        _part(tmp_path / "b.pdf",
              '<p><a href="#Mid">to mid</a> <a href="#alpha">to alpha</a></p>'
              '<p id="alpha">Alpha</p>'
              '<p class="break"><span id="later">Later</span></p><p id="Mid">Mid</p>'),
    ]
    target = tmp_path / "joined.pdf"
    join(parts, target)
    return parts, target


def test_a_later_parts_destination_replaces_an_earlier_one(linked):
    (first, _), target = linked
    with pikepdf.open(first) as part:
        # The stand-in: part one's own name leads to its own (first) page.
        standin = dict(_names(part))[b"later"]
        assert _page_index(part, standin[0]) == 0
    with pikepdf.open(target) as pdf:
        names = dict(_names(pdf))
        # Part two's second page, the joined file's third.
        assert _page_index(pdf, names[b"later"][0]) == 2
        assert [key for key, _ in _names(pdf)].count(b"later") == 1


def test_the_name_tree_holds_every_parts_names_in_the_order_of_their_bytes(linked):
    parts, target = linked
    expected: set[bytes] = set()
    for path in parts:
        with pikepdf.open(path) as part:
            expected |= {key for key, _ in _names(part)}
    assert {b"later", b"zulu", b"alpha", b"Mid"} <= expected
    with pikepdf.open(target) as pdf:
        keys = [key for key, _ in _names(pdf)]
    assert keys == sorted(expected)


def test_every_links_destination_leads_to_a_page_of_the_joined_file(linked):
    _, target = linked
    with pikepdf.open(target) as pdf:
        names = dict(_names(pdf))
        pages = {page.objgen for page in pdf.pages}
        found = []
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", ()):
                if annotation.get("/Subtype") != "/Link":
                    continue
                dest: Any = annotation.get("/Dest")
                if dest is None and "/A" in annotation:
                    dest = annotation.A.get("/D")
                if isinstance(dest, pikepdf.String):
                    found.append(bytes(dest))
                    dest = names[bytes(dest)]
                assert dest[0].objgen in pages
        assert sorted(found) == [b"Mid", b"alpha", b"later", b"zulu"]
        # Part two's destinations lead to its pages, after part one's.
        assert _page_index(pdf, names[b"zulu"][0]) == 0
        assert _page_index(pdf, names[b"alpha"][0]) == 1
        assert _page_index(pdf, names[b"Mid"][0]) == 2


# ------------------------------------------------------------------ outline


def _check_outline(pdf, parts: list[Path], count: int | None = None) -> None:
    """The joined outline's items: their /Parent the joined root (or the item they are under),
    the /Prev and /Next chain both ways, the root's /Last the last, its /Count ``count`` (by
    default the sum of the parts')."""
    root = pdf.Root.Outlines
    if count is None:
        count = 0
        for path in parts:
            with pikepdf.open(path) as part:
                if "/Outlines" in part.Root:
                    count += int(part.Root.Outlines.get("/Count", 0))
    assert int(root.Count) == count

    def check(container):
        items = _siblings(container)
        assert items, "an outline node with no items"
        assert items[-1].objgen == container.Last.objgen
        assert "/Prev" not in items[0] and "/Next" not in items[-1]
        for before, after in zip(items, items[1:]):
            assert after.Prev.objgen == before.objgen
        for item in items:
            assert item.Parent.objgen == container.objgen
            if "/First" in item:
                check(item)

    check(root)


def test_every_parts_bookmarks_are_in_the_joined_outline_once_in_order(tmp_path):
    parts = [
        _part(tmp_path / "a.pdf", "<h1>One</h1><p>1</p><h2>One.a</h2><p>1a</p>"),
        _part(tmp_path / "b.pdf", "<h2>Two.a</h2><p>2a</p><h2>Two.b</h2><p>2b</p>"),
        _part(tmp_path / "c.pdf", "<p>No heading</p>"),
        _part(tmp_path / "d.pdf", '<p>Before</p><h1 class="break">Four</h1><h2>Four.a</h2>'
                                  "<h3>Four.a.i</h3><h2>Four.b</h2>"),
    ]
    target = tmp_path / "joined.pdf"
    join(parts, target)
    with pikepdf.open(target) as pdf:
        assert _titles(pdf.Root.Outlines) == ["One", "One.a", "Two.a", "Two.b", "Four",
                                              "Four.a", "Four.a.i", "Four.b"]
        assert [str(item.Title) for item in _siblings(pdf.Root.Outlines)] \
            == ["One", "Two.a", "Two.b", "Four"]
        _check_outline(pdf, parts)
        # Each bookmark leads to its part's page: part four's heading to its second page.
        top = {str(item.Title): item for item in _siblings(pdf.Root.Outlines)}
        assert [_page_index(pdf, top[title].Dest[0]) for title in ("One", "Two.a", "Four")] \
            == [0, 1, 4]


def test_a_first_part_without_bookmarks_takes_the_later_parts(tmp_path):
    parts = [
        _part(tmp_path / "a.pdf", "<p>Front matter, no heading</p>"),
        _part(tmp_path / "b.pdf", "<h1>Two</h1><h2>Two.a</h2>"),
        _part(tmp_path / "c.pdf", "<h1>Three</h1>"),
    ]
    with pikepdf.open(parts[0]) as part:
        assert "/First" not in part.Root.get("/Outlines", {})
    target = tmp_path / "joined.pdf"
    join(parts, target)
    with pikepdf.open(target) as pdf:
        assert pdf.Root.Outlines.get("/Type") == "/Outlines"
        assert _titles(pdf.Root.Outlines) == ["Two", "Two.a", "Three"]
        _check_outline(pdf, parts)



def _levels(body: str) -> list[int]:
    """The bookmark levels of ``body``'s headings, as the PDF writer gathers them."""
    rendered = weasyprint.HTML(string=_html(body)).render()
    return [level for page in rendered.pages for level, *_ in page.bookmarks]


def _shape(container) -> list[tuple[str, int, list]]:
    """An outline as (title, /Count, the items under it) for each item."""
    return [(str(item.Title), int(item.get("/Count", 0)), _shape(item))
            for item in _siblings(container)]


#: A book's body cut into parts inside its chapters: a part begins with a section, another
#: with a subsection, and the first chapter is closed in the outline.
_CUT_INSIDE = [
    '<h1 style="bookmark-state: closed">One</h1><p>1</p><h2>One.a</h2><p>1a</p>',
    "<h2>One.b</h2><p>1b</p><h3>One.b.i</h3><p>1bi</p>",
    "<h3>One.b.ii</h3><p>1bii</p><h1>Two</h1><p>2</p><h3>Two.skipped</h3>",
    "<h2>Two.a</h2><p>2a</p>",
]


def test_a_parts_bookmarks_go_under_the_heading_before_them_as_in_the_book_laid_out_whole(
        tmp_path):
    parts = [_part(tmp_path / f"{index}.pdf", body) for index, body in enumerate(_CUT_INSIDE)]
    whole = _part(tmp_path / "whole.pdf", "".join(_CUT_INSIDE))
    target = tmp_path / "joined.pdf"
    join(parts, target, [_levels(body) for body in _CUT_INSIDE])
    with pikepdf.open(target) as pdf, pikepdf.open(whole) as one:
        assert _shape(pdf.Root.Outlines) == _shape(one.Root.Outlines)
        assert [title for title, *_ in _shape(pdf.Root.Outlines)] == ["One", "Two"]
        assert int(pdf.Root.Outlines.Count) == int(one.Root.Outlines.Count) == 4
        _check_outline(pdf, parts, count=4)


def test_a_part_whose_levels_do_not_match_its_bookmarks_is_refused(tmp_path):
    parts = [_part(tmp_path / f"{index}.pdf", body) for index, body in enumerate(_CUT_INSIDE)]
    levels = [_levels(body) for body in _CUT_INSIDE]
    levels[2].pop()
    target = tmp_path / "joined.pdf"
    with pytest.raises(JoinError, match="3 bookmarks and 2 levels"):
        join(parts, target, levels)
    with pytest.raises(JoinError, match="4 parts and 3 lists"):
        join(parts, target, levels[:3])
    assert not target.exists()


# ------------------------------------------------------------------ structure tree


def _first_page(pdf, element) -> int | None:
    """The place of the first page an element or one under it is on."""
    if "/Pg" in element:
        return _page_index(pdf, element.Pg)
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found = _first_page(pdf, kid)
            if found is not None:
                return found
    return None


@pytest.fixture(scope="module")
def joined_three(three, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("joined") / "joined.pdf"
    join(three, target)
    return target


def test_the_structure_tree_is_one_document_element_holding_every_parts_elements_in_order(
        three, joined_three):
    expected, ranges, first = [], [], 0
    for path in three:
        with pikepdf.open(path) as part:
            kids = _kids(part.Root.StructTreeRoot.K[0])
            expected += [str(kid.S) for kid in kids]
            ranges += [range(first, first + len(part.pages))] * len(kids)
            first += len(part.pages)
    with pikepdf.open(joined_three) as pdf:
        root = pdf.Root.StructTreeRoot
        assert isinstance(root.K, pikepdf.Array) and len(root.K) == 1
        document = root.K[0]
        assert document.S == "/Document" and document.P.objgen == root.objgen
        kids = _kids(document)
        assert [str(kid.S) for kid in kids] == expected
        assert {"/H1", "/H2", "/L", "/BlockQuote", "/Table"} <= set(expected)
        for kid, pages in zip(kids, ranges):
            assert kid.P.objgen == document.objgen
            assert _first_page(pdf, kid) in pages
        # The parts' own document elements are not in the file.
        documents = [obj for obj in pdf.objects
                     if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/Document"]
        assert [obj.objgen for obj in documents] == [document.objgen]


def test_the_parent_tree_keys_are_unique_sorted_and_each_leads_to_its_page(joined_three):
    with pikepdf.open(joined_three) as pdf:
        root = pdf.Root.StructTreeRoot
        nums = root.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert keys == sorted(set(keys))
        assert int(root.ParentTreeNextKey) > max(keys)
        page_keys = [int(page.obj.StructParents) for page in pdf.pages]
        annotation_keys = [int(annotation.StructParent) for page in pdf.pages
                           for annotation in page.obj.get("/Annots", ())
                           if "/StructParent" in annotation]
        # Every part had a link; each page and each annotation a key of its own.
        assert len(annotation_keys) == 3
        used = page_keys + annotation_keys
        assert len(set(used)) == len(used)
        assert set(used) <= set(keys)
        for page in pdf.pages:
            elements = entries[int(page.obj.StructParents)]
            assert isinstance(elements, pikepdf.Array) and len(elements) > 0
            for element in elements:
                assert element.Pg.objgen == page.objgen
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    link = entries[int(annotation.StructParent)]
                    assert link.S == "/Link"
                    assert annotation.objgen in {kid.Obj.objgen for kid in _kids(link)
                                                 if isinstance(kid, pikepdf.Dictionary)
                                                 and kid.get("/Type") == "/OBJR"}


def test_every_element_of_the_parent_tree_has_the_joined_document_element_above_it(
        joined_three):
    with pikepdf.open(joined_three) as pdf:
        root = pdf.Root.StructTreeRoot
        document = root.K[0]
        nums = root.ParentTree.Nums
        elements = []
        for i in range(1, len(nums), 2):
            value = nums[i]
            elements += list(value) if isinstance(value, pikepdf.Array) else [value]
        outside = 0
        for element in elements:
            chain, seen = [], set()
            while "/P" in element and element.objgen not in seen:
                seen.add(element.objgen)
                chain.append(element)
                element = element.P
            assert element.objgen == root.objgen
            assert [e.objgen for e in chain if e.get("/S") == "/Document"] == [document.objgen]
            outside += chain[-2].objgen not in {kid.objgen for kid in _kids(document)}
        # The running heads and page numbers: elements outside the tree, on every page.
        assert outside >= 2 * len(pdf.pages)


def test_the_joined_file_is_retagged_and_reads_as_every_part(joined_three, tmp_path):
    target = tmp_path / "retagged.pdf"
    target.write_bytes(joined_three.read_bytes())
    retag(target)
    with pikepdf.open(target) as pdf:
        assert len(pdf.pages) == 4
        assert len(pdf.Root.StructTreeRoot.K) == 1
        # Every page's running head and number became an artifact, later parts' too.
        for page in pdf.pages:
            assert b"/Artifact" in page.obj.Contents.read_bytes()
    text = _pages(target)
    assert len(text) == 4
    for page_text, word in zip(text, WORDS):
        assert word in page_text


# ------------------------------------------------------------------ refused shapes


def _edited(source: Path, target: Path, edit) -> Path:
    """A copy of the part ``source`` with ``edit(pdf)`` made to it."""
    with pikepdf.open(source) as pdf:
        edit(pdf)
        pdf.save(target)
    return target


def _refused(parts: list[Path], folder: Path, message: str) -> None:
    """Joining ``parts`` into ``folder`` raises a JoinError matching ``message``, and leaves
    an existing target as it was and no other file behind."""
    before = sorted(path.name for path in folder.iterdir())
    target = folder / "joined.pdf"
    with pytest.raises(JoinError, match=message):
        join(parts, target)
    assert not target.exists()
    assert sorted(path.name for path in folder.iterdir()) == before
    target.write_bytes(b"an earlier build")
    with pytest.raises(JoinError, match=message):
        join(parts, target)
    assert target.read_bytes() == b"an earlier build"
    assert sorted(path.name for path in folder.iterdir()) == sorted([*before, target.name])


def test_no_parts_is_refused(tmp_path):
    _refused([], tmp_path, "no parts")


@pytest.mark.parametrize("untagged_first", [False, True])
def test_a_tagged_part_with_an_untagged_one_is_refused(tmp_path, untagged_first):
    tagged = _part(tmp_path / "tagged.pdf", "<h1>Tagged</h1>")
    untagged = _part(tmp_path / "untagged.pdf", "<h1>Untagged</h1>", tagged=False)
    with pikepdf.open(untagged) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
    parts = [untagged, tagged] if untagged_first else [tagged, untagged]
    _refused(parts, tmp_path, "not all tagged")


def test_untagged_parts_are_joined(tmp_path):
    parts = [_part(tmp_path / "a.pdf", f"<h1>One</h1><p>{WORDS[0]}</p>", tagged=False),
             _part(tmp_path / "b.pdf", f"<h1>Two</h1><p>{WORDS[1]}</p>", tagged=False)]
    target = tmp_path / "joined.pdf"
    join(parts, target)
    with pikepdf.open(target) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert _titles(pdf.Root.Outlines) == ["One", "Two"]
    pages = _pages(target)
    assert len(pages) == 2 and WORDS[0] in pages[0] and WORDS[1] in pages[1]


def test_a_later_part_whose_names_hold_more_than_destinations_is_refused(tmp_path):
    first = _part(tmp_path / "a.pdf", '<p><a href="#x">x</a></p><p id="x">X</p>')
    source = _part(tmp_path / "source.pdf", '<p><a href="#y">y</a></p><p id="y">Y</p>')

    def add_script(pdf):
        script = pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi');")))
        pdf.Root.Names.JavaScript = pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("hello"), script]))

    second = _edited(source, tmp_path / "b.pdf", add_script)
    _refused([first, second], tmp_path, "/JavaScript")


def _two_documents(pdf):
    root = pdf.Root.StructTreeRoot
    root.K.append(pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root, K=pikepdf.Array())))


def _a_section(pdf):
    pdf.Root.StructTreeRoot.K[0].S = pikepdf.Name.Sect


@pytest.mark.parametrize("edit", [_two_documents, _a_section], ids=["two-documents", "sect"])
@pytest.mark.parametrize("place", [0, 1], ids=["first", "later"])
def test_a_structure_tree_whose_root_is_not_one_document_element_is_refused(
        tmp_path, edit, place):
    parts = [_part(tmp_path / "a.pdf", "<h1>One</h1>"), _part(tmp_path / "b.pdf", "<h1>Two</h1>")]
    parts[place] = _edited(parts[place], tmp_path / "edited.pdf", edit)
    _refused(parts, tmp_path, "not one /Document element")


def test_a_structure_tree_root_with_entries_a_join_does_not_merge_is_refused(tmp_path):
    parts = [_part(tmp_path / "a.pdf", "<h1>One</h1>"), _part(tmp_path / "b.pdf", "<h1>Two</h1>")]

    def add_id_tree(pdf):
        pdf.Root.StructTreeRoot.IDTree = pikepdf.Dictionary(Names=pikepdf.Array())

    parts[1] = _edited(parts[1], tmp_path / "edited.pdf", add_id_tree)
    _refused(parts, tmp_path, "/IDTree")


def test_a_later_parts_role_map_entries_are_added_to_the_first_parts(tmp_path):
    def role_map(entries):
        def edit(pdf):
            pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(
                {f"/{key}": pikepdf.Name(f"/{value}") for key, value in entries.items()})
        return edit

    parts = [_edited(_part(tmp_path / "a.pdf", "<h1>One</h1>"), tmp_path / "a2.pdf",
                     role_map({"Chapter": "Sect", "Aside": "Note"})),
             _edited(_part(tmp_path / "b.pdf", "<h1>Two</h1>"), tmp_path / "b2.pdf",
                     role_map({"Chapter": "Div", "Verse": "P"}))]
    target = tmp_path / "joined.pdf"
    join(parts, target)
    with pikepdf.open(target) as pdf:
        roles = pdf.Root.StructTreeRoot.RoleMap
        # The first part's mapping of a role both parts map stays.
        assert {key: str(roles[key]) for key in roles.keys()} \
            == {"/Chapter": "/Sect", "/Aside": "/Note", "/Verse": "/P"}
