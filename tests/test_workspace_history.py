"""A model's history in the workspace: every version with its author, what a version changed
(facts and text), a version restored as a new commit by whoever restored it, and approval
left to the chief editor."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import html
from workspace_support import Office, csrf_of, make_office

from builder.workspace.accounts import read_accounts
from builder.workspace.changes import Write, save, version_of
from builder.workspace.versions import body_diff

SLUG = "hien-dat-mo-duong-gia-hung"
OLD_UNIT = 'unit: "Ban Công tác Mặt trận các thôn, xã Gia Hưng"'


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return make_office(tmp_path)


def _model(office: Office) -> Path:
    return office.content / "models" / f"{SLUG}.md"


def _commit_as(office: Office, login: str, old: str, new: str, message: str) -> str:
    """A change saved as the workspace saves one (changes.save), by `login`."""
    path = _model(office)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    workspace = office.client.app.state.workspace
    account = read_accounts(office.content)[login]
    write = Write(path, text.replace(old, new, 1).encode(), version_of(path))
    commit = save(office.content, workspace.repository, [write], message, account)
    assert commit is not None
    return commit


def _texts(page: str, path: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in html.fromstring(page).xpath(path)]


def _first_paragraph(office: Office) -> str:
    body = _model(office).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return next(line for line in body.splitlines() if line and not line.startswith("#"))


@pytest.fixture
def edited(office: Office) -> tuple[str, str]:
    """The chief editor rewrites a paragraph and sends the model back for editing, then Lan
    changes a fact: (the chief editor's commit, Lan's)."""
    path = _model(office)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(_first_paragraph(office), "Đoạn mở đầu viết lại."), "utf-8")
    first = _commit_as(office, "truongban", "status: da-duyet", "status: dang-bien-tap",
                       "Trả lại để biên tập")  # fmt: skip
    second = _commit_as(office, "lan", OLD_UNIT, 'unit: "Chi bộ thôn Mới"', "Sửa đơn vị")
    return first, second


def test_the_history_lists_every_version_with_its_author(
    office: Office, edited: tuple[str, str]
) -> None:
    page = office.session("khach").get(f"/models/{SLUG}/history")
    assert page.status_code == 200
    rows = _texts(page.text, "//table[@class='versions']/tbody/tr")
    assert len(rows) == 3  # as shipped, then two changes
    assert "Nguyễn Thị Lan" in rows[0] and "Sửa đơn vị" in rows[0]
    assert "Trần Văn Chính" in rows[1] and "Trả lại để biên tập" in rows[1]
    assert "Setup" in rows[2]
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d", rows[0])


def test_the_dates_are_written_as_vietnamese_writes_them(
    office: Office, edited: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUILDER_LANG", "vi")
    page = office.session("khach").get(f"/models/{SLUG}/history").text
    first = _texts(page, "//table[@class='versions']/tbody/tr/td[1]")[0]
    assert re.fullmatch(r"ngày \d{1,2} tháng \d{1,2} năm \d{4}, \d\d:\d\d", first)


def test_a_version_shows_the_facts_it_changed_and_its_text_diff(
    office: Office, edited: tuple[str, str]
) -> None:
    _chief, lan = edited
    paragraph = subprocess.run(
        ["git", "-C", str(office.content), "show", f"{_chief}^:models/{SLUG}.md"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n---\n", 1)[1]  # fmt: skip
    page = office.session("khach").get(f"/models/{SLUG}/history/{lan}").text
    facts = html.fromstring(page).xpath("//table[@class='facts']/tbody/tr")
    assert len(facts) == 1
    assert " ".join(facts[0].xpath("th")[0].text_content().split()) == "Đơn vị unit"
    assert facts[0].xpath(".//del")[0].text_content().endswith(OLD_UNIT[7:-1])
    assert facts[0].xpath(".//ins")[0].text_content().endswith("Chi bộ thôn Mới")
    assert _texts(page, "//ol[@class='diff']/li") == []  # this commit kept the text

    chief_page = office.session("khach").get(f"/models/{SLUG}/history/{_chief[:12]}").text
    added = _texts(chief_page, "//ol[@class='diff']/li[@class='added']")
    removed = _texts(chief_page, "//ol[@class='diff']/li[@class='removed']")
    assert added == ["+added: Đoạn mở đầu viết lại."]
    assert len(removed) == 1 and removed[0].startswith("−removed: ")
    assert removed[0].removeprefix("−removed: ") in paragraph
    status = _texts(chief_page, "//table[@class='facts']/tbody/tr")
    assert status == ["Status status removed: da-duyet added: dang-bien-tap"]


def test_restoring_makes_a_new_commit_by_the_restorer(
    office: Office, edited: tuple[str, str]
) -> None:
    chief, _lan = edited
    wanted = subprocess.run(
        ["git", "-C", str(office.content), "show", f"{chief}:models/{SLUG}.md"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    hoa = office.session("hoa")
    page = hoa.get(f"/models/{SLUG}/history").text
    form = {"csrf": csrf_of(page), "version": version_of(_model(office))}
    answer = hoa.post(f"/models/{SLUG}/history/{chief}/restore", data=form)
    assert answer.status_code == 303, answer.text
    assert _model(office).read_bytes() == wanted
    assert office.git_log("-1", "--format=%an|%s").startswith("Lê Thị Hoa|Restore the version of ")
    assert len(office.git_log("--format=%H", "--", f"models/{SLUG}.md").split()) == 4
    shown = hoa.get(answer.headers["location"]).text
    assert _texts(shown, "//p[@role='status']")


def test_a_restore_over_a_newer_version_is_refused(office: Office, edited: tuple[str, str]) -> None:
    chief, _lan = edited
    hoa = office.session("hoa")
    stale = version_of(_model(office))
    _commit_as(office, "lan", "Chi bộ thôn Mới", "Chi bộ thôn Mới hơn", "Sửa lại")
    before = _model(office).read_bytes()
    answer = hoa.post(f"/models/{SLUG}/history/{chief}/restore",
                      data={"csrf": csrf_of(hoa.get("/").text), "version": stale})  # fmt: skip
    assert answer.status_code == 409
    assert _model(office).read_bytes() == before


def test_an_editor_cannot_restore_over_an_approved_model(office: Office) -> None:
    _commit_as(office, "lan", OLD_UNIT, 'unit: "Chi bộ thôn Mới"', "Sửa đơn vị")
    shipped = office.git_log("--format=%H", "--", f"models/{SLUG}.md").split()[-1]
    before = _model(office).read_bytes()
    hoa = office.session("hoa")
    token = csrf_of(hoa.get("/").text)
    answer = hoa.post(f"/models/{SLUG}/history/{shipped}/restore", data={"csrf": token})
    assert answer.status_code == 403
    assert _model(office).read_bytes() == before

    chief = office.session("truongban")
    token = csrf_of(chief.get("/").text)
    answer = chief.post(f"/models/{SLUG}/history/{shipped}/restore", data={"csrf": token})
    assert answer.status_code == 303
    assert OLD_UNIT in _model(office).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "address",
    [
        "/models/khong-co/history",
        "/models/..%2fbook/history",
        "/models/Hien/history",
        f"/models/{SLUG}/history/zzzzzzz",
        f"/models/{SLUG}/history/HEAD",
        f"/models/{SLUG}/history/abc",
        f"/models/{SLUG}/history/{'0' * 40}",
    ],
)
def test_an_unknown_model_or_version_is_not_found(office: Office, address: str) -> None:
    assert office.session("khach").get(address).status_code == 404


def test_the_diff_marks_added_and_removed_lines_and_skips_the_rest() -> None:
    before = "\n".join(f"dòng {n}" for n in range(10))
    after = before.replace("dòng 5", "dòng năm")
    kinds = [(line.kind, line.text) for line in body_diff(before, after)]
    assert kinds == [("skipped", "4"), ("same", "dòng 4"), ("removed", "dòng 5"),
                     ("added", "dòng năm"), ("same", "dòng 6"), ("skipped", "3")]  # fmt: skip
