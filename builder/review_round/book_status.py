"""Where the book stands (`builder status`, serve's status page): models by status, by field
and by district against the plan's targets, and each model's open problems, length,
pictures, editor and open comments."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from builder.book.model import APPROVED, STATUSES, BookConfig, Entry
from builder.load import reviews
from builder.load.loader import LoadMemo, check_contents
from builder.load.source import read_text, split_front_matter
from builder.load.yaml_source import YamlProblem, parse_yaml
from builder.render.markdown import plain_text
from builder.review_round.final_edition import TargetCount, target_counts
from builder.util.problems import Problem, Problems, shown_path


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """One model file as the check found it; a model with errors has only what its front
    matter says (its title, status and editor, when they can be read)."""

    file: str
    slug: str
    title: str
    status: str  # an id of STATUSES, or "" (none, or not a valid one)
    status_label: str
    editor: str
    field: str  # the field's name, "" when the model has errors
    district: str
    errors: int
    warnings: int  # TODOs not counted
    todos: int
    words: int  # of the text, without markup; 0 when the model has errors
    length: str  # "short", "long" or "" (within `review.words`, or no range)
    pictures: int
    open_comments: int


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A part of the plan: all its models, its approved ones, and its target (0: none)."""

    kind: str  # "total", "field" or "district"
    key: str
    name: str
    models: int
    approved: int
    target: int


@dataclass(frozen=True, slots=True)
class StaleReview:
    """A review file no model reads (the model was renamed or removed), and its open
    comments, which show nowhere else."""

    file: str
    slug: str
    open_comments: int


@dataclass(frozen=True, slots=True)
class BookStatus:
    models: int
    by_status: dict[str, int]  # every id of STATUSES, in order
    targets: tuple[TargetRow, ...]
    words_min: int
    words_max: int
    entries: tuple[ModelStatus, ...]
    unplaced_comments: int
    book_errors: int  # problems outside the model files (book.yaml, pages, links)
    book_warnings: int
    stale_reviews: tuple[StaleReview, ...] = ()

    @property
    def approved_with_open_comments(self) -> tuple[ModelStatus, ...]:
        """Approved models whose review file still has open comments."""
        return tuple(e for e in self.entries if e.status == APPROVED and e.open_comments)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def book_status(
    content: Path, memo: LoadMemo | None = None, kept: reviews.ReviewMemo | None = None
) -> BookStatus | None:
    """The whole book's status, read through `memo` and `kept` (serve's, so nothing
    unchanged is read again); None when book.yaml cannot be read (`builder check` says
    why). A review file that cannot be read raises BadReviewFile."""
    memo = memo or LoadMemo()
    contents = check_contents(content, memo)
    config = contents.config
    if config is None:
        return None
    comments = reviews.open_comments(content, kept)
    by_file: dict[Path, list[Problem]] = {}
    for problem in contents.problems.items:
        by_file.setdefault(problem.path, []).append(problem)
    entries = []
    for path, result in sorted(memo.files.items()):
        shown = result.entry.source if result.entry else shown_path(path)
        problems = by_file.pop(shown, [])
        entries.append(_model_status(path, shown, result.entry, problems, comments, config))
    loaded_entries = [result.entry for result in memo.files.values() if result.entry]
    outside = [problem for problems in by_file.values() for problem in problems]
    counted = Counter(entry.status for entry in entries)
    return BookStatus(
        models=len(entries),
        by_status={status: counted[status] for status in STATUSES},
        targets=_target_rows(loaded_entries, config),
        words_min=config.review.words_min,
        words_max=config.review.words_max,
        entries=tuple(entries),
        unplaced_comments=comments.get(reviews.UNPLACED, 0),
        book_errors=sum(problem.severity == "error" for problem in outside),
        book_warnings=sum(problem.severity == "warning" for problem in outside),
        stale_reviews=tuple(
            StaleReview(str(shown_path(path)), path.stem, comments.get(path.stem, 0))
            for path in reviews.stale_review_files(content, (path.stem for path in memo.files))
        ),
    )


def _target_rows(entries: list[Entry], config: BookConfig) -> tuple[TargetRow, ...]:
    every = target_counts(entries, config)
    approved = target_counts((entry for entry in entries if entry.approved), config)
    return tuple(
        _row(all_of, of_approved) for all_of, of_approved in zip(every, approved, strict=True)
    )


def _row(every: TargetCount, approved: TargetCount) -> TargetRow:
    return TargetRow(every.kind, every.key, every.name, every.count, approved.count, every.target)


def _model_status(
    path: Path,
    shown: Path,
    entry: Entry | None,
    problems: list[Problem],
    comments: dict[str, int],
    config: BookConfig,
) -> ModelStatus:
    todos = sum(p.severity == "warning" and "TODO" in p.message for p in problems)
    errors = sum(p.severity == "error" for p in problems)
    common: dict[str, Any] = {
        "file": str(shown),
        "slug": path.stem,
        "errors": errors,
        "warnings": sum(p.severity == "warning" for p in problems) - todos,
        "todos": todos,
        "open_comments": comments.get(path.stem, 0),
    }
    if entry is None:
        facts = _front_matter(path)
        status = facts.get("status", "")
        status = status if status in STATUSES else ""
        return ModelStatus(
            **common, title=str(facts.get("title", "")), status=status,
            status_label=STATUSES.get(status, ""), editor=str(facts.get("editor", "")),
            field="", district="", words=0, length="", pictures=0,
        )  # fmt: skip
    words = len(plain_text(entry.body).split())
    review = config.review
    length = ("short" if words < review.words_min
              else "long" if review.words_max and words > review.words_max else "")  # fmt: skip
    return ModelStatus(
        **common, title=entry.title, status=entry.status, status_label=entry.status_label,
        editor=entry.editor, field=entry.field.name, district=entry.place.district.name,
        words=words, length=length, pictures=len(entry.images) + len(entry.body_images),
    )  # fmt: skip


def _front_matter(path: Path) -> dict[str, Any]:
    """What the front matter of a model with errors says, as far as YAML can read it."""
    text = read_text(path, path, Problems())
    source = split_front_matter(text, path, Problems()) if text is not None else None
    if source is None:
        return {}
    try:
        data = parse_yaml(source.front_matter).value
    except YamlProblem:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, str)}
