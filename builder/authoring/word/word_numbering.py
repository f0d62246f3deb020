"""Numbered lists as Word shows them: “3.” after an interrupting paragraph, a list's own start
value, a restart by `w:lvlOverride`/`w:startOverride`.

mammoth makes a new `<ol>` after every paragraph that interrupts a list, and Markdown would
number it from 1 again. Word's numbers come from counters kept per abstract numbering
definition and level: a list of the same definition goes on where the last stopped, a deeper
level starts again after a higher one, an override starts again where it is first used. Before
mammoth reads the document, each paragraph Word numbers in decimal gets its number as a marker
run (`mark_numbers`); after, each `<ol>` takes its first item's number as its `start` and the
markers are taken out (`apply_numbers`). Letters and roman numerals are left as mammoth reads
them (Markdown numbers only with digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DECIMAL = {"decimal", "decimalZero", "decimalEnclosedFullstop", "decimalEnclosedParen"}
OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: no document has them as text
MARKER = re.compile(f"{OPEN}(\\d+){CLOSE}")
LEVELS = 9


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _value(element: etree._Element | None, child: str) -> str | None:
    if element is None:
        return None
    found = element.find(_w(child))
    return None if found is None else found.get(_w("val"))


@dataclass
class _Level:
    start: int = 1
    format: str = "decimal"


@dataclass
class Numbering:
    """numbering.xml and the styles' numbering, read once per document."""

    abstract_of: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    levels: dict[tuple[str, int], _Level] = field(default_factory=dict)  # (abstract, ilvl)
    overrides: dict[tuple[str, int], int] = field(default_factory=dict)  # (numId, ilvl) → start
    style_numbers: dict[str, tuple[str, int]] = field(default_factory=dict)  # style → numId, ilvl

    @classmethod
    def read(cls, numbering: bytes | None, styles: bytes | None) -> Numbering:
        found = cls()
        parser = etree.XMLParser(resolve_entities=False, huge_tree=False)
        if numbering:
            root = etree.fromstring(numbering, parser)
            for abstract in root.iter(_w("abstractNum")):
                key = abstract.get(_w("abstractNumId"), "")
                for level in abstract.iter(_w("lvl")):
                    found.levels[(key, _int(level.get(_w("ilvl")), 0))] = _level(level)
            for num in root.iter(_w("num")):
                number = num.get(_w("numId"), "")
                found.abstract_of[number] = _value(num, "abstractNumId") or ""
                for override in num.iter(_w("lvlOverride")):
                    ilvl = _int(override.get(_w("ilvl")), 0)
                    start = _value(override, "startOverride")
                    level = override.find(_w("lvl"))
                    if start is not None:
                        found.overrides[(number, ilvl)] = _int(start, 1)
                    elif level is not None and _value(level, "start") is not None:
                        found.overrides[(number, ilvl)] = _level(level).start
        if styles:
            root = etree.fromstring(styles, parser)
            for style in root.iter(_w("style")):
                properties = style.find(_w("pPr"))
                numbers = properties.find(_w("numPr")) if properties is not None else None
                if numbers is not None and _value(numbers, "numId"):
                    ilvl = _int(_value(numbers, "ilvl"), 0)
                    found.style_numbers[style.get(_w("styleId"), "")] = (
                        _value(numbers, "numId") or "",
                        ilvl,
                    )
        return found


def _level(element: etree._Element) -> _Level:
    return _Level(_int(_value(element, "start"), 0), _value(element, "numFmt") or "decimal")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def mark_numbers(document: etree._Element, numbering: Numbering) -> int:
    """A marker run with Word's number at the start of each paragraph Word numbers in
    decimal; how many were marked."""
    counters: dict[str, list[int | None]] = {}
    started: set[tuple[str, int]] = set()
    marked = 0
    for paragraph in document.iter(_w("p")):
        place = _numbered(paragraph, numbering)
        if place is None:
            continue
        number, ilvl = place
        abstract = numbering.abstract_of.get(number)
        if abstract is None:
            continue
        levels = counters.setdefault(abstract, [None] * LEVELS)
        level = numbering.levels.get((abstract, ilvl), _Level())
        restart = numbering.overrides.get((number, ilvl))
        if restart is not None and (number, ilvl) not in started:
            levels[ilvl] = restart - 1
        elif levels[ilvl] is None:
            levels[ilvl] = level.start - 1
        started.add((number, ilvl))
        levels[ilvl] = (levels[ilvl] or 0) + 1
        for deeper in range(ilvl + 1, LEVELS):
            levels[deeper] = None
        if level.format in DECIMAL:
            _prepend(paragraph, f"{OPEN}{levels[ilvl]}{CLOSE}")
            marked += 1
    return marked


def _numbered(paragraph: etree._Element, numbering: Numbering) -> tuple[str, int] | None:
    properties = paragraph.find(_w("pPr"))
    if properties is None:
        return None
    numbers = properties.find(_w("numPr"))
    style = _value(properties, "pStyle")
    from_style = numbering.style_numbers.get(style or "")
    if numbers is None:
        return from_style
    number = _value(numbers, "numId") or (from_style[0] if from_style else None)
    if not number or number == "0":
        return None  # numbering switched off for this paragraph
    default_level = from_style[1] if from_style else 0
    return number, min(max(_int(_value(numbers, "ilvl"), default_level), 0), LEVELS - 1)


def _prepend(paragraph: etree._Element, text: str) -> None:
    run = etree.Element(_w("r"))
    etree.SubElement(run, _w("t")).text = text
    properties = paragraph.find(_w("pPr"))
    index = 0 if properties is None else list(paragraph).index(properties) + 1
    paragraph.insert(index, run)


def apply_numbers(root: HtmlElement) -> None:
    """Each `<ol>` starts at its first item's Word number; every marker taken out (one left
    in a paragraph mammoth did not read as a list item opens it as “3. ”)."""
    for listing in root.iter("ol"):
        first = next(iter(listing.findall("li")), None)
        found = MARKER.search(first.text_content()) if first is not None else None
        if found and found.group(1) != "1":
            listing.set("start", found.group(1))
    for element in root.iter():
        for attribute in ("text", "tail"):
            value = getattr(element, attribute)
            if value and OPEN in value:
                owner = element if attribute == "text" else element.getparent()
                in_item = owner is not None and _in_list_item(owner)
                replacement = "" if in_item else r"\1. "
                setattr(element, attribute, MARKER.sub(replacement, value))


def _in_list_item(element: HtmlElement) -> bool:
    return any(ancestor.tag == "li" for ancestor in (element, *element.iterancestors()))
