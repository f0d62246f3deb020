"""What editors send the workspace, through its pages as a browser sends it: pictures on a
model's page, Word documents imported through the job queue, returned review copies read into
the review files; each landing in the book as whole files and one commit by its sender, and
no uploaded name ever becoming a path."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from lxml import html
from PIL import Image
from starlette.testclient import TestClient
from test_comments import body_paragraph, book_of
from test_review_copy import build_review
from workspace_support import SAMPLE, Office, csrf_of, make_office

from builder.load.reviews import Comment, Reply, add_comments, add_reply, comments_for, review_path
from builder.workspace.job_pages import job_queue
from builder.workspace.jobs import Job
from builder.workspace.upload_files import safe_name

MODEL = "hien-dat-mo-duong-gia-hung"
IMPORTED = "doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung"


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return make_office(tmp_path)


def _logged_in(office: Office, login: str) -> tuple[TestClient, str]:
    client = office.session(login)
    return client, csrf_of(client.get("/").text)


def _picture(width: int, height: int, kind: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 90)).save(buffer, kind)
    return buffer.getvalue()


def _send_picture(
    client: TestClient, token: str, data: bytes, name: str = "anh.jpg", **fields: str
) -> Any:
    return client.post(
        f"/models/{MODEL}/pictures",
        files={"picture": (name, data, "image/jpeg")},
        data={"alt": "Người dân cùng mở rộng đường làng", **fields},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )


def _authors(office: Office, path: str) -> list[str]:
    return office.git_log("--format=%an|%s", "--", path).splitlines()


# --- pictures --------------------------------------------------------------------------------


def test_a_picture_lands_in_images_under_its_hashed_name_in_one_commit(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    form = editor.get(f"/models/{MODEL}/pictures")
    assert form.status_code == 200 and 'for="picture-alt"' in form.text
    data = _picture(1800, 1200)
    answer = _send_picture(editor, token, data, "../../IMG_0042.JPG", caption='Đường "mới"')
    assert answer.status_code == 200, answer.text
    found = answer.json()
    (saved,) = (office.content / "images").glob(f"{MODEL}-*.jpg")
    assert saved.read_bytes() == data and found["name"] == saved.name
    assert len(saved.stem) == len(MODEL) + 9  # the slug, a dash, 8 hex digits of the hash
    assert found["markdown"] == (
        f'![Người dân cùng mở rộng đường làng](../images/{saved.name} "Đường \\"mới\\"")'
    )
    assert found["problems"] == []
    assert _authors(office, f"images/{saved.name}") == [
        f"Nguyễn Thị Lan|Thêm ảnh {saved.name} cho {MODEL}"
    ]
    assert not (office.content.parent / "IMG_0042.JPG").exists()
    again = _send_picture(editor, token, data)
    assert again.json()["name"] == saved.name
    assert len(_authors(office, "images")) == 2  # the same picture: no second commit


def test_a_picture_too_small_for_print_is_kept_and_said_so(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    answer = _send_picture(editor, token, _picture(400, 300, "PNG"), "nho.png")
    assert answer.status_code == 200
    (problem,) = answer.json()["problems"]
    assert "would print at" in problem["message"] and "(200 needed)" in problem["message"]
    assert "pixels wide" in problem["hint"]
    assert answer.json()["name"].endswith(".png")


def test_what_is_no_picture_is_refused_by_its_content(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    answer = _send_picture(editor, token, b"Day khong phai la anh.\n" * 50, "anh.jpg")
    assert answer.status_code == 415
    assert "not a picture" in answer.json()["error"]
    narrow = _send_picture(editor, token, _picture(3000, 100), "dai.jpg")
    assert narrow.status_code == 422
    assert "too narrow" in narrow.json()["error"]
    assert not list((office.content / "images").glob(f"{MODEL}-*"))


@pytest.mark.parametrize("alt", ["", "   ", "IMG_0042.JPG", "C:\\Anh\\duong.jpg", "anh/duong"])
def test_a_picture_without_a_real_description_is_refused(office: Office, alt: str) -> None:
    editor, token = _logged_in(office, "lan")
    answer = _send_picture(editor, token, _picture(1800, 1200), alt=alt)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert not list((office.content / "images").glob(f"{MODEL}-*"))


def test_a_picture_over_the_limit_is_refused(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    answer = _send_picture(editor, token, b"\xff\xd8" + b"\0" * (26 * 1024 * 1024))
    assert answer.status_code == 413
    assert "25 MB" in answer.json()["error"]


def test_a_reader_may_not_upload(office: Office) -> None:
    reader, token = _logged_in(office, "khach")
    assert _send_picture(reader, token, _picture(1800, 1200)).status_code == 403
    assert reader.get(f"/models/{MODEL}/pictures").status_code == 403
    assert reader.get("/import").status_code == 403
    assert reader.get("/comments").status_code == 403
    answer = reader.post(
        "/import",
        files=[("documents", ("a.docx", _word_document(), "application/octet-stream"))],
        data={"csrf": token},
    )
    assert answer.status_code == 403


# --- names from outside ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../x.docx", "x.docx"),
        ("..\\..\\x.docx", "x.docx"),
        ("thu-muc/con/x.docx", "x.docx"),
        ("x\x00.docx", "x.docx"),
        ("..docx", "tai-lieu.docx"),
        (".docx", "tai-lieu.docx"),
        ("Báo cáo: mô hình?.DOCX", "Báo cáo mô hình.docx"),
        ("x.docx/", None),
        ("x.exe", None),
    ],
)
def test_an_uploaded_name_becomes_one_plain_file_name(given: str, kept: str | None) -> None:
    assert safe_name(given, ("docx",), "tai-lieu") == kept


def test_word_documents_with_hostile_names_stay_in_the_scratch_folder(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    names = ["../../x.docx", "..\\x.docx", "a/b/../../../x.docx", "x\x00.docx"]
    files = [("documents", (name, _word_document(), "application/octet-stream")) for name in names]
    answer = editor.post("/import", files=files, data={"csrf": token})
    assert answer.status_code == 303, answer.text
    job = _finished(office, answer.headers["location"])
    assert job.state == "done", job.error
    assert sum("imported as" in line for line in job.lines) == 4
    for folder in (office.content, office.content.parent, office.content / "models"):
        assert not (folder / "x.docx").exists() and not (folder / "b").exists()
    assert not list((office.content / ".workspace" / "uploads").iterdir())  # cleaned up


# --- Word in ---------------------------------------------------------------------------------


def _word_document(*, damaged: bool = False, title: str = "") -> bytes:
    if damaged:
        return b"PK\x03\x04" + b"\x00hong" * 200
    document = docx.Document()
    document.add_heading(title or "Đổi mới sinh hoạt chi bộ ở xã Gia Hưng", 1)
    document.add_paragraph("Đơn vị: Chi bộ thôn Đông")
    document.add_paragraph("Địa bàn: xã Gia Hưng, huyện Gia Viễn")
    document.add_paragraph("Năm công nhận: 2022")
    document.add_heading("Bối cảnh", 2)
    document.add_paragraph("Thôn Đông có 1.200 hộ dân, sống chủ yếu bằng nghề trồng lúa.")
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1000), (120, 160, 120)).save(buffer, "PNG")
    buffer.seek(0)
    document.add_picture(buffer, width=Cm(10))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _finished(office: Office, location: str) -> Job:
    assert location.startswith("/jobs/")
    queue = job_queue(office.client.app.state.workspace)
    job = queue.get(int(location.rsplit("/", 1)[1]))
    assert job is not None and queue.wait(job, 120)
    return job


def test_a_word_document_is_imported_through_the_queue_and_committed(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    page = editor.get("/import")
    assert page.status_code == 200 and 'type="file"' in page.text and "multiple" in page.text
    files = [("documents", ("Báo cáo Gia Hưng.docx", _word_document(), "application/msword"))]
    answer = editor.post("/import", files=files, data={"csrf": token})
    assert answer.status_code == 303
    job = _finished(office, answer.headers["location"])
    assert job.state == "done", job.error
    assert job.lines[0] == f"1/1 Báo cáo Gia Hưng.docx: imported as models/{IMPORTED}.md"
    model = office.content / "models" / f"{IMPORTED}.md"
    assert 'commune: "xã Gia Hưng"' in model.read_text(encoding="utf-8")
    (picture,) = (office.content / "images").glob(f"{IMPORTED}-*.png")
    log = office.git_log("-1", "--format=%an|%s", "--name-only").splitlines()
    assert log[0] == "Nguyễn Thị Lan|Nhập từ Word: 1 tệp"
    assert sorted(log[2:]) == [f"images/{picture.name}", f"models/{IMPORTED}.md"]
    shown = html.fromstring(editor.get(answer.headers["location"]).text)
    result = " ".join(shown.xpath("//section[@class='import-result']//text()"))
    assert "(from “Địa bàn: xã Gia Hưng, huyện Gia Viễn”)" in result
    assert "to fill in: field, alt text of the pictures" in result
    assert shown.xpath(f"//a[@href='/models/{IMPORTED}']")
    listed = editor.get("/import").text
    assert answer.headers["location"] in listed


def test_a_damaged_document_is_refused_while_the_batch_goes_on(office: Office) -> None:
    editor, token = _logged_in(office, "hoa")
    files = [
        ("documents", ("hong.docx", _word_document(damaged=True), "application/msword")),
        ("documents", ("ghi-chu.txt", b"khong phai Word", "text/plain")),
        ("documents", ("tot.docx", _word_document(), "application/msword")),
        ("documents", ("lon.docx", b"PK" + b"\0" * (21 * 1024 * 1024), "application/msword")),
    ]
    answer = editor.post("/import", files=files, data={"csrf": token})
    job = _finished(office, answer.headers["location"])
    lines = job.lines
    assert lines[0].startswith("1/4 hong.docx: refused: ")
    assert lines[1] == "2/4 ghi-chu.txt: refused: it is not a Word document (.docx, .doc or .odt)"
    assert lines[2] == f"3/4 tot.docx: imported as models/{IMPORTED}.md"
    assert lines[3] == (
        "4/4 lon.docx: refused: “lon.docx” is larger than 20 MB, the most one file may be"
    )
    assert lines[-1] == "1 imported (0 with warnings), 3 refused"
    assert office.git_log("-1", "--format=%an").strip() == "Lê Thị Hoa"
    page = editor.get(answer.headers["location"]).text
    assert "Refused: " in page


def test_an_empty_import_and_a_vietnamese_refusal(office: Office) -> None:
    editor, token = _logged_in(office, "lan")
    answer = editor.post("/import", files=[("documents", ("", b"", "application/octet-stream"))],
                         data={"csrf": token})  # fmt: skip
    assert answer.status_code == 400 and 'role="alert"' in answer.text
    token = csrf_of(editor.get("/").text)
    editor.post("/language", data={"csrf": token, "lang": "vi", "next": "/"})
    files = [("documents", ("hong.docx", _word_document(damaged=True), "application/msword"))]
    answer = editor.post("/import", files=files, data={"csrf": token})
    job = _finished(office, answer.headers["location"])
    assert job.lines[0].startswith("1/1 hong.docx: bị từ chối: ")


# --- comments back ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def review_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_review(SAMPLE, tmp_path_factory.mktemp("review") / "output")


def _returned(review_copy: Path, target: Path) -> tuple[bytes, str, str]:
    """A returned copy with one comment on the first model: (its bytes, slug, quoted)."""
    first = book_of(SAMPLE).entries[0]
    document = docx.Document(str(review_copy))
    marked = body_paragraph(document, first)
    comment = document.add_comment(
        marked.runs, text="Cần bổ sung số liệu năm 2024.", author="Nguyễn Văn An", initials="NA"
    )
    comment._comment_elm.set(qn("w:date"), "2026-01-05T09:30:00Z")
    document.save(str(target))
    return target.read_bytes(), first.slug, marked.text


def test_a_returned_copy_is_read_into_the_review_files_and_committed(
    office: Office, review_copy: Path, tmp_path: Path
) -> None:
    editor, token = _logged_in(office, "lan")
    data, slug, quoted = _returned(review_copy, tmp_path / "gop-y.docx")
    files = [
        ("copies", ("../gop-y an.docx", data, "application/octet-stream")),
        ("copies", ("hong.pdf", b"%PDF-1.4 hong", "application/pdf")),
    ]
    answer = editor.post("/comments", files=files, data={"csrf": token})
    assert answer.status_code == 200
    shown = html.fromstring(answer.text)
    assert shown.xpath("string(//p[@role='status'])").startswith("added 1 comments for 1 models")
    errors = shown.xpath("//ul[@role='alert']/li[@class='error']/text()")
    assert len(errors) == 1 and errors[0].startswith("hong.pdf: error: ")
    (comment,) = comments_for(office.content, slug)
    assert (comment.author, comment.text, comment.source) == (
        "Nguyễn Văn An", "Cần bổ sung số liệu năm 2024.", "gop-y an.docx"
    )  # fmt: skip
    assert comment.quoted == quoted
    assert _authors(office, "reviews") == ["Nguyễn Thị Lan|Nhập góp ý: 2 bản trả về"]
    assert "Nhập góp ý: 2 bản trả về" in editor.get("/comments").text
    again = editor.post("/comments", files=files[:1], data={"csrf": token})
    assert "0 already there" not in again.text and len(_authors(office, "reviews")) == 1


def test_a_comment_is_listed_resolved_and_answered_with_commits(
    office: Office, review_copy: Path, tmp_path: Path
) -> None:
    editor, token = _logged_in(office, "lan")
    data, slug, quoted = _returned(review_copy, tmp_path / "gop-y.docx")
    editor.post("/comments", files=[("copies", ("gop-y.docx", data, "application/msword"))],
                data={"csrf": token})  # fmt: skip
    (comment,) = comments_for(office.content, slug)
    reader, _token = _logged_in(office, "khach")
    listed = html.fromstring(reader.get(f"/models/{slug}/comments").text)
    (item,) = listed.xpath("//li[@data-id]")
    assert item.get("data-quoted") == quoted and not item.xpath(".//form")  # a reader reads
    fragment = {"X-CSRF-Token": token, "X-Fragment": "1"}
    address = f"/models/{slug}/comments/{comment.id}"
    replied = editor.post(f"{address}/reply", data={"text": "Đã bổ sung bảng số liệu."},
                          headers=fragment)  # fmt: skip
    assert replied.status_code == 200 and "Đã bổ sung bảng số liệu." in replied.text
    (answered,) = comments_for(office.content, slug)
    assert answered.replies[0].author == "Nguyễn Thị Lan"
    assert answered.replies[0].text == "Đã bổ sung bảng số liệu."
    empty = editor.post(f"{address}/reply", data={"text": "  "}, headers=fragment)
    assert empty.status_code == 400 and 'role="alert"' in empty.text
    resolved = editor.post(f"{address}/resolve", data={"csrf": token})  # a form, no script
    assert resolved.status_code == 303 and resolved.headers["location"].startswith(
        f"/models/{slug}"
    )
    (closed,) = comments_for(office.content, slug)
    assert closed.status == "resolved" and closed.replies == answered.replies
    assert _authors(office, f"reviews/{slug}.yaml")[:2] == [
        f"Nguyễn Thị Lan|Đã xử lý góp ý {comment.id} ({slug})",
        f"Nguyễn Thị Lan|Trả lời góp ý {comment.id} ({slug})",
    ]
    status = subprocess.run(
        [str(Path(__file__).parent.parent / ".venv" / "bin" / "builder"), "status",
         "--content", str(office.content), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    other = f"/models/{slug}/comments/0123456789/resolve"
    assert editor.post(other, headers=fragment).status_code == 404
    assert editor.post(f"/models/khong-co/comments/{comment.id}/resolve",
                       headers=fragment).status_code == 404  # fmt: skip


def test_a_reply_made_in_the_workspace_survives_a_new_import(tmp_path: Path) -> None:
    office = make_office(tmp_path)
    content = office.content
    slug = book_of(content).entries[0].slug
    comment = Comment("abcdef1234", "comment", "An", "2026-01-05", "x.docx", "đoạn 3", "Sửa.")
    add_comments(content, slug, [comment])
    add_reply(content, slug, comment.id, Reply("Lan", "2026-01-06T08:00:00Z", "Đã sửa."))
    add_comments(content, slug, [comment])  # the same copy imported again
    (kept,) = comments_for(content, slug)
    assert kept.replies == (Reply("Lan", "2026-01-06T08:00:00Z", "Đã sửa."),)
    assert "replies:" in review_path(content, slug).read_text(encoding="utf-8")
