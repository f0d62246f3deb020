"""Logging in and out, the language switch, and the accounts page where a chief editor makes
accounts for the office."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from builder.util.i18n import LANGUAGES, _
from builder.workspace.accounts import (
    CHIEF,
    READER,
    ROLES,
    Account,
    AccountError,
    add_account,
    new_password,
    read_accounts,
    verified,
)
from builder.workspace.web import (
    csrf_ok,
    page,
    requires,
    safe_next,
    session_key,
    workspace_of,
)


async def login_form(request: Request) -> Response:
    return page(request, "login.html", next=safe_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    """The one action open without an account: it still needs the login page's CSRF token
    (a page elsewhere cannot log a visitor into an account of its choosing)."""
    form = await request.form()
    name = str(form.get("login", "")).strip().casefold()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    if not await csrf_ok(request):
        return page(request, "login.html", 403, next=target, login=name,
                    error=_("This form has expired: open the page again and retry."))  # fmt: skip
    workspace = workspace_of(request)
    address = request.client.host if request.client else "?"
    keys = (f"name:{name}", f"address:{address}")
    wait = workspace.throttle.wait(*keys)
    if wait:
        minutes = max(1, round(wait / 60))
        return page(request, "login.html", 429, next=target, login=name,
                    error=_("Too many wrong passwords: try again in {minutes} minutes.").format(
                        minutes=minutes))  # fmt: skip
    account = verified(workspace.content, name, password)
    if account is None:
        workspace.throttle.failed(*keys)
        return page(request, "login.html", 401, next=target, login=name,
                    error=_("Wrong login or password."))  # fmt: skip
    workspace.throttle.succeeded(*keys)
    language = request.session.get("lang")
    request.session.clear()  # a new session: nothing from before the login carries over
    request.session.update({"login": account.name, "key": session_key(account)})
    if language:
        request.session["lang"] = language
    return RedirectResponse(target, status_code=303)


@requires(READER)
async def logout(request: Request, account: Account) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def choose_language(request: Request) -> Response:
    """The language switch, on every page (the login page too): only the session changes."""
    form = await request.form()
    if not await csrf_ok(request):
        return RedirectResponse("/login", status_code=303)
    language = str(form.get("lang", ""))
    if language in LANGUAGES:
        request.session["lang"] = language
    return RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)


@requires(CHIEF)
async def accounts_page(request: Request, account: Account) -> Response:
    return _accounts(request)


@requires(CHIEF)
async def add_account_action(request: Request, account: Account) -> Response:
    form = await request.form()
    password = str(form.get("password", "")) or new_password()
    try:
        made = add_account(
            workspace_of(request).content,
            str(form.get("login", "")).strip().casefold(),
            str(form.get("full_name", "")),
            str(form.get("role", "")),
            password,
        )
    except AccountError as exc:
        return _accounts(request, 400, error=str(exc), given=dict(form))
    shown = password if not form.get("password") else ""
    return _accounts(request, made=made, password=shown)


def _accounts(request: Request, status_code: int = 200, **context: object) -> Response:
    accounts = sorted(read_accounts(workspace_of(request).content).values(), key=lambda a: a.name)
    return page(request, "accounts.html", status_code, accounts=accounts, roles=ROLES, **context)


routes = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/language", choose_language, methods=["POST"]),
    Route("/accounts", accounts_page, methods=["GET"]),
    Route("/accounts", add_account_action, methods=["POST"]),
]
OPEN_ROUTES = {"/login", "/language"}  # reachable without an account (the security test knows)
