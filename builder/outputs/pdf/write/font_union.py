"""One font program per face in a PDF joined from units (`pdf_join`).

Each unit embeds its own subset of each face (WeasyPrint keeps the glyph ids of the whole
font: `retain_gids`), so a book of a hundred units would carry the typeface a hundred
times. Here the subsets of one face are replaced by a single subset of the installed font
with every glyph any of them uses (the glyphs a font's /W widths list); the text's glyph
ids stay valid.
The joined subset also holds every glyph of the characters any page may show (`SCREEN_BASE`:
ASCII, every Vietnamese letter, the templates' signs), used or not: an edit that brings a
letter the book had not used yet leaves the typeface as it was, so the pages it did not
touch keep their bytes, and their preflight walk and ink (`page_walks`).
A face whose installed file is not found keeps its subsets. The subsets are cut by HarfBuzz
(`harfbuzz_subset`, 1 ms a face; fontTools took 0.06–0.12 s). With a folder to keep them
in, a subset cut once is read back when its glyphs are the same, and so is the list of a
typeface's base glyphs (fontTools' closure of its substitutions, 0.07 s a face).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name, Pdf

_SUBSET_TAG = re.compile(r"^/[A-Z]{6}\+")
_TRUETYPE = b"\x00\x01\x00\x00"  # how a TrueType font program begins
_PROGRAMS = ("/FontFile2", "/FontFile3", "/FontFile")


def merge_subsets(pdf: Pdf, sources: Sequence[Path], kept: Path | None = None) -> None:
    """Every face's subsets in `pdf` made one, cut from its file among `sources` (or read
    from the folder `kept`, where each subset cut is kept)."""
    faces: dict[str, list[pikepdf.Object]] = {}
    for font in _fonts(pdf):
        for cid_font in font.get("/DescendantFonts", pikepdf.Array()):
            descriptor = cid_font.get("/FontDescriptor", Dictionary())
            if cid_font.get("/Subtype") == Name.CIDFontType2 and "/FontFile2" in descriptor:
                faces.setdefault(str(descriptor.FontName), []).append(cid_font)
    installed = {path: path.read_bytes() for path in sources}
    by_name = {postscript_name(data): path for path, data in installed.items()}
    for fonts in faces.values():
        if len(fonts) < 2:
            continue
        source = by_name.get(postscript_name(fonts[0].FontDescriptor.FontFile2.read_bytes()))
        if source is None:
            continue
        face = _Typeface(source, installed[source], kept)
        used = (cid_glyphs(font.get("/W", pikepdf.Array())) for font in fonts)
        glyphs = face.base_glyphs().union(*used)
        data = face.subset(glyphs)
        program = pdf.make_stream(data)
        program.Length1 = len(data)
        for font in fonts:
            font.FontDescriptor.FontFile2 = program


def ready_faces(sources: Sequence[Path], kept: Path | None) -> None:
    """The base glyphs of each face among `sources` listed into the folder `kept`, where
    `merge_subsets` reads them (0.04 s a face, on the join's one core when the cache has
    none): made while the build's start leaves a core idle. A face that cannot be read is
    left to the join, which says why. Without a folder, nothing."""
    for source in sources if kept is not None else ():
        with contextlib.suppress(Exception):  # the join reads it again and reports it
            _Typeface(source, source.read_bytes(), kept).base_glyphs()


def name_programs_apart(pdf: Pdf) -> None:
    """Every subset font's tag (the `ABCDEF+` of its name) made from its program's bytes:
    two programs never share a name, one program keeps one name."""
    for font in _fonts(pdf):
        named = [font, *font.get("/DescendantFonts", pikepdf.Array())]
        descriptor = named[-1].get("/FontDescriptor")
        if descriptor is None:
            continue
        program = next((descriptor[key] for key in _PROGRAMS if key in descriptor), None)
        if program is None:
            continue
        digest = hashlib.sha256(program.read_raw_bytes()).digest()
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
        for holder, key in [*((item, "/BaseFont") for item in named), (descriptor, "/FontName")]:
            name = str(holder.get(key, ""))
            if _SUBSET_TAG.match(name):
                holder[key] = Name("/" + tag + name[7:])


def _fonts(pdf: Pdf) -> list[pikepdf.Object]:
    """The fonts of every page's resources and of the forms they draw, each once (found
    from the pages: walking every object of a large tagged book costs seconds)."""
    seen: set[tuple[int, int]] = set()
    found: dict[tuple[int, int], pikepdf.Object] = {}
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        for font in resources.get("/Font", Dictionary()).values():
            found.setdefault(font.objgen, font)
        for form in resources.get("/XObject", Dictionary()).values():
            if form.get("/Subtype") == Name.Form:
                pending.append(form.get("/Resources"))
    return list(found.values())


@dataclass(frozen=True, slots=True)
class _Typeface:
    """An installed typeface file (`data`, its bytes, at `source`) and what is cut from it,
    kept in the folder `kept` (if any) under its bytes and the code's version."""

    source: Path
    data: bytes
    kept: Path | None

    def base_glyphs(self) -> set[int]:
        """The glyph ids that the characters of SCREEN_BASE can be shown with: their own,
        and those the shaper may put in their place (Vietnamese forms of the tone marks,
        ligatures: the GSUB closure of HarfBuzz's default features), with .notdef (0.06 s a
        face)."""

        def listed() -> bytes:
            return " ".join(map(str, sorted(_shaped_glyphs(self.source)))).encode("ascii")

        found = _glyph_list(self._kept("base-glyphs", b"", ".txt", _glyph_list, listed))
        assert found is not None  # read back whole, or just listed with .notdef
        return found

    def subset(self, glyphs: set[int]) -> bytes:
        """`glyphs` cut from the face, their ids kept, as WeasyPrint's own subsets are."""
        recipe = ",".join(map(str, sorted(glyphs))).encode()
        return self._kept("subset", recipe, ".ttf", lambda data: data.startswith(_TRUETYPE),
                          lambda: _subset(self.data, glyphs))  # fmt: skip

    def _kept(
        self, kind: str, recipe: bytes, suffix: str, whole: Callable[[bytes], object],
        make: Callable[[], bytes],
    ) -> bytes:  # fmt: skip
        """`make()`, or what was kept of it under the face and `recipe`; a file that is not
        `whole`, or cannot be read or written, is a miss."""
        if self.kept is None:
            return make()
        from builder.util.cache import code_version
        from builder.util.files import write_whole

        digest = hashlib.sha256(code_version("pdf-units") + self.data + recipe).hexdigest()
        path = self.kept / f"{kind}-{digest}{suffix}"
        with contextlib.suppress(OSError):
            found = path.read_bytes()
            if whole(found):
                return found
        data = make()
        with contextlib.suppress(OSError):
            self.kept.mkdir(parents=True, exist_ok=True)
            write_whole(path, data)
        return data


def _glyph_list(data: bytes) -> set[int] | None:
    """The glyph ids a kept `base-glyphs` file lists; None unless whole (.notdef first)."""
    try:
        found = {int(glyph) for glyph in data.decode("ascii").split()}
    except ValueError:  # UnicodeDecodeError too
        return None
    return found if 0 in found else None


# What HarfBuzz applies to Latin text by default (WeasyPrint asks for no other feature).
_DEFAULT_FEATURES = ["ccmp", "locl", "rlig", "rvrn", "mark", "mkmk", "kern", "liga", "clig",
                     "calt", "rclt", "curs", "dist", "abvm", "blwm"]  # fmt: skip


def _shaped_glyphs(source: Path) -> set[int]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from builder.render.fonts import SCREEN_BASE

    font = TTFont(source)
    ids = {name: glyph for glyph, name in enumerate(font.getGlyphOrder())}
    for tag in list(font.keys()):
        if tag not in _CLOSURE_TABLES:
            del font[tag]
    options = subset.Options(layout_features=_DEFAULT_FEATURES, ignore_missing_glyphs=True,
                             hinting=False, name_IDs=[])  # fmt: skip
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=SCREEN_BASE)
    subsetter.subset(font)
    return {0} | {ids[name] for name in font.getGlyphOrder()}


_CLOSURE_TABLES = {"GlyphOrder", "head", "hhea", "hmtx", "maxp", "cmap", "post", "loca", "glyf",
                   "GSUB", "GDEF"}  # fmt: skip


def postscript_name(font: bytes) -> str:
    from fontTools.ttLib import TTFont

    return str(TTFont(io.BytesIO(font), lazy=True)["name"].getDebugName(6) or "")


def cid_glyphs(widths: pikepdf.Object) -> set[int]:
    """The glyph ids a CID font's /W array gives widths to, read from its written form: the
    same as `cid_widths`'s keys, without an object for every width (432 arrays a 100-model
    join, 0.07 s that way)."""
    written = widths.unparse(resolved=True)
    if b" R" in written:  # an array of its own inside: read item by item
        return set(cid_widths(widths))
    tokens = _W_TOKEN.findall(written)[1:-1]  # inside the outer brackets
    found: set[int] = set()
    index = 0
    while index < len(tokens):
        first = int(tokens[index])
        if tokens[index + 1] == b"[":
            end = tokens.index(b"]", index + 2)
            found.update(range(first, first + end - index - 2))
            index = end + 1
        else:
            found.update(range(first, int(tokens[index + 1]) + 1))
            index += 3
    return found


_W_TOKEN = re.compile(rb"\[|\]|[-+]?[\d.]+")


def cid_widths(widths: pikepdf.Object) -> dict[int, pikepdf.Object]:
    """{glyph id: width} of a CID font's /W array (`c [w1 w2 …]` and `c_first c_last w`)."""
    items = list(widths)
    found: dict[int, pikepdf.Object] = {}
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            found.update((first + n, width) for n, width in enumerate(items[index + 1]))
            index += 2
        else:
            found.update((glyph, items[index + 2])
                         for glyph in range(first, int(items[index + 1]) + 1))  # fmt: skip
            index += 3
    return found


def _subset(font: bytes, glyphs: set[int]) -> bytes:
    """The glyphs of the TrueType `font` (a file's bytes) with their ids kept, as WeasyPrint's
    own subsets are cut: only the tables those keep (not Charis SIL's `Silt`, 9.6 KB, nor the
    layout tables), and the names a PDF needs (0–6; the licence and description are 9.6 KB a
    face). By HarfBuzz (`harfbuzz_subset`), or fontTools where HarfBuzz cannot."""
    from builder.outputs.pdf.write.harfbuzz_subset import SubsetFailed, subset_keeping_ids

    with contextlib.suppress(SubsetFailed):
        return subset_keeping_ids(font, glyphs, _KEPT_TABLES, _NAME_IDS)
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(retain_gids=True, ignore_missing_glyphs=True, hinting=False,
                             desubroutinize=True, name_IDs=list(_NAME_IDS))  # fmt: skip
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs))
    cut = TTFont(io.BytesIO(font), recalcTimestamp=False)  # the same book, the same bytes
    for tag in list(cut.keys()):
        if tag not in _KEPT_TABLES:  # deleted first: fontTools then skips reading them
            del cut[tag]
    subsetter.subset(cut)
    written = io.BytesIO()
    cut.save(written)
    return written.getvalue()


_NAME_IDS = range(7)  # as HarfBuzz keeps for WeasyPrint
_KEPT_TABLES = frozenset({"GlyphOrder", "head", "hhea", "maxp", "OS/2", "hmtx", "cmap", "loca",
                          "glyf", "name", "post", "gasp", "GDEF"})  # fmt: skip
