"""What every workspace page shares: the workspace's state, the page renderer, who is logged
in, and `requires` — the one gate every page and action passes (login, role, CSRF token).

A route is written as `@requires(EDITOR)` over an `async def page(request, account)`; a route
without it is a test failure (tests/test_workspace_security.py walks every route), so nothing
is reachable without login but the login page itself and the static files.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from builder.render.templating import TEMPLATES
from builder.util import i18n
from builder.util.i18n import N_, _, ngettext
from builder.workspace.accounts import ROLE_LABELS, Account, read_accounts
from builder.workspace.history import Repository

JOB_STATES = {"queued": N_("waiting its turn"), "running": N_("running"), "done": N_("done"),
              "failed": N_("failed")}  # fmt: skip
Endpoint = Callable[[Request, Account], Awaitable[Response]]
SAFE_METHODS = ("GET", "HEAD")
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(slots=True)
class LoginThrottle:
    """At most `attempts` failed logins per name and per address in `window` seconds; the
    next is refused without checking the password until the oldest failure is old enough."""

    attempts: int = 5
    window: float = 15 * 60
    failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def wait(self, *keys: str) -> int:
        """Seconds to wait before another try for any of `keys` (0: may try now)."""
        now = time.monotonic()
        longest = 0.0
        for key in keys:
            seen = self.failures[key]
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.attempts:
                longest = max(longest, self.window - (now - seen[0]))
        return int(longest) + (longest > 0)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self.failures[key].append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self.failures.pop(key, None)


@dataclass(slots=True)
class Workspace:
    """The one workspace of this server: its book, repository and what lives in memory."""

    content: Path
    repository: Repository
    templates: Environment
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # who has which model open: slug → {login: last seen (monotonic seconds)}
    open_forms: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    extras: dict[str, Any] = field(default_factory=dict)  # jobs, caches: set by their modules


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "workspace"),
        autoescape=select_autoescape(("html",)),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["role_label"] = lambda role: _(ROLE_LABELS.get(role) or role)
    env.globals["state_label"] = lambda state: _(JOB_STATES.get(state) or state)
    return env


def workspace_of(request: Request) -> Workspace:
    found: Workspace = request.app.state.workspace
    return found


def current_account(request: Request) -> Account | None:
    """The logged-in account: the session's login, still in the accounts file with the same
    password (changing a password ends the sessions made with the old one)."""
    login = request.session.get("login")
    if not isinstance(login, str):
        return None
    account = read_accounts(workspace_of(request).content).get(login)
    if account is None or request.session.get("key") != session_key(account):
        return None
    return account


def session_key(account: Account) -> str:
    """What a session remembers of the password it was made with: a digest of its hash, so
    the cookie (signed, not secret) shows nothing of the hash itself."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:24]


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def csrf_ok(request: Request) -> bool:
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str):
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and hmac.compare_digest(given, expected)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`template` rendered for this request: the account, the CSRF token and the language
    are always there, so every form can carry its token."""
    account = current_account(request)
    html = (
        workspace_of(request)
        .templates.get_template(template)
        .render(
            request=request,
            account=account,
            csrf=csrf_token(request),
            lang=i18n.language(),
            book_title=request.app.state.book_title,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


NO_STORE = {"Cache-Control": "no-store"}


def refused(request: Request, status_code: int, reason: str) -> Response:
    return page(request, "refused.html", status_code=status_code, reason=reason)


def requires(role: str) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """The gate: logged in (else the login page, or 401 for a script), holding `role` (else
    403), and for every method that changes something the session's CSRF token (else 403)."""

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @wraps(endpoint)
        async def gated(request: Request) -> Response:
            account = current_account(request)
            if account is None:
                if request.method in SAFE_METHODS and not _wants_json(request):
                    target = quote(request.url.path, safe="/")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                return refused(request, 401, _("Log in first."))
            if not account.may(role):
                return refused(request, 403, _("Your account may not do this."))
            if request.method not in SAFE_METHODS and not await csrf_ok(request):
                return refused(
                    request, 403, _("This form has expired: open the page again and retry.")
                )
            return await endpoint(request, account)

        gated.required_role = role  # type: ignore[attr-defined]
        return gated

    return wrap


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only (never `//elsewhere`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
