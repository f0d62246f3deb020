"""Characters a reader cannot see: control characters (they break the feed's XML), direction
controls (U+202E turns “abc” into “cba” on screen: a title may read as something it is
not) and zero-width characters (two titles that differ only by U+200B look the same).

Control characters in the facts are errors; direction controls are errors too; zero-width
characters are warnings. `builder check --fix` removes the direction and zero-width ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from builder.load.yaml_source import Key, LocatedYaml
from builder.util.i18n import _
from builder.util.problems import Problems

DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
REMOVABLE = DIRECTION | ZERO_WIDTH


def is_control(char: str) -> bool:
    """C0/C1 controls but tab and line feed, surrogates, and the noncharacters."""
    code = ord(char)
    return (
        (unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\n")
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def _flagged_characters() -> re.Pattern[str]:
    """One character class of what `check_body` reports: the removable characters and
    those `is_control` names (a regular expression scans a model's text in a fraction of a
    millisecond; a test per character took 5 ms)."""
    ranges = ["\x00-\x08", "\x0b-\x1f", "\x7f-\x9f", "\ud800-\udfff", "\ufdd0-\ufdef"]
    ends = [chr(plane << 16 | last) for plane in range(17) for last in (0xFFFE, 0xFFFF)]
    return re.compile("[" + "".join(ranges) + re.escape("".join(sorted(REMOVABLE) + ends)) + "]")


FLAGGED = _flagged_characters()


_TERMINAL_CODE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|.?)")


def clean_title(text: str) -> str:
    """A title made from a file name (`builder new`, `builder import`), with nothing in it
    that `check` refuses: terminal codes (ESC [31m), control characters, direction and
    zero-width characters removed, runs of spaces and line breaks made one space."""
    text = _TERMINAL_CODE.sub("", unicodedata.normalize("NFC", text))
    kept = "".join(char for char in text if char not in REMOVABLE and not is_control(char))
    return " ".join(kept.split())  # tabs and line breaks (never controls here) too


def without_invisible(text: str) -> str:
    """`text` without direction and zero-width characters (what `check --fix` removes)."""
    return "".join(char for char in text if char not in REMOVABLE)


def check_front_matter(
    located: LocatedYaml, lines: list[str], shown: Any, problems: Problems
) -> None:
    """Every text value of the front matter, at the column of the character."""
    for path, text in _strings(located.value, ()):
        for index, char in enumerate(text):
            if not (is_control(char) or char in REMOVABLE):
                continue
            where = located.at(path)
            line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
            quoted = line[where.column - 1 : where.column] in ("'", '"')
            column = where.column + index + (1 if quoted else 0)
            _report(char, shown, where.line, column, problems, facts=True)


def check_body(body: str, first_line: int, shown: Any, problems: Problems) -> None:
    """The body's text (read as it is: controls other than tab and newline never get this
    far, the reader refuses them)."""
    if not FLAGGED.search(body):
        return
    for number, line in enumerate(body.split("\n")):
        for found in FLAGGED.finditer(line):
            index = found.start()
            _report(line[index], shown, first_line + number, index + 1, problems, facts=False)


def _report(
    char: str, shown: Any, line: int, column: int, problems: Problems, *, facts: bool
) -> None:
    code = f"{ord(char):04X}"
    if char in DIRECTION:
        problems.error(
            shown, line, column,
            _("an invisible text direction control (U+{code}) would show the text "
              "reversed or reordered").format(code=code),
            _("builder check --fix removes it"), code="direction-control",
        )  # fmt: skip
    elif char in ZERO_WIDTH:
        problems.warning(
            shown, line, column,
            _("an invisible zero-width character (U+{code})").format(code=code),
            _("builder check --fix removes it"), code="zero-width",
        )  # fmt: skip
    else:
        message = (
            _("the facts contain an invisible control character (U+{code})")
            if facts
            else _("the text contains an invisible control character (U+{code})")
        )
        problems.error(
            shown,
            line,
            column,
            message.format(code=code),
            _("delete it: retype the line"),
            code="control-character",
        )


def _strings(value: Any, path: Key) -> Iterator[tuple[Key, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
