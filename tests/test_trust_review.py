"""`builder comments` trusted with what delegates send back: the names a returned copy gives
never write outside `content/reviews/`, runs at once keep every comment, a copy of another
book is refused, renamed models keep their comments, and the review files it reads never end
in a traceback."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from conftest import ROOT, Run
from docx.oxml.ns import qn
from lxml import etree

from builder.load import reviews
from builder.load.config import load_config
from builder.load.reviews import UNPLACED, comments_for, open_comments, review_path
from builder.render.editions import book_id
from builder.review_round.comments.comments_word import word_comments
from builder.util.problems import Problems

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MODEL = "an-ninh"  # a model of tests/fixtures/minimal, with one paragraph of text
MODEL_TEXT = "Tổ tự quản giữ gìn an ninh trật tự."
SECOND = "dan-quan"
SECOND_TEXT = "Anh Thử cùng tổ dân quân sửa 12 ngôi nhà cho hộ nghèo."
BUILDER = [sys.executable, "-m", "builder", "--lang", "en"]


# --- fixtures: a small book, its review copy, and copies “returned” with comments ---------


def build_review(content: Path, out: Path, run: Run) -> Path:
    result = run("build", "--content", content, "--out", out, "review")
    assert result.exit_code == 0, result.output
    (copy,) = out.glob("*-du-thao.docx")
    return copy


@pytest.fixture
def book(book_copy: Callable[[str], Path]) -> Path:
    return book_copy("minimal")


@pytest.fixture
def review_copy(book: Path, tmp_path: Path, run: Run) -> Path:
    return build_review(book, tmp_path / "output", run)


def paragraph_of(document: docx.document.Document, text: str) -> docx.text.paragraph.Paragraph:
    return next(p for p in document.paragraphs if p.text == text)


def commented(
    copy: Path,
    target: Path,
    comments: list[tuple[str, str]],
    author: str = "Nguyễn Văn An",
    date: str = "2026-01-05T09:30:00Z",
) -> Path:
    """`copy` saved as `target` with comments: (the text of a paragraph it marks, its text)."""
    document = docx.Document(str(copy))
    for paragraph_text, text in comments:
        paragraph = paragraph_of(document, paragraph_text)
        comment = document.add_comment(paragraph.runs, text=text, author=author, initials="NA")
        comment._comment_elm.set(qn("w:date"), date)
    document.save(str(target))
    return target


def rewritten(
    path: Path, target: Path, changes: dict[str, Callable[[bytes], bytes | None]]
) -> Path:
    """`path` copied to `target` with some of its zip entries changed (None: left out)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            change = changes.get(item.filename)
            data = change(data) if change else data
            if data is not None:
                copy.writestr(item, data)
    return target


def with_slug(copy: Path, target: Path, slug: str, model: str = MODEL) -> Path:
    """The copy as a hostile sender makes it: `model`'s bookmark said to stand for `slug`."""
    old = f"<vt:lpwstr>{model}</vt:lpwstr>".encode()
    new = f"<vt:lpwstr>{slug}</vt:lpwstr>".encode()
    return rewritten(copy, target, {"docProps/custom.xml": lambda data: data.replace(old, new)})


def tree_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".builder.lock"
    }


# --- 1. names from outside ------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["../book", "../../outside/evil", "/tmp/builder-evil", "a/b/c"])
def test_a_name_from_the_copy_that_is_no_model_cannot_write_outside_reviews(
    run: Run, book: Path, review_copy: Path, tmp_path: Path, slug: str
) -> None:
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    hostile = with_slug(returned, tmp_path / "hostile.docx", slug)
    before = tree_of(book)
    evil = Path("/tmp/builder-evil.yaml")
    evil.unlink(missing_ok=True)
    result = run("comments", "--content", book, hostile)
    assert result.exit_code == 0, result.output
    after = tree_of(book)
    assert {name: data for name, data in after.items() if not name.startswith("reviews/")} == before
    assert sorted(path.name for path in (book / "reviews").iterdir()) == ["_unplaced.yaml"]
    assert not evil.exists() and not (tmp_path / "outside").exists()
    (comment,) = comments_for(book, UNPLACED)
    assert comment.text == "Góp ý." and comment.quoted == MODEL_TEXT
    assert comment.reason == f"the copy names “{slug}”, which is not a model's name"
    assert "1 comments name a model this book does not have" in result.stdout
    assert "1 not placed in a model" in result.stdout


def test_review_path_takes_slugs_only(book: Path) -> None:
    for slug in ("../book", "/etc/passwd", "a/b", "", "Ten-Hoa", "x" * 200):
        with pytest.raises(reviews.BadSlug):
            review_path(book, slug)
    assert review_path(book, MODEL) == book / "reviews" / f"{MODEL}.yaml"
    assert review_path(book, UNPLACED) == book / "reviews" / "_unplaced.yaml"


def test_a_review_file_that_is_a_link_out_of_reviews_is_refused(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("comments: []\n", encoding="utf-8")
    (book / "reviews").mkdir()
    (book / "reviews" / f"{MODEL}.yaml").symlink_to(elsewhere)
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    result = run("comments", "--content", book, returned)
    assert result.exit_code == 1
    assert "is a link leading out of" in result.stderr and "Traceback" not in result.output
    assert elsewhere.read_text(encoding="utf-8") == "comments: []\n"


def test_a_file_in_reviews_that_is_not_a_review_file_is_left_untouched(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    (book / "reviews").mkdir()
    notes = book / "reviews" / f"{MODEL}.yaml"
    notes.write_text("ghi_chu: bản nháp của biên tập viên\n", encoding="utf-8")
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    result = run("comments", "--content", book, returned)
    assert result.exit_code == 1
    assert (
        f"reviews/{MODEL}.yaml:1:1: error: a review file holds `comments:` and a list of comments"
        in result.stderr
    )
    assert notes.read_text(encoding="utf-8") == "ghi_chu: bản nháp của biên tập viên\n"


def test_no_folder_but_reviews_itself_is_made(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    gone = tmp_path / "khong-co"
    result = run("comments", "--content", gone, returned)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not gone.exists()


# --- 2. runs at once ------------------------------------------------------------------------


# Each worker is a real `builder comments` run in a process of its own; it pays Python's start
# (about a second on a busy machine) once, then imports its file at each trial's signal, so
# the sixteen imports of a trial start together.
WORKER = """
import sys, time
from pathlib import Path
from builder.cli import main
content, returned, signals, trials = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
for trial in range(trials):
    while not (signals / f"go-{trial}").exists():
        time.sleep(0.002)
    try:
        main(["--lang", "en", "comments", "--content", content, returned])
    except SystemExit as stop:
        code = stop.code
    (signals / f"done-{trial}-{Path(returned).stem}-{code}").touch()
"""


def test_sixteen_imports_at_once_keep_sixteen_comments(
    book: Path, review_copy: Path, tmp_path: Path
) -> None:
    copies = [
        commented(review_copy, tmp_path / f"gop-y-{n}.docx", [(MODEL_TEXT, f"Góp ý số {n}.")])
        for n in range(16)
    ]
    signals = tmp_path / "signals"
    signals.mkdir()
    trials = 5
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(book), str(copy), str(signals), str(trials)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for copy in copies
    ]
    try:
        for trial in range(trials):
            shutil.rmtree(book / "reviews", ignore_errors=True)
            (signals / f"go-{trial}").touch()
            deadline = time.monotonic() + 120
            while len(list(signals.glob(f"done-{trial}-*"))) < len(copies):
                assert time.monotonic() < deadline, "the imports did not finish in 2 minutes"
                time.sleep(0.01)
            codes = {path.name.rsplit("-", 1)[1] for path in signals.glob(f"done-{trial}-*")}
            assert codes == {"0"}
            kept = {comment.text for comment in comments_for(book, MODEL)}
            assert kept == {f"Góp ý số {n}." for n in range(16)}, f"trial {trial}: {len(kept)}/16"
            leftovers = [p.name for p in (book / "reviews").iterdir() if p.name.startswith(".")]
            assert leftovers == []
    finally:
        for worker in workers:
            worker.kill() if worker.poll() is None else None
            worker.wait(timeout=10)


# --- 4. a read-only book --------------------------------------------------------------------


def test_a_read_only_book_gets_a_plain_message_and_nothing_half_written(
    book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    (book / "reviews").mkdir()
    before = tree_of(book)
    for folder in (book, book / "reviews"):
        folder.chmod(0o555)
    try:
        result = subprocess.run(
            ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search",
             *BUILDER, "comments", "--content", str(book), str(returned)],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        for folder in (book, book / "reviews"):
            folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(
        r"error: cannot write .*reviews/an-ninh\.yaml: permission denied", result.stderr
    )
    assert tree_of(book) == before


# --- 8. renamed models ----------------------------------------------------------------------


def test_a_renamed_model_keeps_its_comments_in_sight_and_move_brings_them_over(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    first = commented(review_copy, tmp_path / "gop-y-1.docx", [(MODEL_TEXT, "Góp ý đầu.")])
    assert run("comments", "--content", book, first).exit_code == 0
    (book / "models" / f"{MODEL}.md").rename(book / "models" / "an-ninh-thon-xom.md")
    second = commented(
        review_copy, tmp_path / "gop-y-2.docx", [(MODEL_TEXT, "Góp ý sau.")], author="Lê Hoa"
    )
    result = run("comments", "--content", book, second)
    assert result.exit_code == 0, result.output
    (stray,) = comments_for(book, UNPLACED)
    assert stray.text == "Góp ý sau."
    assert stray.reason == f"model “{MODEL}” no longer exists (renamed or removed?)"
    assert "1 comments name a model this book does not have" in result.stdout
    assert [c.text for c in comments_for(book, MODEL)] == ["Góp ý đầu."]  # not added to

    check = run("check", "--content", book)
    assert check.exit_code == 0
    assert (
        f"reviews/{MODEL}.yaml:1:1: warning: this review file is of “{MODEL}”, which is no "
        "model of the book" in check.stderr
    )
    status = run("status", "--content", book)
    assert f"reviews/{MODEL}.yaml: 1 open comments on “{MODEL}”, which is no model" in status.stdout

    moved = run("comments", "--content", book, "--move", MODEL, "an-ninh-thon-xom")
    assert moved.exit_code == 0, moved.output
    assert "moved 1 comments" in moved.stdout
    assert not review_path(book, MODEL).exists()
    assert [c.text for c in comments_for(book, "an-ninh-thon-xom")] == ["Góp ý đầu."]
    assert open_comments(book) == {"an-ninh-thon-xom": 1, UNPLACED: 1}
    assert "no model of the book" not in run("check", "--content", book).stderr
    again = run("comments", "--content", book, "--move", MODEL, "an-ninh-thon-xom")
    assert again.exit_code == 1 and "does not exist" in again.stderr
    wrong = run("comments", "--content", book, "--move", "an-ninh-thon-xom", "../book")
    assert wrong.exit_code == 1 and "is not a model's name" in wrong.stderr


def test_move_merges_into_the_new_models_file(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(
        review_copy, tmp_path / "gop-y.docx",
        [(MODEL_TEXT, "Cho mô hình cũ."), (SECOND_TEXT, "Cho mô hình mới.")],
    )  # fmt: skip
    text = (book / "models" / f"{SECOND}.md").read_text(encoding="utf-8")
    assert SECOND_TEXT in text
    assert run("comments", "--content", book, returned).exit_code == 0
    assert run("comments", "--content", book, "--move", MODEL, SECOND).exit_code == 0
    assert sorted(c.text for c in comments_for(book, SECOND)) == [
        "Cho mô hình cũ.",
        "Cho mô hình mới.",
    ]


# --- 9. a copy of another book --------------------------------------------------------------


def our_identity(book: Path) -> tuple[str, str]:
    config = load_config(book, Problems())
    assert config is not None
    return config.title, book_id(config)


def test_the_review_copy_carries_the_books_identity(book: Path, review_copy: Path) -> None:
    from builder.outputs.review.docx_parts import read_identity

    with zipfile.ZipFile(review_copy) as archive:
        assert read_identity(archive) == our_identity(book)


def test_a_copy_of_another_book_is_refused_unless_forced(
    run: Run, book: Path, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(book, other)
    config = other / "book.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('title: "Sách thử"', 'title: "Sách khác"'),
        encoding="utf-8",
    )
    copy = build_review(other, tmp_path / "other-output", run)
    returned = commented(copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    result = run("comments", "--content", book, returned)
    assert result.exit_code == 1
    assert (
        f"{returned}: error: this review copy is of another book: «Sách khác»; use --force to "
        "import it anyway" in result.stderr
    )
    assert not (book / "reviews").exists()
    forced = run("comments", "--content", book, "--force", returned)
    assert forced.exit_code == 0, forced.output
    assert "warning: this review copy is of another book: «Sách khác»" in forced.stderr
    assert [c.text for c in comments_for(book, MODEL)] == ["Góp ý."]


def test_a_copy_that_does_not_say_its_book_is_imported_with_a_warning(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])

    def without_identity(data: bytes) -> bytes:
        root = etree.fromstring(data)
        for item in list(root):
            if item.get("name", "").startswith("builder-book-"):
                root.remove(item)
        return etree.tostring(root)

    old = rewritten(returned, tmp_path / "ban-cu.docx", {"docProps/custom.xml": without_identity})
    result = run("comments", "--content", book, old)
    assert result.exit_code == 0, result.output
    assert (
        f"{old}: warning: this review copy does not say which book it was built from"
        in result.stderr
    )
    assert [c.text for c in comments_for(book, MODEL)] == ["Góp ý."]


# --- 11. two equal comments at two places ---------------------------------------------------

LIST_ITEMS = ("Họp dân công khai.", "Cán bộ đi trước.")  # of duong-lang


def test_two_equal_comments_at_two_places_stay_two_and_a_second_import_adds_nothing(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(
        review_copy, tmp_path / "gop-y.docx", [(item, "Cần rõ hơn.") for item in LIST_ITEMS]
    )
    first = run("comments", "--content", book, returned)
    assert first.exit_code == 0, first.output
    assert "added 2 comments for 1 models" in first.stdout
    assert sorted(c.quoted for c in comments_for(book, "duong-lang")) == sorted(LIST_ITEMS)
    stored = review_path(book, "duong-lang").read_bytes()
    again = run("comments", "--content", book, returned)
    assert "added 0 comments for 0 models, 2 already there" in again.stdout
    assert review_path(book, "duong-lang").read_bytes() == stored


def test_a_copy_imported_before_ids_held_the_place_is_not_imported_twice(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(
        review_copy, tmp_path / "gop-y.docx", [(item, "Cần rõ hơn.") for item in LIST_ITEMS]
    )
    found = [comment for slug, comment in word_comments(returned) if slug == "duong-lang"]
    legacy = replace(found[0], id=found[0].aliases[0], aliases=())  # as an older builder kept it
    reviews.add_comments(book, "duong-lang", [legacy])
    result = run("comments", "--content", book, returned)
    assert "added 1 comments for 1 models, 1 already there" in result.stdout
    assert len(comments_for(book, "duong-lang")) == 2


# --- 12. comments in footnotes --------------------------------------------------------------

NOTE_TEXT = "Theo báo cáo của xã."  # duong-lang's footnote


def comment_in_footnote(copy: Path, target: Path, scratch: Path) -> Path:
    """A comment on the text of a footnote, as Word writes it: its range and its reference
    in word/footnotes.xml."""
    document = docx.Document(str(copy))
    paragraph = paragraph_of(document, MODEL_TEXT)
    comment = document.add_comment(paragraph.runs, text="Báo cáo năm nào?", author="Lê Hoa")
    comment._comment_elm.set(qn("w:date"), "2026-01-09T08:00:00Z")
    document.save(str(scratch))
    with zipfile.ZipFile(scratch) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
    start = next(body.iter(f"{{{W}}}commentRangeStart"))
    end = next(body.iter(f"{{{W}}}commentRangeEnd"))
    reference = next(body.iter(f"{{{W}}}commentReference")).getparent()
    for element in (start, end, reference):
        element.getparent().remove(element)
    text = next(t for t in notes.iter(f"{{{W}}}t") if t.text == NOTE_TEXT)
    run = text.getparent()
    run.addprevious(start)
    run.addnext(end)
    end.addnext(reference)
    return rewritten(scratch, target, {
        "word/document.xml": lambda _data: etree.tostring(body),
        "word/footnotes.xml": lambda _data: etree.tostring(notes),
    })  # fmt: skip


def test_a_comment_in_a_footnote_goes_to_the_model_that_calls_the_note(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = comment_in_footnote(review_copy, tmp_path / "gop-y.docx", tmp_path / "tmp.docx")
    result = run("comments", "--content", book, returned)
    assert result.exit_code == 0, result.output
    assert "0 not placed in a model" in result.stdout
    (comment,) = comments_for(book, "duong-lang")
    assert (comment.text, comment.quoted) == ("Báo cáo năm nào?", NOTE_TEXT)
    assert comment.where.startswith("mô hình “Đường làng sạch đẹp”")
    assert comment.where.endswith("chú thích 1")


# --- 16. dates a review file cannot hold ----------------------------------------------------


def test_an_impossible_date_in_a_review_file_is_named_at_its_place_everywhere(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    from builder.serve.serve import Preview

    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    assert run("comments", "--content", book, returned).exit_code == 0
    path = review_path(book, MODEL)
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("  date:"))
    lines[number] = "  date: 2025-02-30"
    path.write_text("\n".join(lines), encoding="utf-8")
    place = f"reviews/{MODEL}.yaml:{number + 1}:9: error: 2025-02-30 is not a date"
    status = run("status", "--content", book)
    assert status.exit_code == 1 and place in status.stderr
    resolve = run("comments", "--content", book, "--resolve", "abc")
    assert resolve.exit_code == 1 and place in resolve.stderr
    again = run("comments", "--content", book, returned)
    assert again.exit_code == 1 and place in again.stderr
    for result in (status, resolve, again):
        assert "Traceback" not in result.output
        assert not re.search(r"^error: .*: error: ", result.stderr, re.M)  # said once
    preview = Preview(book, tmp_path / "serve")
    assert "2025-02-30 is not a date" in preview.comments_panel(MODEL)
    assert "2025-02-30 is not a date" in preview.status_page()


# --- 21. what is not a .docx ----------------------------------------------------------------


def test_odt_and_doc_copies_are_told_to_be_saved_as_docx_and_a_cut_docx_is_damaged(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    odt = tmp_path / "gop-y.odt"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    doc = tmp_path / "gop-y.doc"
    doc.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024)
    cut = tmp_path / "gop-y-dang-do.docx"
    data = review_copy.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = run("comments", "--content", book, odt, doc, cut)
    assert result.exit_code == 1
    assert result.stderr.strip().split("\n") == [
        f"{odt}: error: it is a .odt document: open it in Word or LibreOffice, save it as a Word "
        "document (.docx), and import that",
        f"{doc}: error: it is a .doc document: open it in Word or LibreOffice, save it as a Word "
        "document (.docx), and import that",
        f"{cut}: error: the Word file is damaged (cut short?); ask for it again",
    ]


# --- 7. caps --------------------------------------------------------------------------------


def test_past_the_cap_a_models_extra_comments_are_refused_by_name(
    run: Run, book: Path, review_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reviews, "MAX_PER_MODEL", 2)
    returned = commented(
        review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, f"Góp ý {n}.") for n in range(3)]
    )
    result = run("comments", "--content", book, returned)
    assert result.exit_code == 1
    assert (
        f"{returned}: error: {Path(book, 'reviews', MODEL + '.yaml')} already holds 2 comments, "
        "the most kept per model: 1 new ones were not imported" in result.stderr
    )
    assert len(comments_for(book, MODEL)) == 2


def test_the_preview_reads_a_review_file_again_only_after_it_changed(
    run: Run, book: Path, review_copy: Path, tmp_path: Path
) -> None:
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    assert run("comments", "--content", book, returned).exit_code == 0
    memo = reviews.ReviewMemo()
    first = comments_for(book, MODEL, memo)
    assert comments_for(book, MODEL, memo) is first
    path = review_path(book, MODEL)
    path.write_text(path.read_text(encoding="utf-8").replace("Góp ý.", "Góp ý khác."))
    (changed,) = comments_for(book, MODEL, memo)
    assert changed.text == "Góp ý khác."


# --- 15. approved models with open comments -------------------------------------------------


@pytest.fixture
def approved_with_comment(run: Run, book: Path, review_copy: Path, tmp_path: Path) -> Path:
    model = book / "models" / f"{MODEL}.md"
    model.write_text(
        model.read_text(encoding="utf-8").replace("year: 2021\n", "year: 2021\nstatus: da-duyet\n"),
        encoding="utf-8",
    )
    returned = commented(review_copy, tmp_path / "gop-y.docx", [(MODEL_TEXT, "Góp ý.")])
    assert run("comments", "--content", book, returned).exit_code == 0
    return book


def test_status_and_build_final_name_an_approved_model_with_open_comments(
    run: Run, approved_with_comment: Path, tmp_path: Path
) -> None:
    book = approved_with_comment
    line = (
        f"{book / 'models' / (MODEL + '.md')}: approved, but 1 comments on it are still open "
        f"({book / 'reviews' / (MODEL + '.yaml')})"
    )
    status = run("status", "--content", book)
    assert line in status.stdout.split("\n")
    out = tmp_path / "final"
    built = run("build", "--final", "--allow-short", "--content", book, "--out", out, "site")
    assert built.exit_code == 0, built.output
    assert f"warning: {line}" in built.stderr
    strict = run("build", "--final", "--strict", "--allow-short", "--content", book, "--out",
                 tmp_path / "strict", "site")  # fmt: skip
    assert strict.exit_code == 1
    assert f"error: {line}" in strict.stderr
    assert not (tmp_path / "strict").exists()


def test_publish_warns_of_an_approved_model_with_open_comments(
    run: Run, approved_with_comment: Path, tmp_path: Path
) -> None:
    result = run("publish", "--allow-short", "--content", approved_with_comment, "--out",
                 tmp_path / "out", "--to", tmp_path / "web")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "approved, but 1 comments" in result.stderr
