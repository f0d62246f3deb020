"""The printing house's checklist of the print files, with measured values and a pass or
fail per line: `output/preflight.txt`, in the editor's language.

Everything is read back from the written files (pikepdf, Ghostscript), not from what the
builder meant to write.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pikepdf
from PIL import ImageCms

from builder.book.model import GHOSTSCRIPT_CMYK, Book
from builder.book.vietnamese import format_number
from builder.outputs.pdf.press import ink_coverage, page_walks
from builder.outputs.pdf.press.page_walks import Walk
from builder.outputs.pdf.press.vector_ink import OPERATORS, PageInk
from builder.outputs.pdf.write.folio_rewrite import content_streams
from builder.util.i18n import _
from builder.util.parallel import ForkedMap, page_shares

T = TypeVar("T")

MM = 72 / 25.4
MIN_PPI = 200  # as `builder check` warns
RGB_OPERATORS = ("rg", "RG")
COLOUR_OPERATORS = ("rg", "RG", "k", "K", "g", "G", "cs", "CS", "sc", "SC", "scn", "SCN")
# What the walk parses of a content stream: what it and `vector_ink` look at, and inline
# pictures. Text positioning, paths and marked content (four fifths of a book's
# instructions) are left to the parser.
WALKED = " ".join(sorted({*COLOUR_OPERATORS, "q", "Q", "cm", "Do", "BI", "ID", "EI"} | OPERATORS))


@dataclass(frozen=True, slots=True)
class Line:
    """One checked item: what, the measured value, and whether it passes."""

    file: str
    label: str
    value: str
    passed: bool


def walk_file(path: Path, pdf: pikepdf.Pdf) -> Walk:
    """The walk of every page of `path` (open as `pdf`) and the rendered ink of the pages
    that need it, folded together in page order (`walk_file_beside`)."""
    return walk_file_beside(path, pdf, lambda: None)[0]


def walk_file_beside(path: Path, pdf: pikepdf.Pdf, meanwhile: Callable[[], T]) -> tuple[Walk, T]:
    """`walk_file`, and what `meanwhile()` returns, run here while the shares walk. In shares
    on every core, each opening the file itself, the pages are digested and walked, or their
    walks taken from the cache (`page_walks`). The pages that draw a picture, which need
    rendering, are rendered meanwhile without their text (or their ink taken from the
    cache); then any other page that needs it (`_rendered_ink`)."""
    pictured = _drawing_pictures(pdf)
    early = dict(zip(pictured, page_walks.page_digests(pdf, [page - 1 for page in pictured]),
                     strict=True))  # fmt: skip
    kept = page_walks.kept_inks(early)
    shares = [list(share) for share in page_shares(len(pdf.pages))]
    digests: list[page_walks.PageDigest] = []
    found: dict[int, Walk] = {}
    walked: dict[int, Walk] = {}
    with (
        _rendering(path, [page for page in pictured if page not in kept]) as drawn,
        ForkedMap(partial(_walk_share, path), shares) as started,
    ):
        beside = meanwhile()
        results = started.results()
        for share, share_results in zip(shares, results, strict=True):
            for index, (digest, page, new) in zip(share, share_results, strict=True):
                digests.append(digest)
                found[index] = page
                if new:
                    walked[index] = page
        page_walks.keep_walks(digests, walked)
        folded = found[0]
        for index in range(1, len(digests)):
            folded.add(found[index])
        rendered = drawn()
        page_walks.keep_inks(early, rendered)
        pages = {page: digests[page - 1] for page in sorted(folded.to_render)}
        folded.rendered = _rendered_ink(path, pages, folded, {**kept, **rendered})
    return folded, beside


def _drawing_pictures(pdf: pikepdf.Pdf) -> list[int]:
    """The pages (from 1) whose content streams draw a picture of their resources: the
    pages a walk finds to render, but for forms and transparency. A unit's pages share
    their resources, so the streams are read (9 ms at 100 models)."""
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        resources: Any = page.obj.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        pictures = {name[1:].encode() for name, xobject in xobjects.items()
                    if xobject.get("/Subtype") == "/Image"}  # fmt: skip
        if pictures and pictures & set(_DRAWN.findall(_content(page.obj))):
            found.append(number)
    return found


_DRAWN = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+Do\b")  # an XObject drawn, by its name


def _content(page: Any) -> bytes:
    return b"\n".join(stream.read_bytes() for stream in content_streams(page))


def _rendering(
    path: Path, pages: list[int]
) -> contextlib.AbstractContextManager[Callable[[], dict[int, float]]]:
    """`ink_coverage.rendering` of `pages` without their text; without Ghostscript,
    nothing (`_rendered_ink` says so)."""
    if ink_coverage.ghostscript() is None:
        return contextlib.nullcontext(dict)
    return ink_coverage.rendering(path, pages, text=False)


def _walk_share(path: Path, indexes: list[int]) -> list[tuple[page_walks.PageDigest, Walk, bool]]:
    """For each page of `indexes`: its digests, its walk (numbered as its index + 1), and
    whether it was walked now rather than taken from the cache (0.3 s of digests at 100
    models, which the parent made alone before)."""
    with pikepdf.open(path) as pdf:
        digests = page_walks.page_digests(pdf, indexes)
        kept = page_walks.kept_walks(digests, indexes)
        return [
            (digest, kept[index], False) if index in kept
            else (digest, walk(pdf, range(index, index + 1)), True)
            for index, digest in zip(indexes, digests, strict=True)
        ]  # fmt: skip


def _rendered_ink(
    path: Path, digests: dict[int, page_walks.PageDigest], found: Walk, known: dict[int, float]
) -> dict[int, float] | None:
    """{page: its total ink} for the pages of `digests` (from 1), which need rendering: the
    higher of its text's (`found.text_ink`) and its ink rendered without its text (`known`:
    kept, or drawn beside the walks; otherwise taken from the cache or rendered now);
    rendered with its text where its text's colours are unread. None without Ghostscript."""
    whole = {page: d for page, d in digests.items() if page in found.text_to_render}
    untexted = {page: d for page, d in digests.items() if page not in whole}
    try:
        inks = _inks(path, untexted, known, text=False)
        inks |= _inks(path, whole, {}, text=True)
    except OSError:  # FileNotFoundError: no Ghostscript
        return None
    return {page: max(inks[page], found.text_ink.get(page, 0.0)) if page in untexted
            else inks[page] for page in digests}  # fmt: skip


def _inks(
    path: Path, digests: dict[int, page_walks.PageDigest], known: dict[int, float], *, text: bool
) -> dict[int, float]:
    """{page: its rendered ink} of the pages of `digests`: `known`, then kept in the cache,
    then rendered now and kept."""
    found = {page: known[page] for page in digests if page in known}
    found |= page_walks.kept_inks(
        {page: d for page, d in digests.items() if page not in found}, text
    )
    rendered = ink_coverage.max_ink_on_pages(
        path, [page for page in digests if page not in found], text
    )
    page_walks.keep_inks(digests, rendered, text)
    return found | rendered


def walk(pdf: pikepdf.Pdf, pages: range | None = None) -> Walk:
    """The walk of `pages` (indexes from 0; all of them by default)."""
    found = Walk()
    for index in pages if pages is not None else range(len(pdf.pages)):
        number = index + 1
        ink = PageInk()
        _walk_stream(pdf.pages[index].obj, _IDENTITY, number, found, set(), ink)
        found.page_ink[number] = ink.highest
        found.text_ink[number] = ink.text
        if ink.needs_render:
            found.to_render.add(number)
        if ink.text_unread:
            found.text_to_render.add(number)
    return found


def group_spaces(pdf: pikepdf.Pdf) -> Counter[str]:
    """The colour spaces of the file's transparency groups."""
    spaces: Counter[str] = Counter()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            group = obj.get("/Group")
            if isinstance(group, pikepdf.Dictionary) and "/CS" in group:
                spaces[str(group.CS)] += 1
    return spaces


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)  # fmt: skip


def _walk_stream(
    holder: Any, ctm: Matrix, page: int, found: Walk, forms: set[Any], ink: PageInk
) -> None:
    resources = holder.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    for font in (resources.get("/Font") or {}).values():
        _note_font(font, found)
    stack: list[Matrix] = []
    for instruction in pikepdf.parse_content_stream(holder, WALKED):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            found.images["inline"] += 1
            ink.picture()
            continue
        name = str(instruction.operator)
        operands = instruction.operands
        ink.see(name, operands, resources)
        if name in COLOUR_OPERATORS:
            found.operators[name] += 1
            if name in ("cs", "CS"):
                found.spaces[str(operands[0])] += 1
            elif name in RGB_OPERATORS:
                found.spaces["/DeviceRGB"] += 1
        elif name == "q":
            stack.append(ctm)
        elif name == "Q" and stack:
            ctm = stack.pop()
        elif name == "cm":
            values = [float(x) for x in operands]
            ctm = _times((values[0], values[1], values[2], values[3], values[4], values[5]), ctm)
        elif name == "Do" and str(operands[0]) in xobjects:
            xobject = xobjects[str(operands[0])]
            if xobject.get("/Subtype") == "/Image":
                _note_image(xobject, ctm, page, found)
                ink.picture()
            elif xobject.get("/Subtype") == "/Form" and xobject.objgen not in forms:
                m = [float(x) for x in xobject.get("/Matrix", _IDENTITY)]
                inner = _times((m[0], m[1], m[2], m[3], m[4], m[5]), ctm)
                ink.enter_form(xobject)
                _walk_stream(xobject, inner, page, found, forms | {xobject.objgen}, ink)
                ink.leave_form()


def _note_image(image: Any, ctm: Matrix, page: int, found: Walk) -> None:
    space = image.get("/ColorSpace")
    kind = str(space[0]) if isinstance(space, pikepdf.Array) else str(space)
    if kind == "/ICCBased":
        kind = f"/ICCBased ({int(space[1].get('/N', 0))})"
    found.images[kind] += 1
    if bool(image.get("/Interpolate", False)):
        found.interpolated += 1
    width_pt, height_pt = math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])
    if width_pt > 1 and height_pt > 1 and "/ImageMask" not in image:
        ppi = min(int(image.Width) / width_pt, int(image.Height) / height_pt) * 72
        if found.lowest_ppi is None or ppi < found.lowest_ppi[0]:
            found.lowest_ppi = (ppi, page)


def _note_font(font: Any, found: Walk) -> None:
    name = str(font.get("/BaseFont", "?"))
    found.fonts[name] = str(font.get("/Subtype"))
    descriptor = font.get("/FontDescriptor")
    if "/DescendantFonts" in font:
        descriptor = font.DescendantFonts[0].get("/FontDescriptor")
    if font.get("/Subtype") == "/Type3":
        return
    if descriptor is None or not any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    ):
        found.unembedded.add(name)


def _mm(value: float) -> str:
    return format_number(round(value, 1))


def check_file(path: Path, trim: tuple[float, float], bleed_mm: float, max_ink: int) -> list[Line]:
    """The lines every print file gets: size, colour, pictures, fonts, PDF/X, ink."""
    name = path.name
    with pikepdf.open(path) as pdf:
        found, (boxes, pdfx, groups) = walk_file_beside(path, pdf, lambda: (
            _boxes_line(name, pdf, trim, bleed_mm), _pdfx_line(name, pdf), group_spaces(pdf)
        ))  # fmt: skip
    found.spaces.update(groups)
    return [
        boxes,
        _colour_line(name, found),
        _pictures_line(name, found),
        _fonts_line(name, found),
        pdfx,
        _ink_line(name, max_ink, found),
    ]


def _boxes_line(name: str, pdf: pikepdf.Pdf, trim: tuple[float, float], bleed: float) -> Line:
    good = True
    for page in pdf.pages:
        t = [float(v) / MM for v in page.obj.TrimBox]
        b = [float(v) / MM for v in page.obj.BleedBox]
        m = [float(v) / MM for v in page.obj.MediaBox]
        size = (t[2] - t[0], t[3] - t[1])
        margins = (t[0] - b[0], t[1] - b[1], b[2] - t[2], b[3] - t[3])
        slug = m[0] < b[0] and m[1] < b[1] and m[2] > b[2] and m[3] > b[3]
        good &= all(abs(x - y) < 0.1 for x, y in zip(size, trim, strict=True))
        good &= all(abs(x - bleed) < 0.1 for x in margins) and slug
    first = pdf.pages[0].obj
    t = [float(v) / MM for v in first.TrimBox]
    value = _("trim {width} × {height} mm, bleed {bleed} mm, marks in a slug beyond it").format(
        width=_mm(t[2] - t[0]), height=_mm(t[3] - t[1]), bleed=_mm(bleed)
    )
    return Line(name, _("size and bleed"), value, good)


def _colour_line(name: str, found: Walk) -> Line:
    operators = ", ".join(f"{op} {count}" for op, count in sorted(found.operators.items()))
    images = ", ".join(f"{space.lstrip('/')} {n}" for space, n in sorted(found.images.items()))
    rgb = found.spaces.get("/DeviceRGB", 0) + sum(
        n for space, n in found.images.items() if space in ("/DeviceRGB", "/ICCBased (3)")
    )
    value = _("operators: {operators}; pictures: {images}; DeviceRGB: {rgb}").format(
        operators=operators or "–", images=images or "–", rgb=rgb
    )
    return Line(name, _("colour spaces"), value, rgb == 0 and "inline" not in found.images)


def _pictures_line(name: str, found: Walk) -> Line:
    if found.lowest_ppi is None:
        return Line(name, _("picture resolution"), _("no pictures"), found.interpolated == 0)
    ppi, page = found.lowest_ppi
    value = _(
        "lowest {ppi} ppi at its printed size (page {page}), {minimum} needed; "
        "interpolated: {interpolated}"
    ).format(ppi=round(ppi), page=page, minimum=MIN_PPI, interpolated=found.interpolated)
    return Line(name, _("picture resolution"), value, ppi >= MIN_PPI and found.interpolated == 0)


def _fonts_line(name: str, found: Walk) -> Line:
    subset = all(re.match(r"[A-Z]{6}\+", font.lstrip("/")) for font in found.fonts)
    type3 = [font for font, kind in found.fonts.items() if kind == "/Type3"]
    value = _("{count} fonts, embedded: {embedded}, subset: {subset}, Type 3: {type3}").format(
        count=len(found.fonts),
        embedded=_("yes") if not found.unembedded else ", ".join(sorted(found.unembedded)),
        subset=_("yes") if subset else _("no"),
        type3=len(type3),
    )
    return Line(name, _("fonts"), value, not found.unembedded and subset and not type3)


def _pdfx_line(name: str, pdf: pikepdf.Pdf) -> Line:
    metadata = pdf.Root.get("/Metadata")
    xmp = bytes(metadata.read_bytes()).decode("utf-8", "replace") if metadata else ""
    version = re.search(r"GTS_PDFXVersion>([^<]+)<", xmp)
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    profile = ""
    if intents and "/DestOutputProfile" in intents[0]:
        data = bytes(intents[0].DestOutputProfile.read_bytes())
        profile = _profile_name(data)
    value = _("{version}, output intent: {profile}").format(
        version=version.group(1) if version else _("none"), profile=profile or _("none")
    )
    return Line(name, _("PDF/X"), value, bool(version and profile))


def _profile_name(data: bytes) -> str:
    import io

    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data))).strip()
    except (OSError, ImageCms.PyCMSError):
        return "?"


def _ink_line(name: str, max_ink: int, found: Walk) -> Line:
    """The highest total ink of the file: read from the colours of the pages that paint only
    in CMYK and grey (`vector_ink`), rendered with Ghostscript for the others."""
    if found.rendered is None:
        return Line(name, _("total ink"), _("not measured: Ghostscript (gs) is missing"), False)
    inks = {**found.page_ink, **found.rendered}
    page, highest = max(sorted(inks.items()), key=lambda item: item[1], default=(0, 0.0))
    value = _("at most {ink} % (page {page}), limit {limit} %").format(
        ink=format_number(highest), page=page, limit=max_ink
    )
    return Line(name, _("total ink"), value, highest <= max_ink + 0.5)


def interior_lines(path: Path, pages: int, signature: int, colophon_last: bool) -> list[Line]:
    value = _(
        "{pages} pages = {sheets} signatures of {signature}; colophon on the last page: {last}"
    ).format(
        pages=pages,
        sheets=format_number(round(pages / signature, 2)),
        signature=signature,
        last=_("yes") if colophon_last else _("no"),
    )
    return [Line(path.name, _("pages"), value, pages % signature == 0 and colophon_last)]


def cover_lines(
    path: Path, book: Book, interior_pages: int, spine_mm: float, spine_text: bool
) -> list[Line]:
    config = book.config
    with pikepdf.open(path) as pdf:
        trim = pdf.pages[0].obj.TrimBox
        width = (float(trim[2]) - float(trim[0])) / MM
    expected = 2 * config.pdf.trim_width_mm + spine_mm
    value = _(
        "{width} mm = 2 × {trim} + spine {spine} mm ({pages} pages ÷ 2 × {caliper} mm); "
        "text on the spine: {text}"
    ).format(
        width=_mm(width),
        trim=_mm(config.pdf.trim_width_mm),
        spine=format_number(spine_mm),
        pages=interior_pages,
        caliper=format_number(config.print.paper_caliper_mm),
        text=_("yes") if spine_text else _("no"),
    )
    return [Line(path.name, _("spine"), value, abs(width - expected) < 0.1)]


def report(book: Book, lines: list[Line]) -> str:
    """The checklist as text: one line per item, `ĐẠT`/`KHÔNG ĐẠT` first."""
    profile = book.config.print.profile
    head = [
        _("Preflight of the print files: {title}").format(title=book.config.title),
        _("Press profile: {path}").format(path=profile),
    ]
    if profile == GHOSTSCRIPT_CMYK:
        head.append(
            _(
                "This is Ghostscript's generic CMYK profile, not a registered printing condition: "
                "ask the printing house for its profile and set `print.profile`."
            )
        )
    head.append("")
    body = []
    for line in lines:
        verdict = _("pass") if line.passed else _("FAIL")
        body.append(f"[{verdict}] {line.file}: {line.label}: {line.value}")
    failed = sum(not line.passed for line in lines)
    tail = ["", _("{failed} of {count} lines fail").format(failed=failed, count=len(lines))]
    return "\n".join(head + body + tail) + "\n"
