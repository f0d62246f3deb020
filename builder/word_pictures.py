"""The pictures of an imported Word document, saved in the book's images/ folder.

Each is named after the model plus a short hash of its bytes: two districts' “Báo cáo.docx”
never share a name, and importing the same document again reuses the pictures already saved.
A picture the book cannot show is converted (EMF/WMF through LibreOffice, BMP/TIFF with
Pillow) or, failing that, left as a visible TODO at its place.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from builder.i18n import _
from builder.word_formats import metafiles_as_png

TODO_ALT = "TODO: mô tả bức ảnh cho người không nhìn thấy"
REFUSED = "TODO: bức ảnh ở đây không chuyển được ({kind}); hãy chụp hoặc lưu lại thành JPEG/PNG"
KEPT = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
TOKEN = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(word-picture-(\d+)\)")


@dataclass(slots=True)
class Pictures:
    """The pictures mammoth meets, in order; each placed as `word-picture-N` until named."""

    found: list[bytes] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def mammoth_image(self, image: Any) -> dict[str, str]:
        with image.open() as stream:
            self.found.append(stream.read())
        return {"src": f"word-picture-{len(self.found) - 1}", "alt": image.alt_text or TODO_ALT}

    def place(self, body: str, slug: str, folder: Path, scratch: Path) -> str:
        """`body` with each picture saved in `folder` and named, or replaced by a TODO."""
        kinds = [_kind(data) for data in self.found]
        ready: list[tuple[bytes, str] | None] = [None] * len(self.found)
        for suffix in (".emf", ".wmf"):
            numbers = [n for n, kind in enumerate(kinds) if kind == suffix[1:].upper()]
            converted = metafiles_as_png([self.found[n] for n in numbers], suffix, scratch)
            for number, png in zip(numbers, converted, strict=True):
                ready[number] = (png, ".png") if png else None
        for number, (data, kind) in enumerate(zip(self.found, kinds, strict=True)):
            if kind in KEPT:
                ready[number] = (data, KEPT[kind])
            elif kind not in ("EMF", "WMF", ""):
                ready[number] = (_as_png(data), ".png")
        names: dict[int, str] = {}
        for number, picture in enumerate(ready):
            if picture is None:
                kind = kinds[number] or "?"
                self.problems.append(
                    _("picture {number} ({kind}) could not be converted; a TODO marks its "
                      "place").format(number=number + 1, kind=kind)
                )  # fmt: skip
                continue
            names[number] = _saved(folder, slug, *picture)

        def replace(match: re.Match[str]) -> str:
            number = int(match.group(2))
            if number in names:
                return f"![{match.group(1)}](../images/{names[number]})"
            return REFUSED.format(kind=kinds[number] or "?")

        return TOKEN.sub(replace, body)


def _kind(data: bytes) -> str:
    """JPEG, PNG, …, EMF or WMF, from the bytes; "" for what no reader knows."""
    if data[40:44] == b" EMF":
        return "EMF"
    if data[:4] in (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00"):
        return "WMF"
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            return picture.format or ""
    except (UnidentifiedImageError, OSError):
        return ""


def _as_png(data: bytes) -> bytes:
    with PILImage.open(io.BytesIO(data)) as picture:
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        return buffer.getvalue()


def _saved(folder: Path, slug: str, data: bytes, suffix: str) -> str:
    """The picture's name in `folder`: `<slug>-<hash><suffix>`, written unless already there."""
    digest = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    for length in (8, 16, 64):
        name = f"{slug}-{digest[:length]}{suffix}"
        path = folder / name
        if path.is_file() and path.read_bytes() == data:
            return name
        if not path.exists():
            with path.open("xb") as picture:  # never over a picture already there
                picture.write(data)
            return name
    raise FileExistsError(folder / f"{slug}-{digest}{suffix}")
