"""A workspace on a copy of the shipped book (or of any book), in-process (Starlette's
TestClient), with accounts — one per role, or those given — for the workspace's tests."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from starlette.testclient import TestClient

from builder.workspace.accounts import CHIEF, EDITOR, READER, add_account
from builder.workspace.app import create_app

SAMPLE = Path(__file__).resolve().parent.parent / "content"
PASSWORD = "mat-khau-thu-nghiem"
PEOPLE = {
    "truongban": ("Trần Văn Chính", CHIEF),
    "lan": ("Nguyễn Thị Lan", EDITOR),
    "hoa": ("Lê Thị Hoa", EDITOR),
    "khach": ("Phạm Văn Khách", READER),
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Office:
    """The book (a git repository of its own) and a way to open a browser-less session."""

    content: Path
    client: TestClient  # not logged in

    def session(self, login: str | None = None) -> TestClient:
        """A new client; logged in as `login` when given."""
        client = TestClient(self.client.app, follow_redirects=False)
        if login:
            token = csrf_of(client.get("/login").text)
            answer = client.post(
                "/login", data={"login": login, "password": PASSWORD, "csrf": token, "next": "/"}
            )
            assert answer.status_code == 303, answer.text
        return client

    def git_log(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.content), "log", *args],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def make_office(
    tmp_path: Path, book: Path = SAMPLE, people: dict[str, tuple[str, str]] | None = None
) -> Office:
    """A copy of `book` in `tmp_path/book`, made a git repository with one commit, and
    `people` (login → full name, role; the four of PEOPLE by default) as its accounts."""
    content = tmp_path / "book"
    shutil.copytree(book, content, ignore=shutil.ignore_patterns(".workspace", ".builder.lock"))
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", "-C", str(content), *args], check=True)
    subprocess.run(
        ["git", "-C", str(content), "-c", "user.name=Setup", "-c", "user.email=setup@test",
         "commit", "-q", "-m", "The book as shipped"],
        check=True,
    )  # fmt: skip
    for login, (name, role) in (PEOPLE if people is None else people).items():
        add_account(content, login, name, role, PASSWORD)
    return Office(content, TestClient(create_app(content), follow_redirects=False))


def form_of(html: str, form_id: str = "model-form") -> dict[str, str]:
    """What a browser sends for the form as the page shows it (a textarea's first newline
    dropped, as HTML parsing drops it; disabled inputs not sent)."""
    document = lxml.html.fromstring(html)
    form = document.get_element_by_id(form_id)
    values: dict[str, str] = {}
    for name, value in form.form_values():
        values[name] = value
    for area in form.iter("textarea"):
        name = area.get("name")
        if name in values and values[name].startswith("\n"):
            values[name] = values[name][1:]
    return values


def opened(client: TestClient, slug: str) -> dict[str, str]:
    """The model form of `slug` as a browser would send it back unchanged."""
    answer = client.get(f"/models/{slug}")
    assert answer.status_code == 200, answer.text
    return form_of(answer.text)
