"""`builder serve`: the website previewed, rebuilt and reloaded on every save."""

from __future__ import annotations

from pathlib import Path

import click

from builder.cli.group import content_option, main
from builder.util.i18n import N_, _


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
