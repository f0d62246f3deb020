"""Reading a built PDF back with pypdf and pikepdf: boxes, fonts, text by page, outline,
link targets."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pikepdf
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


def layout_texts(path: Path) -> list[str]:
    """The text of every page (pdftotext -layout: the columns and indents show)."""
    pages = len(PdfReader(path).pages)
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]  # fmt: skip


def link_targets(path: Path) -> list[tuple[int, str]]:
    """(page, target) of every link: the page index a GoTo or a /Dest lands on, or the
    address of a URI link."""
    targets = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") != pikepdf.Name.Link:
                    continue
                action = annotation.get("/A")
                if action is not None and action.get("/S") == pikepdf.Name.URI:
                    targets.append((number, str(action.URI)))
                    continue
                dest = action.D if action is not None and "/D" in action else annotation.Dest
                targets.append((number, _dest_page(pdf, dest)))
    return targets


def _dest_page(pdf: pikepdf.Pdf, dest: pikepdf.Object) -> str:
    """The page index a destination lands on, named destinations looked up."""
    if isinstance(dest, pikepdf.String):
        names = pdf.Root.Names.Dests.Names
        dest = dict(zip([str(n) for n in names[::2]], names[1::2], strict=True))[str(dest)]
    return str(pdf.pages.index(pikepdf.Page(dest[0])))
