"""Writer: the typeset PDF's structure tree made to say what the pages show (pikepdf).

WeasyPrint 70 tags every box it draws: running heads and page numbers hang off the tree as
text, a footnote is a plain span, a contents entry is three nested links with five
annotations and its leader dots are text, a table header has no scope. After the PDF is
written, :func:`retag` rewrites the tree and the page contents so that

- running heads, page numbers and the contents' leader dots are artifacts (marked content
  outside the tree),
- each footnote is a ``/Note`` with an ``/ID``, its number a ``/Lbl``, and its call a
  ``/Link`` whose annotation leads to it (:func:`link_note_calls` gives WeasyPrint the link),
- each contents entry is one ``/TOCI`` holding one ``/Link`` with one annotation,
- each table header cell has a ``/Scope``, and the ``/ID`` entries are in an ID tree,

and gives the PDF the XMP metadata stream (title, language, …) that WeasyPrint writes only
for its PDF/A and PDF/UA variants.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

__all__ = ["link_note_calls", "retag", "StructureError"]

log = logging.getLogger(__name__)


#: The start of a marked-content sequence as WeasyPrint 70 (pydyf) writes it, one line each:
#: the tag, the property list with the MCID, the operator.
_MARKED_CONTENT = re.compile(rb"^/[A-Za-z0-9]+\n<</MCID (\d+)>>\nBDC$", re.MULTILINE)
#: Its replacement for a running head, a page number or leader dots.
_ARTIFACT = b"/Artifact\n<</Type /Pagination>>\nBDC"


class StructureError(Exception):
    """The PDF's tree is not the shape WeasyPrint 70 writes; the tree is left as it was."""


def link_note_calls(rendered) -> int:
    """Add a link from each laid-out footnote call of a WeasyPrint document to its note (the
    note's element id) to the page's links, so that WeasyPrint writes the link annotation and
    tags it with the call. Returns the number of calls linked."""
    linked = 0
    for page in rendered.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            footnote = getattr(box, "footnote", None)
            element = getattr(footnote, "element", None)
            x, y, width, height = box.hit_area()
            # A note called inside a note has an empty call (its mark is a link in that note).
            if element is not None and element.get("id") and width > 0:
                page.links.append(("internal", element.get("id"),
                                   (x, y, x + width, y + height), box))
                linked += 1
            stack.extend(box.all_children() if hasattr(box, "all_children")
                         else getattr(box, "children", ()))
    return linked


def retag(path: Path) -> None:
    """Rewrite the structure tree of the tagged PDF ``path`` in place (see the module) and save
    it compressed: WeasyPrint may write it uncompressed, so that its streams are compressed
    once, here, not once by WeasyPrint and again for the pages rewritten. A tree not of the
    shape expected is a :class:`StructureError`, the file then saved as WeasyPrint wrote it."""
    import pikepdf

    try:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            if "/StructTreeRoot" not in pdf.Root:
                raise StructureError("the PDF has no structure tree")
            _Retagger(pdf).run()
            # From the document information; no editor stamp, so the same book has the same
            # bytes.
            with pdf.open_metadata(set_pikepdf_as_editor=False) as metadata:
                metadata.load_from_docinfo(pdf.docinfo)
                metadata["dc:language"] = [str(pdf.Root.Lang)]
            _save(pdf, path)
    except StructureError:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:  # untouched, reread
            _save(pdf, path)
        raise


def _save(pdf, path: Path) -> None:
    """Save ``pdf`` over ``path`` with the same bytes for the same book, every stream
    compressed (at the level WeasyPrint uses) and the small objects in object streams."""
    import pikepdf

    pikepdf.settings.set_flate_compression_level(9)
    pdf.save(path, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)


class _Retagger:
    """One PDF's structure tree and the page contents it points into."""

    def __init__(self, pdf):
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.document = self.root.K[0]
        nums = self.root.ParentTree.Nums
        #: StructParents key → the page's array of elements by MCID, or an annotation's element.
        self.parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        self.pages = {int(page.obj.StructParents): page.obj for page in pdf.pages}
        #: Per page key: the MCIDs to mark as artifacts.
        self.artifacts: dict[int, set[int]] = {}
        #: Annotations to drop (a contents entry's extra links).
        self.dropped_annotations: list = []
        self.ids: dict[str, object] = {}

    def run(self) -> None:
        self.margins_to_artifacts()
        self.contents()
        self.notes()
        self.table_headers()
        self.rewrite_contents()
        self.drop_annotations()
        self.id_tree()

    # ------------------------------------------------------------ the tree

    def kids(self, element) -> list:
        k = element.get("/K")
        if k is None:
            return []
        return list(k) if isinstance(k, self.pikepdf.Array) else [k]

    def elements(self, element):
        """``element`` and the structure elements under it, depth first."""
        yield element
        for kid in self.kids(element):
            if _tag(kid) is not None:
                yield from self.elements(kid)

    def page_key(self, element) -> int:
        return int(element.Pg.StructParents)

    def mcids(self, element):
        """(page key, MCID) of every marked-content sequence under ``element``."""
        for node in self.elements(element):
            for kid in self.kids(node):
                if isinstance(kid, int):
                    yield self.page_key(node), kid
                elif isinstance(kid, self.pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    yield int(kid.Pg.StructParents), int(kid.MCID)

    # ------------------------------------------------------------ steps

    def margins_to_artifacts(self) -> None:
        """Marked content whose element is not in the tree (WeasyPrint's margin boxes: the
        running heads and the page numbers) becomes an artifact."""
        reachable = {element.objgen for element in self.elements(self.document)}
        for key, entries in self.parents.items():
            if key not in self.pages:
                continue
            for mcid, element in enumerate(entries):
                if isinstance(element, self.pikepdf.Dictionary) \
                        and element.objgen not in reachable:
                    self.artifacts.setdefault(key, set()).add(mcid)

    def notes(self) -> None:
        """Footnote areas (a page's top-level element holding only spans) → notes; the
        calls (the unnamed elements in the text that link to a note) → links."""
        areas = [kid for kid in self.kids(self.document)
                 if kid.S == "/NonStruct" and self.kids(kid)
                 and all(_tag(k) == "/Span" for k in self.kids(kid))]
        number = 0
        for area in areas:
            area.S = self.pikepdf.Name.Div
            for note in self.kids(area):
                number += 1
                note.S = self.pikepdf.Name.Note
                note.ID = self.pikepdf.String(f"note-{number}")
                self.ids[f"note-{number}"] = note
                marker = self.kids(note)[0] if self.kids(note) else None
                if marker is not None and _tag(marker) == "/NonStruct":
                    marker.S = self.pikepdf.Name.Lbl
        calls = 0
        for element in self.elements(self.document):
            if element.S == "/NonStruct" and any(_is_objr(kid) for kid in self.kids(element)):
                element.S = self.pikepdf.Name.Link
                calls += 1
        log.debug("tagged %d notes and %d calls", number, calls)

    def contents(self) -> None:
        """The contents list → ``/TOC``: each entry one ``/TOCI`` holding one ``/Link``; the
        leader dots are artifacts."""
        for nav in self.kids(self.document):
            lists = [kid for kid in self.kids(nav) if _tag(kid) == "/L"]
            if nav.S != "/NonStruct" or len(lists) != 1 or not self.kids(lists[0]) \
                    or not all(self._is_entry(item) for item in self.kids(lists[0])):
                continue
            nav.S = self.pikepdf.Name.Sect
            lists[0].S = self.pikepdf.Name.TOC
            for item in self.kids(lists[0]):
                item.S = self.pikepdf.Name.TOCI
                link = self.kids(self.kids(item)[0])[0]
                self._one_link(link, link)
                link.P = item
                item.K = self.pikepdf.Array([link])

    def _is_entry(self, item) -> bool:
        body = self.kids(item)
        return _tag(item) == "/LI" and len(body) == 1 and _tag(body[0]) == "/LBody" \
            and len(self.kids(body[0])) == 1 and _tag(self.kids(body[0])[0]) == "/Link"

    def _one_link(self, element, link) -> None:
        """Under a contents entry's ``link``: unnamed elements (the leader) become artifacts,
        and a link nested in it (a pseudo-element of WeasyPrint's) gives its content to its
        parent and drops its annotation."""
        kids = []
        for kid in self.kids(element):
            if _is_objr(kid) and not _same(element, link):
                self.dropped_annotations.append(kid.Obj)
            elif _tag(kid) == "/NonStruct":
                self._drop_subtree(kid)
            elif _tag(kid) == "/Link" and not _same(kid, link):
                for inner in self.kids(kid):
                    if _is_objr(inner):
                        self.dropped_annotations.append(inner.Obj)
                    elif _tag(inner) is not None:
                        inner.P = element
                        self._one_link(inner, link)
                        kids.append(inner)
                    else:
                        kids.append(self._content_ref(kid, inner, element))
            elif _tag(kid) is not None:
                self._one_link(kid, link)
                kids.append(kid)
            else:
                kids.append(kid)
        element.K = self.pikepdf.Array(kids)

    def _content_ref(self, source, kid, target):
        """``kid`` (an MCID of ``source``) as a kid of ``target``; the parent tree follows."""
        if isinstance(kid, self.pikepdf.Dictionary):  # already a marked-content reference
            key, mcid = int(kid.Pg.StructParents), int(kid.MCID)
        else:
            key, mcid = self.page_key(source), int(kid)
        self.parents[key][mcid] = target
        if key == self.page_key(target):
            return mcid
        return self.pikepdf.Dictionary(Type=self.pikepdf.Name.MCR, Pg=source.Pg, MCID=mcid)

    def _drop_subtree(self, element) -> None:
        """``element``'s content becomes artifacts, its annotations go."""
        for node in self.elements(element):
            for kid in self.kids(node):
                if _is_objr(kid):
                    self.dropped_annotations.append(kid.Obj)
        for key, mcid in self.mcids(element):
            self.artifacts.setdefault(key, set()).add(mcid)

    def table_headers(self) -> None:
        """A header cell in a row with data cells heads that row, else its column."""
        for element in self.elements(self.document):
            if element.S != "/TR":
                continue
            cells = [kid for kid in self.kids(element) if _tag(kid) in ("/TH", "/TD")]
            has_data = any(cell.S == "/TD" for cell in cells)
            for cell in cells:
                if cell.S != "/TH":
                    continue
                attributes = cell.get("/A") or self.pikepdf.Dictionary(O=self.pikepdf.Name.Table)
                attributes.Scope = self.pikepdf.Name.Row if has_data \
                    else self.pikepdf.Name.Column
                cell.A = attributes
                if "/ID" in cell:
                    self.ids[str(cell.ID)] = cell

    # ------------------------------------------------------------ the file

    def rewrite_contents(self) -> None:
        """Mark each artifact MCID's content ``/Artifact`` and take it out of the parent
        tree. The page's content stream is edited as WeasyPrint wrote it (one line an operand
        or operator), not parsed into objects and written again: the rest of the page keeps
        its bytes, and the pass costs a tenth."""
        pikepdf = self.pikepdf
        for key, mcids in self.artifacts.items():
            page = self.pages[key]
            if not isinstance(page.get("/Contents"), pikepdf.Stream):
                raise StructureError(f"page key {key} has no single content stream")
            found: set[int] = set()

            def artifact(match, mcids=mcids, found=found) -> bytes:
                mcid = int(match[1])
                if mcid not in mcids:
                    return match[0]
                found.add(mcid)
                return _ARTIFACT

            contents = _MARKED_CONTENT.sub(artifact, page.Contents.read_bytes())
            if found != mcids:
                raise StructureError(f"marked content {sorted(mcids - found)} not found on "
                                     f"page key {key}")
            page.Contents = self.pdf.make_stream(contents)
            for mcid in mcids:
                self.parents[key][mcid] = pikepdf.Object.parse(b"null")

    def drop_annotations(self) -> None:
        """Take the dropped link annotations off their pages and out of the parent tree."""
        dropped = {annotation.objgen for annotation in self.dropped_annotations}
        keys = {int(annotation.StructParent) for annotation in self.dropped_annotations
                if "/StructParent" in annotation}
        for page in self.pdf.pages:
            if "/Annots" in page.obj:
                page.obj.Annots = self.pikepdf.Array(
                    [a for a in page.obj.Annots if a.objgen not in dropped])
        nums = self.root.ParentTree.Nums
        self.root.ParentTree.Nums = self.pikepdf.Array(
            [item for i in range(0, len(nums), 2) if int(nums[i]) not in keys
             for item in (nums[i], nums[i + 1])])

    def id_tree(self) -> None:
        """The ``/IDTree`` name tree of the elements with an ``/ID``."""
        pikepdf = self.pikepdf
        names = []
        for name in sorted(self.ids):
            names += [pikepdf.String(name), self.ids[name]]
        if names:
            self.root.IDTree = self.pdf.make_indirect(pikepdf.Dictionary(
                Names=pikepdf.Array(names)))


def _tag(node) -> str | None:
    """A structure element's type (``/P``), or None for an MCID, a reference or nothing."""
    import pikepdf

    if isinstance(node, pikepdf.Dictionary) and "/S" in node:
        return str(node.S)
    return None


def _is_objr(node) -> bool:
    import pikepdf

    return isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/OBJR"


def _same(a, b) -> bool:
    return hasattr(a, "objgen") and hasattr(b, "objgen") and a.objgen == b.objgen \
        and a.objgen != (0, 0)
