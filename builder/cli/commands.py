"""The `builder` command: check a book, build its outputs. Later commands slot in here."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from builder.book.model import KINDS, Book, BookConfig
from builder.book.vietnamese import format_number
from builder.cli.click_messages import VERSION_OPTION, TranslatedGroup, speak_through_catalogue
from builder.load.loader import Loaded, load_book
from builder.outputs import OUTPUT_NAMES, chosen_outputs, output_named
from builder.publish import deploy
from builder.publish.destinations import check_destination
from builder.publish.write_outputs import write_outputs
from builder.render.editions import BuildOptions
from builder.review_round.final_edition import final_book, shortfalls
from builder.util import i18n
from builder.util.errors import BuildError
from builder.util.folder_swap import put_back
from builder.util.i18n import N_, _, ngettext
from builder.util.problems import shown_text

T = TypeVar("T")

speak_through_catalogue()  # Click's own usage errors, help and prompts in our language

content_option = click.option(
    "--content",
    "content",
    type=click.Path(path_type=Path),
    default=Path("content"),
    show_default=True,
    help=N_("The book folder (book.yaml, models/, pages/, images/)."),
)


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


out_option = click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"),
    show_default=True, help=N_("Where the outputs are written."),
)  # fmt: skip


@click.group(
    cls=TranslatedGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Build the website, PDF and EPUB of a “Dân vận khéo” book from Markdown."),
)
@click.version_option(package_name="dan-van-kheo-builder", help=VERSION_OPTION)
@click.option(
    "--lang",
    type=click.Choice(i18n.LANGUAGES),
    envvar="BUILDER_LANG",
    help=N_("Language of the messages: vi (default) or en. Also BUILDER_LANG=en."),
)
def main(lang: str | None) -> None:
    i18n.set_language(lang)
    _show_notes()


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
    loaded = _load(content, codes=codes)
    failed = bool(loaded.problems.errors) or (strict and bool(loaded.problems.warnings))
    if failed:
        sys.exit(1)
    click.echo(_summary(loaded, content))


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
    loaded = _load(content)
    if loaded.book is None or (strict and loaded.problems.warnings):
        _nothing_written(out_dir)
    stop = strict if open_comments_stop is None else open_comments_stop
    book = _final_edition(loaded.book, allow_short, out_dir, stop) if final else loaded.book
    options = BuildOptions(strict=strict, jobs=jobs, final=final, for_review=for_review)
    chosen = chosen_outputs(formats)
    try:
        written = write_outputs(book, [output_named(name) for name in chosen], out_dir, options)
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


class _MissingFacts(click.ClickException):
    """A fact `new` cannot ask for without a terminal: one line, exit 2 like a usage error."""

    exit_code = 2


def _can_ask() -> bool:
    """Whether `new` may ask: only someone at a terminal can answer (never a script or make
    without one; Click would wait for input that never comes, then say “Aborted!”)."""
    return sys.stdin.isatty()


@main.command(
    help=N_(
        "Start a new model: writes models/<slug>.md with every fact to fill in.\n\n"
        "At a terminal, what is not given on the command line is asked, with the valid "
        "choices listed; without one, the commune is left out and a missing fact is an error."
    )
)
@content_option
@click.argument("title")
@click.option(
    "--kind", type=click.Choice(KINDS, case_sensitive=False), help=N_("tap-the or ca-nhan.")
)
@click.option("--field", "field_id", help=N_("A field of book.yaml: its id or its name."))
@click.option(
    "--district", help=N_("A district of book.yaml (“huyện”, “thành phố” may be left out).")
)
@click.option("--commune", help=N_("A commune of that district (optional)."))
@click.option("--year", type=int, help=N_("The year the model was recognised."))
def new(
    content: Path,
    title: str,
    kind: str | None,
    field_id: str | None,
    district: str | None,
    commune: str | None,
    year: int | None,
) -> None:
    from builder.authoring.new_entry import created, entry_text
    from builder.book.place_names import commune_named, district_named, field_named
    from builder.util.files import WriteFailed, book_lock

    config = _config_or_exit(content)
    ask = _can_ask()
    facts = {"--kind": kind, "--field": field_id, "--district": district, "--year": year}
    missing = [option for option, value in facts.items() if value is None]
    if missing and not ask:
        raise _MissingFacts(
            ngettext(
                "missing {options}: give it on the command line (without a terminal "
                "nothing can be asked)",
                "missing {options}: give them on the command line (without a terminal "
                "nothing can be asked)",
                len(missing),
            ).format(options=", ".join(missing))
        )
    kind = kind or click.prompt(_("Kind of model"), type=click.Choice(KINDS), default=KINDS[0])
    field = _given_or_asked(
        field_id, "--field", _("Field"), [f.id for f in config.fields],
        lambda given: field_named(config.fields, given.strip()),
    )  # fmt: skip
    place = _given_or_asked(
        district, "--district", _("District"), [d.name for d in config.districts],
        lambda given: district_named(config.districts, given),
    )  # fmt: skip
    communes = [c.name for c in place.communes]
    chosen_commune = None
    if commune is not None and not communes:
        raise click.BadParameter(
            _("book.yaml lists no communes of {district}").format(district=place.name),
            param_hint="--commune",
        )
    if commune is not None:
        chosen_commune = _given_or_asked(
            commune, "--commune", "", communes, lambda given: commune_named(place, given)
        )
    elif communes and ask and not any(value is not None for value in facts.values()):
        check = _matcher(communes, lambda given: commune_named(place, given))
        chosen_commune = click.prompt(
            _("Commune (Enter to leave it out)") + f" ({', '.join(communes)})",
            default="",
            show_default=False,
            value_proc=lambda given: check(given) if given.strip() else None,
        )
    start, end = config.period
    period = click.IntRange(start, end)
    if year is None:
        year = click.prompt(_("Year recognised"), type=period)
    else:
        try:
            period.convert(year, None, None)
        except click.BadParameter as exc:
            raise click.BadParameter(exc.message, param_hint="--year") from None
    text = entry_text(config, title, kind=kind.casefold(), field=field.id, district=place.name,
                      commune=chosen_commune.name if chosen_commune else "", year=year)  # fmt: skip
    try:
        with book_lock(content):
            path = created(content / "models", title, text)
    except WriteFailed as exc:  # a full or read-only disk: said plainly, nothing half-written
        click.echo(f"{_('error')}: {exc}", err=True)
        sys.exit(1)
    click.echo(str(path))


def _given_or_asked(
    given: str | None,
    option: str,
    question: str,
    names: list[str],
    match: Callable[[str], T | None],
) -> T:
    """What the command line `given` names (or a usage error listing `names`), else asked."""
    check = _matcher(names, match)
    if given is not None:
        try:
            return check(given)
        except click.BadParameter as exc:
            raise click.BadParameter(exc.message, param_hint=option) from None
    return click.prompt(f"{question} ({', '.join(names)})", value_proc=check)


def _matcher(names: list[str], match: Callable[[str], T | None]) -> Callable[[str], T]:
    def check(given: str) -> T:
        found = match(given)
        if found is None:
            raise click.BadParameter(_("choose one of {choices}").format(choices=", ".join(names)))
        return found

    return check


@main.command(
    help=N_("Preview the website at http://127.0.0.1:PORT/, rebuilt and reloaded on every save.")
)
@content_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help=N_("The port on 127.0.0.1 (0: any free port)."),
)
def serve(content: Path, port: int) -> None:
    from builder.serve.serve import (
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


@main.command(
    "import",
    help=N_(
        "Turn Word documents (.docx, .doc, .odt) into model files; what they do not state is "
        "left TODO. Exit 1 when any document was refused."
    ),
)
@content_option
@click.argument(
    "documents",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=True, path_type=Path),  # a missing one is named, the rest go on
)
def import_(content: Path, documents: tuple[Path, ...]) -> None:
    import tempfile

    from builder.authoring.word.word_import import (
        DocumentRefused,
        WriteFailed,
        import_document,
        report_lines,
    )
    from builder.util.files import plain_reason

    config = _config_or_exit(content)
    imported = warned = 0
    refused: list[str] = []
    not_tried: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="builder-import-") as scratch:
        for number, document in enumerate(documents):
            try:
                if not document.is_file():
                    raise DocumentRefused(
                        _("no such file") if not document.exists() else _("not a file")
                    )
                result = import_document(document, content, config, Path(scratch))
            except DocumentRefused as exc:
                reason = str(exc)
            except WriteFailed as exc:  # the book's disk: every next document would fail alike
                reason = str(exc)
                not_tried = list(documents[number + 1 :])
            except OSError as exc:  # reading it, or the scratch folder's disk
                reason = _("cannot read or convert it: {reason}").format(reason=plain_reason(exc))
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
                    document=shown_text(str(document)), severity=_("error"), reason=reason
                ),
                err=True,
            )
            refused.append(f"{shown_text(str(document))}: {reason}")
            if not_tried:
                click.echo(
                    _("stopped: the book cannot be written; not tried: {documents}").format(
                        documents=", ".join(shown_text(str(path)) for path in not_tried)
                    ),
                    err=True,
                )
                break
    summary = _("{imported} imported ({warned} with warnings), {refused} refused").format(
        imported=imported, warned=warned, refused=len(refused)
    )
    click.echo(summary, err=True)
    if refused:
        sys.exit(1)


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

    _config_or_exit(content)  # its problems, said once
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


def _config_or_exit(content: Path) -> BookConfig:
    """book.yaml, or its problems printed and exit 1."""
    from builder.load.config import load_config
    from builder.util.problems import Problems

    problems = Problems()
    config = load_config(content, problems)
    if config is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    return config


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


def _load(content: Path, *, codes: bool = False) -> Loaded:
    loaded = load_book(content)
    for problem in loaded.problems:
        click.echo(problem.shown(code=codes), err=True)
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
        content=shown_text(str(content)),
        models=ngettext("{count} model", "{count} models", models).format(count=models),
        pages=ngettext("{count} page", "{count} pages", pages).format(count=pages),
        images=ngettext("{count} image", "{count} images", images).format(count=images),
    )
