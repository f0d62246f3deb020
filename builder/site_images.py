"""Pictures for the website: resized variants (480/960/1600 px) in WebP with a JPEG or PNG
fallback, made with Pillow once and cached by content under `.cache/images/`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage

from builder.model import Image
from builder.publish import link_or_copy

WIDTHS = (480, 960, 1600)
SIZES = "(min-width: 44rem) 40rem, 100vw"  # the text column is at most 40rem wide
CACHE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Variant:
    name: str  # file name inside images/
    width: int
    height: int
    mime: str


@dataclass(frozen=True, slots=True)
class Responsive:
    """What the site shows for one picture: the fallback file and every variant."""

    image: Image
    fallback: Variant
    variants: tuple[Variant, ...]

    def srcset(self, prefix: str, mime: str) -> str:
        return ", ".join(f"{prefix}{v.name} {v.width}w" for v in self.variants if v.mime == mime)


def responsive(image: Image, folder: Path, cache: Path) -> tuple[Responsive, list[Path]]:
    """Write the variants of `image` into `folder` (from the cache when it has them)."""
    stem = Path(image.output_name).stem
    fallback_format = "PNG" if image.output_name.endswith(".png") else "JPEG"
    fallback_ext = ".png" if fallback_format == "PNG" else ".jpg"
    widths = [w for w in WIDTHS if w < image.width] + [min(image.width, WIDTHS[-1])]
    digest = hashlib.sha256(image.source.read_bytes() + CACHE_VERSION.encode()).hexdigest()[:16]
    variants: list[Variant] = []
    written: list[Path] = []
    picture: PILImage.Image | None = None
    try:
        for width in sorted(set(widths)):
            height = round(image.height * width / image.width)
            for fmt, ext, mime in (
                ("WEBP", ".webp", "image/webp"),
                (fallback_format, fallback_ext, f"image/{fallback_format.lower()}"),
            ):
                name = f"{stem}-{width}{ext}"
                cached = cache / "images" / f"{digest}-{width}{ext}"
                if not cached.is_file():
                    if picture is None:
                        picture = PILImage.open(image.source)
                        picture.load()
                    _save(picture, width, height, fmt, cached)
                (folder / name).unlink(missing_ok=True)
                link_or_copy(cached, folder / name)  # a hard link from the cache: no copy
                written.append(folder / name)
                variants.append(Variant(name, width, height, mime))
    finally:
        if picture is not None:
            picture.close()
    fallbacks = [v for v in variants if v.mime != "image/webp"]
    fallback = next((v for v in fallbacks if v.width >= 960), fallbacks[-1])
    return Responsive(image, fallback, tuple(variants)), written


def _save(picture: PILImage.Image, width: int, height: int, fmt: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    resized = picture.convert(
        "RGBA" if fmt == "PNG" and picture.mode in ("RGBA", "LA", "P") else "RGB"
    )
    if resized.width != width:
        resized = resized.resize((width, height), PILImage.Resampling.LANCZOS)
    partial = target.with_suffix(target.suffix + ".part")
    options: dict[str, dict[str, int | bool]] = {
        "WEBP": {"quality": 80, "method": 4},
        "JPEG": {"quality": 82, "optimize": True, "progressive": True},
        "PNG": {"optimize": True},
    }
    resized.save(partial, fmt, **options[fmt])
    partial.replace(target)
