"""What a delegate wrote on the screen PDF: notes, highlights, underlines, strike-outs and
free text, with the words they mark, each placed in the model whose pages they are on.

The screen PDF names every model's first page (`mo-hinh-<slug>`, a named destination), so
a page belongs to the last model, part or index that starts at or before it; this holds
for the PDF the delegate had, even after the book changed. A PDF that lost its names but
kept the book's page labels (printed to PDF again) is placed through the page map of the
build (`print-pages.json`), by the folio of each page. A PDF that lost both is placed by
its words (`models_by_words`): its page numbers are the file's, not the book's. Given the
models' texts, the words also correct names that were only partly kept, and page labels.

The file is not trusted (`returned_pdf`): the annotations are counted before any is read,
and a field that makes no sense (a date in month 13, a number where text should be, a reply
to nothing) is read as empty or taken apart, for that annotation only.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NumberObject

from builder.book import urls
from builder.load.reviews import UNPLACED, Comment, Reply, comment_id
from builder.outputs.pdf.write.pdf_writing import BOOK_ID_KEY
from builder.review_round.comments.models_by_words import ModelsByWords
from builder.review_round.comments.pdf_marked_text import Line, marked_text, page_lines
from builder.review_round.comments.returned_pdf import Encrypted, opened

__all__ = ["Encrypted", "pdf_comments", "pdf_identity"]

KINDS = {
    "/Text": "note",
    "/Highlight": "highlight",
    "/Underline": "underline",
    "/Squiggly": "underline",
    "/StrikeOut": "strikeout",
    "/FreeText": "freetext",
}
MODEL_PREFIX = urls.MODEL_ANCHOR_PREFIX
PDF_DATE = re.compile(
    r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?"
)
TEXT_MAX = 10_000  # characters of one note kept (a long letter is about 3 000)
QUADS_MAX = 500  # quadrilaterals of one mark read (a page of text is about 50 lines)
NEAR = 40.0  # points above and below a mark where its words are looked for


@dataclass(frozen=True, slots=True)
class _Mark:
    """One annotation as read, before it is placed in a model."""

    page: int
    label: str
    key: Any  # its object number: what a reply's /IRT names
    answers: Any  # the object number it replies to, or None
    kind: str
    author: str
    date: str
    text: str
    quoted: str
    band: tuple[float, float] | None  # its vertical extent on the page


def pdf_comments(
    path: Path, page_map: dict[str, int], models: Mapping[str, str] | None = None
) -> list[tuple[str, Comment]]:
    """(model slug or `_unplaced`, comment) for every annotation a delegate made. `models`
    (slug → the model file's text) places the pages of a PDF that lost the book's names and
    page labels, or some of its names; without it, their comments are unplaced. DocumentRefused
    (`word_formats`) when the file is damaged or holds too many notes; Encrypted when it
    needs a password."""
    with opened(path, KINDS) as reader:
        labels, labelled = _labels(reader)
        lines = _PageLines(reader)
        marks = _marks(reader, labels, lines)
        by_names, whole = _by_names(reader, labels if labelled else [], page_map)
        if by_names is not None and (whole or not models):
            model_of = by_names  # the words would agree, at 0.1 s a page
        else:
            model_of = _by_words(marks, lines, models or {}, by_names)
        return _threads(path, marks, model_of)


def pdf_identity(path: Path) -> tuple[str | None, str | None]:
    """(book title, book id) written into the screen PDF when it was built; None for what
    the file does not carry. DocumentRefused or Encrypted as `pdf_comments`."""
    with opened(path, KINDS) as reader:
        try:
            info: Mapping[str, Any] = reader.metadata or {}
        except Exception:  # a broken document information: no identity, the notes still read
            info = {}
        return _text(info.get("/Title")) or None, _text(info.get(BOOK_ID_KEY)) or None


def _comment(path: Path, mark: _Mark, slug: str, where: str) -> Comment:
    return Comment(
        id=comment_id(f"pdf:{mark.kind}", mark.author, mark.date, slug, mark.quoted, mark.text),
        kind=mark.kind,
        author=mark.author,
        date=mark.date,
        source=path.name,
        where=where,
        text=mark.text,
        quoted=mark.quoted,
    )


def _threads(path: Path, marks: list[_Mark], model_of: Placing) -> list[tuple[str, Comment]]:
    """Each mark placed as a comment, with the replies to it (a reply to an annotation the
    file does not hold is a comment of its own)."""
    by_key = {mark.key: mark for mark in marks}
    roots = {mark.key: _root(mark, by_key) for mark in marks if mark.answers is not None}
    placed: dict[Any, tuple[str, Comment]] = {}
    for mark in marks:
        if roots.get(mark.key) is None:
            slug, where = model_of(mark)
            placed[mark.key] = (slug, _comment(path, mark, slug, where))
    for mark in marks:
        root = roots.get(mark.key)
        if root is not None and root in placed:
            slug, comment = placed[root]
            reply = Reply(mark.author, mark.date, mark.text)
            placed[root] = (slug, replace(comment, replies=(*comment.replies, reply)))
    return list(placed.values())


def _root(mark: _Mark, by_key: dict[Any, _Mark]) -> Any:
    """The key of the annotation a reply's thread starts at; None when the thread leads to
    nothing the file holds, or round in a circle."""
    seen = {mark.key}
    current = mark
    while current.answers is not None:
        if current.answers in seen or current.answers not in by_key:
            return None
        seen.add(current.answers)
        current = by_key[current.answers]
    return current.key if current is not mark else None


def _labels(reader: pypdf.PdfReader) -> tuple[list[str], bool]:
    """Every page's label, and whether the file has page labels of its own (without them
    pypdf numbers the pages of the file: nothing the book's page map knows)."""
    count = len(reader.pages)
    try:
        labelled = "/PageLabels" in reader.root_object
        labels = [str(label) for label in reader.page_labels] if labelled else []
    except Exception:  # a broken label tree: the file's numbers
        labelled, labels = False, []
    if len(labels) != count:
        labelled, labels = False, [str(number) for number in range(1, count + 1)]
    return labels, labelled


class _PageLines:
    """The text runs of a page, read once and only for pages that need them."""

    def __init__(self, reader: pypdf.PdfReader) -> None:
        self._reader = reader
        self._read: dict[int, list[Line]] = {}

    def __call__(self, index: int) -> list[Line]:
        if index not in self._read:
            self._read[index] = page_lines(self._reader.pages[index])
        return self._read[index]


def _marks(reader: pypdf.PdfReader, labels: list[str], lines: _PageLines) -> list[_Mark]:
    """Every annotation of a kind in KINDS, its fields read as far as they make sense."""
    marks: list[_Mark] = []
    for index, page in enumerate(reader.pages):
        for reference in _items(page.get("/Annots")):
            annotation = _resolved(reference)
            if not isinstance(annotation, DictionaryObject):
                continue
            kind = KINDS.get(str(_resolved(annotation.get("/Subtype"))))
            if kind is None:
                continue
            quads = _numbers(annotation.get("/QuadPoints"), QUADS_MAX * 8)
            quoted = marked_text(lines(index), quads) if len(quads) >= 8 else ""
            marks.append(_Mark(
                page=index, label=labels[index], key=_key(reference),
                answers=_key(annotation.raw_get("/IRT")) if "/IRT" in annotation else None,
                kind=kind, author=_text(annotation.get("/T")),
                date=_iso(_text(annotation.get("/M"))),
                text=_text(annotation.get("/Contents")).strip(), quoted=quoted,
                band=_band(quads or _numbers(annotation.get("/Rect"), 4)),
            ))  # fmt: skip
    return marks


Placing = Callable[[_Mark], tuple[str, str]]  # a mark → (slug or `_unplaced`, where)


def _by_names(
    reader: pypdf.PdfReader, labels: list[str], page_map: dict[str, int]
) -> tuple[Placing | None, bool]:
    """Placing by the book's named pages, or through the page map by the folios of the
    book's page labels (None when the file has neither); and whether the names are whole.

    The screen PDF names every element with an id, a model's sections too
    (`mo-hinh-<slug>--…`). A program that saves some pages may keep only the names their
    links go to, not the sections: then some models' names may be lost as well."""
    starts: list[tuple[int, int, str]] = []  # (page index, 1 for a model, anchor)
    try:
        destinations = dict(reader.named_destinations)
    except Exception:  # a broken name tree: as if there were none
        destinations = {}
    whole = any("--" in name for name in destinations)
    if any(name.startswith(MODEL_PREFIX) for name in destinations):
        for name, destination in destinations.items():
            if "--" in name:  # a section inside a model or a page
                continue
            try:
                number = reader.get_destination_page_number(destination)
            except Exception:
                continue
            if number is not None and number >= 0:
                starts.append((number, int(name.startswith(MODEL_PREFIX)), name))
    elif labels and page_map:  # no names left: the folios through the page map
        whole = False  # the labels may be another document's
        by_folio = {label: index for index, label in enumerate(labels)}
        for name, folio in page_map.items():
            if str(folio) in by_folio:
                page = by_folio[str(folio)]
                starts.append((page, int(name.startswith(MODEL_PREFIX)), name))
    if not starts:
        return None, False
    starts.sort()
    pages = [page for page, _is_model, _name in starts]

    def model_of(mark: _Mark) -> tuple[str, str]:
        before = bisect.bisect_right(pages, mark.page) - 1
        current = starts[before][2] if before >= 0 else ""
        slug = current.removeprefix(MODEL_PREFIX) if current.startswith(MODEL_PREFIX) else ""
        return slug or UNPLACED, f"trang {mark.label}"

    return model_of, whole


def _by_words(
    marks: list[_Mark], lines: _PageLines, models: Mapping[str, str], by_names: Placing | None
) -> Placing:
    """Placing by the words of each mark's page, which win over the book's names where they
    clearly say another model (a program that saved some pages kept only some names: the
    pages of a model whose name is lost would fall in the model before), and leave a page
    unplaced whose words are not those of the model the names say. Without names, a
    note on a page of two models is placed by the words near it, and a mark the words do
    not place clearly is unplaced, its page named."""
    pages = sorted({mark.page for mark in marks}) if models else []
    texts = {page: " ".join(line.text for line in lines(page)) for page in pages}
    by_words = ModelsByWords(models, [*texts.values(), *(mark.quoted for mark in marks)])

    def model_of(mark: _Mark) -> tuple[str, str]:
        slug = by_words.model_of(texts.get(mark.page, ""), mark.quoted) if models else None
        if by_names is not None:
            named, where = by_names(mark)
            page = texts.get(mark.page, "")
            if slug is None and named != UNPLACED and models and by_words.disowns(named, page):
                return UNPLACED, f"{where} (chữ trên trang không phải của mô hình trước nó)"
            return (slug or named), where
        if slug is None and models and mark.band is not None and not mark.quoted:
            bottom, top = mark.band
            near = [line.text for line in lines(mark.page)
                    if bottom - NEAR <= line.y <= top + NEAR]  # fmt: skip
            slug = by_words.model_of_text(" ".join(near))
        if slug is not None:
            return slug, f"trang {mark.label} của tệp"
        why = "chữ trên trang không khớp rõ một mô hình" if models else "không tìm được mô hình"
        return UNPLACED, f"trang {mark.label} của tệp (tệp không còn số trang của sách; {why})"

    return model_of


def _items(value: Any) -> list[Any]:
    """The items of a PDF array (an annotation list, numbers), none when it is not one."""
    value = _resolved(value)
    return list(value) if isinstance(value, ArrayObject) else []


def _resolved(value: Any) -> Any:
    """An indirect reference's object; None for a reference to nothing."""
    try:
        return value.get_object() if isinstance(value, IndirectObject) else value
    except Exception:
        return None


def _numbers(value: Any, most: int) -> list[float]:
    """At most `most` numbers of a PDF array, none when any item is not a number."""
    items = _items(value)[:most]
    numbers = [_resolved(item) for item in items]
    if not all(isinstance(number, (int, float, NumberObject)) for number in numbers):
        return []
    return [float(number) for number in numbers]


def _band(numbers: list[float]) -> tuple[float, float] | None:
    """The vertical extent of quadrilaterals (or of a rectangle: 4 numbers)."""
    ys = numbers[1::2]
    return (min(ys), max(ys)) if len(ys) >= 2 else None


def _key(reference: Any) -> Any:
    """An annotation's object number (what a reply's /IRT names); an object met directly
    has none, and its identity in memory stands in."""
    return reference.idnum if isinstance(reference, IndirectObject) else id(reference)


def _text(value: Any) -> str:
    """A PDF text string, at most TEXT_MAX characters; "" for anything else (a number, a
    dictionary, a reference to nothing)."""
    value = _resolved(value)
    if isinstance(value, bytes):  # a byte string pypdf could not decode
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return ""
    text = str(value)  # a plain str: pypdf's subclass is nothing YAML can write
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def _iso(value: str) -> str:
    """A PDF date (`D:20261203101500+07'00'`) as ISO 8601 in UTC; its day alone when its
    time is impossible, "" when its day is; as given when it is not a PDF date."""
    found = PDF_DATE.match(value)
    if not found:
        return value
    year, month, day, hour, minute, second, sign, off_h, off_m = found.groups()
    try:
        when = datetime.datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
            int(second or 0), tzinfo=datetime.UTC,
        )  # fmt: skip
        if sign in ("+", "-"):
            offset = datetime.timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
            when -= offset if sign == "+" else -offset
    except (ValueError, OverflowError):
        try:
            return datetime.date(int(year), int(month or 1), int(day or 1)).isoformat()
        except ValueError:
            return ""
    return when.isoformat().replace("+00:00", "Z")
