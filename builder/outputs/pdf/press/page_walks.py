"""Each page's preflight walk and rendered ink kept in `render.sqlite` (`preflight-pages`),
so that the preflight of a build after one model changed walks and renders only the pages
that changed.

A page has two digests (`PageDigest`). `drawn` covers its dictionary (but /Parent) and
every object it reaches: content streams and forms (their raw bytes), fonts with their
programs, pictures with their data, graphic states, colour spaces, its boxes: its ink as
rendered with its text is kept under it. `walked` is the same without what a walk does not
read: the text its content streams show (the glyphs and spacing of `TJ`, `Tj`, `'` and `"`)
and the fonts' widths and Unicode maps. Its walk is kept under it, and its ink as rendered
without its text (`vector_ink`), so that the pages after an edit, whose folios alone
changed, are neither walked nor rendered again. Object numbers are left out (they move when
another page changes), so the same page drawn again has the same digests. Both also hold
the code's version and the Ghostscript program that renders the ink.
A walk is kept with its page number taken out (`renumbered`), and put back at its place.
`Walk` is what a walk found (`preflight.walk`): of one page, or folded over many.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import pickle
import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pikepdf

from builder.outputs.pdf.press import ink_coverage
from builder.outputs.pdf.press.print_colour import hides_tokens
from builder.util.cache import code_version
from builder.util.render_cache import render_cache

_KEPT_AT = 0  # the page number a kept walk carries


@dataclass(slots=True)
class Walk:
    """What a walk over the content streams, forms and pictures of some pages found."""

    operators: Counter[str] = field(default_factory=Counter)
    spaces: Counter[str] = field(default_factory=Counter)  # colour spaces named or used
    images: Counter[str] = field(default_factory=Counter)  # pictures by colour space
    interpolated: int = 0
    lowest_ppi: tuple[float, int] | None = None  # (ppi, page)
    fonts: dict[str, str] = field(default_factory=dict)  # base name → font subtype
    unembedded: set[str] = field(default_factory=set)
    page_ink: dict[int, float] = field(default_factory=dict)  # page → ink of what it paints
    to_render: set[int] = field(default_factory=set)  # pages whose ink only a render gives
    text_ink: dict[int, float] = field(default_factory=dict)  # page → ink of its text
    text_to_render: set[int] = field(default_factory=set)  # pages rendered with their text
    rendered: dict[int, float] | None = None  # their ink, rendered (`preflight.walk_file`)

    def add(self, other: Walk) -> None:
        """Fold in the walk of the pages after this one's."""
        self.operators.update(other.operators)
        self.spaces.update(other.spaces)
        self.images.update(other.images)
        self.interpolated += other.interpolated
        if other.lowest_ppi is not None and (
            self.lowest_ppi is None or other.lowest_ppi[0] < self.lowest_ppi[0]
        ):
            self.lowest_ppi = other.lowest_ppi
        self.fonts.update(other.fonts)
        self.unembedded |= other.unembedded
        self.page_ink.update(other.page_ink)
        self.to_render |= other.to_render
        self.text_ink.update(other.text_ink)
        self.text_to_render |= other.text_to_render


@dataclass(frozen=True, slots=True)
class PageDigest:
    drawn: str  # everything the page is drawn from: its rendered ink is kept under it
    walked: str  # the same but the text it shows: its walk is kept under it


def page_digests(pdf: pikepdf.Pdf, pages: Iterable[int] | None = None) -> list[PageDigest]:
    """The digests of `pages` of `pdf` (indexes from 0; all of them by default), in order
    (each shared object hashed once)."""
    memo: dict[tuple[int, int], tuple[bytes, bytes]] = {}
    version = _version()
    found = []
    for index in pages if pages is not None else range(len(pdf.pages)):
        drawn, walked = _digest(pdf.pages[index].obj, memo, set())
        found.append(PageDigest(hashlib.sha256(version + drawn).hexdigest(),
                                hashlib.sha256(version + walked).hexdigest()))  # fmt: skip
    return found


def kept_walks(
    digests: Sequence[PageDigest], pages: Sequence[int] | None = None
) -> dict[int, Walk]:
    """{page index: its walk, numbered as page index + 1} of the pages kept before; the
    digests are those of `pages` (indexes from 0; all of the file's by default)."""
    store = render_cache()
    found: dict[int, Walk] = {}
    for index, digest in zip(
        pages if pages is not None else range(len(digests)), digests, strict=True
    ):
        data = store.get(f"preflight-page:{digest.walked}")
        if data is None:
            continue
        try:
            walk = pickle.loads(data)  # written by this same code (the digest's version)
        except Exception:  # a damaged row: walk the page again
            continue
        if isinstance(walk, Walk):
            found[index] = renumbered(walk, _KEPT_AT, index + 1)
    return found


def keep_walks(digests: Sequence[PageDigest], walks: dict[int, Walk]) -> None:
    """Keep the walks of pages just walked ({page index: walk})."""
    render_cache().put(
        [
            (f"preflight-page:{digests[index].walked}",
             pickle.dumps(renumbered(walk, index + 1, _KEPT_AT)))
            for index, walk in walks.items()
        ]
    )  # fmt: skip


def kept_inks(digests: Mapping[int, PageDigest], text: bool = False) -> dict[int, float]:
    """{page: its rendered ink} of the pages (numbered from 1, with their `digests`)
    rendered before: without their text (under their `walked` digest), or with it."""
    store = render_cache()
    found: dict[int, float] = {}
    for page, digest in digests.items():
        data = store.get(_ink_key(digest, text))
        with contextlib.suppress(ValueError, TypeError):
            found[page] = float((data or b"").decode("ascii"))
    return found


def keep_inks(
    digests: Mapping[int, PageDigest], inks: Mapping[int, float], text: bool = False
) -> None:
    """Keep the rendered ink of pages just rendered ({page: ink}, with their `digests`
    by page), without their text or with it."""
    render_cache().put(
        [(_ink_key(digests[page], text), repr(ink).encode("ascii")) for page, ink in inks.items()]
    )


def _ink_key(digest: PageDigest, text: bool) -> str:
    """A page's rendered ink is kept under all it is drawn from, or without its text under
    what its walk reads (the same digest as its walk)."""
    return f"preflight-ink:{digest.drawn}" if text else f"preflight-ink-untexted:{digest.walked}"


def renumbered(walk: Walk, old: int, new: int) -> Walk:
    """A one-page walk of page `old` as the walk of page `new` (the fields that hold no page
    number are shared with `walk`)."""

    def moved(page: int) -> int:
        return new if page == old else page

    return dataclasses.replace(
        walk,
        lowest_ppi=None if walk.lowest_ppi is None
        else (walk.lowest_ppi[0], moved(walk.lowest_ppi[1])),
        page_ink={moved(page): ink for page, ink in walk.page_ink.items()},
        to_render={moved(page) for page in walk.to_render},
        text_ink={moved(page): ink for page, ink in walk.text_ink.items()},
        text_to_render={moved(page) for page in walk.text_to_render},
    )  # fmt: skip


@functools.cache
def _version() -> bytes:
    """The code's version and Ghostscript's: the program (its path, size and time) and the
    version it reports (its library, which draws, comes from another package)."""
    digest = hashlib.sha256(code_version("preflight-pages"))
    program = ink_coverage.ghostscript()
    if program is not None:
        info = os.stat(os.path.realpath(program))
        digest.update(f"{program}|{info.st_size}|{info.st_mtime_ns}".encode())
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            said = subprocess.run([program, "--version"], capture_output=True, timeout=30)
            digest.update(said.stdout)
    return digest.digest()


def _digest(
    value: Any, memo: dict[tuple[int, int], tuple[bytes, bytes]], path: set[tuple[int, int]],
    content: bool = False,
) -> tuple[bytes, bytes]:  # fmt: skip
    """The digests, drawn and walked, of a PDF object and all it reaches (dictionaries but
    for /Parent); `content`: it is (or holds) a page's content streams."""
    objgen = value.objgen if isinstance(value, pikepdf.Object) else (0, 0)
    if objgen != (0, 0):
        if objgen in memo:
            return memo[objgen]
        if objgen in path:
            return b"cycle", b"cycle"  # a page's annotation pointing back at it
        path = path | {objgen}
    drawn, walked = hashlib.sha256(), hashlib.sha256()
    if isinstance(value, pikepdf.Stream):
        entries = _entries(value, memo, path)
        data = value.read_raw_bytes()
        drawn.update(b"stream" + entries[0] + data)
        shown = content or value.get("/Subtype") == pikepdf.Name.Form
        walked.update(b"stream" + entries[1] + (_text_left_out(value) if shown else data))
    elif isinstance(value, pikepdf.Dictionary):
        entries = _entries(value, memo, path)
        drawn.update(b"dict" + entries[0])
        walked.update(b"dict" + entries[1])
    elif isinstance(value, pikepdf.Array):
        drawn.update(b"array")
        walked.update(b"array")
        written = b"" if value.is_indirect else value.unparse()
        if written and b" R" not in written:  # no object named: its text (a font's widths)
            drawn.update(written)
            walked.update(written)
            return drawn.digest(), walked.digest()
        for item in value:
            if isinstance(item, int | Decimal):
                drawn.update(_said(item))
                walked.update(_said(item))
                continue
            one, other = _digest(item, memo, path, content)
            drawn.update(one)
            walked.update(other)
    else:
        if isinstance(value, pikepdf.String):  # its bytes: repr shows some bytes alike
            written = b"string:" + bytes(value)
        else:
            written = type(value).__name__.encode() + b":" + repr(value).encode()
        drawn.update(written)
        walked.update(written)
    found = drawn.digest(), walked.digest()
    if objgen != (0, 0):
        memo[objgen] = found
    return found


def _entries(
    value: Any, memo: dict[tuple[int, int], tuple[bytes, bytes]], path: set[tuple[int, int]]
) -> tuple[bytes, bytes]:
    drawn, walked = hashlib.sha256(), hashlib.sha256()
    for key in sorted(value.keys()):
        if key == "/Parent":
            continue
        item = value[key]
        if isinstance(item, int | Decimal):
            one = other = _said(item)
        else:
            one, other = _digest(item, memo, path, key == "/Contents")
        drawn.update(key.encode() + b"\0" + one)
        if key not in _GLYPHS_SHOWN:
            walked.update(key.encode() + b"\0" + other)
    return drawn.digest(), walked.digest()


def _said(number: int | Decimal) -> bytes:
    """A number as a digest holds it, without hashing it alone (most of a page's items)."""
    return b"%s:%s;" % (type(number).__name__.encode(), str(number).encode())


# What a font says of the glyphs the text shows, which a walk does not read either (a unit
# whose folio gained a digit has that digit's width added, `folio_rewrite`), and a
# stream's length, which its bytes give.
_GLYPHS_SHOWN = frozenset({"/W", "/W2", "/Widths", "/ToUnicode", "/Length"})


# The operands of the text-showing operators as WeasyPrint writes them: hex strings, and
# arrays of hex strings and numbers. A stream where such bytes could hide in another token
# (`print_colour.hides_tokens`) keeps its text.
_SHOWN_TEXT = re.compile(rb"(?:\[[^\[\]]*\]|<[0-9A-Fa-f\s]*>)\s*(?=TJ|Tj|'|\")")


def _text_left_out(stream: pikepdf.Stream) -> bytes:
    """A content stream's instructions with the text it shows left out (`walked`)."""
    try:
        data = stream.read_bytes()
    except pikepdf.PdfError:  # a filter pikepdf cannot decode: all of it counts
        return b"raw:" + stream.read_raw_bytes()
    if hides_tokens(data):
        return b"decoded:" + data
    return b"shown left out:" + _SHOWN_TEXT.sub(b"", data)
