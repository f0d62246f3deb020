"""Where the builder keeps what makes rebuilds fast (`.cache/`, or BUILDER_CACHE), what keys
each thing kept there, and how big it may grow: every file there may be deleted at any time.

One scheme for them all: a thing is kept under its content and the version of the code that
makes it (`code_version`: the source of the modules named in CACHES and the versions of their
libraries), so an edit of that code or an upgrade of a library misses the cache, and no
number has to be raised by hand. `cache_report()` says how much each one holds.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from builder.util.paths import PACKAGE


@dataclass(frozen=True, slots=True)
class Cache:
    place: str  # the file or folder under the cache folder
    code: tuple[str, ...]  # the modules (or whole packages) that make what is kept
    libraries: tuple[str, ...]  # the distributions they make it with
    keyed_by: str  # what, besides the code's version, a thing is kept by
    max_bytes: int | None = None  # past it, it starts again, empty; None: grows with the book


CACHES: dict[str, Cache] = {
    "render": Cache(
        "render.sqlite",
        ("builder.render.markdown", "builder.util.render_cache"),
        ("markdown-it-py", "mdit-py-plugins"),
        "each Markdown body (per output) and its search text: the Markdown, how its pictures "
        "are shown",
        max_bytes=1 << 30,  # every edit adds rows
    ),
    "load": Cache(
        "render.sqlite",  # its `kept` table, beside the rendered Markdown
        ("builder",),  # every module and the message catalogue: any of them may change a check
        ("pyyaml", "markdown-it-py", "mdit-py-plugins", "pillow", "babel"),
        "each model file's check: its bytes and path, book.yaml, every picture's name, time "
        "and size, the message language and the folder",
    ),
    "messages": Cache(
        "messages",
        ("builder.util.i18n",),
        ("babel",),
        "the message catalogue as Babel read it: the .po file's bytes",
    ),
    "templates": Cache(
        "templates",
        ("builder.render.templating",),  # the environment's options shape the compiled code
        ("jinja2",),
        "the templates compiled to Python code: each template's source (Jinja's own check)",
    ),
    "qr-codes": Cache(
        "render.sqlite",  # its `kept` table
        ("builder.outputs.pdf.output",),
        ("zxing-cpp",),
        "the printed book's QR codes: the model's web address",
    ),
    "preflight-pages": Cache(
        "render.sqlite",  # its `kept` table
        (
            "builder.outputs.pdf.press.preflight",
            "builder.outputs.pdf.press.vector_ink",
            "builder.outputs.pdf.press.ink_coverage",
            "builder.outputs.pdf.press.page_walks",
        ),
        ("pikepdf", "pillow"),
        "each print page's preflight walk and rendered ink: a digest of everything the page "
        "is drawn from, and the Ghostscript program",
    ),
    "press-colours": Cache(
        "render.sqlite",  # its `kept` table
        ("builder.outputs.pdf.press.print_colour",),
        ("pikepdf",),
        "each print page's content in press colours: the content's bytes and the book's "
        "colours for the press",
    ),
    "site-images": Cache(
        "images",
        ("builder.outputs.site.site_images",),
        ("pillow",),
        "the website's resized pictures: the picture's bytes",
    ),
    "press-images": Cache(
        "press-images",
        ("builder.outputs.pdf.press.print_colour",),
        ("pillow", "pikepdf"),
        "the print file's pictures in CMYK: the picture's bytes and both colour profiles",
    ),
    "pdf-units": Cache(
        "pdf-units",
        ("builder.outputs.pdf.layout", "builder.outputs.pdf.write"),
        ("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2", "pillow"),
        "the PDF's units as laid out and written: the unit's HTML, the bytes of the files it "
        "names, the side it starts on and the width of each of its folios; the joined "
        "book's typeface subsets: the typeface file and the glyphs",
        max_bytes=2 << 30,  # every edit adds the units it changed
    ),
    "fonts": Cache(
        "fonts",
        ("builder.render.fonts",),
        ("fonttools",),
        "the typeface subsets of the site and the EPUB: the typeface file, the book's characters",
    ),
    "metafiles": Cache(
        "metafiles",
        ("builder.authoring.word.word_formats",),
        (),
        "EMF and WMF pictures of imported Word files as PNG: the picture's bytes",
    ),
    "site-pages": Cache(
        "site-pages",
        ("builder.outputs.site", "builder.render", "builder.book"),  # and the site's templates
        # Pagefind too: a shard kept from the last build is merged with new ones, by the
        # first shard's WebAssembly, so every shard must come from the same version.
        ("jinja2", "markdown-it-py", "mdit-py-plugins", "pillow", "fonttools", "pagefind-bin"),
        "what the last build into each output folder rendered each page of its site from, "
        "so the next one links the pages whose inputs did not change",
    ),
    "builds": Cache(
        "builds",
        (),
        (),
        "what each output folder was last built from (the book's files, the code, the "
        "options): a build with nothing changed writes nothing",
    ),
    "search": Cache(
        "pagefind",
        (),
        (),
        "Pagefind's index files: Pagefind names them by their content and skips those there",
    ),
    "serve": Cache(
        "serve",
        (),
        (),
        "nothing: a folder for each `builder serve` process's site, removed when it stops",
    ),
}


def cache_dir() -> Path:
    return Path(os.environ.get("BUILDER_CACHE", ".cache"))


def cache_path(name: str) -> Path:
    """Where the cache `name` of CACHES lives (a folder, or render.sqlite)."""
    return cache_dir() / CACHES[name].place


@cache
def code_version(name: str) -> bytes:
    """A digest of the code that makes what the cache `name` keeps: the source of its modules
    (every .py and .po file of a package) and the versions of its libraries. Part of every
    key of that cache, so that a change of either misses it."""
    digest = hashlib.sha256(name.encode())
    for module in CACHES[name].code:
        where = PACKAGE.parent.joinpath(*module.split("."))
        files = (
            sorted([*where.rglob("*.py"), *where.rglob("*.po")])
            if where.is_dir()
            else [where.with_suffix(".py")]
        )
        for path in files:
            digest.update(path.read_bytes())
    digest.update("|".join(version(library) for library in CACHES[name].libraries).encode())
    return digest.digest()


def cache_report() -> list[tuple[str, Path, int]]:
    """Each place of the cache folder, what it keeps and its size in bytes (0: none yet)."""
    report = []
    for place in dict.fromkeys(kind.place for kind in CACHES.values()):
        path = cache_dir() / place
        names = ", ".join(name for name, kind in CACHES.items() if kind.place == place)
        report.append((names, path, _size(path)))
    return report


def _size(path: Path) -> int:
    if path.is_file():  # with SQLite's journal beside it
        return sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal", "-shm")
            if Path(f"{path}{suffix}").is_file()
        )
    if not path.is_dir():
        return 0
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
