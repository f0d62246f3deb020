"""What a delegate wrote on the Word review copy: comments (with the text they mark and their
replies) and tracked changes, each placed in the model whose heading comes before it.

The review copy names every model heading with a bookmark and keeps the bookmark → slug map
in its custom properties (builder/outputs/review/docx_parts.py); a comment before the first model,
or under
a part's heading, is kept as unplaced with its paragraph number. A comment in a footnote
belongs to the model whose text calls that footnote. The slugs read here come from outside:
builder/review_round/comments/comments_import.py keeps only those that name a model of the book.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from lxml import etree

from builder.load.reviews import UNPLACED, Comment, Reply, comment_id
from builder.outputs.review.docx_parts import read_bookmark_map

W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W14_PARA_ID = qn("w14:paraId")
SECTION_STYLE = re.compile(
    r"Heading[3-9]"
)  # a body's `##` and below (builder/outputs/review/docx_body.py)
QUOTED_MAX = 300  # characters of a changed paragraph kept as the context of a suggestion
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(slots=True)
class _Place:
    """Where the walk through the body stands."""

    slug: str = UNPLACED
    title: str = ""  # the model's (or a part's) heading
    section: str = ""  # the body heading above, if any
    paragraph: int = 0  # paragraphs with text since the heading above, tables left out

    @property
    def where(self) -> str:
        section = f", mục “{self.section}”" if self.section else ""
        line = f", đoạn {self.paragraph}" if self.paragraph else ""
        if self.slug == UNPLACED:
            if not self.title:
                return f"đoạn {self.paragraph}"
            return f"tiêu đề “{self.title}”{section}{line}"
        if not section and not line:
            return f"tiêu đề mô hình “{self.title}”"
        return f"mô hình “{self.title}”{section}{line}"


@dataclass(slots=True)
class _Anchor:
    slug: str
    where: str
    position: str  # paragraph and character where it starts, counted from the model's heading
    quoted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Change:
    element: Any
    slug: str
    where: str
    position: str


def word_comments(path: Path) -> list[tuple[str, Comment]]:
    """(model slug or `_unplaced`, comment) for every comment and suggestion in `path`."""
    with zipfile.ZipFile(path) as archive:
        bookmarks = read_bookmark_map(archive)
        parents = _reply_parents(archive)
        notes = _part(archive, "word/footnotes.xml")
    document = docx.Document(str(path))
    walk = _Walk(bookmarks)
    walk.body(document.element.body)
    if notes is not None:
        walk.footnotes(notes)
    found = _comments(document, walk.anchors, parents, path.name)
    found.extend(_suggestions(walk.changes, path.name))
    return found


class _Walk:
    """The place and the marked text of every comment (by Word id), and the tracked changes
    with their places, in document order: the body first, then the footnotes, each placed
    where its call stands in the body."""

    def __init__(self, bookmarks: dict[str, str]) -> None:
        self.bookmarks = bookmarks
        self.anchors: dict[str, _Anchor] = {}
        self.changes: list[_Change] = []
        self.notes: dict[str, tuple[str, str, int]] = {}  # note id → slug, where, its number
        self.open_ranges: set[str] = set()
        self.paragraphs = self.offset = 0  # since the model's heading; in the paragraph

    def body(self, body: Any) -> None:
        place = _Place()
        for element in body.iter():
            tag = element.tag
            if tag == qn("w:p"):
                style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
                name = style.get(qn("w:val"), "") if style is not None else ""
                if SECTION_STYLE.fullmatch(name):
                    place.section, place.paragraph = _text(element), 0
                elif _text(element).strip() and not _inside(element, qn("w:tbl")):
                    place.paragraph += 1
            elif tag == qn("w:bookmarkStart"):
                name = element.get(qn("w:name"), "")
                slug = self.bookmarks.get(
                    name, _slug_from_name(name) if not self.bookmarks else None
                )
                if slug is not None:
                    heading = next(element.iterancestors(qn("w:p")), None)
                    title = _text(heading) if heading is not None else ""
                    place = _Place(slug or UNPLACED, title)
                    self.paragraphs = 0
            elif tag == qn("w:footnoteReference"):
                number = len(self.notes) + 1
                self.notes[element.get(qn("w:id"), "")] = (place.slug, place.where, number)
            self._visit(element, place.slug, place.where, "")

    def footnotes(self, root: Any) -> None:
        for note in root.iter(qn("w:footnote")):
            slug, where, number = self.notes.get(note.get(qn("w:id"), ""), (UNPLACED, "", 0))
            where = f"{where}, chú thích {number}" if where else f"chú thích {number}"
            self.paragraphs = 0
            for element in note.iter():
                self._visit(element, slug, where, f"fn{number}:")

    def _visit(self, element: Any, slug: str, where: str, part: str) -> None:
        """What every part shares: comments' ranges and their text, tracked changes."""
        tag = element.tag
        if tag == qn("w:p"):
            self.paragraphs += 1
            self.offset = 0
        elif tag in (qn("w:commentRangeStart"), qn("w:commentReference")):
            number = element.get(qn("w:id"), "")
            if number not in self.anchors:
                table = " (bảng sau đoạn này)" if _inside(element, qn("w:tbl")) else ""
                self.anchors[number] = _Anchor(slug, where + table, self._position(part))
            if tag == qn("w:commentRangeStart"):
                self.open_ranges.add(number)
        elif tag == qn("w:commentRangeEnd"):
            self.open_ranges.discard(element.get(qn("w:id"), ""))
        elif tag in (qn("w:t"), qn("w:tab")):
            text = (element.text or "") if tag == qn("w:t") else " "
            self.offset += len(text)
            if self.open_ranges and not _inside(element, qn("w:del")):
                for number in self.open_ranges:
                    self.anchors[number].quoted.append(text)
        elif tag in (qn("w:ins"), qn("w:del")) and (
            _inside(element, qn("w:body")) or _inside(element, qn("w:footnote"))
        ):
            self.changes.append(_Change(element, slug, where, self._position(part)))

    def _position(self, part: str) -> str:
        return f"{part}{self.paragraphs}:{self.offset}"


def _comments(
    document: Any, anchors: dict[str, _Anchor], parents: dict[str, str], source: str
) -> list[tuple[str, Comment]]:
    """Comments with their replies (Word's threads: commentsExtended.xml)."""
    by_para: dict[str, str] = {}  # paraId of a comment's last paragraph → its Word id
    read: dict[str, tuple[str, Comment]] = {}
    replies: list[tuple[str, Reply]] = []
    for item in document.comments:
        number = str(item.comment_id)
        paragraphs = item.paragraphs
        para_id = paragraphs[-1]._p.get(W14_PARA_ID) if paragraphs else None
        if para_id:
            by_para[para_id] = number
        author, date, text = item.author or "", _iso(item.timestamp), item.text.strip()
        parent_para = parents.get(para_id or "")
        if parent_para:
            replies.append((parent_para, Reply(author, date, text)))
            continue
        anchor = anchors.get(number, _Anchor(UNPLACED, "", f"word:{number}"))
        quoted = " ".join("".join(anchor.quoted).split())
        key = ("docx:comment", author, date, anchor.slug, quoted, text)
        read[number] = (
            anchor.slug,
            Comment(
                id=comment_id(*key, position=anchor.position),
                aliases=(comment_id(*key),),
                kind="comment",
                author=author,
                date=date,
                source=source,
                where=anchor.where,
                text=text,
                quoted=quoted,
            ),
        )
    for parent_para, reply in replies:
        thread = read.get(by_para.get(parent_para, ""))
        if thread is not None:
            slug, comment = thread
            read[by_para[parent_para]] = (slug, replace(comment, replies=(*comment.replies, reply)))
    return list(read.values())


def _suggestions(changes: list[_Change], source: str) -> list[tuple[str, Comment]]:
    """Tracked changes as suggestions: a deletion followed at once by an insertion by the same
    author is one replacement (old → new)."""
    found: list[tuple[str, Comment]] = []
    paired: set[int] = set()
    for change in changes:
        element, slug, where = change.element, change.slug, change.where
        if id(element) in paired:
            continue
        old = new = ""
        if element.tag == qn("w:del"):
            old = _deleted(element)
            following = element.getnext()
            if (
                following is not None
                and following.tag == qn("w:ins")
                and _same_author(element, following)
            ):
                new = _text(following)
                paired.add(id(following))
        else:
            new = _text(element)
        if not old and not new:
            continue  # a paragraph mark or formatting only
        author = element.get(qn("w:author"), "")
        date = element.get(qn("w:date"), "")
        paragraph = next(element.iterancestors(qn("w:p")), None)
        quoted = _around(paragraph, element) if paragraph is not None else ""
        key = ("docx:suggestion", author, date, slug, old, new)
        found.append(
            (
                slug,
                Comment(
                    id=comment_id(*key, position=change.position),
                    aliases=(comment_id(*key),),
                    kind="suggestion",
                    author=author,
                    date=date,
                    source=source,
                    where=where,
                    quoted=quoted,
                    old=old,
                    new=new,
                ),
            )
        )
    return found


def _part(archive: zipfile.ZipFile, name: str) -> Any:
    """A part of the file as XML, None when it has none; entities and DTDs are not read (a
    returned file comes from outside)."""
    try:
        data = archive.read(name)
    except KeyError:
        return None
    return etree.fromstring(data, SAFE_XML)


def _reply_parents(archive: zipfile.ZipFile) -> dict[str, str]:
    """paraId of a reply's last paragraph → paraId of its parent comment's."""
    root = _part(archive, "word/commentsExtended.xml")
    if root is None:
        return {}
    return {
        item.get(f"{{{W15}}}paraId", ""): item.get(f"{{{W15}}}paraIdParent", "")
        for item in root.iter(f"{{{W15}}}commentEx")
        if item.get(f"{{{W15}}}paraIdParent")
    }


def _slug_from_name(name: str) -> str | None:
    """A review copy whose custom properties were lost: `m_hien_dat` → `hien-dat` (names
    shortened with a hash cannot be read back this way)."""
    return name[2:].replace("_", "-") if name.startswith("m_") else None


def _inside(element: Any, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())


def _same_author(first: Any, second: Any) -> bool:
    return bool(first.get(qn("w:author"), "") == second.get(qn("w:author"), ""))


def _text(element: Any) -> str:
    return "".join(_texts(element, qn("w:t")))


def _deleted(element: Any) -> str:
    return "".join(_texts(element, qn("w:delText")))


def _around(paragraph: Any, change: Any) -> str:
    """The paragraph as it was before the delegate's changes, cut to the words around
    `change` when it is long."""
    before: list[str] = []
    after: list[str] = []
    for node in paragraph.iter(qn("w:t"), qn("w:delText")):
        if node.tag == qn("w:t") and _inside(node, qn("w:ins")):
            continue
        inside = change in node.iterancestors()
        (after if inside or after else before).append(node.text or "")
    text, cut = "".join(before + after), len("".join(before))
    if len(text) > QUOTED_MAX:
        side = QUOTED_MAX // 2
        first, last = max(cut - side, 0), cut + side
        text = ("…" if first else "") + text[first:last] + ("…" if last < len(text) else "")
    return " ".join(text.split())


def _texts(element: Any, tag: str) -> Iterator[str]:
    for node in element.iter(tag):
        yield node.text or ""


def _iso(when: datetime.datetime | None) -> str:
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
