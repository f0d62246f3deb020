"""Problems found in a book, each with its place, reported together like a compiler."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from builder.i18n import N_, _

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

    def __str__(self) -> str:
        severity = _(_SEVERITY[self.severity])
        lines = [f"{self.path}:{self.line}:{self.column}: {severity}: {self.message}"]
        number = str(self.line)
        for index, text in enumerate(self.excerpt):
            lines.append(f"    {number if index == 0 else ' ' * len(number)} | {text}".rstrip())
        if self.hint:
            hint = _("hint")
            lines.append(f"    {hint}: {self.hint}")
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
    ) -> None:
        self.items.append(Problem(path, line, column, message, "error", hint, excerpt))

    def warning(self, path: Path, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(path, line, column, message, "warning", hint))

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


class BuildError(Exception):
    """A failure the user can act on; the CLI prints it without a traceback."""
