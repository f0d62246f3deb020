"""The screen PDF's accessibility tags completed where WeasyPrint 70 leaves them short.

A WeasyPrint finisher (`write_pdf(..., finisher=complete_tags)`), run on the laid-out
document just before the PDF is written:

- a link's annotation is described by what the reader sees (or its `aria-label`/`title`),
  where WeasyPrint writes the target's anchor (`phan-kinh-te`) as /Contents;
- a table header cell gets /Scope (Column, or Row for `<th scope="row">`): WeasyPrint writes
  /IDs and /Headers but no /Scope, and checkers (pdfua, PAC) ask for it;
- the pages are labelled as the printed book numbers them (`label_pages`): a viewer's
  “page 57” is the folio 57 the site and the EPUB cite, not the 59th sheet of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def complete_tags(document: Any, pdf: Any) -> None:
    """Describe every link and scope every table header of `document`'s tagged PDF."""
    import pydyf

    for box, link in _boxes(document):
        annotation = box.link_annotation
        if annotation is not None and "Contents" in annotation:
            text = link_description(link if link is not None else box.element)
            if text:
                annotation["Contents"] = pydyf.String(text)
        if box.element_tag == "th" and isinstance(getattr(box, "mark", None), dict):
            attributes = box.mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            scope = _SCOPES.get(str(box.element.get("scope", "")).lower(), "/Column")
            attributes["Scope"] = scope


def label_pages(document: Any, pdf: Any, first_folio: int = 1) -> None:
    """/PageLabels: the pages before the half title are the cover (“Bìa-1”, “Bìa-2”), the
    rest are numbered from `first_folio` (1, or a later unit's first) as the folios of the
    print edition."""
    import pydyf

    from builder.outputs.pdf.layout.page_map import cover_pages
    from builder.render.templating import words

    cover = cover_pages(document)
    numbers = pydyf.Array()
    if cover:
        numbers.extend([0, pydyf.Dictionary({"S": "/D", "P": pydyf.String(
            f"{words().titles['cover']}-")})])  # fmt: skip
    numbers.extend([cover, pydyf.Dictionary({"S": "/D", "St": first_folio})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})


def finish_screen_edition(document: Any, pdf: Any, first_folio: int = 1) -> None:
    """Everything the screen edition adds to what WeasyPrint writes."""
    complete_tags(document, pdf)
    label_pages(document, pdf, first_folio)


def link_description(element: Any) -> str:
    """What a screen reader should say for a link: its `aria-label`, else its `title`,
    else its text, spaces folded."""
    if element is None:
        return ""
    for attribute in ("aria-label", "title"):
        value = " ".join(str(element.get(attribute) or "").split())
        if value:
            return value
    return " ".join("".join(element.itertext()).split())


def _boxes(document: Any) -> Iterator[tuple[Any, Any]]:
    """Every box of every page, with the `<a href>` element it is inside, if any: a link's
    words may be in several boxes (`<a><span>Phần I.</span> Kinh tế</a>`), each with its
    own annotation, and each is described by the whole link."""
    for page in document.pages:
        yield from _descendants(page._page_box, None)


def _descendants(box: Any, link: Any) -> Iterator[tuple[Any, Any]]:
    element = box.element
    if element is not None and element.tag == "a" and element.get("href") is not None:
        link = element
    yield box, link
    for child in getattr(box, "children", ()):
        yield from _descendants(child, link)
