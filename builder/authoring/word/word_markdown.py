"""The HTML mammoth makes of a Word document, as the book's Markdown, losing no text.

Lists keep their nesting; a table cell's paragraphs and lists stay apart; merged cells are
expanded so that columns line up; footnotes and endnotes are numbered in the order the text
refers to them, and every reference has its note.

Tables inside tables are written once. A layout table (one row, like a letterhead, or one
column, like a frame around the text) becomes its cells' paragraphs, headings, lists and
tables, in reading order. A table inside a data table's cell cannot stay a table: a GFM cell
holds one line of inline text, so the site, the PDF and the EPUB, all made from this
Markdown, could show it only as pipes. Its rows are written in the cell as list items are,
“• Hộ tham gia – 120”: each row once, its cells in order, where the document has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from lxml.html import HtmlElement

NOTE_ID = re.compile(r"^(footnote|endnote)-(?!ref-)(.+)$")
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "div", "blockquote"}
_SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
TITLE_NOTE = "*Chú thích ở tên mô hình:* "
EMPTY_NOTE = "TODO: chú thích này trống trong văn bản Word."


@dataclass(slots=True)
class Converted:
    body: str
    notes: int = 0
    assumed_headers: int = 0  # tables whose first row was taken as the header
    references: int = 0  # note references in the document


@dataclass(slots=True)
class _Notes:
    definitions: dict[str, HtmlElement] = field(default_factory=dict)  # "#footnote-3": <li>
    numbers: dict[str, int] = field(default_factory=dict)

    def number(self, href: str) -> int:
        if href not in self.numbers:
            self.numbers[href] = len(self.numbers) + 1
        return self.numbers[href]


def note_references(element: HtmlElement) -> list[HtmlElement]:
    """The note references (mammoth's `<sup><a href="#footnote-N">`) inside `element`."""
    return [
        a.getparent()
        for a in element.iter("a")
        if NOTE_ID.match((a.get("href") or "").lstrip("#")) and a.getparent().tag == "sup"
    ]


def to_markdown(root: HtmlElement, title_notes: list[str] | None = None) -> Converted:
    """`root`'s blocks as Markdown; `title_notes` are the notes whose marker stood in the
    title: their text opens the body."""
    notes = _Notes()
    for item in list(root.iter("li")):
        match = NOTE_ID.match(item.get("id") or "")
        if match:
            for back in item.xpath(".//a[contains(@href,'-ref-')]"):
                back.drop_tree()
            notes.definitions["#" + item.get("id", "")] = item
    for listing in list(root.iter("ol")):
        if len(listing) and all(NOTE_ID.match(li.get("id") or "") for li in listing):
            listing.getparent().remove(listing)
    converter = _Converter(notes)
    blocks = []
    for href in title_notes or []:
        if href in notes.definitions:
            text = " ".join(converter.blocks(notes.definitions.pop(href)))
            blocks.append(TITLE_NOTE + text)
    levels = [int(h.tag[1]) for h in root if h.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    converter.top = min(levels, default=2)
    blocks += converter.blocks(root)
    written: list[str] = []
    done: set[str] = set()
    while len(done) < len(notes.numbers):  # a note may refer to another note
        for href, number in sorted(notes.numbers.items(), key=lambda item: item[1]):
            if href in done:
                continue
            done.add(href)
            definition = notes.definitions.pop(href, None)
            parts = converter.blocks(definition) if definition is not None else []
            text = "\n\n    ".join(p.replace("\n", "\n    ") for p in parts) or EMPTY_NOTE
            written.append(f"[^{number}]: {text}")
    for definition in notes.definitions.values():  # a note no text refers to: kept as text
        blocks += converter.blocks(definition)
    body = "\n\n".join(block for block in blocks if block.strip())
    if written:
        body += "\n\n" + "\n".join(written)
    return Converted(body, len(written), converter.assumed_headers, converter.references)


@dataclass(slots=True)
class _Converter:
    notes: _Notes
    top: int = 2
    assumed_headers: int = 0
    references: int = 0
    in_cell: int = 0  # how many data tables' cells the conversion is inside

    def blocks(self, container: HtmlElement) -> list[str]:
        """The Markdown blocks of `container`; text directly inside it is a paragraph."""
        blocks: list[str] = []
        inline: list[str] = [escape(container.text or "")]

        def flush() -> None:
            text = "".join(inline).strip()
            if text:
                blocks.append(text)
            inline.clear()

        for child in container:
            if child.tag in BLOCKS:
                flush()
                blocks.append(self.block(child))
                inline.append(escape(child.tail or ""))
            else:
                inline.append(self.inline_element(child))
                inline.append(escape(child.tail or ""))
        flush()
        return [block for block in blocks if block.strip()]

    def block(self, element: HtmlElement) -> str:
        tag = element.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            if self.in_cell:
                return self.inline(element).strip()
            level = max(2, min(int(tag[1]) - self.top + 2, 4))
            return "#" * level + " " + self.inline(element).strip()
        if tag in ("ul", "ol"):
            return self.listing(element)
        if tag == "table":
            return self.table(element)
        if tag == "p":
            return self.inline(element).strip()
        return "\n\n".join(self.blocks(element))

    def listing(self, element: HtmlElement) -> str:
        start = int(element.get("start") or 1) if (element.get("start") or "1").isdigit() else 1
        items = []
        for number, item in enumerate(element.findall("li"), start=start):
            marker = "- " if element.tag == "ul" else f"{number}. "
            pad = " " * len(marker)
            parts = self.blocks(item)
            text = parts[0] if parts else ""
            for part in parts[1:]:
                text += ("\n" if part.startswith("- ") or _numbered(part) else "\n\n") + part
            text = text.replace("\n", "\n" + pad)
            items.append(marker + re.sub(r"\n +\n", "\n\n", text))
        return "\n".join(items)

    def table(self, element: HtmlElement) -> str:
        """A GFM table; a layout table as its cells' blocks; a table inside a data table's cell
        as a list, one item a row (a GFM cell holds one line of text, never a table)."""
        grid, header_rows = _grid(element)
        if not grid:
            return ""
        width = max(len(row) for row in grid)
        if len(grid) == 1 or width == 1:  # a letterhead, a frame, a column of paragraphs
            cells = [cell for row in grid for cell in row if cell is not None]
            return "\n\n".join(block for cell in cells for block in self.blocks(cell))
        if self.in_cell:
            rows = [[text for cell in row if cell is not None and (text := self.cell(cell))]
                    for row in grid]  # fmt: skip
            return "\n".join("- " + " – ".join(row) for row in rows if row)
        if header_rows == 0:
            self.assumed_headers += 1
        texts = [[self.cell(cell).replace("|", "\\|") if cell is not None else "" for cell in row]
                 + [""] * (width - len(row)) for row in grid]  # fmt: skip
        lines = ["| " + " | ".join(texts[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(row) + " |" for row in texts[1:]]
        return "\n".join(lines)

    def cell(self, cell: HtmlElement) -> str:
        """A table cell on one line: its paragraphs and list items kept apart."""
        text = ""
        self.in_cell += 1
        blocks = self.blocks(cell)
        self.in_cell -= 1
        for block in blocks:
            for line in block.split("\n"):
                line = line.strip()
                if not line:
                    continue
                line = re.sub(r"^(?:[-*+]|\d+\.)\s+", "• ", line) if line[:1] in "-*+" or (
                    _numbered(line)) else line  # fmt: skip
                if text:
                    text += " " if re.search(r"[.!?:;…]$", text) or line.startswith("•") else "; "
                text += line
        return text

    def inline(self, element: HtmlElement) -> str:
        parts = [escape(element.text or "")]
        for child in element:
            if child.tag in BLOCKS:  # a block inside a paragraph: kept, on its own line
                parts.append("\n\n" + self.block(child) + "\n\n")
            else:
                parts.append(self.inline_element(child))
            parts.append(escape(child.tail or ""))
        return "".join(parts)

    def inline_element(self, child: HtmlElement) -> str:
        tag = child.tag
        hrefs = [a.get("href", "") for a in child.iter("a")] if tag == "sup" else []
        href = next((h for h in hrefs if NOTE_ID.match(h.lstrip("#"))), "")
        if href:
            self.references += 1
            return f"[^{self.notes.number(href)}]"
        inner = self.inline(child)
        if tag in ("strong", "b"):
            return _wrap("**", inner)
        if tag in ("em", "i"):
            return _wrap("*", inner)
        if tag in ("s", "del", "strike"):
            return _wrap("~~", inner)
        if tag == "sup":
            plain = child.text_content()
            return plain.translate(_SUPERSCRIPT) if plain.isdigit() else inner
        if tag == "sub":
            plain = child.text_content()
            return plain.translate(_SUBSCRIPT) if plain.isdigit() else inner
        if tag == "img":
            return f"![{escape(child.get('alt', ''))}]({child.get('src', '')})"
        if tag == "a" and (address := _web_address(child.get("href", ""))):
            return f"[{inner}]({address})" if inner.strip() else address
        if tag == "br":
            return "\\\n"
        return inner


def _wrap(mark: str, inner: str) -> str:
    """`**bold**` with the spaces Word puts inside the run moved outside it."""
    stripped = inner.strip()
    if not stripped:
        return inner
    before = inner[: len(inner) - len(inner.lstrip())]
    after = inner[len(inner.rstrip()) :]
    return f"{before}{mark}{stripped}{mark}{after}"


def _grid(table: HtmlElement) -> tuple[list[list[HtmlElement | None]], int]:
    """The rows of `table` itself (not of a table inside one of its cells), each a list of
    its cells by column: None where a merged cell covers the column; and how many rows at the
    top are header rows."""
    grid: list[list[HtmlElement | None]] = []
    header_rows = 0
    spans: dict[int, int] = {}  # column: rows still covered by a merged cell above
    for row in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        if row.getparent().tag == "thead" or (len(row) and all(c.tag == "th" for c in row)):
            header_rows += 1 if len(grid) == header_rows else 0
        cells: list[HtmlElement | None] = []
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            while spans.get(len(cells), 0) > 0:
                spans[len(cells)] -= 1
                cells.append(None)
            width = _span(cell.get("colspan"))
            height = _span(cell.get("rowspan"))
            for column in range(len(cells), len(cells) + width):
                if height > 1:
                    spans[column] = height - 1
            cells += [cell] + [None] * (width - 1)
        while spans.get(len(cells), 0) > 0:
            spans[len(cells)] -= 1
            cells.append(None)
        if cells:
            grid.append(cells)
    return grid, header_rows


def _span(value: str | None) -> int:
    return max(1, min(int(value), 64)) if value and value.isdigit() else 1


def _numbered(text: str) -> bool:
    return bool(re.match(r"\d+\. ", text.lstrip()))


def _web_address(href: str) -> str:
    """A Word hyperlink as a Markdown link destination: web and mail addresses only, with
    spaces, line breaks, brackets and quotes percent-encoded so they cannot end the link."""
    href = href.strip()
    if not re.match(r"(?i)(https?://|mailto:)", href):
        return ""
    return quote(href, safe=":/?#[]@!$&'*+,;=%~-._")


def escape(text: str) -> str:
    """Characters Markdown would read as markup, written as text."""
    return re.sub(r"([\\*_`\[\]<>~])", r"\\\1", text)
