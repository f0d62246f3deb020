"""Text Word shows that mammoth reads as nothing: phonetic guides (`w:ruby`: Word shows the
base text, with a small reading above it) and passages pasted as a web page (`w:altChunk`
pointing at an HTML or MHT part, which Word renders in place). Before mammoth reads the
document, a ruby becomes its base text, and an HTML chunk plain paragraphs (its list items
marked as list items, its scripts and styles left out)."""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter

from lxml import etree, html

from builder.authoring.word.word_drawings import BULLET, ReadPart, paragraph

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dt", "dd", "pre",
          "blockquote", "div", "caption"}  # fmt: skip
MAX_CHUNK = 20 * 1024 * 1024


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def unfold_chunks(
    root: etree._Element, targets: dict[str, str], read: ReadPart, found: Counter[str]
) -> bool:
    """Rubies as their base text, HTML/MHT chunks as paragraphs; False when there are none."""
    changed = False
    for ruby in list(root.iter(_w("ruby"))):
        run = ruby.getparent()
        base = ruby.find(_w("rubyBase"))
        if run is None or run.tag != _w("r") or run.getparent() is None:
            continue
        runs = list(base.iter(_w("r"))) if base is not None else []
        for item in runs:
            run.addprevious(item)
        run.getparent().remove(run)
        changed = True
    for chunk in list(root.iter(_w("altChunk"))):
        data = read(targets.get(chunk.get(f"{{{R}}}id", ""), ""))
        texts = _chunk_texts(data) if data and len(data) <= MAX_CHUNK else None
        parent = chunk.getparent()
        if parent is None:
            continue
        if texts is None:
            found["chunk unread"] += 1
            parent.remove(chunk)
            continue
        for text in texts:
            chunk.addprevious(paragraph(text))
        parent.remove(chunk)
        found["chunk"] += 1
        changed = True
    return changed


def _chunk_texts(data: bytes) -> list[str] | None:
    """The paragraphs of an HTML or MHT chunk; None for another kind (RTF, a document)."""
    start = data[:2048].lstrip().lower()
    if start.startswith((b"mime-version", b"content-type", b"from:")) or b"multipart/" in start:
        message = email.message_from_bytes(data, policy=email.policy.default)
        part = next((p for p in message.walk() if p.get_content_type() == "text/html"), None)
        if part is None:
            return None
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
    elif not re.search(rb"<(!doctype html|html|body|p|div)[\s>]", start):
        return None
    document = html.document_fromstring(data or b"<p></p>")
    for unwanted in document.xpath("//script|//style|//head|//noscript"):
        unwanted.drop_tree()
    texts = []
    for element in document.iter(*BLOCKS):
        if any(True for _ in element.iterdescendants(*BLOCKS)):
            continue  # its inner blocks are taken one by one
        text = re.sub(r"\s+", " ", element.text_content()).strip()
        if text:
            texts.append(BULLET + text if element.tag == "li" else text)
    return texts
