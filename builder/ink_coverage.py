"""The highest total ink (C + M + Y + K, in %) on each page of a print file, measured on
Ghostscript's CMYK rendering of it (Debian's `ghostscript`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageMath

# Coarse on purpose: a total-ink limit is about areas (backgrounds, dark pictures), and the
# whole interior renders in a few seconds at this resolution.
RESOLUTION_DPI = 50


def ghostscript() -> str | None:
    return shutil.which("gs")


def max_ink_per_page(pdf: Path) -> list[float]:
    """Total ink in % of the darkest pixel of each page (inside the bleed)."""
    gs = ghostscript()
    if gs is None:
        raise FileNotFoundError("gs")
    with tempfile.TemporaryDirectory(prefix="ink-") as folder:
        subprocess.run(
            [gs, "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dUseBleedBox",
             f"-r{RESOLUTION_DPI}", "-sDEVICE=tiff32nc",
             f"-sOutputFile={folder}/p%05d.tif", str(pdf)],
            check=True, capture_output=True,
        )  # fmt: skip
        return [_max_total(path) for path in sorted(Path(folder).glob("p*.tif"))]


def _max_total(path: Path) -> float:
    with Image.open(path) as image:
        c, m, y, k = image.convert("CMYK").split()
        total = ImageMath.lambda_eval(
            lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k
        )
        highest = total.getextrema()[1]
    return round(float(highest) / 255 * 100, 1)
