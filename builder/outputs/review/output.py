"""The review copy: a Word draft (“Bản dự thảo lấy ý kiến”) sent to delegates for comments.

Every model in book order, each under a heading with a bookmark named from its slug, so
`builder comments` knows which model a returned comment belongs to (and the book's identity,
so a copy of another book is not read into this one); the facts as the PDF
shows them, the body, real footnotes, and the pictures with their captions. Not part of
`build all`: an editor builds it when a review round starts (`builder build review`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, ClassVar

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Emu, Pt
from PIL import Image as PillowImage

from builder.book import fields
from builder.book.model import Book, Entry, Image
from builder.outputs.review.docx_body import BodyWriter
from builder.outputs.review.docx_parts import (
    Footnotes,
    add_bookmark,
    add_bookmark_map,
    bookmark_name,
    save_reproducibly,
    set_core_properties,
    style_font,
)
from builder.render.editions import PLAIN_BUILD, BuildOptions, Handover, book_id, build_date
from builder.render.fonts import FAMILY
from builder.render.templating import roman, words

WORD_PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"}
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2.5)  # A4, which every office prints
MAX_PICTURE_HEIGHT = 0.5  # of the page: a tall photo leaves room for its caption and text


def review_copy_name(book: Book) -> str:
    return f"{book.config.slug}-du-thao.docx"


class ReviewOutput:
    name: ClassVar[str] = "review"

    def render(
        self,
        book: Book,
        target: Path,
        handover: Handover | None = None,
        options: BuildOptions = PLAIN_BUILD,
    ) -> list[Path]:
        path = target / review_copy_name(book)
        ReviewCopy(book).save(path)
        return [path]


class ReviewCopy:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.when = build_date(book)
        self.words = words().review_copy  # templates/shared/words.j2
        self.document = docx.Document()
        self._page_setup()
        style_font(self.document, FAMILY)
        self.footnotes = Footnotes(self.document)
        slugs = {entry.slug for entry in book.entries}
        self.bookmarks: dict[str, str] = {}  # bookmark name → model slug ("" for a part)
        self.body = BodyWriter(
            self.document,
            self.footnotes,
            self._figure,
            lambda slug: bookmark_name(slug) if slug in slugs else None,
        )

    def save(self, path: Path) -> None:
        self._title_page()
        for number, part in enumerate(self.book.parts, start=1):
            title = self.words["part"].format(number=roman(number), title=part.title)
            heading = self.document.add_heading(title, level=1)
            heading.paragraph_format.page_break_before = number > 1
            self._bookmark(heading, bookmark_name(part.slug, "p_"), "")  # no model's comments
            for index, entry in enumerate(part.entries):
                self._model(entry, new_page=index > 0)
        config = self.book.config
        add_bookmark_map(self.document, self.bookmarks, (book_id(config), config.title))
        title = self.words["document_title"].format(title=config.title)
        set_core_properties(self.document, title, config.author, self.when)
        save_reproducibly(self.document, path, self.when)

    def _page_setup(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
        self.document.styles["Normal"].font.size = Pt(12)

    def _title_page(self) -> None:
        config = self.book.config
        document = self.document
        if config.author:
            _centred(document.add_paragraph(config.author.upper()))
        document.add_paragraph()
        _centred(document.add_paragraph(config.title, style="Title"))
        if config.subtitle:
            _centred(document.add_paragraph(config.subtitle, style="Subtitle"))
        document.add_paragraph()
        draft = _centred(document.add_paragraph())
        run = draft.add_run(self.words["title"])
        run.bold, run.font.size = True, Pt(18)
        day = self.when.date()
        date = self.words["date"].format(day=day.day, month=day.month, year=day.year)
        _centred(document.add_paragraph(date)).runs[0].italic = True
        document.add_paragraph()
        for label in self.words["blanks"]:
            document.add_paragraph(f"{label}: " + "…" * 24)
        document.add_paragraph()
        document.add_paragraph(self.words["how_to"])
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _model(self, entry: Entry, new_page: bool) -> None:
        """The model on a page of its own: a delegate's pages go to one model each."""
        heading = self.document.add_heading(entry.title, level=2)
        heading.paragraph_format.page_break_before = new_page
        self._bookmark(heading, bookmark_name(entry.slug), entry.slug)
        rows = fields.fact_rows(entry, "pdf")
        facts = self.document.add_table(rows=len(rows), cols=2)
        facts.style = "Table Grid"
        for row, fact in zip(facts.rows, rows, strict=True):
            row.cells[0].paragraphs[0].add_run(fact.label).bold = True
            row.cells[1].paragraphs[0].add_run(fact.value)
            row.cells[0].width, row.cells[1].width = Cm(4.5), Cm(11.5)
        self.document.add_paragraph()
        if entry.images:
            self._figure(entry.images[0], entry.images[0].caption)
        self.body.write(entry.body, dict(entry.body_images))
        for image in entry.images[1:]:
            self._figure(image, image.caption)

    def _bookmark(self, heading: Any, name: str, slug: str) -> None:
        self.bookmarks[name] = slug
        add_bookmark(heading, name, len(self.bookmarks))

    def _figure(self, image: Image, caption: str) -> None:
        """The picture centred at the text's width (no taller than half a page), then its
        caption and credit in the Caption style."""
        tallest = int(PAGE_HEIGHT * MAX_PICTURE_HEIGHT)
        width = min(PAGE_WIDTH - 2 * MARGIN, tallest * image.width // max(image.height, 1))
        paragraph = _centred(self.document.add_paragraph())
        paragraph.paragraph_format.keep_with_next = True
        picture = paragraph.add_run().add_picture(_picture_file(image.source), width=Emu(width))
        picture._inline.docPr.set("descr", image.alt)
        text = caption + (f" ({image.credit})" if image.credit else "")
        if text:
            _centred(self.document.add_paragraph(text, style="Caption"))


def _picture_file(source: Path) -> Any:
    """The picture as Word takes it: its own file, or a PNG copy of a WebP or an AVIF."""
    if source.suffix.lower() in WORD_PICTURES:
        return str(source)
    buffer = io.BytesIO()
    with PillowImage.open(source) as picture:
        picture.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _centred(paragraph: Any) -> Any:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph
