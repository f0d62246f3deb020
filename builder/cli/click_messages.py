"""Click's own words (usage errors, help, prompts) and our help texts in the editor's language.

Click translates its messages with `from gettext import gettext as _` in each of its modules,
looked up when a message is made; `speak_through_catalogue()` points those names at
builder.util.i18n, so they come from our catalogue too. The ids Click uses are listed below with
N_ so that `make messages` extracts them (tests/test_cli_language.py checks that each is
still a message of the installed Click).

Our own help texts (`help=` and the commands' `help`) are English ids as well, but Click
stores them when the commands are declared, before the language is chosen: the command
classes below translate them while Click formats the help.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from builder.util import i18n
from builder.util.i18n import N_, _, ngettext

_CLICK_MODULES = ("core", "exceptions", "decorators", "formatting", "parser", "termui", "types")

HELP_OPTION = N_("Show this message and exit.")
VERSION_OPTION = N_("Show the version and exit.")

CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("Choose from:\n\t{choices}"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("Aborted!"),
)


def click_plural_messages() -> tuple[str, ...]:
    """Click's messages with a singular and a plural, written here so that `make messages`
    extracts them; Click asks for the form it needs itself."""
    return (
        ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1),
        ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1),
        ngettext(
            "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1
        ),
        ngettext(
            "Option {name!r} requires an argument.",
            "Option {name!r} requires {nargs} arguments.",
            1,
        ),
    )


def speak_through_catalogue() -> None:
    """Click's messages from our catalogue, in the language chosen when each is made."""
    import importlib

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def language_in(args: list[str]) -> str | None:
    """`--lang X` or `--lang=X` among the group's own options (before the command name).

    Read before Click parses the command line, so that Click's own errors about it and the
    group's `--help` are in that language whatever the order of `--lang` and `--help`."""
    words = iter(args)
    for arg in words:
        if arg == "--lang":
            value = next(words, None)
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        elif arg.startswith("-"):
            continue
        else:
            return None  # the command's name: what follows is its own
        return value if value in i18n.LANGUAGES else None
    return None


@contextmanager
def _translated(*items: click.Command | click.Parameter) -> Iterator[None]:
    """While Click formats help, each item's `help` in the chosen language."""
    saved = [(item, item.help) for item in items]
    for item, text in saved:
        if text:
            item.help = _(text)
    try:
        yield
    finally:
        for item, text in saved:
            item.help = text


class TranslatedCommand(click.Command):
    """A command whose help and options' help are English ids shown translated."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, *self.get_params(ctx)):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:  # Click made it once, in the language of that moment
            option.help = _(HELP_OPTION)
        return option


class TranslatedGroup(TranslatedCommand, click.Group):
    """The `builder` group: reads `--lang` before parsing, makes TranslatedCommands."""

    command_class = TranslatedCommand

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        chosen = language_in(args)
        if chosen is not None:
            i18n.set_language(chosen)
        return super().make_context(info_name, args, parent, **extra)
