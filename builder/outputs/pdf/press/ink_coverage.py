"""The highest total ink (C + M + Y + K, in %) on each page of a print file, measured on
Ghostscript's CMYK rendering of it (Debian's `ghostscript`)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from PIL import Image, ImageMath

from builder.util.parallel import shares_of

# Coarse on purpose: a total-ink limit is about areas (backgrounds, dark pictures), and the
# whole interior renders in a few seconds at this resolution.
RESOLUTION_DPI = 50
PAGES_A_RENDER = 20  # fewer pages are drawn by one Ghostscript process


def ghostscript() -> str | None:
    return shutil.which("gs")


def max_ink_on_pages(pdf: Path, pages: Sequence[int], text: bool = True) -> dict[int, float]:
    """{page: total ink in % of its darkest pixel (inside the bleed)} for `pages` (from 1),
    with their text drawn, or without it (`vector_ink` measures it from its colours).

    The pages are rendered in as many Ghostscript processes as there are cores, each a
    share of the pages: the preflight runs after both editions are written, when the cores
    are free.
    """
    with rendering(pdf, pages, text) as inks:
        return inks()


@contextlib.contextmanager
def rendering(
    pdf: Path, pages: Sequence[int], text: bool = True
) -> Iterator[Callable[[], dict[int, float]]]:
    """`max_ink_on_pages` started: Ghostscript draws `pages` while the block runs, and the
    function it is given waits for it and returns their inks (a preflight walks the other
    pages meanwhile). Leaving the block stops what is still drawing."""
    if not pages:
        yield dict
        return
    gs = ghostscript()
    if gs is None:
        raise FileNotFoundError("gs")
    shares = [[pages[i] for i in share] for share in shares_of(len(pages), PAGES_A_RENDER)]
    with tempfile.TemporaryDirectory(prefix="ink-") as folder:
        renders = [_render(gs, pdf, n, share, Path(folder), text)
                   for n, share in enumerate(shares)]  # fmt: skip

        def inks() -> dict[int, float]:
            for render in renders:
                _unused, error = render.communicate()
                if render.returncode != 0:
                    raise subprocess.CalledProcessError(render.returncode, gs, stderr=error)
            drawn = sorted(Path(folder).glob("r*.tif"))  # shares in order, pages in order
            ordered = [page for share in shares for page in share]
            return {page: _max_total(path) for page, path in zip(ordered, drawn, strict=True)}

        try:
            yield inks
        finally:
            for render in renders:
                if render.poll() is None:
                    render.kill()
                    render.communicate()


def _render(
    gs: str, pdf: Path, share: int, pages: list[int], folder: Path, text: bool
) -> subprocess.Popen[bytes]:
    """Ghostscript drawing `pages` in CMYK into `folder` (without their text but for
    `text`: -dFILTERTEXT), started."""
    listed = ",".join(_ranges(pages))
    output = f"-sOutputFile={folder}/r{share:03d}-%05d.tif"  # shares sort in page order
    command = [gs, "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-dUseBleedBox",
               *([] if text else ["-dFILTERTEXT"]), f"-sPageList={listed}",
               f"-r{RESOLUTION_DPI}", "-sDEVICE=tiff32nc", output, str(pdf)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ranges(pages: list[int]) -> list[str]:
    """Sorted page numbers as Ghostscript's page list: runs of pages as `first-last`."""
    runs: list[list[int]] = []
    for page in pages:
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return [f"{first}-{last}" if last > first else str(first) for first, last in runs]


def _max_total(path: Path) -> float:
    with Image.open(path) as image:
        c, m, y, k = image.convert("CMYK").split()
        total = ImageMath.lambda_eval(
            lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k
        )
        highest = total.getextrema()[1]
    return round(float(highest) / 255 * 100, 1)
