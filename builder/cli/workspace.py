"""`builder workspace`: the editorial workspace served for an office, and its accounts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from builder.cli.group import config_or_exit, content_option, main
from builder.util.i18n import N_, _


@main.group(
    invoke_without_command=True,
    help=N_(
        "The editorial workspace: the book edited by an office in the browser, on the same "
        "files. Without a subcommand, serve it."
    ),
)
@content_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("The address to listen on (0.0.0.0: every network)."))  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help=N_("The port to listen on."))  # fmt: skip
@click.option("--https", "https_only", is_flag=True,
              help=N_("Behind a TLS proxy: send the session cookie over HTTPS only."))  # fmt: skip
@click.pass_context
def workspace(ctx: click.Context, content: Path, host: str, port: int, https_only: bool) -> None:
    ctx.obj = content
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from builder.workspace.accounts import read_accounts
    from builder.workspace.app import create_app

    config_or_exit(content)
    if not read_accounts(content):
        raise click.UsageError(
            _(
                "no accounts yet: make the first with  builder workspace add-user NAME "
                "--role truong-ban"
            )
        )
    app = create_app(content, https_only=https_only)
    click.echo(
        _("workspace of {content} at http://{host}:{port}/ (Ctrl-C stops)").format(
            content=content, host=host, port=port
        )
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True)


@workspace.command(
    "add-user",
    help=N_("Make an account: the password is asked at a terminal, else made and printed."),
)
@click.argument("login")
@click.option("--role", type=click.Choice(("bien-tap-vien", "truong-ban", "xem")),
              required=True, help=N_("bien-tap-vien, truong-ban or xem."))  # fmt: skip
@click.option("--name", "full_name", default="", help=N_("The full name, shown in the history."))
@click.pass_obj
def add_user(content: Path, login: str, role: str, full_name: str) -> None:
    from builder.workspace.accounts import AccountError, add_account, new_password

    config_or_exit(content)
    made = ""
    if sys.stdin.isatty():
        password = click.prompt(
            _("Password (Enter: make one)"), hide_input=True, confirmation_prompt=True,
            default="", show_default=False,
        )  # fmt: skip
    else:
        password = ""
    if not password:
        password = made = new_password()
    try:
        add_account(content, login.strip().casefold(), full_name or login, role, password)
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(_("account {login} made ({role})").format(login=login, role=role))
    if made:
        click.echo(_("password: {password}").format(password=made))
