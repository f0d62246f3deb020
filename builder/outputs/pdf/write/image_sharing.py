"""One copy of each picture in PDFs joined page after page (`pdf_join`): a picture two units
show (the same photograph in two models) is embedded by each unit; the join keeps the first
and points the other's pages at it, as a single WeasyPrint pass embeds it once.

Two images are the same when their bytes and their dictionaries are (a soft mask compared
as the same image); an image whose dictionary names other objects (an ICC profile) is kept
as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pikepdf
from pikepdf import Dictionary, Name, Pdf

_SKIPPED = ("/Length", "/SMask")


def share_images(pdf: Pdf) -> None:
    """Every image XObject of `pdf`'s pages (and of the forms they draw) replaced by the
    first one with the same bytes and dictionary."""
    first: dict[bytes, pikepdf.Object] = {}
    for xobjects in _xobject_dicts(pdf):
        for name, xobject in list(xobjects.items()):
            if xobject.get("/Subtype") == Name.Image:
                xobjects[name] = _shared(xobject, first)


def _shared(image: pikepdf.Object, first: dict[bytes, pikepdf.Object]) -> pikepdf.Object:
    digest = hashlib.sha256(image.read_raw_bytes())
    for key in sorted(image.keys()):
        value = image[key]
        if key == "/SMask":
            value = image.SMask = _shared(value, first)
            digest.update(f"{key}{value.objgen}".encode())
        elif key not in _SKIPPED:
            if _names_objects(value):
                return image
            written = value.unparse() if isinstance(value, pikepdf.Object) else repr(value).encode()
            digest.update(key.encode() + written)
    return first.setdefault(digest.digest(), image)


def _names_objects(value: object) -> bool:
    if not isinstance(value, pikepdf.Object):
        return False
    if value.is_indirect:
        return True
    if isinstance(value, pikepdf.Array):
        return any(_names_objects(item) for item in value)
    if isinstance(value, Dictionary):
        return any(_names_objects(item) for item in value.values())
    return False


def _xobject_dicts(pdf: Pdf) -> Iterator[pikepdf.Object]:
    """The /XObject dictionaries of the pages' resources and of their forms', each once."""
    seen: set[tuple[int, int]] = set()
    resources = [page.obj.get("/Resources") for page in pdf.pages]
    while resources:
        found = resources.pop()
        if not isinstance(found, Dictionary) or "/XObject" not in found:
            continue
        xobjects = found.XObject
        if xobjects.is_indirect:
            if xobjects.objgen in seen:
                continue
            seen.add(xobjects.objgen)
        yield xobjects
        for xobject in xobjects.values():
            if xobject.get("/Subtype") == Name.Form and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                resources.append(xobject.get("/Resources"))
