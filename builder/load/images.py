"""Finding the pictures an entry names, refusing any outside the book, naming them uniquely."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from builder.book.model import Image
from builder.book.vietnamese import format_number, slugify
from builder.util.i18n import _

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


PRINT_DPI = 200
TEXT_BLOCK_MARGINS_MM = 35  # inner 20 + outer 15, as the print stylesheet sets them
MAX_FIGURE_HEIGHT_MM = 85


def placed_width_mm(image: Image, trim_width_mm: float) -> float:
    """How wide the printed book sets `image`: the text block, or less for a tall picture."""
    return min(
        trim_width_mm - TEXT_BLOCK_MARGINS_MM,
        MAX_FIGURE_HEIGHT_MM * image.width / max(image.height, 1),
    )


def print_resolution(image: Image, trim_width_mm: float) -> int:
    """Dots per inch of `image` at the size the printed book places it."""
    return round(image.width / (placed_width_mm(image, trim_width_mm) / 25.4))


class ImageProblem(Exception):
    def __init__(self, message: str, hint: str = "", code: str = "bad-image") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


@dataclass(slots=True)
class ImageCatalog:
    """Every picture used by the book, so each is read once and named once."""

    root: Path
    _by_source: dict[Path, tuple[str, int, int]] = field(default_factory=dict)
    pictures: tuple[Path, ...] | None = None  # every picture file of the book, if known
    _clashing: set[str] | None = None

    def find(self, src: str, entry_dir: Path) -> Path:
        """The file `src` names, relative to the entry or to the book folder. A body picture's
        address arrives percent-encoded from the Markdown parser (`%E1%BA%A3nh%20d.jpg`):
        it names the file `ảnh d.jpg`."""
        if "%" in src and not (entry_dir / src).exists() and not (self.root / src).exists():
            src = unicodedata.normalize("NFC", unquote(src))
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
            raise ImageProblem(
                _("image “{src}” is not a file of the book").format(src=src),
                _("copy the picture into content/images/ and name it by its path"),
                code="image-not-a-file",
            )
        if src.startswith(("/", "\\")) or not src.strip():
            raise ImageProblem(
                _("image path “{src}” must be relative").format(src=src),
                _("write it relative to the entry, like ../images/photo.jpg"),
                code="image-not-relative",
            )
        root = self.root.resolve()
        for base in (entry_dir, self.root):
            candidate = (base / src).resolve()
            if candidate.is_file():
                if not candidate.is_relative_to(root):
                    raise ImageProblem(
                        _("image “{src}” is outside the book folder").format(src=src),
                        _("copy the picture into content/images/"),
                        code="image-outside-book",
                    )
                return candidate
        raise ImageProblem(
            _("image file “{src}” not found").format(src=src),
            _("check the spelling; paths are relative to the entry's folder"),
            code="image-not-found",
        )

    def image(self, path: Path, alt: str, caption: str = "", credit: str = "") -> Image:
        """Read the picture's size once and give it a unique, ASCII output name."""
        if path not in self._by_source:
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                raise ImageProblem(
                    _("“{name}” is not a supported picture").format(name=path.name),
                    _("use JPEG, PNG, WebP or GIF"),
                    code="image-format",
                )
            try:
                picture = _open_header(path)
                with picture:
                    width, height = picture.size
                    kind = picture.format or ""
                    _check_size(path, width, height)
                    picture.verify()
            except (UnidentifiedImageError, OSError, SyntaxError) as exc:
                raise ImageProblem(
                    _("“{name}” cannot be read as a picture ({error})").format(
                        name=path.name, error=exc
                    ),
                    _("open it in an image editor and save it again"),
                    code="bad-image",
                ) from exc
            _check_format(path, kind)
            self._by_source[path] = (self._unique_name(path), width, height)
        name, width, height = self._by_source[path]
        return Image(path, name, width, height, alt, caption, credit)

    def _unique_name(self, path: Path) -> str:
        """The picture's name in the outputs: its own, made ASCII, unless another picture of
        the book would get the same; then both carry a hash of their path. The rule does not
        depend on the order pictures are met in, so entries can be loaded one at a time."""
        name = _output_name(path)
        if self._clashing is None:
            seen: set[str] = set()
            self._clashing = set()
            others = picture_files(self.root) if self.pictures is None else self.pictures
            for other in others:
                other_name = _output_name(other)
                (self._clashing if other_name in seen else seen).add(other_name)
        if name in self._clashing:
            digest = hashlib.sha256(str(path.relative_to(self.root.resolve())).encode())
            name = f"{slugify(path.stem) or 'image'}-{digest.hexdigest()[:8]}{Path(name).suffix}"
        return name


# Pictures the outputs can lay out: phones take up to about 50 megapixels; a panorama is rarely
# wider than 6 to 1. Beyond these, resizing for the site and laying out the PDF break down.
MAX_PIXELS = 80_000_000  # below Pillow's own bomb warning (89 million)
MAX_SIDE = 20_000
MAX_ASPECT = 10
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}


def _open_header(path: Path) -> PILImage.Image:
    """The picture, of which only the header is read yet: its size is checked against our
    limits (which name it) before Pillow's own bomb check would stop with no size."""
    limit = PILImage.MAX_IMAGE_PIXELS
    PILImage.MAX_IMAGE_PIXELS = None
    try:
        return PILImage.open(path)
    finally:
        PILImage.MAX_IMAGE_PIXELS = limit


def _check_size(path: Path, width: int, height: int) -> None:
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise _too_large(path, width, height)
    if max(width, height) > MAX_ASPECT * max(min(width, height), 1):
        raise ImageProblem(
            _("“{name}” is {width} × {height} pixels: a strip too narrow to lay out").format(
                name=path.name, width=format_number(width), height=format_number(height)
            ),
            _("crop it to at most {ratio} times as long as it is wide").format(ratio=MAX_ASPECT),
            code="image-too-narrow",
        )


def _too_large(path: Path, width: int = 0, height: int = 0) -> ImageProblem:
    size = (
        _("{width} × {height} pixels").format(
            width=format_number(width), height=format_number(height)
        )
        if width
        else ""
    )
    return ImageProblem(
        _("“{name}” is too large ({size}); pictures of up to {megapixels} megapixels and "
          "{side} pixels a side are supported").format(
            name=path.name, size=size or _("over {megapixels} megapixels").format(
                megapixels=MAX_PIXELS // 1_000_000), megapixels=MAX_PIXELS // 1_000_000,
            side=format_number(MAX_SIDE)),
        _("scale it down in an image editor (3 000 pixels a side is plenty)"),
        code="image-too-large",
    )  # fmt: skip


def _check_format(path: Path, kind: str) -> None:
    """The content decides, not the name: a TIFF named .jpg would be declared JPEG."""
    expected = FORMATS[path.suffix.lower()]
    if kind != expected:
        raise ImageProblem(
            _("“{name}” is a {format} picture with the ending of a {expected}").format(
                name=path.name, format=kind or "?", expected=expected
            ),
            _("open it in an image editor and save it as JPEG, PNG, WebP or GIF"),
            code="image-format",
        )


def picture_files(root: Path) -> tuple[Path, ...]:
    """Every picture file under the book folder, in a stable order."""
    found = (
        Path(folder) / name
        for folder, _folders, names in os.walk(root)  # unreadable folders are passed over
        for name in names
        if Path(name).suffix.lower() in IMAGE_SUFFIXES
    )
    return tuple(sorted((path for path in found if path.is_file()), key=str))


def _output_name(path: Path) -> str:
    suffix = ".jpg" if path.suffix.lower() == ".jpeg" else path.suffix.lower()
    return (slugify(path.stem) or "image") + suffix
