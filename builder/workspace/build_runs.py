"""Builds from the workspace: the steps of `builder build` and `builder publish`, run as a job
of the one queue, into folders of the workspace's own.

The outputs go to `<book>-workspace/` beside the book folder (BUILDER_WORKSPACE_OUTPUT names
another): `draft/` for the drafts an editor builds, `final/` for the chief editor's final
edition and what publishing builds. Not inside the book (`<book>/.workspace/output/`): a
build replaces its whole folder, and the builder refuses one inside the book
(`publish.destinations`); not `output/` beside it either, which is `make`'s folder when the
book is the shipped `content/`. When that folder lies inside the book's repository it is kept
out of git (`.git/info/exclude`).

Publishing goes where BUILDER_WORKSPACE_PUBLISH_TO (a folder a web server serves) or
BUILDER_WORKSPACE_PUBLISH_BRANCH (a branch of the book's repository, e.g. gh-pages) says;
with neither, it builds and checks the final edition into `final/` and says so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from builder.book.model import Book
from builder.load.loader import load_book
from builder.load.reviews import BadReviewFile
from builder.outputs import output_named
from builder.publish import deploy
from builder.publish.build_record import build_inputs, remember, up_to_date
from builder.publish.destinations import check_destination
from builder.publish.write_outputs import write_outputs
from builder.render.editions import BuildOptions
from builder.review_round.final_edition import final_book, open_comments_on_approved, shortfalls
from builder.util.errors import BuildError
from builder.util.files import total_size
from builder.util.folder_swap import put_back, remove_leftovers
from builder.util.i18n import N_, _, ngettext

Progress = Callable[[str], None]
OUTPUT_VARIABLE = "BUILDER_WORKSPACE_OUTPUT"
PUBLISH_TO_VARIABLE = "BUILDER_WORKSPACE_PUBLISH_TO"
PUBLISH_BRANCH_VARIABLE = "BUILDER_WORKSPACE_PUBLISH_BRANCH"
DRAFT, FINAL = "draft", "final"
EDITIONS = (DRAFT, FINAL)


@dataclass(frozen=True, slots=True)
class BuildKind:
    """One button of the builds page: which outputs it makes and how."""

    key: str
    label: str  # N_: translated where shown
    outputs: tuple[str, ...]
    strict: bool = False  # warnings and a failing preflight stop it, as `build --strict`


KINDS = {
    kind.key: kind
    for kind in (
        BuildKind("review", N_("Review copy for delegates (Word, “Bản dự thảo”)"), ("review",)),
        BuildKind("pdf", N_("PDF"), ("pdf",)),
        BuildKind("epub", N_("EPUB"), ("epub",)),
        # The PDF output makes the printing house's files too; built strictly, their
        # preflight failing a line stops the build instead of sending a bad file.
        BuildKind("print", N_("Package for the printing house (checked)"), ("pdf",), True),
        BuildKind("site", N_("Website"), ("site",)),
        BuildKind("all", N_("Everything (PDF, EPUB, website)"), ("pdf", "epub", "site")),
    )
}


@dataclass(frozen=True, slots=True)
class BuildRequest:
    kind: BuildKind
    final: bool = False  # approved models only, into `final/`
    allow_short: bool = False  # the final edition even under the targets of book.yaml
    strict: bool = False  # as `publish`: any warning stops it

    @property
    def edition(self) -> str:
        return FINAL if self.final else DRAFT


@dataclass(frozen=True, slots=True)
class Built:
    """What a finished build made: where, which outputs, what the page should say."""

    edition: str
    outputs: tuple[str, ...]
    files: int
    megabytes: float
    started: float  # time.monotonic(), as the job queue counts
    finished: float
    notes: tuple[str, ...] = ()  # models left out, open comments, warnings
    published: str = ""  # where publishing put the site


class BuildFailed(Exception):
    """The build stopped before replacing anything; `problems` says why, one item each."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__(summary)
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class PublishTarget:
    folder: Path | None = None
    branch: str = ""

    @property
    def configured(self) -> bool:
        return self.folder is not None or bool(self.branch)


def output_root(content: Path) -> Path:
    chosen = os.environ.get(OUTPUT_VARIABLE, "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    return content.parent / f"{content.name}-workspace"


def edition_folder(content: Path, edition: str) -> Path:
    return output_root(content) / edition


def publish_target() -> PublishTarget:
    folder = os.environ.get(PUBLISH_TO_VARIABLE, "").strip()
    branch = os.environ.get(PUBLISH_BRANCH_VARIABLE, "").strip()
    return PublishTarget(Path(folder).expanduser().absolute() if folder else None, branch)


def run_build(content: Path, request: BuildRequest, progress: Progress) -> Built:
    """Check the book, then write the request's outputs into its edition's folder; BuildFailed
    (the folder as it was) when the check or an output fails."""
    started = time.monotonic()
    folder = edition_folder(content, request.edition)
    strict = request.strict or request.kind.strict
    options = BuildOptions(strict=strict, final=request.final)
    with _logged_to(progress):
        put_back(folder)  # first: a build that fails must still leave the last output
        # As `builder build`: the same book, code and options as the last build into the
        # folder write nothing (the final edition always runs: it reports what it leaves out).
        inputs = build_inputs(content, list(request.kind.outputs), options)
        reported = None if request.final else up_to_date(content, folder, inputs)
        if reported is not None:
            remove_leftovers(folder)
            progress(_("nothing changed since the last build: {folder}/ was left as it was")
                     .format(folder=folder))  # fmt: skip
            return _built(request, _files_in(folder), started, reported, progress)
        book, notes = _checked_book(content, strict, progress)
        if request.final:
            book, final_notes = _final_edition(book, request.allow_short, progress)
            notes += final_notes
        outputs = [output_named(name) for name in request.kind.outputs]
        try:
            written = write_outputs(book, outputs, folder, options)
        except BuildError as exc:
            raise BuildFailed(_("The build stopped; the files of the last build are kept."),
                              [str(exc)]) from exc  # fmt: skip
        if not request.final:
            remember(content, folder, inputs, notes)
    return _built(request, written, started, notes, progress)


def _files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def _built(
    request: BuildRequest, written: list[Path], started: float, notes: list[str],
    progress: Progress,
) -> Built:  # fmt: skip
    """What the job's page says of a finished build."""
    size = total_size(written)
    built = Built(request.edition, request.kind.outputs, len(written), round(size / 1e6, 1),
                  started, time.monotonic(), tuple(notes))  # fmt: skip
    progress(
        ngettext("built: {count} file, {megabytes} MB", "built: {count} files, {megabytes} MB",
                 built.files).format(count=built.files, megabytes=built.megabytes)
    )  # fmt: skip
    return built


def run_publish(content: Path, repository: Path, allow_short: bool, progress: Progress) -> Built:
    """`builder publish`: the final edition built strictly (every output), then its site
    copied to the configured folder or committed to the configured branch of `repository`."""
    target = publish_target()
    final = edition_folder(content, FINAL)
    if target.folder is not None:
        put_back(target.folder)
        try:  # refused before the build, not after it
            check_destination(target.folder, content, others=(final,))
        except BuildError as exc:
            raise BuildFailed(_("Publishing was refused."), [str(exc)]) from exc
    request = BuildRequest(KINDS["all"], final=True, allow_short=allow_short, strict=True)
    built = run_build(content, request, progress)
    site = final / "site"
    try:
        if target.folder is not None:
            deploy.to_folder(site, target.folder, content, final)
            where = _("the folder {folder}").format(folder=target.folder)
        elif target.branch:
            commit = deploy.to_branch(site, repository, target.branch, _("Publish the website"))
            where = _("commit {commit} on branch {branch}").format(
                commit=commit[:12], branch=target.branch
            )
        else:
            return built
    except (BuildError, OSError) as exc:
        raise BuildFailed(_("The book was built, but publishing failed."), [str(exc)]) from exc
    progress(_("published to {where}").format(where=where))
    return replace(built, published=where)


def _checked_book(content: Path, strict: bool, progress: Progress) -> tuple[Book, list[str]]:
    loaded = load_book(content)
    problems = list(loaded.problems)
    for problem in problems:
        progress(str(problem).split("\n", 1)[0])
    errors, warnings = len(loaded.problems.errors), len(loaded.problems.warnings)
    if loaded.book is None or (strict and warnings):
        raise BuildFailed(
            _("The check found {errors} errors and {warnings} warnings: nothing was built, the "
              "files of the last build are kept.").format(errors=errors, warnings=warnings),
            [problem.shown() for problem in problems],
        )  # fmt: skip
    return loaded.book, [problem.shown() for problem in loaded.problems.warnings]


def _final_edition(book: Book, allow_short: bool, progress: Progress) -> tuple[Book, list[str]]:
    """As `build --final`: approved models only, each model left out named; open comments on
    approved models said but not stopping (the editors approved them knowing); a book under
    its targets refused unless `allow_short`."""
    notes = []
    try:
        notes += open_comments_on_approved(book)
    except BadReviewFile as exc:
        notes.append(str(exc.problem))
    final = final_book(book)
    notes += [
        _("left out of the final edition: {file} ({status})").format(
            file=entry.source, status=entry.status_label
        )
        for entry in final.left_out
    ]
    notes += [problem.shown() for problem in final.problems]
    for note in notes:
        progress(note.split("\n", 1)[0])
    if final.problems.errors:
        raise BuildFailed(_("The final edition cannot be made."), notes)
    short = shortfalls(final.book)
    if short and not allow_short:
        raise BuildFailed(
            _("The final edition is under its targets in book.yaml: approve more models, or "
              "build it anyway with “under the targets”."),
            [*short, *notes],
        )  # fmt: skip
    return final.book, notes + short


class _JobLog(logging.Handler):
    """The `builder` logger's lines of one thread (the job's), as progress lines; and those
    of the children the build forks (the PDF is laid out in them), which come back through
    a pipe, a line at a time (a write under PIPE_BUF is never interleaved)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.thread = threading.get_ident()
        self.pid = os.getpid()
        self.read_end, self.write_end = os.pipe()
        self.reader = threading.Thread(target=self._forward, daemon=True)
        self.reader.start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.levelno >= logging.WARNING:
                severity = _("warning")
                message = f"{severity}: {message}"
            if os.getpid() != self.pid and self.write_end >= 0:  # a child forked by the build
                line = " ".join(message.split())[: select.PIPE_BUF // 4 - 1] + "\n"
                os.write(self.write_end, line.encode(errors="replace"))  # a name not UTF-8
            elif record.thread == self.thread:
                self.progress(message)
        except Exception:  # a line that cannot be shown must not stop the build
            self.handleError(record)

    def _forward(self) -> None:
        with open(self.read_end, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                self.progress(line.rstrip("\n"))

    def close(self) -> None:
        """The build is over: the lines its children sent are all passed on. (Logging calls
        it again at exit: the pipe's number may belong to another file by then.)"""
        if self.write_end >= 0:
            os.close(self.write_end)
            self.write_end = -1
            self.reader.join(timeout=5)
        super().close()


@contextlib.contextmanager
def _logged_to(progress: Progress) -> Iterator[None]:
    log = logging.getLogger("builder")
    handler = _JobLog(progress)
    level = log.level
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        handler.close()
