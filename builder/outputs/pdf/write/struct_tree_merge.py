"""One structure tree (PDF/UA tags) for PDFs joined page after page: no library merges them.

`pdf_join.join` appends each unit's pages to the first unit's PDF; `TreeJoin` then gives
the joined file one StructTreeRoot: every unit's top-level elements under the first unit's
Document element, the /StructParents of its pages and the /StructParent of its annotations
moved past the keys already used, the ParentTree, RoleMap and IDTree merged.
Objects are copied with `Pdf.copy_foreign`, which maps a unit's pages to the copies that
`pages.extend` made, so the elements' /Pg and the ParentTree's entries point at joined pages.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf


class TreeJoin:
    """The structure tree of `joined` as units are grafted onto it (`add`), written whole
    once they all are (`finish`): its ParentTree and IDTree are kept here meanwhile, read
    once, rather than read again for every unit (a hundred units, 60 000 entries)."""

    def __init__(self, joined: Pdf) -> None:
        self.joined = joined
        root = joined.Root.get("/StructTreeRoot")
        self.entries = dict(number_tree(root.ParentTree)) if root is not None else {}
        self.next_key = next_parent_key(root) if root is not None else 0
        self.ids = dict(name_tree(root.IDTree)) if root is not None and "/IDTree" in root else {}
        self.changed = False

    def add(self, unit: Pdf, first_page: int, continues: bool = False) -> None:
        """Graft the structure tree of `unit`, whose pages are `joined`'s pages from
        `first_page` on (already appended); `continues`: the elements under its first
        top-level element go on under `joined`'s last one."""
        joined = self.joined
        if "/StructTreeRoot" not in unit.Root or "/StructTreeRoot" not in joined.Root:
            return
        root = joined.Root.StructTreeRoot
        offset = self.next_key
        tree = copied(joined, unit, unit.Root.StructTreeRoot)
        for page in joined.pages[first_page:]:
            _shift_keys(page.obj, offset)
        document = _document(joined, root)
        if not isinstance(document.get("/K"), Array):
            document.K = Array(_as_list(document.get("/K")))
        kids = _as_list(tree.get("/K"))
        elements = [element for kid in kids for element in _top_elements(kid)]
        # The unit's root and Document element, and the part a model continues, are left
        # out: what names them as parent is given the joined tree's own (`_reparented`).
        dropped = {tree.objgen: root, **{kid.objgen: document for kid in kids
                                         if kid.get("/S") == Name.Document}}  # fmt: skip
        if continues and elements and len(document.K) and _only_elements(elements[0]):
            last = document.K[len(document.K) - 1]
            if not isinstance(last.get("/K"), Array):
                last.K = Array(_as_list(last.get("/K")))
            wrapper = elements.pop(0)
            dropped[wrapper.objgen] = last
            for element in _as_list(wrapper.get("/K")):
                element.P = last
                last.K.append(element)
        for element in elements:
            element.P = document
            document.K.append(element)
        seen: set[tuple[int, int]] = set()
        self.entries.update(
            (key + offset, _reparented(value, dropped, seen))
            for key, value in number_tree(tree.ParentTree)
        )
        self.next_key = offset + next_parent_key(tree)
        if "/RoleMap" in tree:
            if "/RoleMap" not in root:
                root.RoleMap = Dictionary()
            for role, standard in tree.RoleMap.items():
                if role not in root.RoleMap:
                    root.RoleMap[role] = standard
        if "/IDTree" in tree:
            for key, element in name_tree(tree.IDTree):
                self.ids.setdefault(key, element)
        self.changed = True

    def finish(self) -> None:
        """The ParentTree and IDTree written into `joined`'s StructTreeRoot."""
        if not self.changed:
            return
        root = self.joined.Root.StructTreeRoot
        root.ParentTree = Dictionary(Nums=Array(flat_pairs(sorted(self.entries.items()))))
        root.ParentTreeNextKey = self.next_key
        if self.ids:
            root.IDTree = Dictionary(Names=Array(flat_pairs(sorted(self.ids.items()))))


def copied(joined: Pdf, unit: Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """`unit`'s object (direct or not) copied into `joined`, its pages mapped to the
    copies that `joined.pages.extend` made."""
    if not value.is_indirect:
        value = unit.make_indirect(value)
    return joined.copy_foreign(value)


def next_parent_key(tree: pikepdf.Object) -> int:
    """The first /StructParents key not used by `tree`."""
    if "/ParentTreeNextKey" in tree:
        return int(tree.ParentTreeNextKey)
    keys = [key for key, _ in number_tree(tree.ParentTree)] if "/ParentTree" in tree else []
    return max(keys, default=-1) + 1


def number_tree(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
    """The (key, value) pairs of a number tree, its /Kids walked."""
    return ((int(key), value) for key, value in _leaves(node, "/Nums"))


def name_tree(node: pikepdf.Object) -> Iterator[tuple[str, pikepdf.Object]]:
    """The (name, value) pairs of a name tree, its /Kids walked."""
    return ((str(key), value) for key, value in _leaves(node, "/Names"))


def _leaves(node: pikepdf.Object, entries: str) -> Iterator[tuple[pikepdf.Object, pikepdf.Object]]:
    flat = node.get(entries, Array())
    for index in range(0, len(flat), 2):
        yield flat[index], flat[index + 1]
    for kid in node.get("/Kids", Array()):
        yield from _leaves(kid, entries)


def _shift_keys(page: pikepdf.Object, offset: int) -> None:
    if "/StructParents" in page:
        page.StructParents = int(page.StructParents) + offset
    for annotation in page.get("/Annots", Array()):
        if "/StructParent" in annotation:
            annotation.StructParent = int(annotation.StructParent) + offset


def _document(joined: Pdf, root: pikepdf.Object) -> pikepdf.Object:
    """The Document element the units' elements go under (made when the tree has none)."""
    kids = _as_list(root.get("/K"))
    if len(kids) == 1 and kids[0].get("/S") == Name.Document:
        return kids[0]
    document = joined.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array(kids))
    )
    for kid in kids:
        kid.P = document
    root.K = Array([document])
    return document


def _top_elements(kid: pikepdf.Object) -> list[pikepdf.Object]:
    """A unit's Document element gives its children; any other element is itself."""
    if kid.get("/S") == Name.Document:
        return _as_list(kid.get("/K"))
    return [kid]


def _reparented(
    value: pikepdf.Object, dropped: dict[tuple[int, int], pikepdf.Object],
    seen: set[tuple[int, int]],
) -> pikepdf.Object:  # fmt: skip
    """A ParentTree entry (an element, or a page's array of them) with the dropped elements
    replaced, and every element above it whose parent was dropped given the replacement:
    otherwise a unit's own root stays reachable (through the margin boxes' NonStruct
    elements, whose parent is its Document) and is written, with its ParentTree, once per
    unit."""
    if isinstance(value, Array):
        for index, item in enumerate(value):
            if isinstance(item, Dictionary) and item.is_indirect and item.objgen in dropped:
                value[index] = dropped[item.objgen]
            else:
                _reparented(item, dropped, seen)
        return value
    if not isinstance(value, Dictionary) or not value.is_indirect:
        return value
    if value.objgen in dropped:
        return dropped[value.objgen]
    node = value  # up its parents, to the one whose parent was dropped
    while node.objgen not in seen:
        seen.add(node.objgen)
        parent = node.get("/P")
        if not (isinstance(parent, Dictionary) and parent.is_indirect):
            break
        if parent.objgen in dropped:
            node.P = dropped[parent.objgen]
            break
        node = parent
    return value


def _only_elements(element: pikepdf.Object) -> bool:
    """Whether all of `element`'s kids are structure elements (no marked content of its own
    that would lose its page)."""
    kids = _as_list(element.get("/K"))
    return bool(kids) and all(
        isinstance(kid, Dictionary) and kid.get("/Type", Name.StructElem) == Name.StructElem
        and "/MCID" not in kid for kid in kids
    )  # fmt: skip


def _as_list(value: pikepdf.Object | None) -> list[pikepdf.Object]:
    if value is None:
        return []
    if isinstance(value, Array):
        return list(value)
    return [value]


def flat_pairs(pairs: list[tuple[object, pikepdf.Object]]) -> list[object]:
    """A sorted list of (key, value) as a name or number tree's flat array."""
    flat: list[object] = []
    for key, value in pairs:
        flat.extend((pikepdf.String(key) if isinstance(key, str) else key, value))
    return flat
