"""What a delegate wrote on the screen PDF: notes, highlights, underlines, strike-outs and
free text, with the words they mark, each placed in the model whose pages they are on.

The screen PDF names every model's first page (`mo-hinh-<slug>`, a named destination), so
a page belongs to the last model, part or index that starts at or before it; this holds
for the PDF the delegate had, even after the book changed. A PDF that lost its names
(printed to PDF again) is placed through the page map of the build (`print-pages.json`),
by the folio of each page.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pypdf
from pypdf.generic import DictionaryObject

from builder.reviews import UNPLACED, Comment, Reply, comment_id

KINDS = {
    "/Text": "note",
    "/Highlight": "highlight",
    "/Underline": "underline",
    "/Squiggly": "underline",
    "/StrikeOut": "strikeout",
    "/FreeText": "freetext",
}
MODEL_PREFIX = "mo-hinh-"
PDF_DATE = re.compile(
    r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?"
)


class Encrypted(Exception):
    """The PDF needs a password to be read."""


@dataclass(frozen=True, slots=True)
class _Line:
    """A run of text on the page as pypdf reports it: its start, size and words."""

    x: float
    y: float  # baseline
    size: float
    text: str


def pdf_comments(path: Path, page_map: dict[str, int]) -> list[tuple[str, Comment]]:
    """(model slug or `_unplaced`, comment) for every annotation a delegate made."""
    reader = pypdf.PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Encrypted
    labels = list(reader.page_labels)
    model_of = _model_finder(reader, labels, page_map)
    found: dict[Any, tuple[str, Comment]] = {}
    replies: list[tuple[Any, Reply]] = []
    for index, page in enumerate(reader.pages):
        annotations = page.get("/Annots")
        if not annotations:
            continue
        lines: list[_Line] | None = None
        for reference in annotations.get_object():
            annotation = reference.get_object()
            kind = KINDS.get(str(annotation.get("/Subtype", "")))
            if kind is None:
                continue
            author, date = _string(annotation, "/T"), _iso(_string(annotation, "/M"))
            text = _string(annotation, "/Contents").strip()
            if "/IRT" in annotation:  # a reply: kept with the annotation it answers
                replies.append((_key(annotation.raw_get("/IRT")), Reply(author, date, text)))
                continue
            quoted = ""
            if "/QuadPoints" in annotation:
                lines = lines if lines is not None else _lines(page)
                quoted = _marked_text(lines, [float(value) for value in annotation["/QuadPoints"]])
            slug = model_of(index)
            label = labels[index] if index < len(labels) else str(index + 1)
            comment = Comment(
                id=comment_id(f"pdf:{kind}", author, date, slug, quoted, text),
                kind=kind,
                author=author,
                date=date,
                source=path.name,
                where=f"trang {label}",
                text=text,
                quoted=quoted,
            )
            found[_key(reference)] = (slug, comment)
    for parent_key, reply in replies:
        if parent_key in found:
            slug, comment = found[parent_key]
            found[parent_key] = (slug, replace(comment, replies=(*comment.replies, reply)))
    return list(found.values())


def _model_finder(
    reader: pypdf.PdfReader, labels: list[str], page_map: dict[str, int]
) -> Callable[[int], str]:
    """Page index → the slug of the model it belongs to, or `_unplaced` (the cover, the
    contents, a part's opener, the indexes)."""
    starts: list[tuple[int, int, str]] = []  # (page index, 1 for a model, anchor)
    for name, destination in reader.named_destinations.items():
        if "--" in name:  # a section inside a model or a page
            continue
        number = reader.get_destination_page_number(destination)
        if number is not None:
            starts.append((number, int(name.startswith(MODEL_PREFIX)), name))
    if not starts and page_map:  # no names left: the folios through the page map
        by_folio = {label: index for index, label in enumerate(labels)}
        for name, folio in page_map.items():
            if str(folio) in by_folio:
                page = by_folio[str(folio)]
                starts.append((page, int(name.startswith(MODEL_PREFIX)), name))
    starts.sort()

    def model_of(index: int) -> str:
        current = ""
        for page, _is_model, name in starts:
            if page > index:
                break
            current = name
        return current.removeprefix(MODEL_PREFIX) if current.startswith(MODEL_PREFIX) else UNPLACED

    return model_of


def _lines(page: pypdf.PageObject) -> list[_Line]:
    """The page's runs of text with their start point in page space."""
    lines: list[_Line] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3] + tm[2] * cm[1]) or abs(tm[0] * cm[0]) or 1.0
        lines.append(_Line(x, y, size * scale, text))

    page.extract_text(visitor_text=visit)
    return lines


def _marked_text(lines: list[_Line], quads: list[float]) -> str:
    """The words under the marked quadrilaterals (eight numbers each), in their order.

    A word counts when its middle falls inside a quadrilateral whose height holds the
    line's baseline. Word positions are estimated from the typeface's widths; a line that
    nearly fills the column is taken as justified, its spaces widened to reach the column's
    right edge (the furthest any line of that size reaches).
    """
    right_edges: dict[float, float] = {}
    for line in lines:
        end = line.x + _natural_width(line.text, line.size)
        right_edges[line.size] = max(right_edges.get(line.size, end), end)
    left_edge = min((line.x for line in lines), default=0.0)
    words: list[str] = []
    for start in range(0, len(quads) - 7, 8):
        xs, ys = quads[start : start + 8 : 2], quads[start + 1 : start + 8 : 2]
        left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
        for line in lines:
            if not bottom - 1 <= line.y <= top:
                continue
            edge = right_edges[line.size]
            full = line.x + _natural_width(line.text, line.size) >= edge - JUSTIFIED * (
                edge - left_edge
            )
            for word, middle in _word_middles(line, edge if full else None):
                if left <= middle <= right:
                    words.append(word)
    return " ".join(words)


JUSTIFIED = 0.1  # a line within this share of the column's width from its edge is justified


def _natural_width(text: str, size: float) -> float:
    widths = _advance_widths()
    return sum(widths.get(char, 0.5) for char in text) * size


def _word_middles(line: _Line, edge: float | None) -> list[tuple[str, float]]:
    """Each word of the line with the estimated x of its middle; `edge`: where the line
    ends when it is justified."""
    words = line.text.split(" ")
    space = _natural_width(" ", line.size) or 0.25 * line.size
    if edge is not None and len(words) > 1:
        natural = _natural_width(line.text, line.size)
        space += max(edge - line.x - natural, 0) / (len(words) - 1)
    x = line.x
    found = []
    for word in words:
        width = _natural_width(word, line.size)
        if word:
            found.append((word, x + width / 2))
        x += width + space
    return found


@lru_cache(maxsize=1)
def _advance_widths() -> dict[str, float]:
    """Advance widths of the book's typeface in ems, by character; none (0.5 em for every
    letter) when it is not installed."""
    from fontTools.ttLib import TTFont

    from builder.fonts import book_fonts
    from builder.problems import BuildError

    try:
        regular = book_fonts()[0].path
    except BuildError:
        return {}
    font = TTFont(regular, lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {chr(code): metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def _key(reference: Any) -> Any:
    """An annotation's object number (what a reply's /IRT names)."""
    return getattr(reference, "idnum", id(reference))


def _string(annotation: DictionaryObject, key: str) -> str:
    value = annotation.get(key)
    return str(value.get_object()) if value is not None else ""


def _iso(value: str) -> str:
    """A PDF date (`D:20261203101500+07'00'`) as ISO 8601 in UTC; as given when it is not one."""
    found = PDF_DATE.match(value)
    if not found:
        return value
    year, month, day, hour, minute, second, sign, off_h, off_m = found.groups()
    when = datetime.datetime(
        int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
        int(second or 0), tzinfo=datetime.UTC,
    )  # fmt: skip
    if sign in ("+", "-"):
        offset = datetime.timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        when -= offset if sign == "+" else -offset
    return when.isoformat().replace("+00:00", "Z")
