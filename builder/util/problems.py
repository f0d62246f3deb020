"""Problems found in a book, each with its place, reported together like a compiler."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from builder.util.i18n import N_, _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, at `path:line:column` (both 1-based)."""

    path: Path
    line: int
    column: int
    message: str
    severity: Severity = "error"
    hint: str = ""
    excerpt: tuple[str, ...] = ()  # the line as typed, and a caret under the place
    # What kind of problem it is, a slug of util/errors.CODES (`duplicate-key`): tests assert
    # on it, `builder check --show-codes` shows it, the editors' guide explains it. Required,
    # here and in every method that makes a problem, so a problem without one does not type-
    # check (tests/test_problem_codes.py checks that it is a known one).
    code: str = field(kw_only=True)

    def __str__(self) -> str:
        return self.shown()

    def shown(self, *, code: bool = False) -> str:
        """The message as `check` prints it; with `code`, its code after the first line
        (`path:7:1: error: duplicate key `year` [duplicate-key]`)."""
        severity = _(_SEVERITY[self.severity])
        path, message = shown_text(str(self.path)), shown_text(self.message, keep="\n")
        if code and self.code:
            first, newline, rest = message.partition("\n")
            message = f"{first} [{self.code}]{newline}{rest}"
        lines = [f"{path}:{self.line}:{self.column}: {severity}: {message}"]
        number = str(self.line)
        for index, text in enumerate(self.excerpt):
            text = shown_text(text)
            lines.append(f"    {number if index == 0 else ' ' * len(number)} | {text}".rstrip())
        if self.hint:
            hint = _("hint")
            lines.append(f"    {hint}: {shown_text(self.hint, keep=chr(10))}")
        return "\n".join(lines)


_SEVERITY = {"error": N_("error"), "warning": N_("warning")}


@dataclass(slots=True)
class Problems:
    """Collects problems while loading; nothing is thrown away."""

    items: list[Problem] = field(default_factory=list)

    def error(
        self,
        path: Path,
        line: int,
        column: int,
        message: str,
        hint: str = "",
        excerpt: tuple[str, ...] = (),
        *,
        code: str,
    ) -> None:
        self.items.append(Problem(path, line, column, message, "error", hint, excerpt, code=code))

    def warning(
        self, path: Path, line: int, column: int, message: str, hint: str = "", *, code: str
    ) -> None:
        self.items.append(Problem(path, line, column, message, "warning", hint, code=code))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(self.items, key=lambda p: (str(p.path), p.line, p.column)))

    def __len__(self) -> int:
        return len(self.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.severity == "warning"]


def shown_path(path: Path) -> Path:
    """Paths in messages are relative to where the user stands, when they can be."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def shown_text(text: str, keep: str = "") -> str:
    """`text` safe to print on a terminal: control characters (ESC, BEL…), direction
    controls (U+202E) and the other invisible format characters as escapes (`\\x1b`,
    `\\u202e`), so that a file name can neither move the cursor, ring the bell nor turn the
    message around. A byte of a file name that is not UTF-8 shows as itself (`\\xff`).
    Characters in `keep` (a message's line breaks) stay as they are."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(char if char in keep or not _hidden(char) else _escaped(char) for char in text)


def _hidden(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte Python could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
