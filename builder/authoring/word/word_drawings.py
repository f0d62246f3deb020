"""The text Word keeps in drawings, which mammoth does not read: charts, SmartArt diagrams,
and text boxes and shapes written in DrawingML without a VML fallback (groups of shapes).

Before mammoth reads the document, each is replaced by what can be printed as text, placed
after the paragraph it is anchored to: a chart by a TODO line asking for a picture of it and a
table of its figures (its title, series and values); a SmartArt diagram by a TODO line and its
boxes' text as a list; a text box or shape by its own paragraphs. mammoth reads a VML text box
(and an `mc:AlternateContent` whose VML fallback holds the text) itself: those are left to it.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable

from lxml import etree
from lxml.html import HtmlElement

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DGM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
BULLET = "\ue002"  # a list item's marker, from here to `apply_bullets`
CHART_TODO = "TODO: biểu đồ{title} — hãy gửi ảnh của biểu đồ; số liệu của nó ở bảng dưới đây"
DIAGRAM_TODO = "TODO: sơ đồ (SmartArt){title} — hãy gửi ảnh của sơ đồ; chữ trong các ô của nó:"
SKIPPED_POINTS = {"doc", "parTrans", "sibTrans", "pres"}

ReadPart = Callable[[str], bytes | None]


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def part_targets(rels: bytes | None) -> dict[str, str]:
    """document.xml's relationships: id → the part's name in the package (`word/…`)."""
    if not rels:
        return {}
    root = etree.fromstring(rels, etree.XMLParser(resolve_entities=False))
    return {
        item.get("Id", ""): posixpath.normpath(posixpath.join("word", item.get("Target", "")))
        for item in root.iter(f"{{{PACKAGE_RELS}}}Relationship")
        if item.get("TargetMode") != "External"
    }


def unpack_drawings(
    root: etree._Element, targets: dict[str, str], read: ReadPart, found: Counter[str]
) -> bool:
    """Each chart, diagram and fallback-less text box replaced as said above; False when the
    document has none."""
    changed = False
    for data in list(root.iter(f"{{{A}}}graphicData")):
        run = _run_of(data)
        if run is None:
            continue
        uri = data.get("uri", "")
        if uri == C:
            chart = data.find(f"{{{C}}}chart")
            part = read(targets.get(chart.get(f"{{{R}}}id", ""), "")) if chart is not None else None
            blocks = _chart_blocks(part)
            found["chart"] += 1
        elif uri == DGM:
            ids = data.find(f"{{{DGM}}}relIds")
            part = read(targets.get(ids.get(f"{{{R}}}dm", ""), "")) if ids is not None else None
            blocks = _diagram_blocks(part)
            found["diagram"] += 1
        else:
            boxes = [box for box in data.iter(_w("txbxContent")) if not _read_by_mammoth(box)]
            blocks = [p for box in boxes for p in box.findall(_w("p"))]
            if not blocks:
                continue
            found["text box"] += len(boxes)
        _place_after_anchor(run, blocks)
        changed = True
    return changed


def _run_of(data: etree._Element) -> etree._Element | None:
    """The body's run holding the drawing (its `mc:AlternateContent`'s run, if any)."""
    run = None
    for ancestor in data.iterancestors():
        if ancestor.tag == _w("txbxContent"):
            return None  # a drawing inside a text box: its box is placed whole
        if ancestor.tag == _w("r"):
            run = ancestor
    return run


def _read_by_mammoth(box: etree._Element) -> bool:
    """A text box in an `mc:Choice` whose `mc:Fallback` has the text too: mammoth reads it."""
    choice = next(box.iterancestors(f"{{{MC}}}Choice"), None)
    if choice is None:
        return False
    fallback = (
        choice.getparent().find(f"{{{MC}}}Fallback") if choice.getparent() is not None else None
    )
    return fallback is not None and any(True for _ in fallback.iter(_w("txbxContent")))


def _place_after_anchor(run: etree._Element, blocks: list[etree._Element]) -> None:
    anchor = next((p for p in run.iterancestors(_w("p"))), None)
    parent = run.getparent()
    if parent is not None:
        parent.remove(run)
    if anchor is None or anchor.getparent() is None:
        return
    for block in reversed(blocks):
        anchor.addnext(block)


def _chart_blocks(part: bytes | None) -> list[etree._Element]:
    if not part:
        return [paragraph(CHART_TODO.format(title=""))]
    root = etree.fromstring(part, etree.XMLParser(resolve_entities=False, huge_tree=False))
    title_element = root.find(f".//{{{C}}}chart/{{{C}}}title")
    title = _texts(title_element, f"{{{A}}}t") if title_element is not None else ""
    rows: list[list[str]] = []
    categories: list[str] = []
    for series in root.iter(f"{{{C}}}ser"):
        name_element = series.find(f"{{{C}}}tx")
        name = _texts(name_element, f"{{{C}}}v") if name_element is not None else ""
        values = _points(series.find(f"{{{C}}}val"))
        categories = categories or _points(series.find(f"{{{C}}}cat"))
        rows.append([name or str(len(rows) + 1), *values])
    todo = CHART_TODO.format(title=f" “{title}”" if title else "")
    if not rows:
        return [paragraph(todo)]
    width = max(len(row) for row in rows)
    header = ["", *(categories or [str(n) for n in range(1, width)])][:width]
    return [paragraph(todo), _table([header, *rows])]


def _points(element: etree._Element | None) -> list[str]:
    if element is None:
        return []
    points = {}
    for point in element.iter(f"{{{C}}}pt"):
        value = point.find(f"{{{C}}}v")
        points[int(point.get("idx", "0"))] = (value.text or "") if value is not None else ""
    return [points.get(index, "") for index in range(max(points, default=-1) + 1)]


def _diagram_blocks(part: bytes | None) -> list[etree._Element]:
    nodes: list[str] = []
    if part:
        root = etree.fromstring(part, etree.XMLParser(resolve_entities=False, huge_tree=False))
        for point in root.iter(f"{{{DGM}}}pt"):
            if point.get("type", "node") in SKIPPED_POINTS:
                continue
            text = _texts(point.find(f"{{{DGM}}}t"), f"{{{A}}}t")
            if text:
                nodes.append(text)
    return [paragraph(DIAGRAM_TODO.format(title="")),
            *(paragraph(BULLET + node) for node in nodes)]  # fmt: skip


def _texts(element: etree._Element | None, tag: str) -> str:
    if element is None:
        return ""
    return re.sub(r"\s+", " ", "".join(t.text or "" for t in element.iter(tag))).strip()


def paragraph(text: str) -> etree._Element:
    paragraph = etree.Element(_w("p"))
    run = etree.SubElement(paragraph, _w("r"))
    element = etree.SubElement(run, _w("t"))
    element.text = text
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return paragraph


def _table(rows: list[list[str]]) -> etree._Element:
    table = etree.Element(_w("tbl"))
    etree.SubElement(table, _w("tblPr"))
    for number, cells in enumerate(rows):
        row = etree.SubElement(table, _w("tr"))
        if number == 0:
            etree.SubElement(etree.SubElement(row, _w("trPr")), _w("tblHeader"))
        for text in cells:
            etree.SubElement(row, _w("tc")).append(paragraph(text))
    return table


def apply_bullets(root: HtmlElement) -> None:
    """The paragraphs marked as list items (a diagram's boxes) made one `<ul>` per run."""
    for paragraph in list(root.iter("p")):
        if not (paragraph.text or "").startswith(BULLET):
            continue
        paragraph.text = (paragraph.text or "")[len(BULLET) :]
        previous = paragraph.getprevious()
        if previous is not None and previous.tag == "ul" and previous.get("data-drawing"):
            listing = previous
        else:
            listing = paragraph.makeelement("ul", {"data-drawing": "1"})
            paragraph.addprevious(listing)
        paragraph.tag = "li"
        listing.append(paragraph)
    for listing in root.iter("ul"):
        listing.attrib.pop("data-drawing", None)
