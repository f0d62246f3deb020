"""`builder build` and `builder publish`: the outputs written, the final edition checked,
the site published."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from builder.book.model import Book
from builder.book.vietnamese import format_number
from builder.cli.group import content_option, load_and_report, main, out_option, problem_lines
from builder.outputs import OUTPUT_NAMES, chosen_outputs, loading_ahead, output_named
from builder.publish import deploy
from builder.publish.build_record import build_inputs, remember, up_to_date
from builder.publish.destinations import check_destination
from builder.publish.write_outputs import write_outputs
from builder.render.editions import BuildOptions
from builder.review_round.final_edition import final_book, shortfalls
from builder.util.errors import BuildError
from builder.util.files import total_size
from builder.util.folder_swap import put_back, remove_leftovers
from builder.util.i18n import N_, _, ngettext

final_option = click.option(
    "--final",
    is_flag=True,
    help=N_("The final edition: approved models only (`status: da-duyet`); stops when the "
            "book is under its targets in book.yaml."),
)  # fmt: skip
allow_short_option = click.option(
    "--allow-short",
    is_flag=True,
    help=N_("With --final or publish: build even when the book is under its targets."),
)


class _OutputNames(click.Choice[str]):
    """`all` and the outputs' names, looked up only when a command line names one: importing
    every output (WeasyPrint, python-docx…) would cost `builder status` half a second."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=False)

    @property
    def choices(self) -> tuple[str, ...]:
        return ("all", *OUTPUT_NAMES)

    @choices.setter
    def choices(self, value: object) -> None:
        pass  # Click's own __init__ sets it


@main.command(
    help=N_(
        "Check the book, then build FORMATS (site, pdf, epub or all; default all; review: "
        "the Word draft for delegates, built only when named).\n\n"
        "Nothing is written when the check finds errors, and a failed build leaves the "
        "existing output folder exactly as it was."
    )
)
@content_option
@out_option
@click.option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
@final_option
@allow_short_option
@click.option(
    "--for-review",
    is_flag=True,
    help=N_("Print “BẢN DỰ THẢO” on every page of the PDF, for delegates who comment on it."),
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help=N_("Processes that lay out the PDF at once (default: one per core)."),
)
@click.argument("formats", nargs=-1, type=_OutputNames())
def build(
    content: Path,
    out_dir: Path,
    strict: bool,
    formats: tuple[str, ...],
    final: bool = False,
    allow_short: bool = False,
    for_review: bool = False,
    jobs: int | None = None,
    open_comments_stop: bool | None = None,
) -> None:
    started = time.perf_counter()
    put_back(out_dir)  # first: a build that fails must still leave the last output
    options = BuildOptions(strict=strict, jobs=jobs, final=final, for_review=for_review)
    chosen = chosen_outputs(formats)
    stop = strict if open_comments_stop is None else open_comments_stop
    inputs = build_inputs(content, chosen, options)
    # The final edition also reports what it leaves out: it always runs.
    reported = None if final else up_to_date(content, out_dir, inputs)
    if reported is not None:  # the same book, code and options as the last build there
        remove_leftovers(out_dir)  # what a build stopped halfway left beside, as a build does
        for line in reported:
            click.echo(line, err=True)
        click.echo(_("nothing changed since the last build: {folder}/ was left as it was")
                   .format(folder=out_dir))  # fmt: skip
        return
    outputs = [output_named(name) for name in chosen]
    try:
        with loading_ahead(outputs):
            loaded = load_and_report(content)
            if loaded.book is None or (strict and loaded.problems.warnings):
                _nothing_written(out_dir)
            book = _final_edition(loaded.book, allow_short, out_dir, stop) if final \
                else loaded.book  # fmt: skip
            written = write_outputs(book, outputs, out_dir, options)
    except BuildError as exc:
        severity = _("error")
        click.echo(f"{severity}: {exc}", err=True)
        click.echo(
            _("build stopped: {folder}/ was left as it was").format(folder=out_dir), err=True
        )
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo(
            _("build interrupted: {folder}/ was left as it was").format(folder=out_dir), err=True
        )
        sys.exit(130)
    if not final:
        remember(content, out_dir, inputs, problem_lines(loaded))
    size = total_size(written)
    seconds = time.perf_counter() - started
    click.echo(
        ngettext(
            "built {formats} into {folder}/: {count} file, {megabytes} MB in {seconds} s",
            "built {formats} into {folder}/: {count} files, {megabytes} MB in {seconds} s",
            len(written),
        ).format(
            formats=", ".join(chosen),
            folder=out_dir,
            count=format_number(len(written)),
            megabytes=format_number(round(size / 1e6, 1)),
            seconds=format_number(round(seconds, 1)),
        )
    )


def _nothing_written(out_dir: Path) -> NoReturn:
    click.echo(
        _("build stopped: nothing was written to {folder}/").format(folder=out_dir), err=True
    )
    sys.exit(1)


def _final_edition(book: Book, allow_short: bool, out_dir: Path, open_stops: bool) -> Book:
    """The approved models only, each model left out named with its status; a book under
    its targets stops the build unless `allow_short`. Links to left-out models are warned
    about but do not stop even a strict build: they are printed as plain text. An approved
    model with open comments is warned about, and stops the build when `open_stops`."""
    _open_comments(book, out_dir, open_stops)
    final = final_book(book)
    for entry in final.left_out:
        click.echo(
            _("left out of the final edition: {file} ({status})").format(
                file=entry.source, status=entry.status_label
            ),
            err=True,
        )
    for problem in final.problems:
        click.echo(str(problem), err=True)
    if final.problems.errors:
        _nothing_written(out_dir)
    short = shortfalls(final.book)
    severity = _("warning") if allow_short else _("error")
    for line in short:
        click.echo(f"{severity}: {line}", err=True)
    if short and not allow_short:
        click.echo(_("the final edition is under its targets in book.yaml; add approved models, "
                     "or build it anyway with --allow-short"), err=True)  # fmt: skip
        _nothing_written(out_dir)
    return final.book


def _open_comments(book: Book, out_dir: Path, stops: bool) -> None:
    from builder.load.reviews import BadReviewFile
    from builder.review_round.final_edition import open_comments_on_approved

    severity = _("error") if stops else _("warning")
    try:
        lines = open_comments_on_approved(book)
    except BadReviewFile as exc:
        click.echo(str(exc.problem), err=True)
        lines = []
        if stops:
            _nothing_written(out_dir)
    for line in lines:
        click.echo(f"{severity}: {line}", err=True)
    if lines and stops:
        click.echo(_("resolve those comments (`builder comments --resolve ID`), or build "
                     "without --strict"), err=True)  # fmt: skip
        _nothing_written(out_dir)


@main.command(
    help=N_(
        "Build and check everything, then publish the site to a folder or a git branch.\n\n"
        "A book whose check finds errors or warnings is never published."
    )
)
@content_option
@out_option
@click.option(
    "--to",
    "folder",
    type=click.Path(path_type=Path),
    help=N_("Copy the site into this folder (what the web server serves)."),
)
@click.option("--branch", help=N_("Commit the site to this git branch, e.g. gh-pages."))
@click.option(
    "--force",
    is_flag=True,
    help=N_(
        "With --to: replace a folder of files the builder did not mark (a copy of the site "
        "published by an older builder). Never the book or a folder holding it."
    ),
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help=N_("The git repository for --branch."),
)
@allow_short_option
@click.pass_context
def publish(
    ctx: click.Context,
    content: Path,
    out_dir: Path,
    folder: Path | None,
    branch: str | None,
    force: bool,
    repo: Path,
    allow_short: bool,
) -> None:
    if (folder is None) == (branch is None):
        raise click.UsageError(_("give exactly one of --to FOLDER or --branch NAME"))
    if folder is not None:
        put_back(folder)  # first: a publish that fails must still leave the last site
    try:
        if folder is not None:  # refused before the build, not after it
            check_destination(folder, content, others=(out_dir,), force=force)
    except BuildError as exc:
        _publishing_failed(exc)
    # Open comments on approved models are warned about, not a reason to refuse: the
    # editors approved the model knowing them.
    ctx.invoke(build, content=content, out_dir=out_dir, strict=True, formats=("all",),
               final=True, allow_short=allow_short, open_comments_stop=False)  # fmt: skip
    site = out_dir / "site"
    try:
        if folder is not None:
            deploy.to_folder(site, folder, content, out_dir, force=force)
            click.echo(_("published {site}/ to {folder}/").format(site=site, folder=folder))
        else:
            commit = deploy.to_branch(site, repo, str(branch), _("Publish the website"))
            click.echo(
                _(
                    "published {site}/ as commit {commit} on branch {branch}; "
                    "send it with: git push origin {branch}"
                ).format(site=site, commit=commit[:12], branch=branch)
            )
    except (BuildError, OSError) as exc:
        _publishing_failed(exc)


def _publishing_failed(reason: Exception) -> NoReturn:
    click.echo(
        _("{severity}: publishing failed: {reason}").format(severity=_("error"), reason=reason),
        err=True,
    )
    sys.exit(1)
