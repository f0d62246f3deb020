"""The `builder` group: `--lang`, the options and helpers several commands share. Each
command module registers its commands on `main`; `builder/cli/__init__.py` gathers them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from builder.book.model import BookConfig
from builder.cli.click_messages import VERSION_OPTION, TranslatedGroup, speak_through_catalogue
from builder.load.loader import Loaded, load_book
from builder.util import i18n
from builder.util.i18n import N_, _, ngettext

speak_through_catalogue()  # Click's own usage errors, help and prompts in our language

content_option = click.option(
    "--content",
    "content",
    type=click.Path(path_type=Path),
    default=Path("content"),
    show_default=True,
    help=N_("The book folder (book.yaml, models/, pages/, images/)."),
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


def config_or_exit(content: Path) -> BookConfig:
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


def load_and_report(content: Path, *, codes: bool = False) -> Loaded:
    loaded = load_book(content)
    for line in problem_lines(loaded, codes=codes):
        click.echo(line, err=True)
    return loaded


def problem_lines(loaded: Loaded, *, codes: bool = False) -> list[str]:
    """What `load_and_report` prints: every problem, then the counts."""
    lines = [problem.shown(code=codes) for problem in loaded.problems]
    errors, warnings = len(loaded.problems.errors), len(loaded.problems.warnings)
    if errors or warnings:
        counts = _("{errors}, {warnings}").format(
            errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
            warnings=ngettext("{count} warning", "{count} warnings", warnings).format(
                count=warnings
            ),
        )
        lines.append(counts)
    return lines
