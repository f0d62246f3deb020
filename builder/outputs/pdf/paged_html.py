"""Reshaping rendered bodies for paged media: footnotes at their call, ids unique per book.

WeasyPrint places a note at the foot of the page only when the note's text stands where it
is called (`float: footnote`), while markdown-it gathers notes at the end of the body.
"""

from __future__ import annotations

from lxml import html
from lxml.html import HtmlElement


def footnotes_at_call_sites(body_html: str, prefix: str) -> str:
    """Move each note into a `<span class="footnote">` at its call; prefix every id."""
    if not body_html.strip():
        return body_html
    root = html.fragment_fromstring(body_html, create_parent="div")
    notes = {item.get("id"): item for item in root.xpath("//li[contains(@class,'footnote-item')]")}
    for call in root.xpath("//sup[contains(@class,'footnote-ref')]"):
        link = call.find("a")
        note = notes.get(link.get("href", "")[1:]) if link is not None else None
        if note is None:
            continue
        span = _note_span(note)
        span.tail = call.tail
        call.getparent().replace(call, span)
    for element in root.xpath(
        "//hr[contains(@class,'footnotes-sep')] | //section[@class='footnotes']"
    ):
        element.getparent().remove(element)
    for element in root.xpath("//*[@id]"):
        element.set("id", f"{prefix}--{element.get('id')}")
    for link in root.xpath("//a[starts-with(@href,'#')]"):
        link.set("href", f"#{prefix}--{link.get('href')[1:]}")
    return "".join(_serialise(child) for child in root) if len(root) else root.text or ""


def _note_span(note: HtmlElement) -> HtmlElement:
    for backref in note.xpath(".//a[contains(@class,'footnote-backref')]"):
        parent = backref.getparent()
        if backref.tail:
            previous = backref.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + backref.tail
            else:
                parent.text = (parent.text or "") + backref.tail
        parent.remove(backref)
    span = html.Element("span", {"class": "footnote"})
    paragraphs = note.findall("p") or [note]
    for number, paragraph in enumerate(paragraphs):
        if number:
            span.append(html.Element("br"))
        if paragraph.text:
            if len(span):
                span[-1].tail = (span[-1].tail or "") + paragraph.text
            else:
                span.text = (span.text or "") + paragraph.text
        for child in list(paragraph):
            span.append(child)
    if len(span):
        span[-1].tail = (span[-1].tail or "").rstrip()
    else:
        span.text = (span.text or "").rstrip()
    return span


def _serialise(element: HtmlElement) -> str:
    return str(html.tostring(element, encoding="unicode"))
