"""mammoth's warnings, said for an editor: one translated line per kind of thing the import
left out, with how many; nothing for what loses no text. Never an XML name or an English
sentence: “{urn:schemas-microsoft-com:office:office}OLEObject was ignored” becomes “an
embedded object (an Excel sheet, a chart…) was not imported”.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from builder.util.i18n import _

# Elements whose loss takes nothing from the text: the look of shapes and table rows, marks
# Word keeps for itself (spelling, revisions, permissions), layout of a drawing's frame.
HARMLESS = frozenset({
    "fill", "stroke", "shadow", "path", "formulas", "handles", "lock", "extrusion", "skew",
    "callout", "wrap", "anchorlock", "borderbottom", "bordertop", "borderleft", "borderright",
    "tblPrEx", "bookmarkEnd", "proofErr", "permStart", "permEnd", "lastRenderedPageBreak",
    "noProof",
})  # fmt: skip
# Each kind of left-out part: its line, given how many there were.
ELEMENT_KINDS: dict[str, str] = {
    "OLEObject": "object",
    "control": "object",
    "subDoc": "subdocument",
    "altChunk": "chunk",
    "textpath": "wordart",
}
# mammoth's other warnings (by their opening words): what they mean, or None when nothing is lost.
MESSAGE_KINDS: tuple[tuple[str, str | None], ...] = (
    (r"\w+ style with ID .* was referenced but not defined", None),  # text kept, as a paragraph
    (r"Unrecognised (paragraph|run|table) style", None),  # text kept, as a paragraph
    (r"Image of type image/x-[ew]mf", None),  # word_pictures converts these
    (r"Image of type ", "picture format"),
    (r"Unsupported break type", None),  # a column break: the text runs on
    (r"Ignoring complex field", None),  # a broken field: its text is kept
    (r"A w:sym element", "symbol"),
    (r"Could not find image file|A v:imagedata element without|.*image.*(not found|missing)",
     "missing picture"),
    (r"unexpected non-(row|cell) element in table", "table"),
)  # fmt: skip


def _lines() -> dict[str, Callable[[int], str]]:
    """The line for each kind (called per report, so that `--lang` applies)."""
    return {
        "object": lambda count: _(
            "{count} embedded object(s) (an Excel sheet, a chart, another file) not imported: "
            "at most the picture Word shows of it came in; type its content into the text"
        ).format(count=count),
        "subdocument": lambda count: _(
            "{count} subdocument(s) only linked from this file: their text was not imported; "
            "import each subdocument on its own"
        ).format(count=count),
        "chunk": lambda count: _(
            "{count} part(s) pasted into Word from another file (web page, RTF) not imported: "
            "copy their text in by hand"
        ).format(count=count),
        "wordart": lambda count: _(
            "{count} WordArt text(s) not imported: type the words into the text"
        ).format(count=count),
        "picture format": lambda count: _(
            "{count} picture(s) in a format web browsers do not show: save them as JPEG or PNG "
            "in Word and import again"
        ).format(count=count),
        "symbol": lambda count: _(
            "{count} symbol(s) from a symbol font (Wingdings, Symbol) left out: check the "
            "bullets and signs against the Word file"
        ).format(count=count),
        "missing picture": lambda count: _(
            "{count} picture(s) missing from inside the Word file left out: add them by hand"
        ).format(count=count),
        "table": lambda count: _(
            "{count} table(s) with merged cells the import could not follow: compare them "
            "with the Word file"
        ).format(count=count),
        "unknown": lambda count: _(
            "{count} part(s) of the document the import does not read left out: compare the "
            "model with the Word file"
        ).format(count=count),
    }


def converter_notes(messages: Iterable[str]) -> list[str]:
    """The translated lines for mammoth's `messages`, in the order their kinds first came."""
    kinds: Counter[str] = Counter()
    for message in messages:
        kind = _kind(" ".join(message.split()))
        if kind is not None:
            kinds[kind] += 1
    lines = _lines()
    return [lines[kind](count) for kind, count in kinds.items()]


def _kind(message: str) -> str | None:
    ignored = re.match(r"An unrecognised element was ignored: (.*)", message)
    if ignored:
        name = re.split(r"[}:]", ignored.group(1))[-1]  # {urn:…}OLEObject, w:subDoc, v:fill
        return None if name in HARMLESS else ELEMENT_KINDS.get(name, "unknown")
    for pattern, kind in MESSAGE_KINDS:
        if re.match(pattern, message):
            return kind
    return "unknown"
