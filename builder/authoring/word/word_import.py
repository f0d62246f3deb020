"""`builder import`: a district's Word document (.docx; .doc, .odt and .rtf through
LibreOffice) into a model file, losing no text and stating no fact the document does not.

The steps: make it a readable .docx (word_formats), make what Markdown cannot hold visible
(word_unsupported), convert it with mammoth, take the labelled facts (word_facts) and the
title, write the rest as Markdown (word_markdown), check the pictures (word_pictures); then,
under the book's lock, save the pictures and create the model under a name no other run has
taken. A write that fails (a full or read-only disk) leaves neither the model nor its new
pictures, and says so (`files.WriteFailed`).
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import html
from lxml.html import HtmlElement

from builder.authoring.new_entry import created, entry_text
from builder.authoring.word.converter_notes import converter_notes
from builder.authoring.word.word_drawings import apply_bullets
from builder.authoring.word.word_facts import Fact, front_matter, normal, take_facts
from builder.authoring.word.word_formats import converted_together, damaged, readable_docx
from builder.authoring.word.word_markdown import escape, note_references, to_markdown
from builder.authoring.word.word_numbering import apply_numbers
from builder.authoring.word.word_pictures import TODO_ALT, Pictures
from builder.authoring.word.word_unsupported import prepared
from builder.book import urls
from builder.book.model import BookConfig
from builder.book.vietnamese import slugify
from builder.load.checks.invisible import clean_title
from builder.util.errors import DocumentRefused
from builder.util.files import WriteFailed, book_lock
from builder.util.i18n import N_, _

__all__ = [
    "TODO_ALT",
    "DocumentRefused",
    "Imported",
    "WriteFailed",
    "converted_together",
    "import_document",
    "report_lines",
]

# Word's own title style is a heading here; “Subtitle” stays a paragraph.
STYLE_MAP = "p[style-name='Title'] => h1:fresh\np[style-name='Subtitle'] => p:fresh"
LONGEST_TITLE = 200  # characters: a longer first paragraph is text, not a title


@dataclass(slots=True)
class Imported:
    """One document imported: where its model is, what was found and what is left."""

    document: Path
    path: Path
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # key, value, line
    todo: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    taken_lines: list[Fact] = field(default_factory=list)  # held whole by the front matter


def import_document(
    document: Path,
    content: Path,
    config: BookConfig,
    scratch: Path,
    batch_docx: Path | None = None,
) -> Imported:
    """Import `document` into the book at `content`; DocumentRefused names why it cannot be.
    `batch_docx`: the .docx LibreOffice made of a legacy document with its batch
    (`converted_together`)."""
    import mammoth

    docx = readable_docx(document, scratch, batch_docx)
    stream, unsupported = prepared(docx)
    pictures = Pictures()
    try:
        result = mammoth.convert_to_html(
            stream,
            convert_image=mammoth.images.img_element(pictures.mammoth_image),
            style_map=STYLE_MAP,
        )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a picture's bytes spoilt
        raise damaged() from exc
    root = html.fragment_fromstring(result.value or "<p></p>", create_parent="div")
    apply_numbers(root)
    apply_bullets(root)
    if not root.text_content().strip() and not pictures.found:
        raise DocumentRefused(_("it has no text"))
    facts = take_facts(root)
    title_fact = next((fact for fact in facts if fact.key == "title"), None)
    title, title_notes = (title_fact.value, []) if title_fact else _take_title(root)
    # A title from the document or its file name may carry control or direction
    # characters (a name like `\x1b[31m.docx`): `check` would refuse them.
    title = clean_title(title) or clean_title(normal(document.stem))
    converted = to_markdown(root, title_notes)
    slug = urls.short_slug(slugify(title) or "mo-hinh")
    pictures.prepare(slug, scratch, config.pdf.trim_width_mm)
    body = unicodedata.normalize("NFC", converted.body).strip() + "\n"
    title = unicodedata.normalize("NFC", title)
    found = front_matter(facts, config, f"{title}\n{body}")
    left = [fact for fact in facts if fact not in found.used and fact.key != "title"]
    if left:  # labelled lines the front matter does not hold whole stay in the text
        body = "\n\n".join(escape(fact.line) for fact in left) + "\n\n" + body
    values = {key: value for key, value in found.values.items() if key != "title"}
    with book_lock(content):
        try:
            body = pictures.place(body, slug, content / "images")
            text = _with_comments(entry_text(config, title, body=body, **values), found.guesses)
            path = created(content / "models", title, text)
        except BaseException:  # a full disk, or Ctrl-C: no picture without its model
            pictures.remove_written()
            raise
    imported = Imported(document, path, found.found, found.todo, taken_lines=found.used)
    imported.warnings += _report(converted.assumed_headers, unsupported, pictures, result)
    for fact in found.unclear:
        imported.warnings.append(
            _("“{line}”: not understood as {fact}; left to fill in").format(
                line=fact.line, fact=fact.key
            )
        )
    if TODO_ALT in body:
        imported.todo.append(_("alt text of the pictures"))
    return imported


def _take_title(root: HtmlElement) -> tuple[str, list[str]]:
    """The title: the first heading of the document's top level near its start, else a short
    first paragraph followed by more text; its note markers are taken out with it."""
    blocks = [element for element in root if element.text_content().strip()]
    headings = [e for e in blocks[:6] if e.tag in ("h1", "h2", "h3")]
    top = min((h.tag for h in headings), default="")
    chosen = next((h for h in headings if h.tag == top), None)
    first = blocks[0] if len(blocks) > 1 else None
    if chosen is None and first is not None and first.tag == "p":
        text = normal(first.text_content())
        # a TODO line the import wrote (a chart's, a diagram's) is not the author's title
        chosen = first if len(text) <= LONGEST_TITLE and not text.startswith("TODO") else None
    if chosen is None:
        return "", []
    notes: list[str] = []
    for reference in note_references(chosen):
        notes.extend(a.get("href", "") for a in reference.iter("a"))
        reference.drop_tree()
    root.remove(chosen)
    return normal(chosen.text_content()), notes


def _with_comments(text: str, guesses: Mapping[str, str]) -> str:
    """Running text's hints as YAML comments beside the TODO they are about."""
    lines = text.split("\n")
    for key, guess in guesses.items():
        for number, line in enumerate(lines):
            if line.startswith(f"{key}: "):
                lines[number] = f"{line}  # gợi ý, chưa chắc chắn: {' '.join(guess.split())}"
                break
            if line == "---" and number > 0:
                break
    return "\n".join(lines)


# What the rewrites before mammoth found (word_unsupported.prepared's counts), as the report
# says it: each kind once, with its count.
LEFT_OUT = (
    ("equation", N_("{count} equation(s) kept as text in a TODO line: write them out")),
    ("linked picture", N_("{count} picture(s) only linked, not inside the document: a TODO "
                          "marks each place")),
    ("chart", N_("{count} chart(s): their figures kept as a table, and a TODO asks for a "
                 "picture of each")),
    ("diagram", N_("{count} SmartArt diagram(s): the text of their boxes kept as a list, and a "
                   "TODO asks for a picture of each")),
    ("text box", N_("{count} text box(es) or shape(s): their text placed after the paragraph "
                    "each is anchored to; check its place")),
    ("chunk", N_("{count} passage(s) pasted into Word as a web page, read as plain "
                 "paragraphs: check their headings and lists")),
    ("chunk unread", N_("{count} passage(s) pasted into Word in another format (RTF, a "
                        "document) could not be read: copy their text in by hand")),
    ("hidden", N_("{count} hidden passage(s) were left out")),
)  # fmt: skip


def _report(
    headers: int, unsupported: Mapping[str, int], pictures: Pictures, result: Any
) -> list[str]:
    lines = []
    if headers:
        lines.append(
            _("{count} table(s) without a header row marked in Word: the first row was taken "
              "as the header").format(count=headers)
        )  # fmt: skip
    for key, message in LEFT_OUT:
        if unsupported.get(key):
            lines.append(_(message).format(count=unsupported[key]))
    lines += pictures.problems
    lines += converter_notes(str(message.message) for message in result.messages)
    return lines


def report_lines(imported: Imported) -> list[str]:
    """What the import prints: the model written, each fact with the line it came from, the
    warnings, what is left to fill in."""
    lines = [str(imported.path)]
    for key, value, line in imported.facts:
        lines.append("    " + _("{key}: {value} (from “{line}”)").format(
            key=key, value=value, line=line))  # fmt: skip
    for warning in imported.warnings:
        lines.append("    " + _("{severity}: {message}").format(
            severity=_("warning"), message=warning))  # fmt: skip
    if imported.todo:
        lines.append("    " + _("to fill in: {items} (see builder check)").format(
            items=", ".join(imported.todo)))  # fmt: skip
    return lines
