"""A model's Markdown body as Word paragraphs: headings, paragraphs with bold, italic and
links, nested lists, quotes, tables, real footnotes and pictures with their captions.

It walks the tokens of the book's one Markdown parser (builder/render/markdown.py), so the review
copy reads the body exactly as the PDF and the site do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from builder.book.model import Image
from builder.outputs.review.docx_parts import Footnotes, add_hyperlink
from builder.render.markdown import is_web_link, linked_model, parse

LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
ALIGNMENTS = {
    "align-right": WD_ALIGN_PARAGRAPH.RIGHT,
    "align-center": WD_ALIGN_PARAGRAPH.CENTER,
    "align-left": WD_ALIGN_PARAGRAPH.LEFT,
}
AddFigure = Callable[[Image, str], None]  # a picture and its caption, as a block
ModelAnchor = Callable[[str], str | None]  # a linked model's slug → its bookmark, if in the book


@dataclass(slots=True)
class _Marks:
    bold: int = 0
    italic: int = 0
    strike: int = 0
    links: list[Any] = field(default_factory=list)  # open w:hyperlink elements, innermost last


@dataclass(slots=True)
class _Lists:
    """Where the walk stands: the open lists (ordered?, next number) and quotes."""

    open: list[list[Any]] = field(default_factory=list)
    item_started: bool = False  # the next paragraph is a list item's first
    quotes: int = 0


class BodyWriter:
    """Writes bodies into `document`; `heading_level` is the Word level of a body `##`."""

    def __init__(
        self,
        document: Any,
        footnotes: Footnotes,
        add_figure: AddFigure,
        model_anchor: ModelAnchor,
        heading_level: int = 3,
    ) -> None:
        self.document = document
        self.footnotes = footnotes
        self.add_figure = add_figure
        self.model_anchor = model_anchor
        self.heading_level = heading_level

    def write(self, body: str, images: dict[str, Image]) -> None:
        tokens = parse(body)
        notes: dict[int, Paragraph] = {}  # Markdown footnote id → its Word footnote
        state = _Lists()
        note: list[Paragraph] = []  # the paragraphs of the footnote being filled
        fresh = False  # its first paragraph (made with the call) is still empty
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "heading_open":
                level = min(int(token.tag[1]) - 2 + self.heading_level, 9)
                heading = self.document.add_paragraph(style=f"Heading {level}")
                self._inline(heading, tokens[index + 1], notes, images)
            elif kind == "paragraph_open" and note:
                if not fresh:
                    note.append(self._note_paragraph(note[-1]))
                fresh = False
                self._inline(note[-1], tokens[index + 1], notes, images)
            elif kind == "paragraph_open":
                figure = _figure(tokens[index + 1], images)
                if figure is not None:
                    self.add_figure(*figure)
                else:
                    self._paragraph(tokens[index + 1], state, notes, images)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = int(str(token.attrs.get("start", 1)))
                state.open.append([kind == "ordered_list_open", start])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                state.open.pop()
            elif kind == "list_item_open":
                state.item_started = True
            elif kind == "blockquote_open":
                state.quotes += 1
            elif kind == "blockquote_close":
                state.quotes -= 1
            elif kind == "table_open":
                index = self._table(tokens, index, notes, images)
            elif kind in ("fence", "code_block"):
                for line in token.content.rstrip("\n").split("\n"):
                    code = self.document.add_paragraph(style="No Spacing")
                    code.add_run(line).font.name = "DejaVu Sans Mono"
            elif kind == "hr":
                rule = self.document.add_paragraph("* * *")
                rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif kind == "footnote_open":
                found = notes.get(int(token.meta["id"]))
                note, fresh = ([found], True) if found is not None else ([], False)
                if found is None:  # never called: skip its paragraphs
                    index = _skip_to(tokens, index, "footnote_close")
            elif kind == "footnote_close":
                note = []
            index += 1

    def _paragraph(
        self, inline: Token, state: _Lists, notes: dict[int, Paragraph], images: dict[str, Image]
    ) -> None:
        style, prefix = None, ""
        if state.open:
            depth = min(len(state.open), 3)
            suffix = f" {depth}" if depth > 1 else ""
            ordered, number = state.open[-1]
            if not state.item_started:
                style = f"List Continue{suffix}"
            elif ordered:
                style, prefix = f"List Continue{suffix}", f"{number}. "
                state.open[-1][1] += 1
            else:
                style = f"List Bullet{suffix}"
            state.item_started = False
        elif state.quotes:
            style = "Quote"
        paragraph = self.document.add_paragraph(style=style)
        if prefix:
            paragraph.add_run(prefix)
        self._inline(paragraph, inline, notes, images)

    def _note_paragraph(self, last: Paragraph) -> Paragraph:
        """Another paragraph in the footnote being filled, after its `last`."""
        element = OxmlElement("w:p")
        last._p.addnext(element)
        return Paragraph(element, last._parent)

    def _table(
        self, tokens: Sequence[Token], index: int, notes: dict[int, Paragraph], images: Any
    ) -> int:
        """The table opening at `index`; returns the index of its `table_close`."""
        rows: list[list[tuple[Token, str, bool]]] = []
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                align = str(token.attrs.get("class", ""))
                rows[-1].append((tokens[index + 1], align, token.type == "th_open"))
            index += 1
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return index
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, (inline, align, header) in zip(row.cells, cells, strict=False):
                paragraph = cell.paragraphs[0]
                paragraph.alignment = ALIGNMENTS.get(align)
                self._inline(paragraph, inline, notes, images, bold=header)
        self.document.add_paragraph()  # Word glues a table to what follows otherwise
        return index

    def _inline(
        self,
        paragraph: Paragraph,
        inline: Token,
        notes: dict[int, Paragraph],
        images: dict[str, Image],
        bold: bool = False,
    ) -> None:
        marks = _Marks(bold=int(bold))
        part = paragraph.part
        for child in inline.children or []:
            kind = child.type
            if kind in ("text", "code_inline"):
                self._run(paragraph, child.content, marks, code=kind == "code_inline")
            elif kind == "softbreak":
                self._run(paragraph, " ", marks)
            elif kind == "hardbreak":
                paragraph.add_run().add_break()
            elif kind in ("strong_open", "strong_close"):
                marks.bold += 1 if kind.endswith("open") else -1
            elif kind in ("em_open", "em_close"):
                marks.italic += 1 if kind.endswith("open") else -1
            elif kind in ("s_open", "s_close"):
                marks.strike += 1 if kind.endswith("open") else -1
            elif kind == "link_open":
                marks.links.append(self._link(paragraph, part, str(child.attrs.get("href", ""))))
            elif kind == "link_close":
                marks.links.pop()
            elif kind == "image":
                self._run(paragraph, child.content, marks)  # a picture inside a sentence: its alt
            elif kind == "footnote_ref" and child.meta.get("subId", 0) == 0:
                notes[int(child.meta["id"])] = self.footnotes.add(paragraph)

    def _link(self, paragraph: Paragraph, part: Any, href: str) -> Any:
        """A w:hyperlink for a web address or a model of the book; None: the text alone."""
        slug = linked_model(href)
        anchor = self.model_anchor(slug) if slug else None
        if anchor:
            return add_hyperlink(paragraph, part, anchor=anchor)
        if is_web_link(href) and not href.startswith("#"):
            return add_hyperlink(paragraph, part, url=href)
        return None

    def _run(self, paragraph: Paragraph, text: str, marks: _Marks, code: bool = False) -> None:
        run = paragraph.add_run(text)
        run.bold = bool(marks.bold) or None
        run.italic = bool(marks.italic) or None
        run.font.strike = bool(marks.strike) or None
        if code:
            run.font.name = "DejaVu Sans Mono"
        link = next((link for link in reversed(marks.links) if link is not None), None)
        if link is not None:
            run.font.color.rgb = LINK_COLOUR
            run.font.underline = True
            link.append(run._r)


def _figure(inline: Token, images: dict[str, Image]) -> tuple[Image, str] | None:
    """The picture a paragraph holds alone (builder.render.markdown marks it), with its caption."""
    for child in inline.children or []:
        if child.type == "image" and child.meta.get("figure"):
            image = images.get(str(child.attrs.get("src", "")))
            if image is not None:
                return image, str(child.attrs.get("title", "")) or image.caption
    return None


def _skip_to(tokens: Sequence[Token], index: int, kind: str) -> int:
    while tokens[index].type != kind:
        index += 1
    return index
