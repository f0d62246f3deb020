"""The print package's cover spread: back cover, spine and front cover on one sheet, the
spine as wide as the interior is thick, the ISBN as an EAN-13 barcode on the back.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.book.isbn import isbn_digits, isbn_problem
from builder.book.model import Book, Cmyk
from builder.outputs.pdf.press import barcode
from builder.render.templating import environment

SPINE_FONT_PT = 9  # the spine's text size; it needs `print.spine_text_min_mm` of spine


@dataclass(frozen=True, slots=True)
class CoverSize:
    """The spread's measures in millimetres, from the interior's page count."""

    trim_width: float
    trim_height: float
    spine: float
    bleed: float

    @property
    def width(self) -> float:
        """The spread's trimmed width: back, spine, front."""
        return 2 * self.trim_width + self.spine


def cover_size(book: Book, interior_pages: int) -> CoverSize:
    """Spine = leaves × caliper: each leaf is two pages."""
    config = book.config
    spine = round(interior_pages / 2 * config.print.paper_caliper_mm, 2)
    return CoverSize(
        config.pdf.trim_width_mm, config.pdf.trim_height_mm, spine, config.print.cover_bleed_mm
    )


def css_colour(rgb: str, cmyk: Cmyk | None) -> str:
    """A book colour for the press: `device-cmyk()` when book.yaml gives it in CMYK."""
    if cmyk is None:
        return rgb
    return "device-cmyk({})".format(" ".join(f"{v / 100:g}" for v in cmyk))


def cover_html(book: Book, size: CoverSize, font_faces: str, date_iso: str) -> str:
    config = book.config
    colours, cmyk = config.pdf.colours, config.pdf.colours_print
    env = environment("pdf")
    isbn = config.colophon.isbn
    bars: dict[str, Any] | None = None
    if isbn and isbn_problem(isbn) is None:
        digits = isbn_digits(isbn)
        svg = barcode.ean13_svg(digits).encode()
        bars = {
            "digits": digits,
            "svg": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
        }
    modules = barcode.QUIET_LEFT + 95 + barcode.QUIET_RIGHT
    css = env.get_template("cover.css").render(
        cmyk_profile=config.print.profile.as_uri(),
        width=size.width,
        trim_width=size.trim_width,
        trim_height=size.trim_height,
        spine=size.spine,
        bleed=size.bleed,
        spine_font=SPINE_FONT_PT,
        cover_background=css_colour(colours.cover_background, cmyk.cover_background),
        cover_foreground=css_colour(colours.cover_foreground, cmyk.cover_foreground),
        cover_accent=css_colour(colours.cover_accent, cmyk.cover_accent),
        paper="device-cmyk(0 0 0 0)",
        black="device-cmyk(0 0 0 1)",
        module=barcode.MODULE_MM,
        barcode_width=round(modules * barcode.MODULE_MM, 3),
        barcode_height=barcode.BAR_HEIGHT_MM + barcode.GUARD_EXTRA_MM,
    )
    back_text = [p.strip() for p in config.print.back_cover_text.split("\n\n") if p.strip()]
    spread = {
        "back_text": back_text,
        "price": config.print.price,
        "barcode": bars,
        "spine_text": size.spine >= config.print.spine_text_min_mm,
    }
    return env.get_template("cover.html").render(
        book=config, css=css, font_faces=font_faces, date_iso=date_iso, spread=spread
    )


def render_cover(book: Book, size: CoverSize, font_faces: str, date_iso: str, path: Path,
                 identifier: bytes) -> None:  # fmt: skip
    """Write the spread as PDF/X-4 (colours and marks are finished by the caller)."""
    from weasyprint import HTML

    html = cover_html(book, size, font_faces, date_iso)
    document = HTML(string=html, base_url=str(book.root.resolve())).render()
    document.write_pdf(path, pdf_variant="pdf/x-4", pdf_identifier=identifier)
