"""The pictures of an imported Word document, checked as `check` will and saved in the
book's images/ folder.

Each is named after the model plus a short hash of its bytes: two districts' “Báo cáo.docx”
never share a name, and importing the same document again reuses the pictures already saved.
A picture the book cannot show is converted (EMF/WMF through LibreOffice, BMP/TIFF with
Pillow) or, failing that, left as a visible TODO at its place.

A picture `check` refuses (too large, a thin strip) or would print blurred is named once at
import with what to do, and kept: it is what the district sent, and `check` names it again at
its line until it is replaced, so it cannot reach print unnoticed (left out, it would be
forgotten behind a TODO that only `--strict` stops).

Word 2007/2010 store a picture's original path as its description (`wp:docPr/@descr`):
`F:\\Bao cao\\IMG_0042.JPG`, a temporary `clip_image002.jpg`. A description that is a path or a
file's name is no description: the picture gets the alt text TODO, and the report names it.

`prepare` (conversions and checks, in the scratch folder) comes before the book is touched;
`place` writes, under the book's lock, and `remove_written` takes back what `place` wrote
when the model itself could not be written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from builder.authoring.new_entry import made_folder
from builder.authoring.word.word_formats import metafiles_as_png
from builder.load.checks.invisible import clean_title
from builder.load.images import MAX_PIXELS, PRINT_DPI, ImageCatalog, ImageProblem, print_resolution
from builder.util.files import write_whole
from builder.util.i18n import _

TODO_ALT = "TODO: mô tả bức ảnh cho người không nhìn thấy"
REFUSED = "TODO: bức ảnh ở đây không chuyển được ({kind}); hãy chụp hoặc lưu lại thành JPEG/PNG"
KEPT = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
# A drive (`F:\`), a backslash, an absolute or relative path, a file's extension, or a
# camera's name for the shot (IMG_0042, DSC01234, PXL_2023…, P1010001, 20230415_093012).
FILE_NAME = re.compile(
    r"""^[a-z]:[\\/] | \\ | ^(~|\.{1,2})?/ | ^file: | ^\S*/\S*$
      | \.(jpe?g|jfif|png|gif|bmp|dib|tiff?|emf|wmf|webp|hei[cf]|svg|docx?|pdf)$
      | ^(img|dsc[nf]?|pxl|mvimg|pict?|clip_image|image|photo|screenshot)[ _-]?\d+[\d_ -]*$
      | ^p\d{7}$ | ^\d{8}[ _-]\d{6}""",
    re.IGNORECASE | re.VERBOSE,
)
TOKEN = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(word-picture-(\d+)\)")


@dataclass(slots=True)
class Pictures:
    """The pictures mammoth meets, in order; each placed as `word-picture-N` until named."""

    found: list[bytes] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ready: list[tuple[bytes, str] | None] = field(default_factory=list)  # bytes, suffix
    kinds: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # by this import, not found there

    def mammoth_image(self, image: Any) -> dict[str, str]:
        with image.open() as stream:
            self.found.append(stream.read())
        alt = (image.alt_text or "").strip()
        if FILE_NAME.search(alt):
            self.problems.append(
                _("picture {number}: its description “{path}” is a file's name, not a "
                  "description: a TODO asks for one").format(
                    number=len(self.found), path=clean_title(alt))
            )  # fmt: skip
            alt = ""
        return {"src": f"word-picture-{len(self.found) - 1}", "alt": alt or TODO_ALT}

    def prepare(self, slug: str, scratch: Path, trim_width_mm: float) -> None:
        """Convert what the book cannot show and check each picture as `check` will; the
        problems, once per picture, go to `problems`. Nothing is written in the book."""
        self.kinds = [_kind(data) for data in self.found]
        self.ready = [None] * len(self.found)
        for suffix in (".emf", ".wmf"):
            numbers = [n for n, kind in enumerate(self.kinds) if kind == suffix[1:].upper()]
            converted = metafiles_as_png(
                [self.found[n] for n in numbers], suffix, scratch,
                print_width_px=round(trim_width_mm / 25.4 * PRINT_DPI),
            )  # fmt: skip
            for number, png in zip(numbers, converted, strict=True):
                self.ready[number] = (png, ".png") if png else None
        for number, (data, kind) in enumerate(zip(self.found, self.kinds, strict=True)):
            if kind in KEPT:
                self.ready[number] = (data, KEPT[kind])
            elif kind not in ("EMF", "WMF", ""):
                png = _as_png(data)
                self.ready[number] = (png, ".png") if png else None
        for number, picture in enumerate(self.ready):
            if picture is None:
                self.problems.append(
                    _("picture {number} ({kind}) could not be converted; a TODO marks its "
                      "place").format(number=number + 1, kind=self.kinds[number] or "?")
                )  # fmt: skip
        self._check(slug, scratch, trim_width_mm)

    def _check(self, slug: str, scratch: Path, trim_width_mm: float) -> None:
        """`check`'s own picture checks (builder/load/images.py), on a copy in `scratch` under the
        name the picture will have; a picture used twice is named once."""
        folder = scratch / "checked-pictures"
        folder.mkdir(exist_ok=True)
        catalog = ImageCatalog(folder, pictures=())
        seen: set[str] = set()
        for number, picture in enumerate(self.ready, start=1):
            if picture is None or (name := _name(slug, *picture)) in seen:
                continue
            seen.add(name)
            (folder / name).write_bytes(picture[0])
            try:
                image = catalog.image(folder / name, "")
            except ImageProblem as problem:
                self.problems.append(
                    _("picture {number}: {problem}; {hint}, or ask the district for the "
                      "original photo").format(number=number, problem=problem.message,
                                               hint=problem.hint)
                )  # fmt: skip
                continue
            dpi = print_resolution(image, trim_width_mm)
            if dpi < PRINT_DPI:
                self.problems.append(
                    _("picture {number}: “{name}” would print at {dpi} dpi ({needed} needed); "
                      "ask the district for the original photo").format(
                        number=number, name=name, dpi=dpi, needed=PRINT_DPI)
                )  # fmt: skip

    def place(self, body: str, slug: str, folder: Path) -> str:
        """`body` with each picture saved in `folder` and named, or replaced by a TODO.
        Call it under the book's lock: a picture found there may be another import's."""
        names: dict[int, str] = {}
        for number, picture in enumerate(self.ready):
            if picture is not None:
                made_folder(folder)
                names[number] = self._saved(folder, slug, *picture)

        def replace(match: re.Match[str]) -> str:
            number = int(match.group(2))
            if number in names:
                return f"![{match.group(1)}](../images/{names[number]})"
            return REFUSED.format(kind=self.kinds[number] or "?")

        return TOKEN.sub(replace, body)

    def remove_written(self) -> None:
        """Take back the pictures `place` wrote: their model could not be written."""
        for path in self.written:
            with contextlib.suppress(OSError):
                path.unlink()
        self.written.clear()

    def _saved(self, folder: Path, slug: str, data: bytes, suffix: str) -> str:
        """The picture's name in `folder`: `<slug>-<hash><suffix>`, written whole unless the
        same picture is already there; never over another picture."""
        for length in (8, 16, 64):
            name = _name(slug, data, suffix, length)
            path = folder / name
            if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
                return name
            if not path.exists() and not path.is_symlink():
                write_whole(path, data)
                self.written.append(path)
                return name
        raise FileExistsError(folder / _name(slug, data, suffix, 64))


def _name(slug: str, data: bytes, suffix: str, length: int = 8) -> str:
    return f"{slug}-{hashlib.sha256(data).hexdigest()[:length]}{suffix}"


def _kind(data: bytes) -> str:
    """JPEG, PNG, …, EMF or WMF, from the bytes; "" for what no reader knows."""
    if data[40:44] == b" EMF":
        return "EMF"
    if data[:4] in (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00"):
        return "WMF"
    try:
        with _header(data) as picture:
            return picture.format or ""
    except (UnidentifiedImageError, OSError):
        return ""


def _header(data: bytes) -> PILImage.Image:
    """The picture, of which only the header is read: a huge one is named by `check`'s own
    size limit, not stopped here by Pillow's bomb guard with a warning on the terminal."""
    limit = PILImage.MAX_IMAGE_PIXELS
    PILImage.MAX_IMAGE_PIXELS = None
    try:
        return PILImage.open(io.BytesIO(data))
    finally:
        PILImage.MAX_IMAGE_PIXELS = limit


def _as_png(data: bytes) -> bytes | None:
    """A BMP, TIFF… as PNG; None when it is too large to convert or cannot be read."""
    try:
        with _header(data) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                return None
            buffer = io.BytesIO()
            picture.save(buffer, "PNG")
            return buffer.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
