"""The workspace application: Starlette routes gathered from the page modules, behind signed
session cookies, a body-size limit and strict browser headers."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from builder.load.config import load_config
from builder.render.templating import TEMPLATES
from builder.util import i18n
from builder.util.files import write_whole
from builder.util.problems import Problems
from builder.workspace import (
    auth_pages,
    builds,
    dashboard,
    history_pages,
    job_pages,
    model_pages,
    uploads,
)
from builder.workspace.accounts import workspace_folder
from builder.workspace.history import open_repository
from builder.workspace.jobs import JobQueue
from builder.workspace.web import Workspace, template_environment

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_HOURS = 10  # one working day: a session ends by itself overnight
UPLOAD_LIMIT = 60 * 1024 * 1024  # bytes in one request with files (a batch of Word files)
FORM_LIMIT = 2 * 1024 * 1024  # bytes in any other request (a model's text is ~30 kB)
HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
        b"script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        b"base-uri 'none'; object-src 'none'",
    ),
]


def routes() -> list[BaseRoute]:
    return [
        *auth_pages.routes,
        *dashboard.routes,
        *model_pages.routes,
        *uploads.routes,
        *job_pages.routes,
        *builds.routes,
        *history_pages.routes,
        Mount("/static", StaticFiles(directory=TEMPLATES / "workspace" / "static"), name="static"),
    ]


def create_app(content: Path, *, https_only: bool = False) -> Starlette:
    """The workspace of the book in `content` (its repository opened or made, its session key
    read or made). `https_only` marks the session cookie Secure: set it behind TLS."""
    content = content.resolve()
    repository = open_repository(content)
    workspace = Workspace(content, repository, template_environment())
    workspace.extras["jobs"] = JobQueue()
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(BodyLimit),
            Middleware(
                SessionMiddleware,
                secret_key=_session_secret(content),
                session_cookie="workspace_session",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=https_only,
            ),
            Middleware(RequestLanguage),
            Middleware(StrictHeaders),
        ],
    )
    app.state.workspace = workspace
    app.state.book_title = _book_title(content)
    return app


def _book_title(content: Path) -> str:
    config = load_config(content, Problems())
    return config.title if config else content.name


def _session_secret(content: Path) -> str:
    """The key that signs session cookies: made once, kept in the workspace's folder (0600),
    so a restart keeps everyone logged in and nobody can forge a session."""
    folder = workspace_folder(content)
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "session-key"
    if not path.is_file():
        write_whole(path, secrets.token_urlsafe(48), mode=0o600)
    return path.read_text(encoding="utf-8").strip()


class BodyLimit:
    """Refuses a request whose body is larger than it may be (413), counted as it arrives:
    a wrong or missing Content-Length does not get more through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        kind = headers.get(b"content-type", b"")
        limit = UPLOAD_LIMIT if kind.startswith(b"multipart/") else FORM_LIMIT
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    text = i18n._("The upload is too large.").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})  # fmt: skip
    await send({"type": "http.response.body", "body": text})


class RequestLanguage:
    """Each request in its person's language (the session's choice; Vietnamese by default)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = scope.get("session", {}).get("lang") if scope["type"] == "http" else None
        i18n.use_language_here(chosen if chosen in i18n.LANGUAGES else None)
        await self.app(scope, receive, send)


class StrictHeaders:
    """No framing, no sniffing, scripts and styles from this site only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
