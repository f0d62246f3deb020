"""Builds from the workspace: real builds by the one job queue, one at a time; the files
downloaded only from the workspace's output; the final edition and publishing the chief
editor's, publishing's refusals listed; a failed build keeps the last output."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from starlette.testclient import TestClient
from workspace_support import Office, csrf_of, make_office, opened

from builder.util.cache import cache_path
from builder.workspace.build_runs import PUBLISH_TO_VARIABLE, Built, output_root
from builder.workspace.built_files import attachment, served_file
from builder.workspace.history import keep_out_of_git, open_repository
from builder.workspace.job_pages import job_queue
from builder.workspace.jobs import Job

SLUG = "dan-van-kheo-ninh-binh-2021-2025"


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return make_office(tmp_path)


def _queue(client: TestClient, **data: str) -> Any:
    return client.post("/builds", data={"csrf": csrf_of(client.get("/builds").text), **data})


def _finished(office: Office, answer: Any) -> Job:
    """The job a POST answered with (its page's address), once it is finished."""
    location = answer.headers["location"]
    assert location.startswith("/builds/jobs/")
    jobs = job_queue(office.client.app.state.workspace)
    job = jobs.get(int(location.rsplit("/", 1)[1]))
    assert job is not None
    assert jobs.wait(job, 300)
    return job


def _texts(page: str, path: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in html.fromstring(page).xpath(path)]


def test_an_editor_builds_the_pdf_and_downloads_it(office: Office) -> None:
    editor = office.session("lan")
    answer = _queue(editor, kind="pdf")
    assert answer.status_code == 303
    job = _finished(office, answer)
    assert job.state == "done", job.error
    assert any(line.startswith("pdf:") for line in job.lines)  # the outputs' own lines
    page = editor.get(f"/builds/jobs/{job.id}").text
    links = html.fromstring(page).xpath("//table[@class='files']//a/@href")
    assert f"/builds/files/draft/{SLUG}.pdf" in links
    assert f"/builds/files/draft/{SLUG}-print.pdf" in links

    pdf = office.session("khach").get(f"/builds/files/draft/{SLUG}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{SLUG}.pdf" in pdf.headers["content-disposition"]

    package = editor.get("/builds/package/draft")
    assert package.status_code == 200
    disposition = package.headers["content-disposition"]
    assert "filename*=UTF-8''Print%20package%20%E2%80%93%20" in disposition
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert sorted(names) == sorted([f"{SLUG}-print.pdf", f"{SLUG}-cover.pdf", "preflight.txt"])

    listed = editor.get("/builds").text
    assert _texts(listed, "//table[@class='files']/caption") == ["Draft"]
    assert any(text.endswith("MB") for text in _texts(listed, "//table[@class='files']//td"))


def test_a_build_after_a_save_redoes_only_what_the_save_changed(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workspace builds through the command line's incremental path: the PDF's kept
    units (one part laid out again) and the site's kept pages (linked, not rendered). Its
    own cache: it counts the units laid out, and other tests build beside it."""
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))
    editor = office.session("lan")
    assert _finished(office, _queue(editor, kind="all")).state == "done"
    far = output_root(office.content) / "draft" / "site" / "trang" / "gioi-thieu-chung.html"
    before = far.stat().st_ino
    units = cache_path("pdf-units")
    laid_out = set(units.glob("*.pages"))  # one file per unit laid out, by its key
    data = opened(editor, "cau-lac-bo-cheo-ninh-phong")
    data["body"] += "\nMột câu thêm sau khi lưu.\n"
    assert editor.post("/models/cau-lac-bo-cheo-ninh-phong", data=data).status_code == 303
    job = _finished(office, _queue(editor, kind="all"))
    assert job.state == "done", job.error
    assert len(set(units.glob("*.pages")) - laid_out) == 1  # the part with that model
    # Said on the job's page, though the PDF is laid out in forked children.
    assert any(re.fullmatch(r"pdf: \d+ of \d+ units kept .*, 1 laid out", s) for s in job.lines)
    assert far.stat().st_ino == before
    site = output_root(office.content) / "draft" / "site"
    assert "Một câu thêm sau khi lưu." in (
        site / "mo-hinh" / "cau-lac-bo-cheo-ninh-phong.html"
    ).read_text("utf-8")


def test_a_build_with_nothing_changed_writes_nothing(office: Office) -> None:
    """As `builder build`: the same book, code and options as the last build into the
    edition's folder leave it as it is; a save makes the next build run."""
    editor = office.session("lan")
    assert _finished(office, _queue(editor, kind="site")).state == "done"
    manifest = output_root(office.content) / "draft" / "SHA256SUMS"
    before, listed = manifest.stat().st_ino, manifest.read_text(encoding="utf-8")
    again = _finished(office, _queue(editor, kind="site"))
    assert again.state == "done", again.error
    assert any(line.startswith("nothing changed since the last build") for line in again.lines)
    assert manifest.stat().st_ino == before
    data = opened(editor, "cau-lac-bo-cheo-ninh-phong")
    data["body"] += "\nMột câu thêm.\n"
    assert editor.post("/models/cau-lac-bo-cheo-ninh-phong", data=data).status_code == 303
    third = _finished(office, _queue(editor, kind="site"))
    assert third.state == "done", third.error
    assert not any(line.startswith("nothing changed") for line in third.lines)
    assert manifest.read_text(encoding="utf-8") != listed  # the model's page is new


def test_two_builds_queued_run_one_after_the_other(office: Office) -> None:
    editor, other = office.session("lan"), office.session("hoa")
    first = _queue(editor, kind="site")
    second = _queue(other, kind="review")
    done = [_finished(office, first), _finished(office, second)]
    assert [job.state for job in done] == ["done", "done"]
    one, two = (job.result for job in done)
    assert isinstance(one, Built) and isinstance(two, Built)
    assert two.started >= one.finished  # never at once
    assert "/site/draft/" in other.get(f"/builds/jobs/{done[0].id}").text
    site = other.get("/site/draft/")
    assert site.status_code == 200 and "text/html" in site.headers["content-type"]
    assert other.get("/site/draft/assets/../../draft/SHA256SUMS").status_code == 404
    states = _texts(editor.get("/builds").text, "//table[@class='jobs']//td/span")
    assert states == ["done", "done"]


def test_the_final_edition_and_publishing_are_the_chief_editors(office: Office) -> None:
    editor = office.session("lan")
    assert _queue(editor, kind="review", edition="final").status_code == 403
    token = csrf_of(editor.get("/builds").text)
    assert editor.post("/publish", data={"csrf": token}).status_code == 403
    assert "/publish" not in editor.get("/builds").text

    chief = office.session("truongban")
    job = _finished(office, _queue(chief, kind="review", edition="final"))
    assert job.state == "done", job.error
    assert (output_root(office.content) / "final" / f"{SLUG}-du-thao.docx").is_file()


def test_publishing_lists_its_refusals(office: Office) -> None:
    model = office.content / "models" / "hien-dat-mo-duong-gia-hung.md"
    model.write_text(
        model.read_text(encoding="utf-8").replace("status: da-duyet", "status: cho-duyet"),
        encoding="utf-8",
    )
    chief = office.session("truongban")
    answer = chief.post("/publish", data={"csrf": csrf_of(chief.get("/builds").text)})
    job = _finished(office, answer)
    assert job.state == "failed"
    problems = _texts(chief.get(f"/builds/jobs/{job.id}").text, "//ul[@class='problems']/li")
    assert "the book has 12 approved models; `review.targets.total` asks for 13" in problems
    assert any("hien-dat-mo-duong-gia-hung.md" in problem for problem in problems)
    assert not (output_root(office.content) / "final").exists()


def test_the_chief_editor_publishes_to_the_configured_folder(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "www"
    monkeypatch.setenv(PUBLISH_TO_VARIABLE, str(target))
    chief = office.session("truongban")
    assert str(target) in chief.get("/builds").text
    job = _finished(office, chief.post("/publish", data={"csrf": csrf_of(chief.get("/").text)}))
    assert job.state == "done", (job.error, job.lines)
    assert (target / "index.html").is_file()
    page = chief.get(f"/builds/jobs/{job.id}").text
    assert str(target) in " ".join(_texts(page, "//p[@class='ok']"))


def test_a_failed_build_shows_its_problems_and_keeps_the_last_output(office: Office) -> None:
    editor = office.session("lan")
    assert _finished(office, _queue(editor, kind="review")).state == "done"
    built = output_root(office.content) / "draft" / f"{SLUG}-du-thao.docx"
    before = built.read_bytes()
    model = office.content / "models" / "hien-dat-mo-duong-gia-hung.md"
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("\nyear: ", "\nyear: [", 1), encoding="utf-8")

    job = _finished(office, _queue(editor, kind="review"))
    assert job.state == "failed"
    page = editor.get(f"/builds/jobs/{job.id}").text
    problems = _texts(page, "//ul[@class='problems']/li")
    assert any("models/hien-dat-mo-duong-gia-hung.md:" in problem for problem in problems)
    assert built.read_bytes() == before


def test_downloads_stay_inside_the_output_folder(office: Office) -> None:
    editor = office.session("lan")
    assert _finished(office, _queue(editor, kind="review")).state == "done"
    root = output_root(office.content)
    (root / "draft" / "link.pdf").symlink_to(office.content / "book.yaml")
    (root / "secret.pdf").write_text("not a build")
    for address in (
        "/builds/files/../book/book.yaml",
        "/builds/files/draft/%2e%2e/%2e%2e/book/book.yaml",
        "/builds/files/draft/..%2f..%2fbook%2fbook.yaml",
        "/builds/files//etc/passwd",
        "/builds/files/%2fetc%2fpasswd",
        "/builds/files/draft/link.pdf",
        "/builds/files/secret.pdf",
        "/builds/files/draft/.dan-van-kheo-output",
        "/builds/files/draft",
        "/site/draft/../../book/book.yaml",
    ):
        assert editor.get(address).status_code == 404, address
    for address in ("../book/book.yaml", "draft/../secret.pdf", "/etc/passwd", "draft/link.pdf",
                    "draft\\..\\secret.pdf", "final/../draft/x", ""):  # fmt: skip
        assert served_file(root, address) is None, address
    assert served_file(root, f"draft/{SLUG}-du-thao.docx") is not None


def test_a_vietnamese_file_name_is_sent_as_rfc_5987_says() -> None:
    assert attachment("Bản dự thảo.docx") == (
        'attachment; filename="B_n d_ th_o.docx"; '
        "filename*=UTF-8''B%E1%BA%A3n%20d%E1%BB%B1%20th%E1%BA%A3o.docx"
    )


def test_the_outputs_stay_out_of_git_inside_the_books_repository(tmp_path: Path) -> None:
    """The shipped book: its repository is the project's, the outputs beside the book in it."""
    content = tmp_path / "content"
    content.mkdir()
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    repository = open_repository(content)
    outputs = output_root(content)
    keep_out_of_git(repository, outputs)
    (outputs / "draft").mkdir(parents=True)
    (outputs / "draft" / "book.pdf").write_bytes(b"%PDF")
    status = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert status == ""
