"""Writer: a long book's parts, each a PDF WeasyPrint 70 wrote, joined into one PDF (pikepdf).

WeasyPrint keeps every page's boxes in memory until the document is written, so a long book
is laid out in parts, each written as its own tagged PDF. :func:`join` makes them one file:
the pages in order, one name tree of the named destinations the links lead to, one outline
(nested as the book's headings are, across the parts' boundaries), and one structure tree of
the shape :func:`publish.writers.pdf_structure.retag` expects (one ``/Document`` element, a
flat parent tree), its keys renumbered so each is unique. The catalog's other entries and
the document information are the first part's. Each part keeps its own font subsets: merging
them would mean rewriting every page's text.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..files import atomic_output

__all__ = ["join", "JoinError"]

log = logging.getLogger(__name__)

#: The structure tree root's entries a join knows how to merge.
_TREE_ENTRIES = {"/Type", "/K", "/ParentTree", "/ParentTreeNextKey", "/RoleMap", "/ClassMap"}


class JoinError(Exception):
    """A part is not the shape WeasyPrint 70 writes; nothing is written."""


def join(parts: Sequence[Path], target: Path,
         levels: Sequence[Sequence[int]] | None = None) -> None:
    """Join the PDFs ``parts`` into the PDF ``target`` (written atomically; it may be one of
    the parts). A later part's named destination replaces an earlier part's of the same name:
    the first part may hold stand-ins for anchors in later parts, so that WeasyPrint keeps
    the links to them. ``levels`` holds each part's bookmark levels (CSS ``bookmark-level``)
    in the order of its outline's items: a bookmark goes under the last one before it of a
    lower level, in whichever part that is, as WeasyPrint nests them in a book laid out
    whole. Without them, each part's outline is nested as the part has it. The file is saved
    with its streams as the parts have them (uncompressed, as the tagged parts are written):
    :func:`~publish.writers.pdf_structure.retag` compresses them as it saves."""
    import pikepdf

    if not parts:
        raise JoinError("no parts to join")
    if levels is not None and len(levels) != len(parts):
        raise JoinError(f"{len(parts)} parts and {len(levels)} lists of bookmark levels")
    each_levels = list(levels) if levels is not None else [None] * len(parts)
    with pikepdf.open(parts[0]) as pdf:
        joiner = _Joiner(pdf, each_levels[0])
        # Each later part is closed as soon as it is copied: qpdf then copies the stream data
        # the joined file still reads from it, and lets the part's parsed objects go (a 2 MB
        # source of notes in 16 parts: 1,204 → 679 MB at the peak of the join, same bytes).
        for path, part_levels in zip(parts[1:], each_levels[1:]):
            with pikepdf.open(path) as part:
                joiner.add(part, part_levels)
        joiner.finish()
        with atomic_output(target) as temporary:
            pdf.save(temporary, deterministic_id=True, compress_streams=False,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none)
        log.debug("joined %d parts into %s (%d pages)", len(parts), target, len(pdf.pages))


class _Joiner:
    """The first part, growing into the joined PDF as the later parts are added."""

    def __init__(self, pdf, levels: Sequence[int] | None) -> None:
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        #: The joined outline's last item at each depth with its bookmark level, outermost
        #: first: where the next part's bookmarks may go.
        self.trail: list[tuple[int, object]] = []
        #: The items a part wrote closed (a negative /Count), by object number.
        self.closed: set[tuple[int, int]] = set()
        #: Named destinations by the name's bytes (as the links spell it), last part's first.
        self.dests: dict[bytes, object] = dict(self._names(pdf.Root))
        self.tree = pdf.Root.get("/StructTreeRoot")
        #: The joined parent tree: key → the page's elements by MCID, or an annotation's.
        self.parents: dict[int, object] = {}
        self.next_key = 0
        if self.tree is not None:
            self._check_tree(self.tree)
            self.document = self.tree.K[0]
            self.kids: list = self._kids(self.document)
            self._add_parents(self.tree, [page.obj for page in pdf.pages], 0)
        # The first part's outline is joined as the others are, into a new root.
        outline = pdf.Root.get("/Outlines")
        if outline is not None:
            del pdf.Root["/Outlines"]
            self._add_outline(outline, levels)

    def add(self, part, levels: Sequence[int] | None) -> None:
        """Append ``part``'s pages, destinations, outline and structure tree."""
        pikepdf = self.pikepdf
        root = part.Root
        if ("/StructTreeRoot" in root) != (self.tree is not None):
            raise JoinError("the parts are not all tagged, or not all untagged")
        unknown = set(root.get("/Names", {}).keys()) - {"/Dests"}
        if unknown:
            raise JoinError(f"a later part's /Names has {', '.join(sorted(unknown))}")
        first = len(self.pdf.pages)
        # The pages are copied first, so that every reference to a page copied after them
        # (a destination's, an element's /Pg) leads to its copy: pikepdf maps each part's
        # objects to their copies once for all the copies made from it. One by one: extend()
        # warns that it leaves the named destinations behind, which are carried here.
        for page in part.pages:
            self.pdf.pages.append(page)
        pages = [page.obj for page in self.pdf.pages[first:]]
        # One copy of all the rest, through an indirect holder (only an indirect object can
        # be copied); the part's catalog itself is not copied.
        holder = part.make_indirect(pikepdf.Dictionary(
            Dests=root.get("/Names", {}).get("/Dests", pikepdf.Dictionary()),
            Outlines=root.get("/Outlines", pikepdf.Dictionary()),
            Tree=root.get("/StructTreeRoot", pikepdf.Dictionary())))
        copied = self.pdf.copy_foreign(holder)
        self.dests.update(self._tree_names(copied.Dests))
        self._add_outline(copied.Outlines, levels)
        if self.tree is not None:
            self._add_tree(copied.Tree, pages)

    def finish(self) -> None:
        """Write the merged name tree, document element and parent tree."""
        pikepdf = self.pikepdf
        root = self.pdf.Root
        if self.dests:
            names = pikepdf.Array()
            # A name tree's keys are in the order of their bytes.
            for name in sorted(self.dests):
                names.append(pikepdf.String(name))
                names.append(self.dests[name])
            if "/Names" not in root:
                root.Names = pikepdf.Dictionary()
            root.Names.Dests = self.pdf.make_indirect(pikepdf.Dictionary(Names=names))
        if "/Outlines" in root:
            self._count(root.Outlines)
        if self.tree is None:
            return
        self.document.K = pikepdf.Array(self.kids)
        nums = pikepdf.Array()
        for key in sorted(self.parents):
            nums.append(key)
            nums.append(self.parents[key])
        self.tree.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.tree.ParentTreeNextKey = self.next_key

    # ------------------------------------------------------------ destinations

    def _names(self, root) -> Iterator[tuple[bytes, object]]:
        names = root.get("/Names")
        if names is not None and "/Dests" in names:
            yield from self._tree_names(names.Dests)

    def _tree_names(self, node) -> Iterator[tuple[bytes, object]]:
        """A name tree's entries, in its order (a node's own, then its kids')."""
        entries = node.get("/Names", ())
        for i in range(0, len(entries), 2):
            yield bytes(entries[i]), entries[i + 1]
        for kid in node.get("/Kids", ()):
            yield from self._tree_names(kid)

    # ------------------------------------------------------------ outline

    def _add_outline(self, outline, levels: Sequence[int] | None) -> None:
        """Hang each of the part's top-level items under the last joined item of a lower
        level (or at the top); the items under them stay where they are."""
        items = list(_preorder(outline))
        if levels is None:
            levels = [depth for _, depth in items]
        if len(levels) != len(items):
            raise JoinError(f"a part has {len(items)} bookmarks and {len(levels)} levels")
        for (item, depth), level in zip(items, levels):
            if int(item.get("/Count", 0)) < 0:
                self.closed.add(item.objgen)
            while self.trail and self.trail[-1][0] >= level:
                self.trail.pop()
            if depth == 1:
                self._append(self.trail[-1][1] if self.trail else self._root(), item)
            self.trail.append((level, item))

    def _root(self):
        root = self.pdf.Root
        if "/Outlines" not in root:
            root.Outlines = self.pdf.make_indirect(self.pikepdf.Dictionary(
                Type=self.pikepdf.Name.Outlines))
        return root.Outlines

    @staticmethod
    def _append(parent, item) -> None:
        """``item`` (with the items under it) as ``parent``'s last."""
        for key in ("/Prev", "/Next"):
            if key in item:
                del item[key]
        item.Parent = parent
        if "/First" in parent:
            parent.Last.Next = item
            item.Prev = parent.Last
        else:
            parent.First = item
        parent.Last = item

    def _count(self, node) -> int:
        """Set the /Count of ``node`` and the items under it (the items shown when it is
        open, negative when it is closed, an outline's root always open); the items under
        ``node`` shown when it is open."""
        shown = 0
        item = node.get("/First")
        while item is not None:
            under = self._count(item)
            shown += 1 + (0 if item.objgen in self.closed else under)
            item = item.get("/Next")
        node.Count = -shown if node.objgen in self.closed else shown
        return shown

    # ------------------------------------------------------------ structure tree

    def _check_tree(self, tree) -> None:
        unknown = set(tree.keys()) - _TREE_ENTRIES
        if unknown:
            raise JoinError(f"a structure tree root with {', '.join(sorted(unknown))}")
        kids = self._kids(tree)
        if len(kids) != 1 or kids[0].get("/S") != "/Document":
            raise JoinError("a structure tree whose root is not one /Document element")
        if "/Kids" in tree.ParentTree or "/Nums" not in tree.ParentTree:
            raise JoinError("a parent tree that is not one flat /Nums array")
        if any(not isinstance(kid, self.pikepdf.Dictionary) or "/S" not in kid
               for kid in self._kids(kids[0])):
            raise JoinError("a /Document element with content of its own")

    def _add_parents(self, tree, pages: list, offset: int) -> None:
        """The part's parent tree, its keys ``offset`` on; the next part's come after every
        key this one uses (its ``pages``' and their annotations', not yet renumbered)."""
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        for i, key in enumerate(keys):
            self.parents[key + offset] = nums[2 * i + 1]
        used = [*keys, int(tree.get("/ParentTreeNextKey", 0)) - 1]
        for page in pages:
            if "/StructParents" in page:
                used.append(int(page.StructParents))
            used.extend(int(annotation.StructParent) for annotation in page.get("/Annots", ())
                        if "/StructParent" in annotation)
        self.next_key = max(self.next_key, offset + max(used) + 1)

    def _add_tree(self, tree, pages: list) -> None:
        """The part's document element's kids after the joined one's, its keys after the
        joined tree's."""
        self._check_tree(tree)
        offset = self.next_key
        self._add_parents(tree, pages, offset)
        for page in pages:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + offset
            for annotation in page.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        document = tree.K[0]
        # The part's document element and tree root are left unreferenced (and so are not
        # saved): their kids, and the elements outside the tree (WeasyPrint's margin boxes,
        # which point to the document element but are not its kids), point to the joined one.
        nums = tree.ParentTree.Nums
        elements = [*self._kids(document)]
        for i in range(1, len(nums), 2):
            value = nums[i]
            elements.extend(value if isinstance(value, self.pikepdf.Array) else [value])
        seen: set[tuple[int, int]] = set()
        for element in elements:
            self._reparent(element, document, seen)
        self.kids.extend(self._kids(document))
        rolemap, classmap = tree.get("/RoleMap"), tree.get("/ClassMap")
        for name, entries in (("/RoleMap", rolemap), ("/ClassMap", classmap)):
            if entries is None:
                continue
            if name not in self.tree:
                self.tree[name] = self.pikepdf.Dictionary()
            for key in entries.keys():
                if key not in self.tree[name]:
                    self.tree[name][key] = entries[key]

    def _reparent(self, element, document, seen: set[tuple[int, int]]) -> None:
        """Follow ``element``'s parents up to the part's document element, which the one
        below it then has the joined one for parent instead."""
        while isinstance(element, self.pikepdf.Dictionary) and "/P" in element \
                and element.objgen not in seen:
            if element.objgen != (0, 0):
                seen.add(element.objgen)
            if element.P.objgen == document.objgen:
                element.P = self.document
                return
            element = element.P

    def _kids(self, element) -> list:
        k = element.get("/K")
        if k is None:
            return []
        return list(k) if isinstance(k, self.pikepdf.Array) else [k]


def _preorder(outline) -> Iterator[tuple[Any, int]]:
    """The items of an outline in reading order (an item, then the items under it), each
    with its depth (1 at the top)."""
    stack: list[Any] = []
    item = outline.get("/First")
    while item is not None or stack:
        if item is None:
            item = stack.pop()
            continue
        depth = len(stack) + 1
        yield item, depth
        stack.append(item.get("/Next"))
        item = item.get("/First")
