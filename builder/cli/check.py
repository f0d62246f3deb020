"""`builder check`: every problem of the book, `--fix` for the safe ones."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.cli.group import content_option, load_and_report, main
from builder.load.loader import Loaded
from builder.util.i18n import N_, _, ngettext
from builder.util.problems import shown_text


@main.command(help=N_("Check every entry and report all problems as path:line:column."))
@content_option
@click.option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
@click.option("--fix", is_flag=True, help=N_("Rewrite what is safe to fix: Unicode NFC, “quotes”."))
@click.option(
    "--show-codes",
    "codes",
    is_flag=True,
    help=N_("Show each problem's code, like [duplicate-key]; the editors' guide explains it."),
)
def check(content: Path, strict: bool, fix: bool, codes: bool) -> None:
    if fix:
        _fix(content)
    loaded = load_and_report(content, codes=codes)
    failed = bool(loaded.problems.errors) or (strict and bool(loaded.problems.warnings))
    if failed:
        sys.exit(1)
    click.echo(_summary(loaded, content))


def _fix(content: Path) -> None:
    """Rewrite the safe fixes into the book's own files: never through a symlink (it may lead
    out of the book), each written whole with its mode kept (a crash or a full disk never
    leaves half of one); a book that cannot be written is said plainly, exit 1."""
    from builder.load.checks.text_checks import fixed_text
    from builder.util.files import WriteFailed, book_lock, write_whole

    if not content.is_dir():
        return  # the check names the missing folder
    try:
        with book_lock(content):
            for path in sorted([*content.glob("models/*.md"), *content.glob("pages/*.md")]):
                if path.is_symlink() or not path.is_file():
                    continue  # check names what is wrong with it
                try:
                    text = path.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                fixed, changes = fixed_text(text)
                if changes:
                    write_whole(path, fixed, mode=path.stat().st_mode & 0o7777)
                    click.echo(
                        _("fixed {path}: {changes}").format(
                            path=shown_text(str(path)), changes=", ".join(changes)
                        ),
                        err=True,
                    )
    except WriteFailed as exc:
        click.echo(f"{_('error')}: {exc}", err=True)
        sys.exit(1)


def _summary(loaded: Loaded, content: Path) -> str:
    book = loaded.book
    if book is None:
        return ""
    models, pages, images = len(book.entries), len(book.pages), len(book.images)
    return _("{content}: {models}, {pages}, {images}: ok").format(
        content=shown_text(str(content)),
        models=ngettext("{count} model", "{count} models", models).format(count=models),
        pages=ngettext("{count} page", "{count} pages", pages).format(count=pages),
        images=ngettext("{count} image", "{count} images", images).format(count=images),
    )
