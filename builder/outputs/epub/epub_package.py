"""What ebooklib does not write into the EPUB's package files: the book's language on the
OPF's `<package>` element (Ace: "epub-lang") and the NCX's page list (EPUB 2 readers).

Both are rewritten in the zip ebooklib produced, before it is repacked with fixed dates.
"""

from __future__ import annotations

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NCX = "http://www.daisy.org/z3986/2005/ncx/"


def package_with_language(opf: bytes, language: str) -> bytes:
    """content.opf with `xml:lang` on `<package>`: the language of its metadata."""
    root = etree.fromstring(opf)
    root.set(XML_LANG, language)
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True))


def ncx_with_page_list(ncx: bytes, page_list: list[tuple[int, str]]) -> bytes:
    """toc.ncx with a `pageList` of the printed pages and their count in the head."""
    if not page_list:
        return ncx
    root = etree.fromstring(ncx, etree.XMLParser(remove_blank_text=True))
    highest = max(number for number, _href in page_list)
    for name, value in (("dtb:totalPageCount", len(page_list)), ("dtb:maxPageNumber", highest)):
        for meta in root.iterfind(f"{{{NCX}}}head/{{{NCX}}}meta[@name='{name}']"):
            meta.set("content", str(value))
    pages = etree.SubElement(root, f"{{{NCX}}}pageList")
    for number, href in page_list:
        target = etree.SubElement(
            pages,
            f"{{{NCX}}}pageTarget",
            {"id": f"trang-in-{number}", "type": "normal", "value": str(number)},
        )
        label = etree.SubElement(etree.SubElement(target, f"{{{NCX}}}navLabel"), f"{{{NCX}}}text")
        label.text = str(number)
        etree.SubElement(target, f"{{{NCX}}}content", {"src": href})
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True))
