"""A model as a form in the workspace: what it shows, what a save writes (byte for byte, one
commit by its editor), who may approve, the conflict of two saves, the live check and
preview, who else has it open, a new model, and addresses that lead nowhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest
from workspace_support import Office, csrf_of, form_of, make_office, opened

SLUG = "hien-dat-mo-duong-gia-hung"  # tap-the, approved
DRAFT = "chi-bo-bon-tot-khanh-nhac"


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return make_office(tmp_path)


def model_path(office: Office, slug: str = SLUG) -> Path:
    return office.content / "models" / f"{slug}.md"


def commits(office: Office) -> int:
    return len(office.git_log("--format=%H").split())


def test_the_form_shows_every_fact_and_the_choices_of_book_yaml(office: Office) -> None:
    answer = office.session("lan").get(f"/models/{SLUG}")
    document = lxml.html.fromstring(answer.text)
    values = form_of(answer.text)
    assert values["title"] == "Hiến đất mở đường, chung sức xây dựng nông thôn mới"
    assert values["kind"] == "tap-the"
    assert values["field"] == "kinh-te"
    assert values["district"] == "huyện Gia Viễn"
    assert values["commune"] == "xã Gia Hưng"
    assert values["year"] == "2021"
    assert values["started"] == "2019"
    assert values["tags"] == "hiến đất, giao thông nông thôn, nông thôn mới"
    assert values["editor"] == "Lê Văn Nam"
    assert values["body"].startswith("## Bối cảnh\n")
    assert "status" not in values  # approved: an editor sees it, cannot send it
    years = [o.get("value") for o in document.get_element_by_id("f-year").iter("option")]
    assert years == ["2025", "2024", "2023", "2022", "2021"]  # the book's period
    fields = [o.text for o in document.get_element_by_id("f-field").iter("option")]
    assert "Văn hóa – xã hội" in fields
    communes = [o.text for o in document.get_element_by_id("f-commune").iter("option")]
    assert "xã Gia Thủy (nay là xã Gia Lâm)" in communes
    for element in document.iter("input", "select", "textarea"):
        if element.get("type") != "hidden":
            assert document.xpath(f'//label[@for="{element.get("id")}"]'), element.get("name")
    assert document.get_element_by_id("model-pictures").get("data-slug") == SLUG
    assert document.get_element_by_id("model-comments") is not None
    assert f"/models/{SLUG}/history" in answer.text


def test_a_form_sent_unchanged_changes_nothing(office: Office) -> None:
    editor = office.session("lan")
    before, count = model_path(office).read_bytes(), commits(office)
    answer = editor.post(f"/models/{SLUG}", data=opened(editor, SLUG))
    assert answer.status_code == 303
    assert model_path(office).read_bytes() == before
    assert commits(office) == count


def test_one_fact_changed_changes_its_line_only(office: Office) -> None:
    editor = office.session("lan")
    before = model_path(office).read_text(encoding="utf-8").split("\n")
    data = opened(editor, SLUG)
    data["unit"] = "Ban Công tác Mặt trận xã Gia Hưng"
    assert editor.post(f"/models/{SLUG}", data=data).status_code == 303
    after = model_path(office).read_text(encoding="utf-8").split("\n")
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        ('unit: "Ban Công tác Mặt trận các thôn, xã Gia Hưng"',
         'unit: "Ban Công tác Mặt trận xã Gia Hưng"'),
    ]  # fmt: skip
    assert office.git_log("-1", "--format=%an <%ae>") == "Nguyễn Thị Lan <lan@workspace>\n"
    assert "unit" in office.git_log("-1", "--format=%s")


def test_a_fact_added_goes_to_its_place_and_one_emptied_goes(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, DRAFT)
    data["editor"] = ""
    data["summary"] = ""
    assert editor.post(f"/models/{DRAFT}", data=data).status_code == 303
    text = model_path(office, DRAFT).read_text(encoding="utf-8")
    assert "\nsummary:" not in text
    assert "\neditor:" not in text
    data = opened(editor, DRAFT)
    data["summary"] = 'Chi bộ "bốn tốt"'
    assert editor.post(f"/models/{DRAFT}", data=data).status_code == 303
    lines = model_path(office, DRAFT).read_text(encoding="utf-8").split("\n")
    keys = [line.split(":")[0] for line in lines[1 : lines.index("---", 1)]]
    at = keys.index("summary")
    assert keys[at - 1] in ("recognised_by", "started", "year") and keys[at + 1] in (
        "images", "tags", "status",
    )  # fmt: skip
    assert lines[at + 1] == 'summary: "Chi bộ \\"bốn tốt\\""'


def test_the_body_is_saved_as_typed_and_fixed_as_check_fix_would(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, SLUG)
    data["body"] = data["body"].replace("\n", "\r\n") + '\r\nThêm một câu "mới".\r\n'
    assert editor.post(f"/models/{SLUG}", data=data).status_code == 303
    raw = model_path(office).read_bytes()
    assert b"\r" not in raw
    assert raw.decode().endswith("Thêm một câu “mới”.\n")
    assert "body" in office.git_log("-1", "--format=%s")


def test_an_editor_cannot_approve_the_chief_editor_can(office: Office) -> None:
    chief, editor = office.session("truongban"), office.session("lan")
    data = opened(chief, DRAFT)  # every sample model is approved: the chief takes it back
    assert chief.post(f"/models/{DRAFT}", data={**data, "status": "cho-duyet"}).status_code == 303
    page = editor.get(f"/models/{DRAFT}").text
    statuses = lxml.html.fromstring(page).get_element_by_id("f-status")
    assert "da-duyet" not in [o.get("value") for o in statuses.iter("option")]
    data = opened(editor, DRAFT)
    before = model_path(office, DRAFT).read_bytes()
    answer = editor.post(f"/models/{DRAFT}", data={**data, "status": "da-duyet"})
    assert answer.status_code == 403
    assert model_path(office, DRAFT).read_bytes() == before
    data = opened(chief, DRAFT)
    assert chief.post(f"/models/{DRAFT}", data={**data, "status": "da-duyet"}).status_code == 303
    assert "\nstatus: da-duyet\n" in model_path(office, DRAFT).read_text(encoding="utf-8")
    # nor can an editor take the approval back, even by sending the whole file
    data = opened(editor, DRAFT)
    answer = editor.post(f"/models/{DRAFT}", data={**data, "status": "cho-duyet"})
    assert answer.status_code == 403
    whole = model_path(office, DRAFT).read_text(encoding="utf-8")
    answer = editor.post(
        f"/models/{DRAFT}",
        data={"csrf": data["csrf"], "version": data["version"],
              "whole_text": whole.replace("status: da-duyet", "status: cho-duyet")},
    )  # fmt: skip
    assert answer.status_code == 403


def test_the_person_is_written_only_for_an_individual(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, DRAFT)
    assert data["kind"] == "tap-the"
    before = model_path(office, DRAFT).read_bytes()
    sent = {**data, "person_name": "Nguyễn Văn A", "person_role": "Bí thư"}
    assert editor.post(f"/models/{DRAFT}", data=sent).status_code == 303
    assert model_path(office, DRAFT).read_bytes() == before
    sent["kind"] = "ca-nhan"
    assert editor.post(f"/models/{DRAFT}", data=sent).status_code == 303
    text = model_path(office, DRAFT).read_text(encoding="utf-8")
    assert "\nkind: ca-nhan\n" in text
    assert '\nperson:\n  name: "Nguyễn Văn A"\n  role: "Bí thư"\n' in text


def test_a_save_over_a_newer_version_shows_both_and_loses_nothing(office: Office) -> None:
    lan, hoa = office.session("lan"), office.session("hoa")
    first, second = opened(lan, SLUG), opened(hoa, SLUG)
    first["unit"] = "Đơn vị của Lan"
    second["unit"] = "Đơn vị của Hoa"
    assert lan.post(f"/models/{SLUG}", data=first).status_code == 303
    answer = hoa.post(f"/models/{SLUG}", data=second)
    assert answer.status_code == 409
    assert "Đơn vị của Lan" in model_path(office).read_text(encoding="utf-8")
    page = lxml.html.fromstring(answer.text)
    theirs = page.get_element_by_id("theirs").text_content()
    yours = page.get_element_by_id("yours").text_content()
    assert "Đơn vị của Lan" in theirs and "Đơn vị của Hoa" in yours
    assert page.xpath('//*[@id="yours"]//span[contains(@class, "differs")]')
    kept = form_of(answer.text, "conflict-form")
    assert "Đơn vị của Hoa" in kept["whole_text"]
    assert kept["version"] != first["version"]
    # saved again from the conflict page, over the newer version
    assert hoa.post(f"/models/{SLUG}", data=kept).status_code == 303
    assert 'unit: "Đơn vị của Hoa"' in model_path(office).read_text(encoding="utf-8")
    assert office.git_log("-1", "--format=%an") == "Lê Thị Hoa\n"


def test_a_change_made_on_disk_meanwhile_is_a_conflict_too(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, SLUG)
    path = model_path(office)
    path.write_text(path.read_text(encoding="utf-8") + "\nMột dòng thêm từ dòng lệnh.\n")
    answer = editor.post(f"/models/{SLUG}", data={**data, "unit": "Đơn vị mới"})
    assert answer.status_code == 409
    assert "Một dòng thêm từ dòng lệnh." in path.read_text(encoding="utf-8")
    assert "Đơn vị mới" in answer.text


def test_the_live_check_places_the_loaders_messages(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, SLUG)
    headers = {"X-CSRF-Token": data["csrf"]}
    body = data["body"].split("\n")
    body[2] = "Xem ![](../images/duong-lang-gia-hung.jpg) ở đây."
    sent = {**data, "year": "2030", "body": "\n".join(body)}
    answer = editor.post(f"/models/{SLUG}/check", data=sent, headers=headers)
    assert answer.status_code == 200
    found = answer.json()
    year = found["fields"]["year"]
    assert [p["code"] for p in year] == ["year-outside-period"]
    assert "2030" in year[0]["message"]
    assert year[0]["text"].startswith(f"models/{SLUG}.md:")
    no_alt = [p for p in found["body"] if p["code"] == "image-no-alt"]
    assert [p["line"] for p in no_alt] == [3]


def test_the_live_check_names_a_title_used_twice(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, SLUG)
    other = opened(editor, DRAFT)["title"]
    headers = {"X-CSRF-Token": data["csrf"]}
    answer = editor.post(f"/models/{SLUG}/check", data={**data, "title": other}, headers=headers)
    assert [p["code"] for p in answer.json()["fields"]["title"]] == ["duplicate-title"]


def test_facts_still_todo_are_marked(office: Office) -> None:
    editor = office.session("lan")
    token = csrf_of(editor.get("/models/new").text)
    answer = editor.post("/models/new", data={
        "csrf": token, "title": "Mô hình thử", "kind": "tap-the", "field": "kinh-te",
        "district": "huyện Gia Viễn", "commune": "", "year": "2023",
    })  # fmt: skip
    page = lxml.html.fromstring(editor.get(answer.headers["location"]).text)
    marked = {field.get("data-key") for field in page.xpath('//div[contains(@class, "todo")]')}
    assert {"unit", "recognised_by", "summary"} <= marked


def test_the_preview_shows_the_page_as_the_site_will(office: Office) -> None:
    reader = office.session("khach")
    data = opened(office.session("lan"), SLUG)
    data["body"] = "## Một tiêu đề mới\n\nĐoạn văn.\n"
    answer = reader.post(
        f"/models/{SLUG}/preview",
        data=data,
        headers={"X-CSRF-Token": csrf_of(reader.get("/").text)},
    )
    assert answer.status_code == 200
    document = lxml.html.fromstring(answer.text)
    assert next(h.text_content() for h in document.iter("h2")) == "Một tiêu đề mới"
    assert "Ban Công tác Mặt trận các thôn, xã Gia Hưng" in answer.text  # the fact box
    assert "<script" not in answer.text


def test_a_reader_sees_the_model_without_saving(office: Office) -> None:
    reader = office.session("khach")
    page = reader.get(f"/models/{SLUG}").text
    document = lxml.html.fromstring(page)
    assert not document.xpath('//button[@type="submit" and ancestor::form[@id="model-form"]]')
    assert document.get_element_by_id("body").get("readonly") is not None
    assert "srcdoc=" in page


def test_presence_shows_who_else_has_the_model_open(office: Office) -> None:
    lan, hoa = office.session("lan"), office.session("hoa")
    lan.get(f"/models/{SLUG}")
    token = csrf_of(hoa.get(f"/models/{SLUG}").text)
    answer = hoa.post(f"/models/{SLUG}/presence", headers={"X-CSRF-Token": token})
    assert answer.json() == {"others": ["Nguyễn Thị Lan"]}
    assert "Lê Thị Hoa" in lan.get(f"/models/{SLUG}").text


def test_a_new_model_is_made_and_committed(office: Office) -> None:
    editor = office.session("lan")
    token = csrf_of(editor.get("/models/new").text)
    data = {"csrf": token, "title": "Tổ hòa giải ở cơ sở", "kind": "ca-nhan",
            "field": "quoc-phong-an-ninh", "district": "huyện Kim Sơn",
            "commune": "xã Kim Đông", "year": "2024"}  # fmt: skip
    answer = editor.post("/models/new", data=data)
    assert answer.status_code == 303
    slug = answer.headers["location"].removeprefix("/models/")
    text = model_path(office, slug).read_text(encoding="utf-8")
    assert 'title: "Tổ hòa giải ở cơ sở"' in text and "\nkind: ca-nhan\n" in text
    assert 'commune: "xã Kim Đông"' in text and "\nyear: 2024\n" in text
    assert "person:" in text
    assert office.git_log("-1", "--format=%an", "--", f"models/{slug}.md") == "Nguyễn Thị Lan\n"
    refused = editor.post("/models/new", data={**data, "year": "2030"})
    assert refused.status_code == 422
    assert 'aria-describedby="e-year"' in refused.text


@pytest.mark.parametrize("address", ["../book", "%2e%2e", "..%2fbook", "Not-A-Slug", "x.md"])
def test_an_address_that_names_no_model_is_not_found(office: Office, address: str) -> None:
    editor = office.session("lan")
    assert editor.get(f"/models/{address}").status_code == 404
    token = csrf_of(editor.get("/").text)
    answer = editor.post(f"/models/{address}", data={"csrf": token, "whole_text": "x"})
    assert answer.status_code in (404, 405)
    assert (office.content / "book.yaml").read_text(encoding="utf-8").startswith("#")


def test_a_link_is_not_followed(office: Office, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: bí mật\n---\n\nKhông được đọc.\n", encoding="utf-8")
    (office.content / "models" / "lien-ket.md").symlink_to(secret)
    editor = office.session("lan")
    answer = editor.get("/models/lien-ket")
    assert answer.status_code == 404
    assert "bí mật" not in answer.text
    token = csrf_of(editor.get("/").text)
    editor.post("/models/lien-ket", data={"csrf": token, "version": "", "whole_text": "x"})
    assert secret.read_text(encoding="utf-8").endswith("Không được đọc.\n")


def test_a_picture_outside_the_book_is_not_served(office: Office) -> None:
    editor = office.session("lan")
    assert editor.get("/preview/pictures/images/duong-lang-gia-hung.jpg").status_code == 200
    for address in ("../book.yaml", ".workspace/accounts.json", "book.yaml", "%2e%2e/x.jpg"):
        assert editor.get(f"/preview/pictures/{address}").status_code == 404


def test_the_file_stays_a_file_of_git(office: Office) -> None:
    editor = office.session("lan")
    data = opened(editor, SLUG)
    editor.post(f"/models/{SLUG}", data={**data, "editor": "Nguyễn Thị Lan"})
    status = subprocess.run(
        ["git", "-C", str(office.content), "status", "--porcelain"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert status == ""


def test_a_save_landing_while_the_form_is_drawn_is_not_lost(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form's version is the version of the text it shows: a save that lands while the
    page is being drawn (its check and preview take a while) makes the next save from that
    page a conflict, not a silent overwrite. Found by tests/test_workspace_load.py."""
    from builder.workspace import model_pages

    lan, hoa = office.session("lan"), office.session("hoa")
    path = model_path(office)
    drawn = model_pages._checked

    def a_save_meanwhile(*args: object) -> object:
        monkeypatch.setattr(model_pages, "_checked", drawn)
        data = opened(lan, SLUG)  # Lan saves while Hoa's page is being drawn
        saved = lan.post(f"/models/{SLUG}", data={**data, "unit": "Đơn vị của Lan"})
        assert saved.status_code == 303
        return drawn(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(model_pages, "_checked", a_save_meanwhile)
    data = opened(hoa, SLUG)
    assert data["unit"] != "Đơn vị của Lan"  # Hoa's page shows the file before Lan's save
    answer = hoa.post(f"/models/{SLUG}", data={**data, "editor": "Lê Thị Hoa"})
    assert answer.status_code == 409
    assert 'unit: "Đơn vị của Lan"' in path.read_text(encoding="utf-8")
