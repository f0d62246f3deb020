"""A typographic cover drawn at build time from book.yaml (title, subtitle, author, colours)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from builder.book.model import BookConfig
from builder.render.fonts import book_fonts
from builder.render.templating import balanced_lines

WIDTH, HEIGHT = 1600, 2400


def cover_png(config: BookConfig) -> bytes:
    """The cover as PNG bytes, the same design as the printed cover."""
    colours = config.pdf.colours
    image = Image.new("RGB", (WIDTH, HEIGHT), colours.cover_background)
    draw = ImageDraw.Draw(image)
    faces = {(font.weight, font.style): str(font.path) for font in book_fonts()}
    bold = ImageFont.truetype(faces[(700, "normal")], 118)
    italic = ImageFont.truetype(faces[(400, "italic")], 72)
    small = ImageFont.truetype(faces[(400, "normal")], 46)
    foreground, accent = colours.cover_foreground, colours.cover_accent

    _centred(draw, config.author.upper(), small, 230, foreground, tracking=6)
    title_lines = balanced_lines(config.title, 28)
    while max(draw.textlength(line, font=bold) for line in title_lines) > WIDTH - 200:
        bold = ImageFont.truetype(faces[(700, "normal")], int(bold.size * 0.92))
    line_height = 150
    top = HEIGHT // 2 - (len(title_lines) * line_height) // 2 - 60
    draw.line([(WIDTH / 2 - 130, top - 70), (WIDTH / 2 + 130, top - 70)], fill=accent, width=6)
    for number, line in enumerate(title_lines):
        _centred(draw, line, bold, top + number * line_height, foreground)
    bottom = top + len(title_lines) * line_height + 40
    if config.subtitle:
        _centred(draw, config.subtitle, italic, bottom, foreground)
        bottom += 110
    draw.line(
        [(WIDTH / 2 - 130, bottom + 40), (WIDTH / 2 + 130, bottom + 40)], fill=accent, width=6
    )
    _centred(draw, config.colophon.publisher, small, HEIGHT - 260, foreground)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _centred(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont,
    top: int,
    fill: str,
    tracking: int = 0,
) -> None:
    """Draw `text` centred on the cover, with `tracking` extra pixels between letters."""
    if not text:
        return
    advances = [draw.textlength(char, font=font) + tracking for char in text]
    left = (WIDTH - (sum(advances) - tracking)) / 2
    if not tracking:
        draw.text((left, top), text, font=font, fill=fill)
        return
    for char, advance in zip(text, advances, strict=True):
        draw.text((left, top), char, font=font, fill=fill)
        left += advance
