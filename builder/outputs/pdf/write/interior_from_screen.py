"""The print interior made from the joined screen edition, not from a second WeasyPrint
write of every unit.

WeasyPrint draws a page in the page's own coordinates whatever its bleed: the bleed only
widens the boxes around the drawing. So the screen edition's pages, boxes widened and its
screen-only parts taken off (the cover pages, links, tags, page labels), are the interior's
pages. The PDF/X-4 parts (catalogue, XMP metadata, output intent, document information)
are those of a one-page interior WeasyPrint wrote from the same layout (the shell), so they
are what a whole write would give.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Pdf

from builder.outputs.pdf.write.struct_tree_merge import flat_pairs, name_tree

BOXES = ("/MediaBox", "/BleedBox", "/TrimBox")
_PAGE_TREE = ("/Pages", "/Outlines", "/Names", "/Type")  # the screen's, kept
_SCREEN_ONLY = ("/Annots", "/StructParents", "/Tabs")  # on each page


@contextmanager
def interior_in_place(pdf: Pdf, shell: Path, cover_pages: int) -> Iterator[Pdf]:
    """`pdf`, the screen edition as the join holds it once saved, made the print interior
    in place: its pages after its `cover_pages`, to be finished for the press and saved
    while the block runs (`print_package.finish_opened`). The join has every object in
    memory already: opening the saved file again and adding the first object to it made
    qpdf read all of them (0.1 s at 100 models)."""
    with pikepdf.open(shell) as press:
        widen = _margins(press.pages[0].obj)
        removed = {page.obj.objgen for page in pdf.pages[:cover_pages]}
        del pdf.pages[:cover_pages]
        for page in pdf.pages:
            for key in _SCREEN_ONLY:
                if key in page.obj:
                    del page.obj[key]
            left, bottom, right, top = (float(value) for value in page.obj.TrimBox)
            for box, (dl, db, dr, dt) in widen.items():
                page.obj[box] = Array([left - dl, bottom - db, right + dr, top + dt])
        screen_only = set(pdf.Root.keys()) - set(_PAGE_TREE)
        for name in sorted(screen_only):
            del pdf.Root[name]
        taken = {name: value for name, value in press.Root.items() if name not in _PAGE_TREE}
        copies = _copied(pdf, press, {**taken, "/Info": press.trailer.Info})
        for name in taken:
            pdf.Root[name] = copies[name]
        pdf.trailer.Info = copies["/Info"]
        _drop_destinations_on(pdf, removed)
        yield pdf


def _copied(pdf: Pdf, source: Pdf, values: dict[str, pikepdf.Object]) -> dict[str, object]:
    """`values` of `source`, with what they refer to, as objects of `pdf`: copied in one
    call, since each copy into a large file walks all of its objects (0.3 s at 1 000
    models)."""
    named = Dictionary()
    for name, value in values.items():
        if isinstance(value, (Dictionary, Array, pikepdf.Stream)) and not value.is_indirect:
            value = source.make_indirect(value)
        named[name] = value  # a name, a string, a number: copied as it is
    copies = pdf.copy_foreign(source.make_indirect(named))
    return {name: copies[name] for name in values}


def _margins(page: Dictionary) -> dict[str, tuple[float, float, float, float]]:
    """How far each box of `page` reaches beyond its trim box: left, bottom, right, top."""
    trim = [float(value) for value in page.TrimBox]
    found = {}
    for box in BOXES:
        edges = [float(value) for value in page.get(box, page.TrimBox)]
        found[box] = (trim[0] - edges[0], trim[1] - edges[1], edges[2] - trim[2],
                      edges[3] - trim[3])  # fmt: skip
    return found


def _drop_destinations_on(pdf: Pdf, removed: set[tuple[int, int]]) -> None:
    """Named destinations on the pages taken off, left out (the interior has no cover)."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    kept: list[tuple[object, pikepdf.Object]] = [
        (name, dest) for name, dest in name_tree(names.Dests) if not _on(dest, removed)
    ]
    names.Dests = Dictionary(Names=Array(flat_pairs(kept)))


def _on(dest: pikepdf.Object, removed: set[tuple[int, int]]) -> bool:
    if isinstance(dest, Dictionary):
        dest = dest.get("/D", Array())
    return isinstance(dest, Array) and len(dest) > 0 and dest[0].objgen in removed
