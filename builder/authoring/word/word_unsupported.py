"""What a Word document holds that Markdown cannot, made visible before mammoth reads it.

mammoth drops equations and linked pictures without a word, and reads the text moved away
by a tracked change as if it were still there, and hidden text (`w:vanish`, often a note the
author kept for themselves) as if it were shown. Each equation becomes a TODO line that keeps
its characters, each linked picture a TODO at its place; moved-away text is removed as
Word's “accept all changes” would, hidden runs as Word's printing does, and a paragraph whose
mark and text are all hidden with them. Numbered paragraphs get Word's numbers as markers
(word_numbering.py); charts, diagrams and text boxes mammoth cannot read give their text
(word_drawings.py), and so do phonetic guides and pasted web pages (word_chunks.py). The
counts go into the import's report.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from builder.authoring.word.word_chunks import unfold_chunks
from builder.authoring.word.word_drawings import ReadPart, part_targets, unpack_drawings
from builder.authoring.word.word_numbering import Numbering, mark_numbers

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
NUMBERING_PARTS = ("word/numbering.xml", "word/styles.xml")
DOCUMENT_RELS = "word/_rels/document.xml.rels"


class Drawings(NamedTuple):
    targets: dict[str, str]  # relationship id → part name
    read: ReadPart


EQUATION = "TODO: công thức (chép lại bằng chữ): "
LINKED_PICTURE = "TODO: bức ảnh ở đây chỉ được liên kết, không nằm trong tệp Word"


def prepared(document: Path) -> tuple[io.BytesIO, Counter[str]]:
    """The document with the rewrites above, and how many of each: `equation`,
    `linked picture`, `hidden` (passages: runs hidden one after another count once)."""
    found: Counter[str] = Counter()
    buffer = io.BytesIO()
    with zipfile.ZipFile(document) as source, zipfile.ZipFile(buffer, "w") as target:
        names = set(source.namelist())

        def read(name: str) -> bytes | None:
            return source.read(name) if name in names else None

        numbering = Numbering.read(*(read(part) for part in NUMBERING_PARTS))
        drawings = Drawings(part_targets(read(DOCUMENT_RELS)), read)
        for item in source.infolist():
            data = source.read(item)
            if item.filename in PARTS:
                body = item.filename == PARTS[0]
                data = _rewritten(
                    data, found, numbering if body else None, drawings if body else None
                )
            target.writestr(item, data)
    buffer.seek(0)
    return buffer, found


def _rewritten(
    data: bytes,
    found: Counter[str],
    numbering: Numbering | None = None,
    drawings: Drawings | None = None,
) -> bytes:
    parser = etree.XMLParser(huge_tree=False, resolve_entities=False)
    root = etree.fromstring(data, parser)
    changed = False
    if drawings is not None and unpack_drawings(root, drawings.targets, drawings.read, found):
        changed = True
    if drawings is not None and unfold_chunks(root, drawings.targets, drawings.read, found):
        changed = True
    if numbering is not None and mark_numbers(root, numbering):
        changed = True
    for moved in root.iter(f"{{{W}}}moveFrom"):
        moved.getparent().remove(moved)
        changed = True
    if _without_hidden(root, found):
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


def _without_hidden(root: etree._Element, found: Counter[str]) -> bool:
    """Remove the hidden runs, and the paragraphs hidden whole; False when there are none.
    Only a run's own `w:vanish` counts: one set by a style is not looked for."""
    runs = [run for run in root.iter(f"{{{W}}}r") if _hidden(run)]
    hidden = set(runs)
    found["hidden"] += sum(1 for run in runs if run.getprevious() not in hidden)
    marks = [p for p in root.iter(f"{{{W}}}p") if _hidden(p.find(f"{{{W}}}pPr"))]
    for run in runs:
        run.getparent().remove(run)
    for paragraph in marks:
        parent = paragraph.getparent()
        alone = parent.tag == f"{{{W}}}tc" and len(parent.findall(f"{{{W}}}p")) == 1
        if not alone and not any(True for _ in paragraph.iter(f"{{{W}}}r")):
            parent.remove(paragraph)  # a cell keeps its one paragraph, as Word requires
    return bool(runs)


def _hidden(element: etree._Element | None) -> bool:
    """Whether the run (or paragraph mark, given its `w:pPr`) is hidden by its own `w:vanish`."""
    vanish = None if element is None else element.find(f"{{{W}}}rPr/{{{W}}}vanish")
    return vanish is not None and vanish.get(f"{{{W}}}val", "true") not in ("0", "false", "off")


def _run(text: str) -> etree._Element:
    run = etree.Element(f"{{{W}}}r")
    element = etree.SubElement(run, f"{{{W}}}t")
    element.text = text
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run
