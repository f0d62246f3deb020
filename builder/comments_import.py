"""`builder comments`: the review copies delegates send back (Word or PDF), read and their
comments stored per model in `content/reviews/` (builder/reviews.py); model files are never
touched. A file that cannot be read is named with the reason, and the others go on.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import click

from builder import reviews
from builder.comments_pdf import Encrypted, pdf_comments
from builder.comments_word import word_comments
from builder.editions import PAGE_MAP_NAME
from builder.i18n import _
from builder.problems import shown_path
from builder.reviews import UNPLACED, BadReviewFile, Comment, UnknownComment
from builder.word_formats import Refused, check_unpacked_size, kind_of


def run_comments(
    content: Path, out_dir: Path, resolve_id: str | None, returned: tuple[Path, ...]
) -> int:
    """The command: resolve one comment, or import every returned file; the exit code."""
    if resolve_id is not None:
        return _resolve(content, resolve_id)
    if not returned:
        click.echo(_("name the returned files (.docx, .pdf), or --resolve ID"), err=True)
        return 2
    results: list[Imported] = []
    failed = False
    for path in returned:
        try:
            result = import_comments(content, path, out_dir)
        except (Refused, BadReviewFile) as exc:
            failed = True
            if isinstance(exc, BadReviewFile):
                click.echo(str(exc.problem), err=True)
                continue
            click.echo(
                _("{document}: {severity}: {reason}").format(
                    document=path, severity=_("error"), reason=exc
                ),
                err=True,
            )
            continue
        results.append(result)
        click.echo(
            _("{document}: {found} comments, {added} new").format(
                document=path, found=result.found, added=result.found - result.already
            )
        )
    click.echo(summary(results))
    return 1 if failed else 0


def _resolve(content: Path, wanted: str) -> int:
    try:
        slug, _comment = reviews.resolve(content, wanted)
    except (UnknownComment, BadReviewFile) as exc:
        problem = exc.problem if isinstance(exc, BadReviewFile) else None
        click.echo(str(problem) if problem else f"{_('error')}: {exc}", err=True)
        return 1
    path = shown_path(reviews.review_path(content, slug))
    click.echo(_("comment {id} resolved in {path}").format(id=wanted, path=path))
    return 0


@dataclass(frozen=True, slots=True)
class Imported:
    """What one returned file brought: new comments by model, and those already stored."""

    added: dict[str, int]  # slug (or `_unplaced`) → new comments
    already: int

    @property
    def found(self) -> int:
        return sum(self.added.values()) + self.already


def import_comments(content: Path, returned: Path, out_dir: Path) -> Imported:
    """Read `returned` and add its comments to the review files; Refused says why not."""
    found = read_returned(returned, out_dir)
    by_model: dict[str, list[Comment]] = defaultdict(list)
    for slug, comment in found:
        by_model[slug].append(comment)
    added: dict[str, int] = {}
    already = 0
    for slug in sorted(by_model):
        new, old = reviews.add_comments(content, slug, by_model[slug])
        if new:
            added[slug] = new
        already += old
    return Imported(added, already)


def read_returned(path: Path, out_dir: Path) -> list[tuple[str, Comment]]:
    """(slug or `_unplaced`, comment) of every comment in a returned .docx or .pdf."""
    if not path.is_file():
        raise Refused(_("no such file") if not path.exists() else _("not a file"))
    kind = _kind(path)
    if kind == "encrypted":
        raise Refused(_("it is protected by a password; save it without one and import again"))
    try:
        if kind == "docx":
            check_unpacked_size(path)
            return word_comments(path)
        if kind == "pdf":
            return pdf_comments(path, _page_map(out_dir))
    except Encrypted as exc:
        raise Refused(
            _("it is protected by a password; save it without one and import again")
        ) from exc
    except Refused:
        raise
    except Exception as exc:  # a damaged file: say which, the others go on
        raise Refused(_("cannot read it ({reason})").format(reason=exc)) from exc
    raise Refused(_("it is neither a Word document (.docx) nor a PDF"))


def _kind(path: Path) -> str:
    """`docx`, `pdf`, `encrypted` or something else, from the content."""
    with path.open("rb") as stream:
        head = stream.read(5)
    if head == b"%PDF-":
        return "pdf"
    try:
        return kind_of(path)
    except (OSError, zipfile.BadZipFile):
        return "unknown"


def _page_map(out_dir: Path) -> dict[str, int]:
    """The last build's page map, for PDFs that lost their named pages; empty without one."""
    try:
        data = json.loads((out_dir / PAGE_MAP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(key): value for key, value in data.items() if isinstance(value, int)}


def summary(results: list[Imported]) -> str:
    """“added 5 comments for 3 models, 2 already there, 1 not placed in a model”."""
    added = sum(result.found - result.already for result in results)
    models = {slug for result in results for slug in result.added if slug != UNPLACED}
    unplaced = sum(result.added.get(UNPLACED, 0) for result in results)
    already = sum(result.already for result in results)
    return _(
        "added {added} comments for {models} models, {already} already there, "
        "{unplaced} not placed in a model"
    ).format(added=added, models=len(models), already=already, unplaced=unplaced)
