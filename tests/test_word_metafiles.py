"""A vector picture (EMF/WMF) from Word is exported large enough to print at 300 ppi across the
page (issue 29, item 8), not at the 96 dpi LibreOffice draws a page for the screen."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURES
from PIL import Image

from builder.authoring.word.word_formats import MAX_METAFILE_SCALE, metafiles_as_png
from builder.load.images import PRINT_DPI

DRAWING = FIXTURES / "word" / "sources" / "so-do.emf"


def _width(print_width_px: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        (png,) = metafiles_as_png([DRAWING.read_bytes()], ".emf", Path(scratch), print_width_px)
    assert png is not None
    with Image.open(io.BytesIO(png)) as picture:
        return picture.width


def test_a_metafile_is_drawn_for_print(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))  # converted here, not kept
    screen = _width(0)
    page_width = round(145 / 25.4 * PRINT_DPI)  # a 145 mm wide text block at 300 ppi
    printed = _width(page_width)
    assert screen < page_width / 3  # the drawing is small on its page
    assert printed >= min(page_width, screen * MAX_METAFILE_SCALE) * 0.97
    assert printed <= page_width * 1.02
