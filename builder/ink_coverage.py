"""The highest total ink (C + M + Y + K, in %) on each page of a print file, measured on
Ghostscript's CMYK rendering of it (Debian's `ghostscript`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
from PIL import Image, ImageMath

# Coarse on purpose: a total-ink limit is about areas (backgrounds, dark pictures), and the
# whole interior renders in a few seconds at this resolution.
RESOLUTION_DPI = 50


def ghostscript() -> str | None:
    return shutil.which("gs")


def max_ink_per_page(pdf: Path) -> list[float]:
    """Total ink in % of the darkest pixel of each page (inside the bleed).

    The pages are rendered in as many Ghostscript processes as there are cores, each a
    range of pages: the interior of a 100-model book is 400 pages, and the preflight runs
    after both editions are written, when the cores are free.
    """
    gs = ghostscript()
    if gs is None:
        raise FileNotFoundError("gs")
    with pikepdf.open(pdf) as document:
        count = len(document.pages)
    parts = max(1, min(os.cpu_count() or 1, count // 20))
    ranges = [(count * n // parts + 1, count * (n + 1) // parts) for n in range(parts)]
    with tempfile.TemporaryDirectory(prefix="ink-") as folder:
        renders = [_render(gs, pdf, first, last, Path(folder)) for first, last in ranges]
        for render in renders:
            _unused, error = render.communicate()
            if render.returncode != 0:
                raise subprocess.CalledProcessError(render.returncode, gs, stderr=error)
        return [_max_total(path) for path in sorted(Path(folder).glob("r*.tif"))]


def _render(gs: str, pdf: Path, first: int, last: int, folder: Path) -> subprocess.Popen[bytes]:
    """Ghostscript drawing pages `first` to `last` in CMYK into `folder`, started."""
    pages = [f"-dFirstPage={first}", f"-dLastPage={last}"]
    output = f"-sOutputFile={folder}/r{first:05d}-%05d.tif"  # ranges sort in page order
    command = [gs, "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dUseBleedBox", *pages,
               f"-r{RESOLUTION_DPI}", "-sDEVICE=tiff32nc", output, str(pdf)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _max_total(path: Path) -> float:
    with Image.open(path) as image:
        c, m, y, k = image.convert("CMYK").split()
        total = ImageMath.lambda_eval(
            lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k
        )
        highest = total.getextrema()[1]
    return round(float(highest) / 255 * 100, 1)
