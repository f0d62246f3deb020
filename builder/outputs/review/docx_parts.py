"""Pieces of a Word file python-docx has no API for: footnotes, bookmarks, links, custom
properties, and a save that gives the same bytes for the same document.

The review copy (builder/outputs/review/output.py) writes them; `builder comments` reads the
bookmark map back (builder/review_round/comments/comments_word.py) to know which model a comment
stands in.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

BOOKMARK_PREFIX = "builder-review-"  # custom property names: bookmark → model slug
# The book a review copy was built from (editions.book_id and the title), so that a copy of
# another book is not read into this one.
BOOK_ID, BOOK_TITLE = "builder-book-id", "builder-book-title"
MAX_BOOKMARK = 40  # Word refuses longer bookmark names


def bookmark_name(slug: str, prefix: str = "m_") -> str:
    """A Word bookmark name for `slug`: a letter first, no hyphens, at most 40 characters;
    long slugs end in a hash of the whole, so two never share a name. Models' names start
    with `m_`, parts' with `p_`."""
    name = prefix + slug.replace("-", "_")
    if len(name) <= MAX_BOOKMARK:
        return name
    digest = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:8]
    return f"{name[: MAX_BOOKMARK - 9]}_{digest}"


def add_bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    """Wrap the paragraph's content in bookmark `name` (`number`: its id in the document)."""
    start = parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{number}" w:name="{name}"/>')
    end = parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{number}"/>')
    p = paragraph._p
    properties = p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def add_hyperlink(paragraph: Paragraph, part: Any, url: str = "", anchor: str = "") -> Any:
    """An empty `w:hyperlink` at the paragraph's end, to a web address (`url`) or to a
    bookmark of the document (`anchor`); runs go inside it."""
    if url:
        rid = part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}" w:history="1"/>')
    else:
        link = parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="{escape(anchor)}"/>')
    paragraph._p.append(link)
    return link


# --- footnotes -----------------------------------------------------------------------------

_FOOTNOTES = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240"'
    ' w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"'
    ' w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)
_SUPERSCRIPT = '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'


class Footnotes:
    """The document's `word/footnotes.xml`: real Word footnotes, numbered by Word."""

    def __init__(self, document: Any) -> None:
        self.document_part = document.part
        self.part = XmlPart(
            PackURI("/word/footnotes.xml"),
            CT.WML_FOOTNOTES,
            parse_xml(_FOOTNOTES),
            document.part.package,
        )
        document.part.relate_to(self.part, RT.FOOTNOTES)
        self.count = 0

    def add(self, paragraph: Paragraph) -> Paragraph:
        """A new footnote called at the end of `paragraph`: its first paragraph, to fill."""
        self.count += 1
        number = self.count
        call = parse_xml(
            f'<w:r {nsdecls("w")}>{_SUPERSCRIPT}<w:footnoteReference w:id="{number}"/></w:r>'
        )
        paragraph._p.append(call)
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{number}"><w:p><w:pPr><w:spacing w:after="0"/>'
            f'</w:pPr><w:r>{_SUPERSCRIPT}<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve">'
            " </w:t></w:r></w:p></w:footnote>"
        )
        self.part.element.append(note)
        return Paragraph(note[0], self.part)


# --- custom properties: the bookmark map and the book's identity --------------------------

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one Word uses for user properties


def add_bookmark_map(
    document: Any, slugs_by_bookmark: dict[str, str], identity: tuple[str, str] | None = None
) -> None:
    """`docProps/custom.xml`: one property per bookmark naming its model's slug, empty for a
    part's heading, and the book's `identity` (its id, its title). Word keeps custom
    properties when a delegate saves, and shows them under File → Properties."""
    named = {BOOKMARK_PREFIX + name: slug for name, slug in sorted(slugs_by_bookmark.items())}
    if identity is not None:
        named = {BOOK_ID: identity[0], BOOK_TITLE: identity[1], **named}
    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name)}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(named.items(), start=2)
    )
    xml = f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>'
    part = Part(
        PackURI("/docProps/custom.xml"),
        CT.OFC_CUSTOM_PROPERTIES,
        ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml).encode("utf-8"),
        document.part.package,
    )
    document.part.package.relate_to(part, RT.CUSTOM_PROPERTIES)


def read_bookmark_map(archive: zipfile.ZipFile) -> dict[str, str]:
    """The map `add_bookmark_map` wrote, from a saved file; empty when there is none."""
    return {
        name.removeprefix(BOOKMARK_PREFIX): value
        for name, value in _custom_properties(archive).items()
        if name.startswith(BOOKMARK_PREFIX)
    }


def read_identity(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """(title, book id) of the book the copy was built from; None for what it does not say
    (a copy built before review copies carried them)."""
    found = _custom_properties(archive)
    return found.get(BOOK_TITLE), found.get(BOOK_ID)


def _custom_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    try:
        xml = archive.read("docProps/custom.xml")
    except KeyError:
        return {}
    root = parse_xml(xml)  # python-docx's parser: no entities, no network
    return {
        item.get("name", ""): "".join(item.itertext())
        for item in root.iter(f"{{{_CUSTOM_NS}}}property")
    }


# --- reproducible bytes --------------------------------------------------------------------


def set_core_properties(document: Any, title: str, author: str, when: datetime.datetime) -> None:
    """Title, author and dates from the book, not from the clock (python-docx writes now)."""
    core = document.core_properties
    core.title = title
    core.author = core.last_modified_by = author
    core.created = core.modified = core.last_printed = when.replace(tzinfo=None)
    core.revision = 1
    core.comments = ""


def save_reproducibly(document: Any, path: Path, when: datetime.datetime) -> None:
    """Save with every zip entry dated `when`, in python-docx's order: the same document
    gives the same bytes. The template's thumbnail (a picture of an empty page) is dropped."""
    relationships = document.part.package.rels
    for key in [key for key, rel in relationships.items() if rel.reltype == RT.THUMBNAIL]:
        del relationships[key]
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))


def style_font(document: Any, family: str) -> None:
    """`family` for every script of the Normal style and the headings (the template sets
    Calibri and Cambria through the theme, which would win for Vietnamese letters); the
    document's defaults too, which table cells fall back on, with Vietnamese as the language
    (Word's spelling checker then reads the delegates' words as Vietnamese)."""
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    if defaults is not None:
        properties = defaults.find(qn("w:rPr"))
        if properties is not None:
            _set_fonts(properties.get_or_add_rFonts(), family)
            language = properties.find(qn("w:lang"))
            if language is not None:  # the template's, `en-US`
                language.set(qn("w:val"), "vi-VN")
    for style in document.styles:
        if style.type == 1:  # paragraph styles
            _set_fonts(style.element.get_or_add_rPr().get_or_add_rFonts(), family)


def _set_fonts(fonts: Any, family: str) -> None:
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), family)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)
