"""The total ink of what a page paints, read from its content stream instead of rendered.

A page that paints only in DeviceCMYK and DeviceGray (`k`, `K`, `g`, `G`), opaquely, with
no picture, shading or pattern, can put on paper no more ink than the highest C + M + Y + K
of the colours it paints with: that is its total ink, as a rendering would measure it (or a
little above, where a colour is painted outside the bleed, as the crop marks are). Any
other page is marked to be rendered (`ink_coverage`). In a book the pages of text are
nearly all of them, and rendering them is most of the preflight's time.

The text a page shows is measured apart (`PageInk.text`, from its fill and stroke colours):
a page is rendered without its text, and its ink is the higher of that rendering's and its
text's (the text's colour, where a rendering at 50 dpi gives its blend with the paper, a
little less). So the ink rendered for a picture's page holds whatever its folio says, and
is kept from one build to the next (`page_walks`). Text in a colour the walk cannot read,
or that clips, is rendered with its page (`text_unread`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

BLACK = 100.0  # the initial colour: DeviceGray 0, all K
_FILLS = frozenset({"f", "F", "f*", "Tj", "TJ", "'", '"'})
_STROKES = frozenset({"S", "s"})
_BOTH = frozenset({"B", "B*", "b", "b*"})
_UNKNOWN_COLOUR = frozenset({"rg", "RG", "cs", "CS", "sc", "SC", "scn", "SCN", "sh", "BI"})
_SETS_FILL = frozenset({"rg", "cs", "sc", "scn"})
_SETS_STROKE = frozenset({"RG", "CS", "SC", "SCN"})
_TEXT = frozenset({"Tj", "TJ", "'", '"'})
_PLAIN_STATE = frozenset({"/Type", "/LW", "/LC", "/LJ", "/ML", "/D", "/RI", "/FL", "/SA"})
# Every operator `PageInk.see` looks at; a walk may leave the others out of its parse.
OPERATORS = (
    frozenset({"q", "Q", "g", "G", "k", "K", "Tr", "gs"})
    | _FILLS
    | _STROKES
    | _BOTH
    | (_UNKNOWN_COLOUR)
)
_OPAQUE = {"/CA": 1, "/ca": 1, "/SMask": "/None", "/BM": ("/Normal", "/Compatible"),
           "/OP": False, "/op": False, "/OPM": 0}  # fmt: skip


@dataclass(slots=True)
class PageInk:
    """Fed a page's instructions in order (forms' too, between `enter_form` and
    `leave_form`): the highest ink it paints, or `needs_render`; and apart, the highest ink
    of the text it shows (`text`), which a rendering of the page without its text leaves
    out (`ink_coverage`), or `text_unread` where that ink is not known from its colours."""

    fill: float = BLACK
    stroke: float = BLACK
    highest: float = 0.0
    needs_render: bool = False
    text: float = 0.0
    text_unread: bool = False
    _state: _TextState = field(default_factory=lambda: _TextState())
    _saved: list[tuple[float, float, _TextState]] = field(default_factory=list)

    def see(self, operator: str, operands: Any, resources: Any) -> None:
        if operator == "q":
            self._save()
        elif operator == "Q" and self._saved:
            self._restore()
        elif operator in ("g", "G"):
            self._set(operator == "g", (1 - float(operands[0])) * 100)
        elif operator in ("k", "K"):
            self._set(operator == "k", sum(float(value) for value in operands) * 100)
        elif operator in _FILLS:
            self.highest = max(self.highest, self.fill)
            if operator in _TEXT:
                self._shown()
        elif operator in _STROKES:
            self.highest = max(self.highest, self.stroke)
        elif operator in _BOTH:
            self.highest = max(self.highest, self.fill, self.stroke)
        elif operator in _UNKNOWN_COLOUR:
            self.needs_render = True
            if operator in _SETS_FILL:
                self._state = self._state._replace(fill_read=False)
            elif operator in _SETS_STROKE:
                self._state = self._state._replace(stroke_read=False)
        elif operator == "Tr":
            self._state = self._state._replace(mode=int(operands[0]))
            if int(operands[0]) not in (0, 3, 4, 7):
                self.highest = max(self.highest, self.stroke)  # stroked text, the stroke's ink
        elif operator == "gs":
            states = resources.get("/ExtGState") or {}
            self.needs_render |= not _opaque(states.get(str(operands[0])))

    def picture(self) -> None:
        """A picture (image XObject) is drawn: only a rendering measures its ink."""
        self.needs_render = True

    def enter_form(self, form: Any) -> None:
        self._save()
        if "/Group" in form:  # a transparency group: it blends
            self.needs_render = True

    def leave_form(self) -> None:
        if self._saved:
            self._restore()

    def _shown(self) -> None:
        """Text shown: its ink is its fill's or stroke's, as its rendering mode paints it;
        unread where that colour is, or where the text clips what follows."""
        state = self._state
        fills, strokes = state.mode in (0, 2, 4, 6), state.mode in (1, 2, 5, 6)
        if state.mode >= 4 or (fills and not state.fill_read) \
                or (strokes and not state.stroke_read):  # fmt: skip
            self.text_unread = True
        if fills:
            self.text = max(self.text, self.fill)
        if strokes:
            self.text = max(self.text, self.stroke)

    def _save(self) -> None:
        self._saved.append((self.fill, self.stroke, self._state))

    def _restore(self) -> None:
        self.fill, self.stroke, self._state = self._saved.pop()

    def _set(self, filling: bool, ink: float) -> None:
        if filling:
            self.fill = ink
            self._state = self._state._replace(fill_read=True)
        else:
            self.stroke = ink
            self._state = self._state._replace(stroke_read=True)


class _TextState(NamedTuple):
    """What the ink of text shown depends on besides the colours' values."""

    fill_read: bool = True  # the fill colour is one `see` read (grey or CMYK)
    stroke_read: bool = True
    mode: int = 0  # the text rendering mode (Tr)


def _opaque(state: Any) -> bool:
    """Whether an ExtGState leaves painting opaque and without overprint or blending."""
    if state is None:
        return False
    for key, value in state.items():
        if key in _PLAIN_STATE:
            continue
        wanted = _OPAQUE.get(key)
        if wanted is None:
            return False
        if isinstance(wanted, tuple):
            if str(value) not in wanted:
                return False
        elif isinstance(wanted, str):
            if str(value) != wanted:
                return False
        elif isinstance(wanted, bool):
            if bool(value) != wanted:
                return False
        elif float(value) != wanted:
            return False
    return True
