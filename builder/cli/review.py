"""`builder comments` and `builder status`: the review round's comments and where the book
stands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.cli.group import config_or_exit, content_option, main, out_option
from builder.util.errors import BuildError
from builder.util.i18n import N_, _


@main.command(
    help=N_(
        "Read the comments delegates made on returned review copies (.docx or .pdf) into "
        "content/reviews/; model files are not changed. Exit 1 when any file was refused."
    ),
)
@content_option
@out_option
@click.option("--resolve", "resolve_id", metavar="ID", help=N_("Mark comment ID as resolved."))
@click.option(
    "--move",
    nargs=2,
    metavar="OLD NEW",
    help=N_("A model was renamed from OLD to NEW: move its comments to NEW's review file."),
)
@click.option("--force", is_flag=True, help=N_("Import a review copy built from another book too."))
@click.argument("returned", nargs=-1, type=click.Path(dir_okay=True, path_type=Path))
def comments(
    content: Path,
    out_dir: Path,
    resolve_id: str | None,
    returned: tuple[Path, ...],
    move: tuple[str, str] | None = None,
    force: bool = False,
) -> None:
    from builder.review_round.comments.comments_import import run_comments

    sys.exit(run_comments(content, out_dir, resolve_id, returned, force=force, move=move))


@main.command(
    help=N_(
        "Where the book stands: models by status, by field and by district against the "
        "targets of book.yaml, and each model's problems, length, pictures, editor and open "
        "comments."
    )
)
@content_option
@click.option("--json", "as_json", is_flag=True, help=N_("Print the figures as JSON, for scripts."))
def status(content: Path, as_json: bool) -> None:
    import json

    from builder.load.reviews import BadReviewFile
    from builder.review_round.book_status import book_status
    from builder.review_round.status_table import status_lines

    config_or_exit(content)  # its problems, said once
    try:
        found = book_status(content)
    except BadReviewFile as exc:  # its place and severity are in the problem
        click.echo(str(exc.problem), err=True)
        sys.exit(1)
    except BuildError as exc:
        click.echo(f"{_('error')}: {exc}", err=True)
        sys.exit(1)
    if found is None:
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=1))
    else:
        click.echo("\n".join(status_lines(found, str(content))))
