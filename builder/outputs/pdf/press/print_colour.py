"""Press colours for the print files: black and greys on the black plate only, the book's
colours in the CMYK book.yaml gives them, pictures in CMYK through the press profile, and
no picture interpolation.

WeasyPrint lays the book out once for both editions, and writes plain CSS colours as
DeviceRGB (`rg`/`RG`); the screen edition keeps them. The print files are rewritten here
with pikepdf: colour operators in every content stream and form, every picture, every
transparency group. A colour this module does not know stays DeviceRGB, and the preflight
names it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import pikepdf
from PIL import ImageCms

from builder.book.model import Cmyk, Colours, PrintColours
from builder.outputs.pdf.write import deflate_level
from builder.outputs.pdf.write.folio_rewrite import content_streams
from builder.util.cache import cache_path, code_version
from builder.util.files import write_whole
from builder.util.parallel import ForkedAhead, ForkedMap, page_shares
from builder.util.render_cache import render_cache

Rgb = tuple[int, int, int]
JPEG_QUALITY = 90


def press_colours(colours: Colours, print_colours: PrintColours) -> dict[Rgb, Cmyk]:
    """Each book colour's RGB (as WeasyPrint writes it) → its CMYK percentages."""
    table: dict[Rgb, Cmyk] = {}
    for name in Colours.__dataclass_fields__:
        cmyk = getattr(print_colours, name)
        if cmyk is not None:
            text = getattr(colours, name).lstrip("#")
            rgb = (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
            table[rgb] = cmyk
    return table


# a content stream's key (`_KeptRewrites.key`) → its new content, compressed (in the shares,
# on every core, rather than by the save on one, at the editions' level for content), or
# empty if no colour changed
Rewritten = dict[str, bytes]
_FLATE = pikepdf.Name.FlateDecode


def press_shares(
    source: Path, pages: range, table: Mapping[Rgb, Cmyk], profile: Path
) -> ForkedMap[list[int], Rewritten]:
    """The rewriting of `pages` of `source` for the press, in one share of them per core,
    to start (`with press_shares(...) as shares:`) and collect (`rewritten(shares)`): each
    share takes from the cache what was rewritten before (after an edit, nearly every
    page), parses and rewrites the rest of its pages' content streams and forms, and
    converts their pictures into the cache. The shares run beside the making of the
    interior from the screen edition, which takes as long as they do after an edit."""
    return ForkedMap(partial(_rewritten_share, source, table, profile), _shares_of(pages))


def _shares_of(pages: range) -> list[list[int]]:
    """`pages` in one share per core, each a list of page indexes."""
    return [list(pages[share.start : share.stop]) for share in page_shares(len(pages))]


class PressSharesAhead:
    """`press_shares` forked before `source` is written, while this process is small (the
    join's, before it holds the whole book: a child forked later counts it all again in
    its resident set, 2.9 GB for the build's processes at 1 000 models), started once it
    is (`start`) and collected (`results`)."""

    def __init__(
        self, source: Path, pages: range, table: Mapping[Rgb, Cmyk], profile: Path, failure: str
    ) -> None:
        self.shares = _shares_of(pages)
        work = partial(_rewritten_share, source, table, profile)
        self.children = [ForkedAhead(_nothing, work, failure) for _share in self.shares]
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> PressSharesAhead:
        for child in self.children:
            self._stack.enter_context(child)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)

    def start(self) -> None:
        for child, share in zip(self.children, self.shares, strict=True):
            child.hand(share)

    def results(self) -> Rewritten:
        found: Rewritten = {}
        for child in self.children:
            found.update(child.result())
        return found


def _nothing() -> None:
    """What a share forked ahead loads before its pages: nothing more than its parent."""


def rewritten(shares: ForkedMap[list[int], Rewritten]) -> Rewritten:
    found: Rewritten = {}
    for share in shares.results():
        found.update(share)
    return found


def to_press(
    pdf: pikepdf.Pdf, rewritten: Mapping[str, bytes], profile: Path, table: Mapping[Rgb, Cmyk]
) -> None:
    """Rewrite `pdf` in place for the press (see the module's docstring): each content
    stream and form as `press_shares` rewrote the stream with the same bytes (a file made
    from the one they read, or the book the join holds, which was saved as it); one they
    did not see, here with `table`; its pictures from the cache the shares filled; its
    transparency groups."""
    kept = _KeptRewrites(table)
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        streams = content_streams(page.obj)
        for xobject in _xobjects(page.obj, seen):
            if xobject.get("/Subtype") == "/Form":
                streams.append(xobject)
            elif xobject.get("/Subtype") == "/Image":
                _image_to_cmyk(xobject, profile)  # converted in the share: from the cache
        for stream in streams:
            key = kept.key(stream)
            data = rewritten.get(key)
            if data is None:
                data = kept.rewritten(stream, key)
            if data:
                stream.write(data, filter=_FLATE)
    for holder in _painted(pdf):
        group = holder.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/CS") == "/DeviceRGB":
            group.CS = pikepdf.Name.DeviceCMYK


def _painted(pdf: pikepdf.Pdf) -> Iterator[Any]:
    """The pages and what they paint (forms, pictures, soft masks, patterns), each once:
    where a transparency group can be. Walked from the pages, not over every object of the
    file (the screen edition's structure tree, 1.4 s at 1 000 models)."""
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [page.obj for page in pdf.pages]
    while pending:
        holder = pending.pop()
        yield holder
        resources: Any = holder.get("/Resources") or {}
        states = (resources.get("/ExtGState") or {}).values()
        reached = [*(resources.get("/XObject") or {}).values(),
                   *(resources.get("/Pattern") or {}).values(),
                   *(state.get("/SMask") for state in states)]  # fmt: skip
        for item in reached:
            if isinstance(item, pikepdf.Dictionary) and "/G" in item:
                item = item.G  # a soft mask: its group
            if isinstance(item, pikepdf.Stream) and item.objgen not in seen:
                seen.add(item.objgen)
                pending.append(item)


def _rewritten_share(
    source: Path, table: Mapping[Rgb, Cmyk], profile: Path, pages: list[int]
) -> Rewritten:
    """{a content stream's key (`_KeptRewrites.key`): its content rewritten, or empty if
    no colour changed} for the pages of `source` in `pages` and the forms they reach; their
    pictures are converted into the cache (this copy of the file is not saved)."""
    found: Rewritten = {}
    seen: set[tuple[int, int]] = set()
    kept = _KeptRewrites(table)
    with pikepdf.open(source) as pdf:
        for index in pages:
            page = pdf.pages[index]
            streams = content_streams(page.obj)
            for xobject in _xobjects(page.obj, seen):
                if xobject.get("/Subtype") == "/Form":
                    streams.append(xobject)
                elif xobject.get("/Subtype") == "/Image":
                    _image_to_cmyk(xobject, profile)
            for stream in streams:
                key = kept.key(stream)
                found[key] = kept.rewritten(stream, key)
        kept.keep()
    return found


class _KeptRewrites:
    """Each content stream's press rewrite (compressed; empty: no colour changed), kept in
    `render.sqlite` under its bytes, the colour table and the code's version: after an
    edit, the pages the edit left alone (most of them, and every page whose folio alone
    moved: `folio_rewrite` writes the folio apart) are not read again."""

    def __init__(self, table: Mapping[Rgb, Cmyk]) -> None:
        self.table = table
        self.version = code_version("press-colours") + repr(sorted(table.items())).encode()
        self.new: list[tuple[str, bytes]] = []
        self.store = render_cache()  # of this process and thread: made where it is used

    def rewritten(self, stream: Any, key: str) -> bytes:
        """`stream` (whose `key` this is) rewritten for the press and compressed, from the
        cache or now; empty if no colour changed."""
        data = self.store.get(key)
        if data is None:
            written = _rewritten(stream, self.table)
            data = b"" if written is None else zlib.compress(written, deflate_level.CONTENT)
            self.new.append((key, data))
        return data

    def key(self, stream: Any) -> str:
        """What a stream's rewrite is kept and handed over under: its bytes as written, how
        they are decoded, the colour table and the code's version."""
        decoding = b"".join(
            name.encode() + stream[name].unparse() for name in _DECODING if name in stream
        )
        digest = hashlib.sha256(self.version + decoding + stream.read_raw_bytes())
        return f"press-colours:{digest.hexdigest()}"

    def keep(self) -> None:
        self.store.put(self.new)
        self.new = []


_DECODING = ("/Filter", "/DecodeParms")  # what turns a stream's bytes into its content


def pictures_to_cmyk(sources: Sequence[Path], profile: Path) -> None:
    """Every RGB picture the pages of `sources` paint converted into the cache, as the press
    shares convert them (this copy of each file is not saved): run beside the join, on the
    core it leaves idle, from the units the join is made of, so that the print interior
    finds its pictures converted (0.6 s of its CPU at 100 models, a picture every 10)."""
    for source in sources:
        seen: set[tuple[int, int]] = set()
        with pikepdf.open(source) as pdf:
            for page in pdf.pages:
                for xobject in _xobjects(page.obj, seen):
                    if xobject.get("/Subtype") == "/Image":
                        _image_to_cmyk(xobject, profile)


def _xobjects(holder: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """Every XObject reachable from a page or form (forms inside forms, soft masks), once."""
    resources = holder.get("/Resources") or {}
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        yield xobject
        if xobject.get("/Subtype") == "/Form":
            yield from _xobjects(xobject, seen)
        if isinstance(xobject.get("/SMask"), pikepdf.Stream):
            xobject.SMask.Interpolate = False
    for state in (resources.get("/ExtGState") or {}).values():
        mask = state.get("/SMask")
        if isinstance(mask, pikepdf.Dictionary) and isinstance(mask.get("/G"), pikepdf.Stream):
            group = mask.G
            if group.objgen not in seen:
                seen.add(group.objgen)
                yield group
                yield from _xobjects(group, seen)


# WeasyPrint writes one instruction a line, its text as hex strings: a colour is a line of
# its own, and no other line can read like one. Where a stream has what could hide a line
# inside another token (a literal string, a comment, an inline picture), it is parsed.
_COLOUR_LINE = re.compile(
    rb"^(?P<r>[-+.0-9eE]+) (?P<g>[-+.0-9eE]+) (?P<b>[-+.0-9eE]+) (?P<rgb>rg|RG)$"
    rb"|^(?P<grey>[-+.0-9eE]+) (?P<gray>g|G)$",
    re.MULTILINE,
)
_INLINE_PICTURE = re.compile(rb"\bBI\b")


def hides_tokens(data: bytes) -> bool:
    """Whether a content stream has what could hide an instruction inside another token
    (a literal string, a comment, an inline picture): then it is parsed, not read as lines
    of WeasyPrint's (here and in the preflight's `page_walks`)."""
    return b"(" in data or b"%" in data or (b"BI" in data and bool(_INLINE_PICTURE.search(data)))


def _rewritten(stream: Any, table: Mapping[Rgb, Cmyk]) -> bytes | None:
    """A content stream (of a page, or a form) with its colours for the press; None if none
    changed. Rewritten line by line (a few milliseconds a page) where the stream allows it,
    and parsed and written again otherwise (`_rewritten_parsed`); both give the same
    instructions (tests/test_print_colour.py). Each of a page's streams is rewritten alone:
    an instruction cut between two (which WeasyPrint and the join never write) would stay
    in RGB, and the preflight would name its colour space."""
    data = stream.read_bytes()
    if hides_tokens(data):
        return _rewritten_parsed(stream, table)
    changed = False

    def press_colour(line: re.Match[bytes]) -> bytes:
        nonlocal changed
        if line["rgb"] is not None:
            values, filling = [float(line["r"]), float(line["g"]), float(line["b"])], line["rgb"]
        else:
            values, filling = [float(line["grey"])], line["gray"]
        cmyk = _cmyk_of(values, table)
        if cmyk is None:
            return line[0]
        changed = True
        operator = b"k" if filling in (b"rg", b"g") else b"K"
        return b" ".join(format(_number(v), "f").encode() for v in cmyk) + b" " + operator

    written = _COLOUR_LINE.sub(press_colour, data)
    return written if changed else None


def _rewritten_parsed(stream: Any, table: Mapping[Rgb, Cmyk]) -> bytes | None:
    instructions = pikepdf.parse_content_stream(stream)
    changed = False
    rewritten: list[Any] = []
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            rewritten.append(instruction)  # WeasyPrint writes none; kept as they are
            continue
        name = str(instruction.operator)
        if name in ("rg", "RG", "g", "G"):
            cmyk = _cmyk_of([float(x) for x in instruction.operands], table)
            if cmyk is not None:
                operator = pikepdf.Operator("k" if name in ("rg", "g") else "K")
                instruction = pikepdf.ContentStreamInstruction([_number(v) for v in cmyk], operator)
                changed = True
        rewritten.append(instruction)
    return pikepdf.unparse_content_stream(rewritten) if changed else None


def _cmyk_of(values: list[float], table: Mapping[Rgb, Cmyk]) -> tuple[float, ...] | None:
    """Black and greys → black ink only; the book's colours → theirs; others: None."""
    if len(values) == 1 or (len(values) == 3 and max(values) - min(values) < 1e-4):
        return (0.0, 0.0, 0.0, round(1 - values[0], 4))
    rgb = (round(values[0] * 255), round(values[1] * 255), round(values[2] * 255))
    cmyk = table.get(rgb)
    return None if cmyk is None else tuple(v / 100 for v in cmyk)


def _number(value: float) -> Decimal:
    return Decimal(f"{value:.4f}").normalize() if value else Decimal(0)


def _image_to_cmyk(image: Any, profile: Path) -> None:
    image.Interpolate = False
    space = image.get("/ColorSpace")
    if not _is_rgb(space):
        return
    source = _source_profile(space)
    lossless = image.get("/Filter") != "/DCTDecode"
    key = hashlib.sha256(
        code_version("press-images") + image.read_raw_bytes() + source + profile.read_bytes()
    )
    cached = cache_path("press-images") / f"{key.hexdigest()}{'.zz' if lossless else '.jpg'}"
    try:
        data = cached.read_bytes()
    except FileNotFoundError:
        # Shares on other cores may convert the same picture at the same moment: each
        # writes its own temporary file and renames it in whole (`write_whole`), so the
        # last rename wins with the same bytes, and no reader sees half a file.
        data = _converted(image, source, profile, lossless)
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_whole(cached, data)
    for key_name in ("/DecodeParms", "/Decode", "/Filter"):
        if key_name in image:
            del image[key_name]
    if lossless:
        image.write(data, filter=pikepdf.Name.FlateDecode, type_check=False)
    else:
        image.write(data, filter=pikepdf.Name.DCTDecode, type_check=False)
        # Pillow writes CMYK JPEGs the Adobe way, inverted.
        image.Decode = pikepdf.Array([1, 0] * 4)
    image.ColorSpace = pikepdf.Name.DeviceCMYK
    image.BitsPerComponent = 8


def _converted(image: Any, source: bytes, profile: Path, lossless: bool) -> bytes:
    """The picture in CMYK through the press profile: zlib-compressed samples, or a JPEG."""
    rgb = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
    cmyk = _transform(source, profile).apply(rgb)
    if lossless:
        return zlib.compress(cmyk.tobytes(), 6)
    buffer = io.BytesIO()
    cmyk.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


@lru_cache(maxsize=4)
def _transform(source: bytes, profile: Path) -> ImageCms.ImageCmsTransform:
    """The transform from a picture's profile (`source`, b"" for sRGB) to the press
    `profile`, made once for the pictures that share it (17 ms each: the press profile
    read and its tables built)."""
    return ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(source)) if source else ImageCms.createProfile("sRGB"),
        str(profile),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def _is_rgb(space: Any) -> bool:
    if space == "/DeviceRGB":
        return True
    if isinstance(space, pikepdf.Array) and len(space) >= 2:
        kind = space[0]
        if kind == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if kind == "/Indexed":
            return _is_rgb(space[1])
    return False


def _source_profile(space: Any) -> bytes:
    """The picture's own ICC profile (an ICCBased space), else b"" for sRGB."""
    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased":
        return bytes(space[1].read_bytes())
    return b""
