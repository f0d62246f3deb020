"""Units of the book laid out apart (front matter, each part, back matter) joined into one PDF.

The first unit's file is the base (its catalogue keeps /Lang, /MarkInfo, /Metadata,
/OutputIntents, /ViewerPreferences); each next unit's pages are appended with pikepdf, and
with them its named destinations, its bookmarks, its page labels (moved by the pages before
it) and its structure tree (`struct_tree_merge`). A link that a unit could not resolve (its
anchor is in another unit) is written by the unit as `cross_unit_uri(anchor)`; the join turns
it into a GoTo to the named destination. A unit that continues the one before (a model of
a part opened there, `pdf_units.CONTINUES`) has its top-level element's tags and its
bookmarks put under the part's, as a single pass nests them.

What every unit embeds is kept once: a picture two units show (`image_sharing`), one subset
of each face in place of each unit's (`font_union`), each font program named after its
glyphs (a RIP that caches fonts by name would otherwise draw one unit's text with another's
glyphs).
Saved with a deterministic /ID: the same units give the same bytes. `info` adds entries
to the document information (the screen edition's book identity). Units laid out with
provisional folios get their real ones here (`folio_rewrite`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from builder.outputs.pdf.write.folio_rewrite import write_folios, write_numbers
from builder.outputs.pdf.write.font_union import merge_subsets, name_programs_apart
from builder.outputs.pdf.write.image_sharing import share_images
from builder.outputs.pdf.write.struct_tree_merge import (
    TreeJoin,
    copied,
    flat_pairs,
    name_tree,
    number_tree,
)

CROSS_UNIT_PREFIX = "https://lien-ket.invalid/#"


def cross_unit_uri(anchor: str) -> str:
    """The placeholder a unit links to for an anchor laid out in another unit."""
    return CROSS_UNIT_PREFIX + anchor


def join(
    units: Sequence[Path | bytes], target: Path, fonts: Sequence[Path] = (),
    info: Mapping[str, str] | None = None,
    folios: Sequence[tuple[int, Mapping[int, int]]] = (), identifier: bytes = b"",
    continues: Sequence[bool] = (), kept_fonts: Path | None = None,
    numbers: Sequence[Sequence[int]] = (), then: Callable[[Pdf], None] | None = None,
) -> Path:  # fmt: skip
    """Write the PDF of `units`' pages one after the other to `target`; with `fonts` (the
    installed files of the faces the units use), each face is embedded once
    (`font_union`); `info`: entries (`/Key`: text) added to the document information.
    `folios`, one per unit: the folios before it and {page index: its page counter} of its
    pages with a provisional folio (`folio_rewrite`); `identifier`: the first half of the
    file's /ID (otherwise the first unit's); `continues`, one per unit: whether it
    continues the last top-level element and bookmark of the units before it; `kept_fonts`:
    a folder where the faces' subsets are kept from one build to the next; `numbers`, one per
    unit: the other units' page numbers it prints (`folio_rewrite.write_numbers`); `then`:
    what to do with the joined file once it is saved, still open (make the print interior
    of it, without reading it again)."""
    opened = _prepared(units, folios, numbers, fonts)
    joined = next(opened)
    if identifier:
        joined.trailer.ID = Array([pikepdf.String(identifier), pikepdf.String(identifier)])
    dests = dict(_dests(joined))
    labels = dict(_labels(joined))
    nested = [*continues[1:], *[False] * len(units)]
    tree = TreeJoin(joined)
    for unit, under_last in zip(opened, nested, strict=False):
        first_page = len(joined.pages)
        joined.pages.extend(unit.pages)
        tree.add(unit, first_page, under_last)
        for name, dest in _dests(unit):
            dests.setdefault(name, copied(joined, unit, dest))
        labels.update(
            (key + first_page, copied(joined, unit, label)) for key, label in _labels(unit)
        )
        _append_outline(joined, unit, under_last)
    tree.finish()
    if dests:
        if "/Names" not in joined.Root:
            joined.Root.Names = Dictionary()
        joined.Root.Names.Dests = Dictionary(Names=Array(flat_pairs(sorted(dests.items()))))
    if labels:
        joined.Root.PageLabels = Dictionary(Nums=Array(flat_pairs(sorted(labels.items()))))
    _resolve_cross_unit_links(joined, set(dests))
    if len(units) > 1:
        merge_subsets(joined, fonts, kept_fonts)
        name_programs_apart(joined)
        share_images(joined)
    for key, value in (info or {}).items():
        joined.docinfo[Name(key)] = pikepdf.String(value)
    joined.save(target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    if then is not None:
        then(joined)
    return target


def _prepared(
    units: Sequence[Path | bytes], folios: Sequence[tuple[int, Mapping[int, int]]],
    numbers: Sequence[Sequence[int]], fonts: Sequence[Path],
) -> Iterator[Pdf]:  # fmt: skip
    """Each unit opened, its folios and numbers written, one at a time: what the join
    copied from a unit stays valid without it, and a thousand units open at once held
    0.5 MB each (1.25 GB at the peak of a 1 000-model join, 0.74 GB one by one)."""
    for index, unit in enumerate(units):
        opened = _open(unit)
        if index < len(folios):
            write_folios(opened, *folios[index], fonts)
        if index < len(numbers) and numbers[index]:
            write_numbers(opened, numbers[index], fonts)
        yield opened


def _open(unit: Path | bytes) -> Pdf:
    if isinstance(unit, bytes):
        import io

        return pikepdf.open(io.BytesIO(unit))
    return pikepdf.open(unit)


def _dests(pdf: Pdf) -> list[tuple[str, pikepdf.Object]]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return list(name_tree(names.Dests))


def _labels(pdf: Pdf) -> list[tuple[int, pikepdf.Object]]:
    if "/PageLabels" not in pdf.Root:
        return []
    return list(number_tree(pdf.Root.PageLabels))


def _append_outline(joined: Pdf, unit: Pdf, under_last: bool = False) -> None:
    """The unit's top-level bookmarks after the joined file's (`under_last`: after the
    children of its last top-level bookmark), their children with them."""
    if "/Outlines" not in unit.Root or "/First" not in unit.Root.Outlines:
        return
    theirs = copied(joined, unit, unit.Root.Outlines)
    if "/Outlines" not in joined.Root or "/First" not in joined.Root.Outlines:
        joined.Root.Outlines = theirs
        return
    ours = joined.Root.Outlines
    parent = ours.Last if under_last else ours
    item = theirs.First
    while True:
        item.Parent = parent
        if "/Next" not in item:
            break
        item = item.Next
    if "/First" in parent:
        parent.Last.Next = theirs.First
        theirs.First.Prev = parent.Last
    else:
        parent.First = theirs.First
    parent.Last = theirs.Last
    shown = int(theirs.get("/Count", 0))  # the items they show (PDF 32000 12.3.3)
    count = int(parent.get("/Count", 0))
    if parent is not ours and count < 0:  # closed: they show nothing yet
        parent.Count = count - shown
        return
    parent.Count = count + shown
    if parent is not ours:
        ours.Count = int(ours.get("/Count", 0)) + shown


def _resolve_cross_unit_links(joined: Pdf, dests: set[str]) -> None:
    for page in joined.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.URI)
            if uri.startswith(CROSS_UNIT_PREFIX) and uri[len(CROSS_UNIT_PREFIX) :] in dests:
                anchor = uri[len(CROSS_UNIT_PREFIX) :]
                annotation.A = Dictionary(S=Name.GoTo, D=pikepdf.String(anchor))
