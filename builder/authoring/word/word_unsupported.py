"""What a Word document holds that Markdown cannot, made visible before mammoth reads it.

mammoth drops equations and linked pictures without a word, and reads the text moved away
by a tracked change as if it were still there. Each equation becomes a TODO line that keeps
its characters, each linked picture a TODO at its place; moved-away text is removed as
Word's “accept all changes” would. The counts go into the import's report.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
EQUATION = "TODO: công thức (chép lại bằng chữ): "
LINKED_PICTURE = "TODO: bức ảnh ở đây chỉ được liên kết, không nằm trong tệp Word"


def prepared(document: Path) -> tuple[io.BytesIO, Counter[str]]:
    """The document with the rewrites above, and how many of each: `equation`,
    `linked picture`."""
    found: Counter[str] = Counter()
    buffer = io.BytesIO()
    with zipfile.ZipFile(document) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename in PARTS:
                data = _rewritten(data, found)
            target.writestr(item, data)
    buffer.seek(0)
    return buffer, found


def _rewritten(data: bytes, found: Counter[str]) -> bytes:
    parser = etree.XMLParser(huge_tree=False, resolve_entities=False)
    root = etree.fromstring(data, parser)
    changed = False
    for moved in root.iter(f"{{{W}}}moveFrom"):
        moved.getparent().remove(moved)
        changed = True
    for equation in list(root.iter(f"{{{M}}}oMathPara", f"{{{M}}}oMath")):
        parent = equation.getparent()
        if parent is None or parent.tag == f"{{{M}}}oMathPara":
            continue
        text = "".join(t.text or "" for t in equation.iter(f"{{{M}}}t"))
        parent.replace(equation, _run(EQUATION + text))
        found["equation"] += 1
        changed = True
    for blip in list(root.iter(f"{{{A}}}blip")):
        if blip.get(f"{{{R}}}embed") or not blip.get(f"{{{R}}}link"):
            continue
        run = next((a for a in blip.iterancestors(f"{{{W}}}r")), None)
        if run is not None and run.getparent() is not None:
            run.getparent().replace(run, _run(LINKED_PICTURE))
            found["linked picture"] += 1
            changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") if changed else data


def _run(text: str) -> etree._Element:
    run = etree.Element(f"{{{W}}}r")
    element = etree.SubElement(run, f"{{{W}}}t")
    element.text = text
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run
