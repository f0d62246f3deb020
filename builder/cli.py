"""The `builder` command: check a book, build its outputs. Later commands slot in here."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from builder import deploy, i18n
from builder.destinations import check_destination
from builder.folder_swap import replace_file
from builder.i18n import _, ngettext
from builder.load import Loaded, load_book
from builder.model import BookConfig
from builder.outputs import available_outputs
from builder.problems import BuildError
from builder.vietnamese import format_number
from builder.write_outputs import write_outputs

content_option = click.option(
    "--content",
    "content",
    type=click.Path(path_type=Path),
    default=Path("content"),
    show_default=True,
    help="The book folder (book.yaml, models/, pages/, images/).",
)


out_option = click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"),
    show_default=True, help="Where the outputs are written.",
)  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dan-van-kheo-builder")
@click.option(
    "--lang",
    type=click.Choice(i18n.LANGUAGES),
    envvar="BUILDER_LANG",
    help="Language of the messages: vi (default) or en. Also BUILDER_LANG=en.",
)
def main(lang: str | None) -> None:
    """Build the website, PDF and EPUB of a “Dân vận khéo” book from Markdown."""
    i18n.set_language(lang)
    _show_notes()


@main.command()
@content_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--fix", is_flag=True, help="Rewrite what is safe to fix: Unicode NFC, “quotes”.")
def check(content: Path, strict: bool, fix: bool) -> None:
    """Check every entry and report all problems as path:line:column."""
    if fix:
        _fix(content)
    loaded = _load(content)
    failed = bool(loaded.problems.errors) or (strict and bool(loaded.problems.warnings))
    if failed:
        sys.exit(1)
    click.echo(_summary(loaded, content))


@main.command()
@content_option
@out_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.argument(
    "formats", nargs=-1, type=click.Choice(["all", *available_outputs()], case_sensitive=False)
)
def build(content: Path, out_dir: Path, strict: bool, formats: tuple[str, ...]) -> None:
    """Check the book, then build FORMATS (site, pdf, epub or all; default all).

    Nothing is written when the check finds errors, and a failed build leaves the
    existing output folder exactly as it was.
    """
    started = time.perf_counter()
    loaded = _load(content)
    if loaded.book is None or (strict and loaded.problems.warnings):
        click.echo(
            _("build stopped: nothing was written to {folder}/").format(folder=out_dir), err=True
        )
        sys.exit(1)
    outputs = available_outputs()
    chosen = list(outputs) if not formats or "all" in formats else list(dict.fromkeys(formats))
    try:
        written = write_outputs(
            loaded.book, [outputs[name] for name in chosen], out_dir, strict=strict
        )
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
    size = sum(path.stat().st_size for path in written if path.is_file())
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


class _NoteHandler(logging.Handler):
    """Outputs say what they left out (`note: …`) through the `builder` logger."""

    def emit(self, record: logging.LogRecord) -> None:
        note = _("note")
        click.echo(f"{note}: {record.getMessage()}", err=True)


def _show_notes() -> None:
    log = logging.getLogger("builder")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not any(isinstance(handler, _NoteHandler) for handler in log.handlers):
        log.addHandler(_NoteHandler())


@main.command()
@content_option
@out_option
@click.option(
    "--to",
    "folder",
    type=click.Path(path_type=Path),
    help="Copy the site into this folder (what the web server serves).",
)
@click.option("--branch", help="Commit the site to this git branch, e.g. gh-pages.")
@click.option(
    "--force",
    is_flag=True,
    help="With --to: replace a folder of files the builder did not mark (a copy of the site "
    "published by an older builder). Never the book or a folder holding it.",
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="The git repository for --branch.",
)
@click.pass_context
def publish(
    ctx: click.Context,
    content: Path,
    out_dir: Path,
    folder: Path | None,
    branch: str | None,
    force: bool,
    repo: Path,
) -> None:
    """Build and check everything, then publish the site to a folder or a git branch.

    A book whose check finds errors or warnings is never published.
    """
    if (folder is None) == (branch is None):
        raise click.UsageError(_("give exactly one of --to FOLDER or --branch NAME"))
    try:
        if folder is not None:  # refused before the build, not after it
            check_destination(folder, content, others=(out_dir,), force=force)
    except BuildError as exc:
        _publishing_failed(exc)
    ctx.invoke(build, content=content, out_dir=out_dir, strict=True, formats=("all",))
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


@main.command()
@content_option
@click.argument("title")
@click.option("--kind", type=click.Choice(["tap-the", "ca-nhan"]), help="tap-the or ca-nhan.")
@click.option("--field", "field_id", help="A field of book.yaml (its id).")
@click.option("--district", help="A district of book.yaml.")
@click.option("--commune", help="A commune of that district (optional).")
@click.option("--year", type=int, help="The year the model was recognised.")
def new(
    content: Path,
    title: str,
    kind: str | None,
    field_id: str | None,
    district: str | None,
    commune: str | None,
    year: int | None,
) -> None:
    """Start a new model: writes models/<slug>.md with every fact to fill in.

    What is not given on the command line is asked, with the valid choices listed.
    """
    from builder.new_entry import entry_text, free_path

    config = _config_or_exit(content)
    fields = [f.id for f in config.fields]
    districts = [d.name for d in config.districts]
    kind = kind or click.prompt(
        _("Kind of model"), type=click.Choice(["tap-the", "ca-nhan"]), default="tap-the"
    )
    field_id = field_id or click.prompt(_("Field"), type=click.Choice(fields))
    if field_id not in fields:
        raise click.BadParameter(
            _("choose one of {choices}").format(choices=", ".join(fields)), param_hint="--field"
        )
    district = district or click.prompt(_("District"), type=click.Choice(districts))
    chosen = next((d for d in config.districts if d.name == district), None)
    if chosen is None:
        raise click.BadParameter(
            _("choose one of {choices}").format(choices=", ".join(districts)),
            param_hint="--district",
        )
    communes = [c.name for c in chosen.communes]
    if commune is None and communes:
        commune = click.prompt(
            _("Commune (Enter to leave it out)"),
            type=click.Choice(["", *communes]),
            default="",
            show_default=False,
        )
    start, end = config.period
    year = year or click.prompt(_("Year recognised"), type=click.IntRange(start, end))
    path = free_path(content / "models", title)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = entry_text(config, title, kind=kind, field=field_id, district=district,
                      commune=commune or "", year=year)  # fmt: skip
    path.write_text(text, encoding="utf-8")
    click.echo(str(path))


@main.command()
@content_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port on 127.0.0.1 (0: any free port).",
)
def serve(content: Path, port: int) -> None:
    """Preview the website at http://127.0.0.1:PORT/, rebuilt and reloaded on every save."""
    from builder.serve import (
        Preview,
        make_server,
        scratch_folder,
        serve_until_stopped,
        watch_roots,
        watched_state,
    )

    def report(message: str) -> None:
        click.echo(message, err=True)

    with scratch_folder() as folder:  # this process's own, removed when it stops
        preview = Preview(content, folder)
        seen = watched_state(watch_roots(preview))
        preview.rebuild(report)
        try:
            server = make_server(preview, port, report)
        except OSError as exc:
            raise click.UsageError(
                _("cannot listen on port {port}: {reason}; try --port").format(
                    port=port, reason=exc.strerror
                )
            ) from exc
        click.echo(
            _("serving {content} at http://127.0.0.1:{port}/ (Ctrl-C stops)").format(
                content=content, port=server.server_address[1]
            )
        )
        serve_until_stopped(server, preview, report, seen)
    click.echo(_("stopped"))


@main.command("import")
@content_option
@click.argument(
    "documents",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=True, path_type=Path),  # a missing one is named, the rest go on
)
def import_(content: Path, documents: tuple[Path, ...]) -> None:
    """Turn Word documents (.docx, .doc, .odt) into model files; what they do not state is
    left TODO. Exit 1 when any document was refused."""
    import tempfile

    from builder.word_import import Refused, import_document, report_lines

    config = _config_or_exit(content)
    imported = warned = 0
    refused: list[str] = []
    with tempfile.TemporaryDirectory(prefix="builder-import-") as scratch:
        for document in documents:
            try:
                if not document.is_file():
                    raise Refused(_("no such file") if not document.exists() else _("not a file"))
                result = import_document(document, content, config, Path(scratch))
            except Refused as exc:
                reason = str(exc)
            except Exception as exc:  # a damaged document: say which, go on with the rest
                reason = _("cannot read it as a Word document ({reason})").format(reason=exc)
            else:
                for line in report_lines(result):
                    click.echo(line)
                imported += 1
                warned += bool(result.warnings)
                continue
            click.echo(
                _("{document}: {severity}: {reason}").format(
                    document=document, severity=_("error"), reason=reason
                ),
                err=True,
            )
            refused.append(f"{document}: {reason}")
    summary = _("{imported} imported ({warned} with warnings), {refused} refused").format(
        imported=imported, warned=warned, refused=len(refused)
    )
    click.echo(summary, err=True)
    if refused:
        sys.exit(1)


def _config_or_exit(content: Path) -> BookConfig:
    """book.yaml, or its problems printed and exit 1."""
    from builder.config import load_config
    from builder.problems import Problems

    problems = Problems()
    config = load_config(content, problems)
    if config is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    return config


def _fix(content: Path) -> None:
    """Rewrite the safe fixes into the book's own files: never through a symlink (it may lead
    out of the book), and by replacing the file whole (a crash never leaves half of one)."""
    from builder.text_checks import fixed_text

    for path in sorted([*content.glob("models/*.md"), *content.glob("pages/*.md")]):
        if path.is_symlink() or not path.is_file():
            continue  # check names what is wrong with it
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        fixed, changes = fixed_text(text)
        if changes:
            replace_file(path, fixed)
            click.echo(
                _("fixed {path}: {changes}").format(path=path, changes=", ".join(changes)), err=True
            )


def _load(content: Path) -> Loaded:
    loaded = load_book(content)
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    errors, warnings = len(loaded.problems.errors), len(loaded.problems.warnings)
    if errors or warnings:
        counts = _("{errors}, {warnings}").format(
            errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
            warnings=ngettext("{count} warning", "{count} warnings", warnings).format(
                count=warnings
            ),
        )
        click.echo(counts, err=True)
    return loaded


def _summary(loaded: Loaded, content: Path) -> str:
    book = loaded.book
    if book is None:
        return ""
    models, pages, images = len(book.entries), len(book.pages), len(book.images)
    return _("{content}: {models}, {pages}, {images}: ok").format(
        content=content,
        models=ngettext("{count} model", "{count} models", models).format(count=models),
        pages=ngettext("{count} page", "{count} pages", pages).format(count=pages),
        images=ngettext("{count} image", "{count} images", images).format(count=images),
    )
