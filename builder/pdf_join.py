"""Units of the book laid out apart (front matter, each part, back matter) joined into one PDF.

The first unit's file is the base (its catalogue keeps /Lang, /MarkInfo, /Metadata,
/OutputIntents, /ViewerPreferences); each next unit's pages are appended with pikepdf, and
with them its named destinations, its bookmarks, its page labels (moved by the pages before
it) and its structure tree (`struct_tree_merge`). A link that a unit could not resolve (its
anchor is in another unit) is written by the unit as `cross_unit_uri(anchor)`; the join turns
it into a GoTo to the named destination.

What every unit embeds is kept once: one subset of each face in place of each unit's
(`font_union`), each font program named after its glyphs (a RIP that caches fonts by name
would otherwise draw one unit's text with another's glyphs), one copy of the press profile.
Saved with a deterministic /ID: the same units give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from builder.font_union import merge_subsets
from builder.struct_tree_merge import copied, flat_pairs, merge_into, name_tree, number_tree

CROSS_UNIT_PREFIX = "https://lien-ket.invalid/#"
_SUBSET_TAG = re.compile(r"^/[A-Z]{6}\+")
_FONT_PROGRAMS = ("/FontFile2", "/FontFile3", "/FontFile")


def cross_unit_uri(anchor: str) -> str:
    """The placeholder a unit links to for an anchor laid out in another unit."""
    return CROSS_UNIT_PREFIX + anchor


def join(units: Sequence[Path | bytes], target: Path, fonts: Sequence[Path] = ()) -> Path:
    """Write the PDF of `units`' pages one after the other to `target`; with `fonts` (the
    installed files of the faces the units use), each face is embedded once
    (`font_union`)."""
    opened = [_open(unit) for unit in units]
    joined = opened[0]
    dests = dict(_dests(joined))
    labels = dict(_labels(joined))
    for unit in opened[1:]:
        first_page = len(joined.pages)
        joined.pages.extend(unit.pages)
        merge_into(joined, unit, first_page)
        for name, dest in _dests(unit):
            dests.setdefault(name, copied(joined, unit, dest))
        labels.update(
            (key + first_page, copied(joined, unit, label)) for key, label in _labels(unit)
        )
        _append_outline(joined, unit)
    if dests:
        if "/Names" not in joined.Root:
            joined.Root.Names = Dictionary()
        joined.Root.Names.Dests = Dictionary(Names=Array(flat_pairs(sorted(dests.items()))))
    if labels:
        joined.Root.PageLabels = Dictionary(Nums=Array(flat_pairs(sorted(labels.items()))))
    _resolve_cross_unit_links(joined, set(dests))
    if len(opened) > 1:
        merge_subsets(joined, fonts)
        _tag_subsets_apart(joined)
        _share_identical_streams(joined)
    joined.save(target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return target


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


def _append_outline(joined: Pdf, unit: Pdf) -> None:
    """The unit's top-level bookmarks after the joined file's, their children with them."""
    if "/Outlines" not in unit.Root or "/First" not in unit.Root.Outlines:
        return
    theirs = copied(joined, unit, unit.Root.Outlines)
    if "/Outlines" not in joined.Root or "/First" not in joined.Root.Outlines:
        joined.Root.Outlines = theirs
        return
    ours = joined.Root.Outlines
    item = theirs.First
    while True:
        item.Parent = ours
        if "/Next" not in item:
            break
        item = item.Next
    ours.Last.Next = theirs.First
    theirs.First.Prev = ours.Last
    ours.Last = theirs.Last
    ours.Count = int(ours.get("/Count", 0)) + int(theirs.get("/Count", 0))


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


def _tag_subsets_apart(pdf: Pdf) -> None:
    """Every subset font's tag (the `ABCDEF+` of its name) made from its program's bytes."""
    for font in pdf.objects:
        if not isinstance(font, Dictionary) or font.get("/Type") != Name.Font:
            continue
        descendants = font.get("/DescendantFonts")
        named = [font, *([descendants[0]] if descendants else [])]
        descriptor = named[-1].get("/FontDescriptor")
        if descriptor is None:
            continue
        program = next((descriptor[key] for key in _FONT_PROGRAMS if key in descriptor), None)
        if program is None:
            continue
        digest = hashlib.sha256(program.read_raw_bytes()).digest()
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
        for holder, key in [*((item, "/BaseFont") for item in named), (descriptor, "/FontName")]:
            name = str(holder.get(key, ""))
            if _SUBSET_TAG.match(name):
                holder[key] = Name("/" + tag + name[7:])


def _share_identical_streams(pdf: Pdf) -> None:
    """One object for streams of the same bytes and dictionary (the press profile each unit
    embeds, a picture two units show), every reference pointed at it."""
    kept: dict[tuple[bytes, str], pikepdf.Object] = {}
    moved: dict[tuple[int, int], pikepdf.Object] = {}
    for stream in pdf.objects:
        if not isinstance(stream, pikepdf.Stream):
            continue
        entries = [(str(key), value) for key, value in stream.stream_dict.items()]
        if any(isinstance(value, (Dictionary, Array, pikepdf.Stream)) for _, value in entries):
            continue  # points at other objects: left alone
        described = repr(sorted((key, repr(value)) for key, value in entries if key != "/Length"))
        key = (hashlib.sha256(stream.read_raw_bytes()).digest(), described)
        first = kept.setdefault(key, stream)
        if first.objgen != stream.objgen:
            moved[stream.objgen] = first
    if moved:
        for holder in list(pdf.objects):
            _repoint(holder, moved)


def _repoint(holder: pikepdf.Object, moved: dict[tuple[int, int], pikepdf.Object]) -> None:
    """References to `moved` objects inside `holder` (and its direct parts) replaced."""
    if isinstance(holder, pikepdf.Stream):
        holder = holder.stream_dict
    if isinstance(holder, Dictionary):
        items: list[tuple[str | int, pikepdf.Object]] = list(holder.items())
    elif isinstance(holder, Array):
        items = list(enumerate(holder))
    else:
        return
    for key, value in items:
        if isinstance(value, (Dictionary, Array, pikepdf.Stream)) and value.is_indirect:
            if value.objgen in moved:
                holder[key] = moved[value.objgen]
        else:
            _repoint(value, moved)
