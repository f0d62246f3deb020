"""The total ink of what a page paints, read from its content stream instead of rendered.

A page that paints only in DeviceCMYK and DeviceGray (`k`, `K`, `g`, `G`), opaquely, with
no picture, shading or pattern, can put on paper no more ink than the highest C + M + Y + K
of the colours it paints with: that is its total ink, as a rendering would measure it (or a
little above, where a colour is painted outside the bleed, as the crop marks are). Any
other page is marked to be rendered (`ink_coverage`). In a book the pages of text are
nearly all of them, and rendering them is most of the preflight's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BLACK = 100.0  # the initial colour: DeviceGray 0, all K
_FILLS = frozenset({"f", "F", "f*", "Tj", "TJ", "'", '"'})
_STROKES = frozenset({"S", "s"})
_BOTH = frozenset({"B", "B*", "b", "b*"})
_UNKNOWN_COLOUR = frozenset({"rg", "RG", "cs", "CS", "sc", "SC", "scn", "SCN", "sh", "BI"})
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
    `leave_form`): the highest ink it paints, or `needs_render`."""

    fill: float = BLACK
    stroke: float = BLACK
    highest: float = 0.0
    needs_render: bool = False
    _saved: list[tuple[float, float]] = field(default_factory=list)

    def see(self, operator: str, operands: Any, resources: Any) -> None:
        if operator == "q":
            self._saved.append((self.fill, self.stroke))
        elif operator == "Q" and self._saved:
            self.fill, self.stroke = self._saved.pop()
        elif operator in ("g", "G"):
            self._set(operator == "g", (1 - float(operands[0])) * 100)
        elif operator in ("k", "K"):
            self._set(operator == "k", sum(float(value) for value in operands) * 100)
        elif operator in _FILLS:
            self.highest = max(self.highest, self.fill)
        elif operator in _STROKES:
            self.highest = max(self.highest, self.stroke)
        elif operator in _BOTH:
            self.highest = max(self.highest, self.fill, self.stroke)
        elif operator in _UNKNOWN_COLOUR:
            self.needs_render = True
        elif operator == "Tr" and int(operands[0]) not in (0, 3, 4, 7):
            self.highest = max(self.highest, self.stroke)  # stroked text, the stroke's ink
        elif operator == "gs":
            states = resources.get("/ExtGState") or {}
            self.needs_render |= not _opaque(states.get(str(operands[0])))

    def picture(self) -> None:
        """A picture (image XObject) is drawn: only a rendering measures its ink."""
        self.needs_render = True

    def enter_form(self, form: Any) -> None:
        self._saved.append((self.fill, self.stroke))
        if "/Group" in form:  # a transparency group: it blends
            self.needs_render = True

    def leave_form(self) -> None:
        if self._saved:
            self.fill, self.stroke = self._saved.pop()

    def _set(self, filling: bool, ink: float) -> None:
        if filling:
            self.fill = ink
        else:
            self.stroke = ink


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
