"""The `builder` command: check a book, build its outputs. Later commands slot in here."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click

from builder import deploy, i18n
from builder.load import Loaded, load_book
from builder.model import BookConfig
from builder.outputs import available_outputs
from builder.problems import BuildError
from builder.publish import publish as publish_outputs
from builder.vietnamese import format_number

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
        click.echo(f"build stopped: nothing was written to {out_dir}/", err=True)
        sys.exit(1)
    outputs = available_outputs()
    chosen = list(outputs) if not formats or "all" in formats else list(dict.fromkeys(formats))
    try:
        written = publish_outputs(loaded.book, [outputs[name] for name in chosen], out_dir)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo(f"build stopped: {out_dir}/ was left as it was", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo(f"build interrupted: {out_dir}/ was left as it was", err=True)
        sys.exit(130)
    size = sum(path.stat().st_size for path in written if path.is_file())
    seconds = time.perf_counter() - started
    click.echo(
        f"built {', '.join(chosen)} into {out_dir}/: {format_number(len(written))} files, "
        f"{format_number(round(size / 1e6, 1))} MB in {format_number(round(seconds, 1))} s"
    )


class _NoteHandler(logging.Handler):
    """Outputs say what they left out (`note: …`) through the `builder` logger."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"note: {record.getMessage()}", err=True)


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
    repo: Path,
) -> None:
    """Build and check everything, then publish the site to a folder or a git branch.

    A book whose check finds errors or warnings is never published.
    """
    if (folder is None) == (branch is None):
        raise click.UsageError("give exactly one of --to FOLDER or --branch NAME")
    ctx.invoke(build, content=content, out_dir=out_dir, strict=True, formats=("all",))
    site = out_dir / "site"
    try:
        if folder is not None:
            deploy.to_folder(site, folder)
            click.echo(f"published {site}/ to {folder}/")
        else:
            commit = deploy.to_branch(site, repo, str(branch), "Publish the website")
            click.echo(
                f"published {site}/ as commit {commit[:12]} on branch {branch}; "
                f"send it with: git push origin {branch}"
            )
    except (BuildError, OSError) as exc:
        click.echo(f"error: publishing failed: {exc}", err=True)
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
        "Loại mô hình (kind)", type=click.Choice(["tap-the", "ca-nhan"]), default="tap-the"
    )
    field_id = field_id or click.prompt("Lĩnh vực (field)", type=click.Choice(fields))
    if field_id not in fields:
        raise click.BadParameter(f"choose one of {', '.join(fields)}", param_hint="--field")
    district = district or click.prompt("Địa bàn (district)", type=click.Choice(districts))
    chosen = next((d for d in config.districts if d.name == district), None)
    if chosen is None:
        raise click.BadParameter(f"choose one of {', '.join(districts)}", param_hint="--district")
    communes = [c.name for c in chosen.communes]
    if commune is None and communes:
        commune = click.prompt(
            "Xã, phường (commune; Enter to leave out)",
            type=click.Choice(["", *communes]),
            default="",
            show_default=False,
        )
    start, end = config.period
    year = year or click.prompt("Năm công nhận (year)", type=click.IntRange(start, end))
    path = free_path(content / "models", title)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = entry_text(config, title, kind=kind, field=field_id, district=district,
                      commune=commune or "", year=year)  # fmt: skip
    path.write_text(text, encoding="utf-8")
    click.echo(str(path))


@main.command()
@content_option
@click.option("--port", default=8000, show_default=True, help="The port on 127.0.0.1.")
def serve(content: Path, port: int) -> None:
    """Preview the website at http://127.0.0.1:PORT/, rebuilt and reloaded on every save."""
    import threading

    from builder.fonts import cache_dir
    from builder.serve import Preview, make_server, reset, watch, watch_roots, watched_state

    folder = cache_dir() / "serve"
    reset(folder)
    preview = Preview(content, folder)
    seen = watched_state(watch_roots(preview))
    preview.rebuild(lambda message: click.echo(message, err=True))
    (folder / "site").mkdir(exist_ok=True)
    try:
        server = make_server(preview, port)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on port {port}: {exc.strerror}; try --port") from exc
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch,
        args=(preview, lambda m: click.echo(m, err=True), stop, 0.2, seen),
        daemon=True,
    )
    watcher.start()
    click.echo(f"serving {content} at http://127.0.0.1:{port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        stop.set()
        server.server_close()


@main.command("import")
@content_option
@click.argument(
    "documents",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
def import_(content: Path, documents: tuple[Path, ...]) -> None:
    """Turn Word documents (.docx) into model files; what they do not say is left TODO."""
    from builder.word_import import import_docx

    config = _config_or_exit(content)
    failed = False
    for document in documents:
        try:
            imported = import_docx(document, content, config)
        except Exception as exc:  # a damaged or non-Word file: say which, go on with the rest
            click.echo(f"{document}: error: cannot read it as a Word document ({exc})", err=True)
            failed = True
            continue
        click.echo(str(imported.path))
        if imported.todo:
            click.echo(f"    to fill in: {', '.join(imported.todo)} (see builder check)")
    if failed:
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
    from builder.text_checks import fixed_text

    for path in sorted([*content.glob("models/*.md"), *content.glob("pages/*.md")]):
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # check names what is wrong with it
        fixed, changes = fixed_text(text)
        if changes:
            path.write_text(fixed, encoding="utf-8", newline="")
            click.echo(f"fixed {path}: {', '.join(changes)}", err=True)


def _load(content: Path) -> Loaded:
    loaded = load_book(content)
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    errors, warnings = len(loaded.problems.errors), len(loaded.problems.warnings)
    if errors or warnings:
        click.echo(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}", err=True)
    return loaded


def _summary(loaded: Loaded, content: Path) -> str:
    book = loaded.book
    if book is None:
        return ""
    return (
        f"{content}: {_plural(len(book.entries), 'model')}, "
        f"{_plural(len(book.pages), 'page')}, {_plural(len(book.images), 'image')}: ok"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
