"""Each page's preflight walk and rendered ink kept in `render.sqlite` (`preflight-pages`),
by a digest of everything the page is drawn from, so that the preflight of a build after
one model changed walks and renders only the pages that changed.

A page's digest covers its dictionary (but /Parent) and every object it reaches: content
streams and forms (their raw bytes), fonts with their programs, pictures with their data,
graphic states, colour spaces, its boxes. Object numbers are left out (they move when
another page changes), so the same page drawn again has the same digest. What a walk is
kept under also holds the code's version and the Ghostscript program that rendered its ink.
A page is kept with its number taken out (`renumbered`), and put back at its place.
`Walk` is what a walk found (`preflight.walk`): of one page, or folded over many.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import pickle
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from builder.outputs.pdf.press import ink_coverage
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
    rendered: dict[int, float] | None = None  # their ink, rendered; None: no Ghostscript

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
        if self.rendered is not None:
            self.rendered = None if other.rendered is None else {**self.rendered, **other.rendered}


def page_digests(pdf: pikepdf.Pdf) -> list[str]:
    """The digest of each page of `pdf`, in order (each shared object hashed once)."""
    memo: dict[tuple[int, int], bytes] = {}
    version = _version()
    return [
        hashlib.sha256(version + _digest(page.obj, memo, set())).hexdigest() for page in pdf.pages
    ]


def kept_walks(digests: Sequence[str]) -> dict[int, Walk]:
    """{page index: its walk, numbered as page index + 1} of the pages kept before."""
    store = render_cache()
    found: dict[int, Walk] = {}
    for index, digest in enumerate(digests):
        data = store.get(f"preflight-page:{digest}")
        if data is None:
            continue
        try:
            walk = pickle.loads(data)  # written by this same code (the digest's version)
        except Exception:  # a damaged row: walk the page again
            continue
        if isinstance(walk, Walk):
            found[index] = renumbered(walk, _KEPT_AT, index + 1)
    return found


def keep_walks(digests: Sequence[str], walks: dict[int, Walk]) -> None:
    """Keep the walks of pages just walked ({page index: walk}); not one whose ink could
    not be rendered (no Ghostscript): the next build tries again."""
    render_cache().put(
        [
            (f"preflight-page:{digests[index]}",
             pickle.dumps(renumbered(walk, index + 1, _KEPT_AT)))
            for index, walk in walks.items()
            if walk.rendered is not None
        ]
    )  # fmt: skip


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
        rendered=None if walk.rendered is None
        else {moved(page): ink for page, ink in walk.rendered.items()},
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


def _digest(value: Any, memo: dict[tuple[int, int], bytes], path: set[tuple[int, int]]) -> bytes:
    """The digest of a PDF object and all it reaches (dictionaries but for /Parent)."""
    objgen = value.objgen if isinstance(value, pikepdf.Object) else (0, 0)
    if objgen != (0, 0):
        if objgen in memo:
            return memo[objgen]
        if objgen in path:
            return b"cycle"  # a page's annotation pointing back at it
        path = path | {objgen}
    digest = hashlib.sha256()
    if isinstance(value, pikepdf.Stream):
        digest.update(b"stream")
        digest.update(_entries(value, memo, path))
        digest.update(value.read_raw_bytes())
    elif isinstance(value, pikepdf.Dictionary):
        digest.update(b"dict")
        digest.update(_entries(value, memo, path))
    elif isinstance(value, pikepdf.Array):
        digest.update(b"array")
        for item in value:
            digest.update(_digest(item, memo, path))
    elif isinstance(value, pikepdf.String):  # its bytes: repr shows some bytes alike
        digest.update(b"string:" + bytes(value))
    else:
        digest.update(type(value).__name__.encode() + b":" + repr(value).encode())
    found = digest.digest()
    if objgen != (0, 0):
        memo[objgen] = found
    return found


def _entries(value: Any, memo: dict[tuple[int, int], bytes], path: set[tuple[int, int]]) -> bytes:
    digest = hashlib.sha256()
    for key in sorted(value.keys()):
        if key == "/Parent":
            continue
        digest.update(key.encode() + b"\0" + _digest(value[key], memo, path))
    return digest.digest()
