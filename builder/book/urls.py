"""The website's addresses, in one place. They are printed in the books' QR codes and cited
by other sites, so they must never change by accident: tests/test_urls.py pins them.

Paths are relative to the site's root (`mo-hinh/hien-dat.html`); `root_of(path)` is the
prefix that leads from a page back to the root (`../`), since every link of the site is
relative (it works from any `base_url` and straight from disk); `absolute()` adds
`base_url` for the sitemap, the feed, canonical links, JSON-LD and the QR codes.
Templates reach this module as `urls`.
"""

from __future__ import annotations

import posixpath

HOME = "index.html"
STATS = "thong-ke.html"
SEARCH = "tim-kiem.html"
DOWNLOADS = "tai-ve.html"
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
FEED = "feed.xml"
LIST_KINDS = ("field", "district", "year")
# A model's file name is its address, printed in QR codes; file systems stop at 255 bytes.
MAX_SLUG = 80
LIST_FOLDERS = {"field": "linh-vuc", "district": "dia-ban", "year": "nam"}
MODEL_FOLDER = "mo-hinh"
# A model's first page in the PDFs and its section in the EPUB (the named destination
# `mo-hinh-<slug>`): the key of the page map (print-pages.json), of the PDF's table of
# contents and of a returned PDF's comments. Spelled here only; templates call
# `urls.model_anchor(entry.slug)`.
MODEL_ANCHOR_PREFIX = "mo-hinh-"
_PAGES = "trang"
_IMAGES = "images"
_DOWNLOAD_FILES = "tai-ve"


def model(slug: str) -> str:
    """A model's page: its file name in `models/` is its permanent address."""
    return f"{MODEL_FOLDER}/{slug}.html"


def short_slug(slug: str) -> str:
    """`slug` cut at a hyphen to at most MAX_SLUG characters."""
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[: MAX_SLUG + 1].rsplit("-", 1)[0]
    return cut if cut else slug[:MAX_SLUG]


def page(slug: str) -> str:
    """A front or back page (foreword, introduction…)."""
    return f"{_PAGES}/{slug}.html"


def listing(kind: str, slug: str) -> str:
    """The list of the models of one field, district or year."""
    return f"{LIST_FOLDERS[kind]}/{slug}.html"


def list_index(kind: str) -> str:
    """The page listing every field, district or year."""
    return f"{LIST_FOLDERS[kind]}/index.html"


def image(name: str) -> str:
    return f"{_IMAGES}/{name}"


def download(name: str) -> str:
    """A book (PDF, EPUB) offered from the downloads page."""
    return f"{_DOWNLOAD_FILES}/{name}"


def root_of(path: str) -> str:
    """The relative prefix from the page at `path` to the site's root: `""` or `"../"`."""
    return "../" * path.count("/")


def relative(source: str, target: str) -> str:
    """The shortest relative link from the page at `source` to `target`."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def absolute(base_url: str, path: str) -> str:
    """The address on the web: the home page is `base_url` itself, not …/index.html."""
    return base_url + ("" if path == HOME else path)


def model_anchor(slug: str) -> str:
    """The id of a model's first page (`mo-hinh-<slug>`), the page map's key for it."""
    return MODEL_ANCHOR_PREFIX + slug
