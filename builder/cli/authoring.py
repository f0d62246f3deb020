"""`builder new` and `builder import`: model files started by hand or from Word documents."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from builder.book.model import KINDS
from builder.cli.group import config_or_exit, content_option, main
from builder.util.i18n import N_, _, ngettext
from builder.util.problems import shown_text

T = TypeVar("T")


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

    config = config_or_exit(content)
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
        converted_together,
        import_document,
        report_lines,
    )
    from builder.util.files import plain_reason

    config = config_or_exit(content)
    imported = warned = 0
    refused: list[str] = []
    not_tried: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="builder-import-") as scratch:
        together = converted_together(list(documents), Path(scratch))
        for number, document in enumerate(documents):
            try:
                if not document.is_file():
                    raise DocumentRefused(
                        _("no such file") if not document.exists() else _("not a file")
                    )
                result = import_document(
                    document, content, config, Path(scratch), together.get(document)
                )
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
