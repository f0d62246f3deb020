"""Finding the pictures an entry names, refusing any outside the book, naming them uniquely."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from builder.i18n import _
from builder.model import Image
from builder.vietnamese import slugify

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
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(slots=True)
class ImageCatalog:
    """Every picture used by the book, so each is read once and named once."""

    root: Path
    _by_source: dict[Path, tuple[str, int, int]] = field(default_factory=dict)
    pictures: tuple[Path, ...] | None = None  # every picture file of the book, if known
    _clashing: set[str] | None = None

    def find(self, src: str, entry_dir: Path) -> Path:
        """The file `src` names, relative to the entry or to the book folder."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
            raise ImageProblem(
                _("image “{src}” is not a file of the book").format(src=src),
                _("copy the picture into content/images/ and name it by its path"),
            )
        if src.startswith(("/", "\\")) or not src.strip():
            raise ImageProblem(
                _("image path “{src}” must be relative").format(src=src),
                _("write it relative to the entry, like ../images/photo.jpg"),
            )
        root = self.root.resolve()
        for base in (entry_dir, self.root):
            candidate = (base / src).resolve()
            if candidate.is_file():
                if not candidate.is_relative_to(root):
                    raise ImageProblem(
                        _("image “{src}” is outside the book folder").format(src=src),
                        _("copy the picture into content/images/"),
                    )
                return candidate
        raise ImageProblem(
            _("image file “{src}” not found").format(src=src),
            _("check the spelling; paths are relative to the entry's folder"),
        )

    def image(self, path: Path, alt: str, caption: str = "", credit: str = "") -> Image:
        """Read the picture's size once and give it a unique, ASCII output name."""
        if path not in self._by_source:
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                raise ImageProblem(
                    _("“{name}” is not a supported picture").format(name=path.name),
                    _("use JPEG, PNG, WebP or GIF"),
                )
            try:
                with PILImage.open(path) as picture:
                    width, height = picture.size
                    picture.verify()
            except (UnidentifiedImageError, OSError, SyntaxError) as exc:
                raise ImageProblem(
                    _("“{name}” cannot be read as a picture ({error})").format(
                        name=path.name, error=exc
                    ),
                    _("open it in an image editor and save it again"),
                ) from exc
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


def picture_files(root: Path) -> tuple[Path, ...]:
    """Every picture file under the book folder, in a stable order."""
    found = (path for path in root.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES)
    return tuple(sorted((path for path in found if path.is_file()), key=str))


def _output_name(path: Path) -> str:
    suffix = ".jpg" if path.suffix.lower() == ".jpeg" else path.suffix.lower()
    return (slugify(path.stem) or "image") + suffix
