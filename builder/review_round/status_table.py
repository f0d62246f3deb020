"""`builder status` in the terminal: the book's status as plain-text tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from builder.book.model import STATUSES
from builder.book.vietnamese import format_number
from builder.review_round.book_status import BookStatus, ModelStatus, TargetRow
from builder.review_round.final_edition import approved_but_open
from builder.util.i18n import _


def status_lines(status: BookStatus, content: str) -> list[str]:
    """Counts by status, the plan by field and by district, then one row per model."""
    lines = [_("{content}: {count} models").format(content=content, count=status.models), ""]
    lines += _table(
        [_("status"), _("models")],
        [[label, format_number(status.by_status[id])] for id, label in STATUSES.items()],
        text=(0,),
    )
    for kind, heading in (("field", _("field")), ("district", _("district"))):
        plan = [_plan_row(row) for row in status.targets if row.kind == kind]
        lines += ["", *_table(_plan_header(heading), plan)]
    total = next(row for row in status.targets if row.kind == "total")
    lines += ["", *_table(_plan_header(""), [_plan_row(total, _("in all"))])]
    rows = [_entry_row(entry) for entry in status.entries]
    lines += ["", *_table(_entry_header(status), rows, text=(0, 1, 2))]
    if status.unplaced_comments:
        unplaced = _("{count} open comments could not be placed in a model "
                     "(content/reviews/_unplaced.yaml)")  # fmt: skip
        lines.append(unplaced.format(count=status.unplaced_comments))
    for entry in status.approved_with_open_comments:
        review = str(Path(content, "reviews", f"{entry.slug}.yaml"))
        lines.append(approved_but_open(entry.file, entry.open_comments, review))
    for stale in status.stale_reviews:
        lines.append(
            _("{file}: {count} open comments on “{slug}”, which is no model of the book: move "
              "them with `builder comments --move {slug} NEW`").format(
                file=stale.file, count=stale.open_comments, slug=stale.slug
            )
        )  # fmt: skip
    if status.book_errors or status.book_warnings:
        lines.append(
            _("outside the model files: {errors} errors, {warnings} warnings "
              "(builder check names them)").format(
                errors=status.book_errors, warnings=status.book_warnings
            )
        )  # fmt: skip
    return lines


def _plan_header(heading: str) -> list[str]:
    return [heading, _("models"), _("approved"), _("target"), ""]


def _plan_row(row: TargetRow, name: str = "") -> list[str]:
    missing = row.target - row.approved
    note = _("{count} to go").format(count=missing) if row.target and missing > 0 else ""
    target = format_number(row.target) if row.target else "–"
    return [name or row.name, format_number(row.models), format_number(row.approved), target, note]


def _entry_header(status: BookStatus) -> list[str]:
    words = _("words")
    if status.words_min or status.words_max:
        upper = format_number(status.words_max) if status.words_max else "…"
        words = f"{words} ({format_number(status.words_min)}–{upper})"
    return [_("model"), _("status"), _("editor"), _("errors"), _("warnings"), "TODO", words,
            _("pictures"), _("comments")]  # fmt: skip


def _entry_row(entry: ModelStatus) -> list[str]:
    marks = {"short": _("short"), "long": _("long")}
    words = format_number(entry.words) if entry.words else "–"
    if entry.length:
        words = f"{words} ({marks[entry.length]})"
    return [
        entry.slug, entry.status_label or "–", entry.editor or "–", _count(entry.errors),
        _count(entry.warnings), _count(entry.todos), words, _count(entry.pictures),
        _count(entry.open_comments),
    ]  # fmt: skip


def _count(number: int) -> str:
    return format_number(number) if number else "·"


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], text: Sequence[int] = (0, -1)
) -> list[str]:
    """Columns padded to their widest cell: the `text` columns to the left, numbers to the
    right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {index % len(header) for index in text}

    def line(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        padded = [cell.ljust(width) if index in left else cell.rjust(width)
                  for index, (cell, width) in pairs]  # fmt: skip
        return "  ".join(padded).rstrip()

    return [line(header), "  ".join("-" * width for width in widths if width), *map(line, rows)]
