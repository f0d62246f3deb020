"""`builder comments`: the review copies delegates send back (Word or PDF), read and their
comments stored per model in `content/reviews/` (builder/load/reviews.py); model files are never
touched. A file that cannot be read is named with the reason, and the others go on.

Everything a returned file says is from outside: a model's name it gives is kept only when
it names a model of this book (`models/<slug>.md`); any other comment goes to `_unplaced`
with the reason, so no name can write outside `content/reviews/` and no comment is lost.
A copy built from another book is refused unless `--force`.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import click

from builder.authoring.word.word_formats import check_unpacked_size, kind_of
from builder.load import reviews
from builder.load.config import load_config
from builder.load.reviews import UNPLACED, BadReviewFile, Comment, UnknownComment
from builder.load.source import MAX_BYTES
from builder.outputs.review.docx_parts import read_identity
from builder.render.editions import PAGE_MAP_NAME, book_id
from builder.review_round.comments.comments_pdf import Encrypted, pdf_comments, pdf_identity
from builder.review_round.comments.comments_word import word_comments
from builder.util.errors import BuildError, DocumentRefused
from builder.util.files import WriteFailed
from builder.util.i18n import _
from builder.util.problems import Problems, shown_path

OLD_FORMATS = ("doc", "odt", "rtf")


def run_comments(
    content: Path,
    out_dir: Path,
    resolve_id: str | None,
    returned: tuple[Path, ...],
    force: bool = False,
    move: tuple[str, str] | None = None,
) -> int:
    """The command: resolve one comment, move a renamed model's comments, or import every
    returned file; the exit code."""
    if resolve_id is None and move is None and not returned:
        click.echo(_("name the returned files (.docx, .pdf), or --resolve ID"), err=True)
        return 2
    problems = Problems()
    config = load_config(content, problems)
    if config is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        return 1
    try:
        if resolve_id is not None:
            return _resolve(content, resolve_id)
        if move is not None:
            return _move(content, *move)
    except BuildError as exc:
        click.echo(_error(exc), err=True)
        return 1
    return _import_all(content, out_dir, returned, (config.title, book_id(config)), force)


def _import_all(
    content: Path, out_dir: Path, returned: tuple[Path, ...], ours: tuple[str, str], force: bool
) -> int:
    results: list[Imported] = []
    failed = False
    for path in returned:
        try:
            result = import_comments(content, path, out_dir, ours, force)
        except DocumentRefused as exc:
            failed = True
            click.echo(_line(path, _("error"), str(exc)), err=True)
            continue
        except WriteFailed as exc:  # the next files would fail the same way
            click.echo(_error(exc), err=True)
            return 1
        except BuildError as exc:  # a review file that is not one: left untouched
            failed = True
            click.echo(_error(exc), err=True)
            continue
        results.append(result)
        for warning in result.warnings:
            click.echo(_line(path, _("warning"), warning), err=True)
        for slug, count in sorted(result.refused.items()):
            failed = True
            reason = _("{file} already holds {most} comments, the most kept per model: {count} "
                       "new ones were not imported; delete the resolved ones from it and import "
                       "again").format(
                file=shown_path(reviews.review_path(content, slug)), most=reviews.MAX_PER_MODEL,
                count=count,
            )  # fmt: skip
            click.echo(_line(path, _("error"), reason), err=True)
        click.echo(
            _("{document}: {found} comments, {added} new").format(
                document=path, found=result.found, added=result.found - result.already
            )
        )
    click.echo(summary(results))
    strays = sum(result.strays for result in results)
    if strays:
        click.echo(
            _("{count} comments name a model this book does not have (renamed or removed?): "
              "kept in {file} with the reason").format(
                count=strays, file=shown_path(reviews.review_path(content, UNPLACED))
            )
        )  # fmt: skip
    return 1 if failed else 0


def _error(exc: BuildError) -> str:
    if isinstance(exc, BadReviewFile):
        return str(exc.problem)
    return f"{_('error')}: {exc}"


def _line(path: Path, severity: str, reason: str) -> str:
    return _("{document}: {severity}: {reason}").format(
        document=path, severity=severity, reason=reason
    )


def _resolve(content: Path, wanted: str) -> int:
    try:
        slug, _comment = reviews.resolve(content, wanted)
    except UnknownComment as exc:
        click.echo(f"{_('error')}: {exc}", err=True)
        return 1
    path = shown_path(reviews.review_path(content, slug))
    click.echo(_("comment {id} resolved in {path}").format(id=wanted, path=path))
    return 0


def _move(content: Path, old: str, new: str) -> int:
    moved = reviews.move(content, old, new)
    click.echo(
        _("moved {count} comments from {old} to {new} ({already} were already there)").format(
            count=moved.new,
            already=moved.already,
            old=shown_path(reviews.review_path(content, old)),
            new=shown_path(reviews.review_path(content, new)),
        )
    )
    return 0


@dataclass(frozen=True, slots=True)
class Imported:
    """What one returned file brought: new comments by model, those already stored, those
    refused over the cap by model, how many named a model the book does not have, and what
    the file should be warned about."""

    added: dict[str, int]  # slug (or `_unplaced`) → new comments
    already: int
    refused: dict[str, int]
    strays: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def found(self) -> int:
        return sum(self.added.values()) + self.already + sum(self.refused.values())


def import_comments(
    content: Path,
    returned: Path,
    out_dir: Path,
    ours: tuple[str, str] | None = None,
    force: bool = False,
) -> Imported:
    """Read `returned` and add its comments to the review files; DocumentRefused says why not.
    `ours`: this book's (title, id), which a review copy that carries one must match."""
    kind = _checked_kind(returned)
    warnings = []
    if ours is not None:
        warning = _identity_problem(returned, kind, ours, force)
        if warning:
            warnings.append(warning)
    found = _read(returned, kind, out_dir, content)
    models = _models(content)
    by_model: dict[str, list[Comment]] = defaultdict(list)
    strays = 0
    for slug, comment in found:
        placed, kept = _placed(slug, comment, models)
        strays += placed == UNPLACED and slug != UNPLACED
        by_model[placed].append(kept)
    added: dict[str, int] = {}
    refused: dict[str, int] = {}
    already = 0
    for slug in sorted(by_model):
        result = reviews.add_comments(content, slug, by_model[slug])
        if result.new:
            added[slug] = result.new
        if result.refused:
            refused[slug] = result.refused
        already += result.already
    return Imported(added, already, refused, strays, tuple(warnings))


def _placed(slug: str, comment: Comment, models: set[str]) -> tuple[str, Comment]:
    """Where `comment` is kept: its model when `slug` names one of this book, else
    `_unplaced` with the reason."""
    if slug == UNPLACED or slug in models:
        return slug, comment
    shown = slug[:100]
    if reviews.is_slug(slug):
        reason = _("model “{name}” no longer exists (renamed or removed?)").format(name=shown)
    else:
        reason = _("the copy names “{name}”, which is not a model's name").format(name=shown)
    return UNPLACED, replace(comment, reason=reason)


def _models(content: Path) -> set[str]:
    """The slugs of the book's model files."""
    return set(_model_files(content))


def _model_files(content: Path) -> dict[str, Path]:
    found = {}
    for path in sorted((content / "models").glob("*.md")):
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            continue
        if regular and reviews.is_slug(path.stem):
            found[path.stem] = path
    return found


def _model_texts(content: Path) -> dict[str, str]:
    """slug → the model file's text, for placing a PDF's pages by their words when it lost
    its names and page labels; regular files only, at most MAX_BYTES of each."""
    texts = {}
    for slug, path in _model_files(content).items():
        try:
            with path.open("rb") as stream:
                texts[slug] = stream.read(MAX_BYTES).decode("utf-8", errors="replace")
        except OSError:
            continue
    return texts


def _identity_problem(path: Path, kind: str, ours: tuple[str, str], force: bool) -> str | None:
    """A warning for a copy that does not say its book; DocumentRefused for a copy of another book
    (unless `force`, then a warning)."""
    title, identity = _identity(path, kind)
    if title is None and identity is None:
        return _("this review copy does not say which book it was built from (an older "
                 "builder made it); its comments are imported")  # fmt: skip
    other = identity != ours[1] if identity is not None else title != ours[0]
    if not other:
        return None
    message = _("this review copy is of another book: «{title}»; use --force to import it "
                "anyway").format(title=(title or identity or "")[:200])  # fmt: skip
    if not force:
        raise DocumentRefused(message)
    return _("this review copy is of another book: «{title}»; imported because of "
             "--force").format(title=(title or identity or "")[:200])  # fmt: skip


def _identity(path: Path, kind: str) -> tuple[str | None, str | None]:
    """(title, book id) the review copy carries; (None, None) when it carries none."""
    if kind == "docx":
        try:
            with zipfile.ZipFile(path) as archive:
                return read_identity(archive)
        except Exception as exc:  # a damaged file: say which, the others go on
            raise DocumentRefused(_("cannot read it ({reason})").format(reason=exc)) from exc
    try:
        title, identity = pdf_identity(path)
    except Encrypted:
        return None, None  # said once, as the file is read
    # A PDF printed again by another program keeps its own /Title (“Microsoft Word - …”):
    # only the builder's id says which book a PDF is of.
    return (title, identity) if identity else (None, None)


def _checked_kind(path: Path) -> str:
    """`docx` or `pdf`; DocumentRefused with what to do for anything else."""
    if not path.is_file():
        raise DocumentRefused(_("no such file") if not path.exists() else _("not a file"))
    kind = _kind(path)
    if kind == "encrypted":
        raise DocumentRefused(
            _("it is protected by a password; save it without one and import again")
        )
    if kind in OLD_FORMATS:
        raise DocumentRefused(
            _("it is a .{kind} document: open it in Word or LibreOffice, save it as a Word "
              "document (.docx), and import that").format(kind=kind)
        )  # fmt: skip
    if kind not in ("docx", "pdf"):
        raise DocumentRefused(_("it is neither a Word document (.docx) nor a PDF"))
    if kind == "docx":
        check_unpacked_size(path)
    return kind


def _read(path: Path, kind: str, out_dir: Path, content: Path) -> list[tuple[str, Comment]]:
    """(slug or `_unplaced`, comment) of every comment in a returned .docx or .pdf."""
    try:
        if kind == "docx":
            return word_comments(path)
        return pdf_comments(path, _page_map(out_dir), _model_texts(content))
    except Encrypted as exc:
        raise DocumentRefused(
            _("it is protected by a password; save it without one and import again")
        ) from exc
    except DocumentRefused:
        raise
    except Exception as exc:  # a damaged file: say which, the others go on
        raise DocumentRefused(_("cannot read it ({reason})").format(reason=exc)) from exc


def read_returned(path: Path, out_dir: Path, content: Path) -> list[tuple[str, Comment]]:
    """(slug or `_unplaced`, comment) of every comment in a returned .docx or .pdf, as the
    file gives them (not yet checked against the book)."""
    return _read(path, _checked_kind(path), out_dir, content)


def _kind(path: Path) -> str:
    """`docx`, `pdf`, `encrypted`, `doc`, `odt`, `rtf` or something else, from the content;
    DocumentRefused for a zip file cut short (a .docx half-downloaded)."""
    with path.open("rb") as stream:
        head = stream.read(5)
    if head == b"%PDF-":
        return "pdf"
    try:
        kind = kind_of(path)
    except (OSError, zipfile.BadZipFile):
        kind = "unknown"
    if kind in ("unknown", "damaged") and head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                archive.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise DocumentRefused(_("it is damaged ({reason})").format(reason=exc)) from exc
    return kind


def _page_map(out_dir: Path) -> dict[str, int]:
    """The last build's page map, for PDFs that lost their named pages; empty without one."""
    try:
        data = json.loads((out_dir / PAGE_MAP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): value for key, value in data.items() if isinstance(value, int)}


def summary(results: list[Imported]) -> str:
    """“added 5 comments for 3 models, 2 already there, 1 not placed in a model”."""
    added = sum(sum(result.added.values()) for result in results)
    models = {slug for result in results for slug in result.added if slug != UNPLACED}
    unplaced = sum(result.added.get(UNPLACED, 0) for result in results)
    already = sum(result.already for result in results)
    return _(
        "added {added} comments for {models} models, {already} already there, "
        "{unplaced} not placed in a model"
    ).format(added=added, models=len(models), already=already, unplaced=unplaced)
