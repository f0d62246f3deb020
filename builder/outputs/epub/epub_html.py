"""Rendered bodies reshaped for EPUB 3: well-formed XHTML and semantic footnotes.

Reading systems show a note in a pop-up when the call is an `epub:type="noteref"` link to an
`<aside epub:type="footnote">`; markdown-it writes a plain list of notes instead.
"""

from __future__ import annotations

from lxml import etree, html

from builder.render.templating import words

EPUB_TYPE = "data-epub-type"  # renamed to epub:type once serialised


def to_epub_xhtml(body_html: str, heading_shift: int = 0) -> str:
    """The body as an XHTML fragment, notes turned into EPUB 3 footnotes.

    `heading_shift` lowers the body's headings: a model's title is its document's h2 (under
    its part's h1), so the body's `##` sections become h3 there.
    """
    if not body_html.strip():
        return ""
    root = html.fragment_fromstring(body_html, create_parent="div")
    if heading_shift:
        for heading in root.xpath("//h1|//h2|//h3|//h4|//h5|//h6"):
            heading.tag = f"h{min(int(heading.tag[1]) + heading_shift, 6)}"
    for call in root.xpath("//sup[contains(@class,'footnote-ref')]/a"):
        call.set(EPUB_TYPE, "noteref")
        call.set("role", "doc-noteref")
        call.text = (call.text or "").strip("[]")
    for section in root.xpath("//section[@class='footnotes']"):
        notes = html.Element(
            "section",
            {"class": "footnotes", EPUB_TYPE: "footnotes", "aria-label": words().footnotes},
        )
        for item in section.xpath(".//li[contains(@class,'footnote-item')]"):
            aside = html.Element(
                "aside", {"id": item.get("id"), EPUB_TYPE: "footnote", "role": "doc-footnote"}
            )
            number = len(notes) + 1
            label = html.Element("span", {"class": "note-number"})
            label.text = f"{number}. "
            aside.append(label)
            for backref in item.xpath(".//a[contains(@class,'footnote-backref')]"):
                backref.set("role", "doc-backlink")
            for child in list(item):
                aside.append(child)
            notes.append(aside)
        separator = section.getprevious()
        if separator is not None and separator.tag == "hr":
            root.remove(separator)
        section.getparent().replace(section, notes)
    parts = []
    for child in root:
        xml = etree.tostring(child, encoding="unicode", method="xml")
        parts.append(xml.replace(f' {EPUB_TYPE}="', ' epub:type="'))
    lead = root.text.strip() if root.text else ""
    return ("<p>" + _escape(lead) + "</p>" if lead else "") + "\n".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
