"""Pictures for the website: resized variants (480/960/1600 px) in WebP with a JPEG or PNG
fallback, made with Pillow once and cached by content under `.cache/images/`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage

from builder.book.model import Image
from builder.util.cache import cache_path, code_version
from builder.util.folder_swap import link_or_copy

WIDTHS = (480, 960, 1600)
SIZES = "(min-width: 44rem) 40rem, 100vw"  # the text column is at most 40rem wide


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


def prepare(images: Iterable[Image]) -> None:
    """Make the variants the cache lacks, several pictures at once: Pillow lets go of the
    interpreter while it resizes and encodes, so threads use every core."""
    unique = {image.source: image for image in images}.values()
    missing = [image for image in unique if not _cached(image)]
    if len(missing) > 1:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(lambda image: _cached(image, make=True), missing))


def responsive(image: Image, folder: Path) -> tuple[Responsive, list[Path]]:
    """Write the variants of `image` into `folder` (from the cache when it has them)."""
    stem = Path(image.output_name).stem
    variants: list[Variant] = []
    written: list[Path] = []
    for variant, cached in _cached(image, make=True):
        name = f"{stem}-{variant.name}"
        (folder / name).unlink(missing_ok=True)
        link_or_copy(cached, folder / name)  # a hard link from the cache: no copy
        written.append(folder / name)
        variants.append(Variant(name, variant.width, variant.height, variant.mime))
    fallbacks = [v for v in variants if v.mime != "image/webp"]
    fallback = next((v for v in fallbacks if v.width >= 960), fallbacks[-1])
    return Responsive(image, fallback, tuple(variants)), written


def _cached(image: Image, *, make: bool = False) -> list[tuple[Variant, Path]]:
    """Each variant of `image` (named by width and extension) and its file in the cache;
    empty when one is missing and `make` is false."""
    fallback_format = "PNG" if image.output_name.endswith(".png") else "JPEG"
    fallback_ext = ".png" if fallback_format == "PNG" else ".jpg"
    widths = [w for w in WIDTHS if w < image.width] + [min(image.width, WIDTHS[-1])]
    info = image.source.stat()
    digest = _digest(image.source, info.st_mtime_ns, info.st_size)
    found: list[tuple[Variant, Path]] = []
    picture: PILImage.Image | None = None
    try:
        for width in sorted(set(widths)):
            height = round(image.height * width / image.width)
            for fmt, ext, mime in (
                ("WEBP", ".webp", "image/webp"),
                (fallback_format, fallback_ext, f"image/{fallback_format.lower()}"),
            ):
                cached = cache_path("site-images") / f"{digest}-{width}{ext}"
                if not cached.is_file():
                    if not make:
                        return []
                    if picture is None:
                        picture = PILImage.open(image.source)
                        picture.load()
                    _save(picture, width, height, fmt, cached)
                found.append((Variant(f"{width}{ext}", width, height, mime), cached))
    finally:
        if picture is not None:
            picture.close()
    return found


@lru_cache(maxsize=4096)
def _digest(source: Path, mtime_ns: int, size: int) -> str:
    """The picture's content hash, read once per process (prepare, then each page using it)."""
    return hashlib.sha256(code_version("site-images") + source.read_bytes()).hexdigest()[:16]


def _save(picture: PILImage.Image, width: int, height: int, fmt: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    resized = picture.convert(
        "RGBA" if fmt == "PNG" and picture.mode in ("RGBA", "LA", "P") else "RGB"
    )
    if resized.width != width:
        resized = resized.resize((width, height), PILImage.Resampling.LANCZOS)
    partial = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.part")
    options: dict[str, dict[str, int | bool]] = {
        "WEBP": {"quality": 80, "method": 4},
        "JPEG": {"quality": 82, "optimize": True, "progressive": True},
        "PNG": {"optimize": True},
    }
    resized.save(partial, fmt, **options[fmt])
    partial.replace(target)
