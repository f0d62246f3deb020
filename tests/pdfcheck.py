"""Reading a built PDF back with pypdf: boxes, fonts, text by page, outline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader

MM = 72 / 25.4


def fonts(reader: PdfReader) -> set[str]:
    """Base names of every font the pages use, without the subset prefix."""
    names = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


def embedded(reader: PdfReader) -> bool:
    """Every font program is inside the file."""
    for page in reader.pages:
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


def page_texts(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


def outline_titles(items: list[Any]) -> list[Any]:
    return [outline_titles(item) if isinstance(item, list) else item.title for item in items]
