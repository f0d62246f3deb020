"""The workspace's gate: nothing without login but the login page; each role only its own
actions; every change needs the session's CSRF token; the session cookie cannot be read by
scripts or sent from other sites; login attempts are limited; bodies over the limit refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.routing import Route
from workspace_support import PASSWORD, Office, csrf_of, make_office

from builder.workspace.app import routes
from builder.workspace.auth_pages import OPEN_ROUTES


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return make_office(tmp_path)


def _pages() -> list[tuple[str, str, str | None]]:
    """Every route as (method, an address for it, the role it requires)."""
    found = []
    for route in routes():
        if not isinstance(route, Route):
            continue
        address = re.sub(r"\{(\w+)(:int)?\}", lambda m: "1" if m.group(2) else "x", route.path)
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, address, getattr(route.endpoint, "required_role", None)))
    return found


def test_every_route_but_login_is_behind_the_gate() -> None:
    ungated = {(m, a) for m, a, role in _pages() if role is None}
    assert {a for _m, a in ungated} <= OPEN_ROUTES
    assert len(_pages()) >= 8


@pytest.mark.parametrize(("method", "address", "role"), _pages())
def test_nothing_answers_without_login(
    office: Office, method: str, address: str, role: str | None
) -> None:
    if role is None:
        return  # the login page and the language switch (tested below)
    answer = office.client.request(method, address)
    if method == "GET":
        assert answer.status_code in (303, 401), answer.text
        if answer.status_code == 303:
            assert answer.headers["location"].startswith("/login")
    else:
        assert answer.status_code == 401


def test_a_reader_cannot_write(office: Office) -> None:
    reader = office.session("khach")
    token = csrf_of(reader.get("/").text)
    for method, address, role in _pages():
        if role in ("bien-tap-vien", "truong-ban"):
            answer = reader.request(method, address, data={"csrf": token})
            assert answer.status_code == 403, (method, address)


def test_an_editor_cannot_do_what_the_chief_editor_does(office: Office) -> None:
    editor = office.session("lan")
    token = csrf_of(editor.get("/").text)
    for method, address, role in _pages():
        if role == "truong-ban":
            assert editor.request(method, address, data={"csrf": token}).status_code == 403
    assert "/accounts" not in editor.get("/").text


def test_a_change_without_the_csrf_token_is_refused(office: Office) -> None:
    chief = office.session("truongban")
    data = {"login": "moi", "full_name": "Người Mới", "role": "xem", "password": "x" * 12}
    assert chief.post("/accounts", data=data).status_code == 403
    assert chief.post("/accounts", data={**data, "csrf": "wrong"}).status_code == 403
    token = csrf_of(chief.get("/accounts").text)
    assert chief.post("/accounts", data={**data, "csrf": token}).status_code == 200
    assert "moi" in chief.get("/accounts").text


def test_the_session_cookie_is_httponly_and_samesite(office: Office) -> None:
    client = office.client
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login", data={"login": "lan", "password": PASSWORD, "csrf": token, "next": "/"}
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert PASSWORD not in answer.headers["set-cookie"]


def test_login_attempts_are_limited(office: Office) -> None:
    client = office.session()
    token = csrf_of(client.get("/login").text)
    codes = [
        client.post("/login", data={"login": "lan", "password": "sai", "csrf": token}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    right = {"login": "lan", "password": PASSWORD, "csrf": token}
    assert client.post("/login", data=right).status_code == 429  # even the right one, for now


def test_login_goes_back_only_to_this_site(office: Office) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = office.session()
        token = csrf_of(client.get("/login").text)
        data = {"login": "lan", "password": PASSWORD, "csrf": token, "next": target}
        answer = client.post("/login", data=data)
        assert answer.headers["location"] == "/"


def test_a_body_over_the_limit_is_refused(office: Office) -> None:
    editor = office.session("lan")
    token = csrf_of(editor.get("/").text)
    answer = editor.post("/accounts", data={"csrf": token, "x": "a" * (3 * 1024 * 1024)})
    assert answer.status_code == 413


def test_pages_forbid_framing_and_foreign_scripts(office: Office) -> None:
    answer = office.session("lan").get("/")
    assert answer.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"


def test_the_accounts_file_is_private_and_outside_git(office: Office) -> None:
    accounts = office.content / ".workspace" / "accounts.json"
    assert accounts.stat().st_mode & 0o077 == 0
    assert PASSWORD not in accounts.read_text(encoding="utf-8")
    office.session("truongban")  # the app has opened the repository
    tracked = office.git_log("--all", "--name-only", "--format=")
    assert ".workspace" not in tracked
    import subprocess

    status = subprocess.run(
        ["git", "-C", str(office.content), "status", "--porcelain", "--ignored"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "!! .workspace/" in status
