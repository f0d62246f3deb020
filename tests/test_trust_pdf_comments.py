"""Returned PDF review copies read right: the screen PDF carries the book's identity; a PDF
that lost the book's page names and labels is placed by its words, never by the file's
page numbers; encrypted files that open without a password are read; a field that makes
no sense spoils only its own annotation; a file with too many notes is refused before they
are read; a damaged file is named in the user's language, without pypdf's English."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
from conftest import FIXTURES, ROOT, SAMPLE, Run
from pypdf.annotations import Highlight, Text
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from test_comments import SCREEN_PDF, body_line, book_of, poppler_lines, quads, signed

from builder.book.model import Book
from builder.load.loader import load_book
from builder.load.reviews import UNPLACED, Comment, comments_for
from builder.outputs.pdf.output import PdfOutput
from builder.publish.write_outputs import write_outputs
from builder.render.editions import PAGE_MAP_NAME, book_id
from builder.review_round.comments import comments_pdf
from builder.review_round.comments.models_by_words import ModelsByWords
from builder.review_round.comments.returned_pdf import ANNOTATIONS_MAX, Encrypted
from builder.util.errors import DocumentRefused

Placed = list[tuple[str, Comment]]


def models_of(book: Book) -> dict[str, str]:
    """What the import gives `pdf_comments`: each model's file, front matter and Markdown."""
    return {entry.slug: entry.source.read_text(encoding="utf-8") for entry in book.entries}


def page_map(out: Path) -> dict[str, int]:
    return dict(json.loads((out / PAGE_MAP_NAME).read_text(encoding="utf-8")))


def note(rect: tuple[float, float, float, float], author: str, text: str) -> DictionaryObject:
    return signed(Text(rect=rect, text=""), author, "D:20260105093000Z", text)


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`builder ARGS` in a process of its own, as an editor runs it: what pypdf would log
    reaches its stderr (under pytest, the root logger has a handler and hides it)."""
    env = {**os.environ, "BUILDER_LANG": "vi"}
    return subprocess.run([sys.executable, "-m", "builder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, check=False)  # fmt: skip


# --- the book's identity (defect 9) --------------------------------------------------------


def test_the_screen_pdf_carries_the_books_title_and_id(sample_output: Path) -> None:
    config = load_book(SAMPLE).book.config  # type: ignore[union-attr]
    title, identity = comments_pdf.pdf_identity(sample_output / SCREEN_PDF)
    assert identity == book_id(config)
    assert title is not None and title.startswith(config.title)


def test_the_single_pass_screen_pdf_carries_it_too(tmp_path: Path) -> None:
    book = load_book(FIXTURES / "minimal").book
    assert book is not None
    write_outputs(book, [PdfOutput(in_units=False)], tmp_path)
    (screen,) = (p for p in tmp_path.glob("*.pdf") if not p.stem.endswith(("-print", "-cover")))
    assert comments_pdf.pdf_identity(screen) == (pypdf.PdfReader(screen).metadata.title,
                                                 book_id(book.config))  # fmt: skip


def test_the_identity_survives_the_delegates_notes_and_is_none_when_absent(
    sample_output: Path, tmp_path: Path
) -> None:
    writer = pypdf.PdfWriter(clone_from=sample_output / SCREEN_PDF)
    writer.add_annotation(20, note((50, 50, 70, 70), "An", "Ghi chú"))
    returned = tmp_path / "gop-y.pdf"
    writer.write(returned)
    assert comments_pdf.pdf_identity(returned)[1] == book_id(book_of(SAMPLE).config)
    blank = pypdf.PdfWriter()
    blank.add_blank_page(200, 200)
    blank.write(tmp_path / "trang.pdf")
    assert comments_pdf.pdf_identity(tmp_path / "trang.pdf") == (None, None)


# --- placing by words (defect 10) ----------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    """A returned screen PDF and where each of its annotations belongs (by its text)."""

    pdf: Path
    belongs: dict[str, str]  # annotation text → slug, or `_unplaced`
    quoted: str  # the words the highlight marks


def model_starts(pdf: Path) -> dict[str, int]:
    reader = pypdf.PdfReader(pdf)
    return {
        name.removeprefix("mo-hinh-"): reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
        if name.startswith("mo-hinh-") and "--" not in name
    }


@pytest.fixture
def marked(sample_output: Path, tmp_path: Path) -> Marked:
    """Notes and marks on three models' pages and on the colophon, from page 12 on."""
    screen = sample_output / SCREEN_PDF
    starts = sorted((page, slug) for slug, page in model_starts(screen).items())
    (a_page, a), (b_page, b) = starts[3], starts[7]
    writer = pypdf.PdfWriter(clone_from=screen)
    writer.add_annotation(a_page, note((50, 50, 70, 70), "An", "Thêm ảnh."))
    line = body_line(poppler_lines(screen, a_page + 1))
    points, rect = quads(line.boxes[:4])
    highlight = Highlight(rect=rect, quad_points=points)
    writer.add_annotation(a_page + 1, signed(highlight, "An", "D:20260105094500Z", "Nguồn?"))
    writer.add_annotation(b_page + 1, note((60, 300, 80, 320), "Bình", "Rõ hơn."))
    last = len(writer.pages) - 1
    writer.add_annotation(last, note((60, 300, 80, 320), "Dũng", "Bỏ trang này."))
    returned = tmp_path / "gop-y.pdf"
    writer.write(returned)
    belongs = {"Thêm ảnh.": a, "Nguồn?": a, "Rõ hơn.": b, "Bỏ trang này.": UNPLACED}
    return Marked(returned, belongs, " ".join(line.words[:4]))


def pages_saved_by_another_program(pdf: Path, first: int, target: Path, lost: str = "") -> Path:
    """Pages `first`… of `pdf` as pypdf saves them: their annotations kept, the page labels
    lost; then the named pages lost too (as a program that prints to PDF), or with `lost`,
    only that model's (as a program that keeps only some)."""
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(pdf).pages[first:]:
        writer.add_page(page)
    writer.write(target)
    with pikepdf.open(target, allow_overwriting_input=True) as saved:
        if lost:
            pairs = list(saved.Root.Names.Dests.Names)
            kept = [v for n, d in zip(pairs[::2], pairs[1::2], strict=True)
                    if not str(n).startswith(f"mo-hinh-{lost}") for v in (n, d)]  # fmt: skip
            saved.Root.Names.Dests = pikepdf.Dictionary(Names=pikepdf.Array(kept))
        else:
            del saved.Root.Names
        saved.save(target)
    reader = pypdf.PdfReader(target)
    assert "/PageLabels" not in reader.root_object
    assert bool(reader.named_destinations) == bool(lost)
    assert f"mo-hinh-{lost}" not in reader.named_destinations
    return target


def by_text(placed: Placed) -> dict[str, tuple[str, Comment]]:
    return {comment.text: (slug, comment) for slug, comment in placed}


@pytest.mark.parametrize("some_names", [False, True], ids=["no names", "some names"])
def test_a_pdf_without_page_labels_is_placed_by_its_words(
    marked: Marked, sample_output: Path, tmp_path: Path, some_names: bool
) -> None:
    lost = marked.belongs["Rõ hơn."] if some_names else ""
    subset = pages_saved_by_another_program(marked.pdf, 12, tmp_path / "trich.pdf", lost)
    placed = by_text(comments_pdf.pdf_comments(subset, page_map(sample_output),
                                               models_of(book_of(SAMPLE))))  # fmt: skip
    assert {text: slug for text, (slug, _c) in placed.items()} == marked.belongs
    assert placed["Nguồn?"][1].quoted == marked.quoted
    assert placed["Bỏ trang này."][1].where.startswith("trang ")


def test_with_the_models_the_screen_pdf_places_every_page_as_its_names_do(
    sample_output: Path, tmp_path: Path
) -> None:
    """The words never overrule right names: a note on every page of the screen PDF, its
    sections' names lost (as a program keeps them), so the words are asked."""
    writer = pypdf.PdfWriter(clone_from=sample_output / SCREEN_PDF)
    for number in range(len(writer.pages)):
        writer.add_annotation(number, note((50, 50, 70, 70), "An", f"trang {number}"))
    returned = tmp_path / "moi-trang.pdf"
    writer.write(returned)
    with pikepdf.open(returned, allow_overwriting_input=True) as saved:
        pairs = list(saved.Root.Names.Dests.Names)
        kept = [v for n, d in zip(pairs[::2], pairs[1::2], strict=True)
                if "--" not in str(n) for v in (n, d)]  # fmt: skip
        saved.Root.Names.Dests = pikepdf.Dictionary(Names=pikepdf.Array(kept))
        saved.save(returned)
    by_names = comments_pdf.pdf_comments(returned, page_map(sample_output))
    with_words = comments_pdf.pdf_comments(returned, page_map(sample_output),
                                           models_of(book_of(SAMPLE)))  # fmt: skip
    assert [slug for slug, _c in with_words] == [slug for slug, _c in by_names]
    assert len({slug for slug, _c in by_names}) == len(book_of(SAMPLE).entries) + 1


def test_without_the_models_such_a_pdf_goes_unplaced_never_to_a_wrong_model(
    run: Run, marked: Marked, sample_output: Path, book_copy: Callable[[str], Path],
    tmp_path: Path,
) -> None:  # fmt: skip
    """The command (before the import hands the models over, and after): each comment is in
    its own model or unplaced with its page named, never in another model."""
    content = book_copy("sample")
    subset = pages_saved_by_another_program(marked.pdf, 12, tmp_path / "trich.pdf")
    result = run("comments", "--content", content, "--out", sample_output, subset)
    assert result.exit_code == 0, result.output
    stored = {
        comment.text: (slug, comment)
        for slug in [*(entry.slug for entry in book_of(content).entries), UNPLACED]
        for comment in comments_for(content, slug)
    }
    assert set(stored) == set(marked.belongs)
    for text, (slug, comment) in stored.items():
        assert slug in (marked.belongs[text], UNPLACED), (text, slug)
        if slug == UNPLACED:
            assert comment.where.startswith("trang ") and "của tệp" in comment.where


def test_the_pdf_a_word_processor_prints_from_the_review_copy_is_placed_by_its_words(
    tmp_path: Path,
) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    from test_review_copy import build_review

    copy = build_review(SAMPLE, tmp_path / "output")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(copy)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    printed = tmp_path / copy.with_suffix(".pdf").name
    book = book_of(SAMPLE)
    entry = book.entries[2]
    reader = pypdf.PdfReader(printed)
    assert not reader.named_destinations and "/PageLabels" not in reader.root_object
    page = next(i for i, p in enumerate(reader.pages) if entry.title in p.extract_text())
    writer = pypdf.PdfWriter(clone_from=printed)
    line = body_line(poppler_lines(printed, page + 1))
    points, rect = quads(line.boxes[:4])
    writer.add_annotation(page + 1, signed(Highlight(rect=rect, quad_points=points), "An",
                                           "D:20260105094500Z", "Nguồn?"))  # fmt: skip
    writer.add_annotation(0, note((50, 50, 70, 70), "An", "Bìa đẹp."))
    returned = tmp_path / "in-tu-word.pdf"
    writer.write(returned)
    placed = by_text(comments_pdf.pdf_comments(returned, {}, models_of(book)))
    assert placed["Nguồn?"][0] == entry.slug
    assert placed["Bìa đẹp."][0] == UNPLACED and placed["Bìa đẹp."][1].where.startswith("trang 1")


MODEL_A = """---
title: "Hiến đất mở đường"
---

Nhân dân thôn Đông hiến đất mở rộng đường liên xã, mỗi hộ lùi tường rào hai mét.
Chi bộ họp bàn, cán bộ đi trước làm gương, làng nước theo sau.
"""
MODEL_B = """---
title: "Câu lạc bộ chèo"
---

Câu lạc bộ chèo phường Ninh Phong tập mỗi tối thứ năm tại nhà văn hóa.
Các tiết mục tuyên truyền về nếp sống văn minh, giữ gìn vệ sinh môi trường.
"""


def test_words_are_matched_in_nfc_casefolded_across_line_breaks() -> None:
    decomposed = {"a": unicodedata.normalize("NFD", MODEL_A), "b": MODEL_B}
    page = ("NHÂN DÂN thôn Đông hiến đất mở rộng đường\nliên xã, mỗi hộ lùi tường rào hai "
            "mét. Chi bộ họp bàn, cán bộ đi trư\u00adớc làm gương")  # fmt: skip
    assert ModelsByWords(decomposed, [page]).model_of(page) == "a"


def test_a_page_of_two_models_is_placed_by_the_marked_words_or_not_at_all() -> None:
    page = "mỗi hộ lùi tường rào hai mét. Câu lạc bộ chèo phường Ninh Phong tập mỗi tối thứ năm"
    quoted = "phường Ninh Phong tập mỗi tối"
    words = ModelsByWords({"a": MODEL_A, "b": MODEL_B}, [page, quoted])
    assert words.model_of(page, quoted) == "b"
    assert words.model_of(page) is None  # a note without marked words: not a guess
    assert words.model_of("Mục lục Hiến đất mở đường 17 Câu lạc bộ chèo 31") is None


# --- encrypted files (defect 13) -----------------------------------------------------------


def noted_pdf(path: Path, password: str | None = None, algorithm: str = "AES-256") -> Path:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(400, 400)
    writer.add_annotation(0, note((50, 50, 70, 70), "An", "Đề nghị thêm ảnh."))
    if password is not None:
        writer.encrypt(user_password=password, owner_password="chu-so-huu", algorithm=algorithm)
    writer.write(path)
    return path


ALGORITHMS = ["RC4-40", "RC4-128", "AES-128", "AES-256-R5", "AES-256"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_pdf_locked_only_against_changes_is_read(tmp_path: Path, algorithm: str) -> None:
    locked = noted_pdf(tmp_path / "khoa-sua.pdf", "", algorithm)
    assert pypdf.PdfReader(locked).is_encrypted
    ((slug, comment),) = comments_pdf.pdf_comments(locked, {})
    assert (slug, comment.text, comment.author) == (UNPLACED, "Đề nghị thêm ảnh.", "An")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_pdf_that_needs_a_password_says_so(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, algorithm: str
) -> None:
    locked = noted_pdf(tmp_path / "khoa.pdf", "mat-khau", algorithm)
    with pytest.raises(Encrypted):
        comments_pdf.pdf_comments(locked, {})
    result = run("comments", "--content", book_copy("minimal"), locked)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{locked}: error: it is protected by a password; save it without one and import again\n"
    )


# --- a field that makes no sense (defect 14) -----------------------------------------------


def test_a_bad_field_spoils_only_its_own_annotation(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(400, 400)

    def add(text: str, **fields: object) -> DictionaryObject:
        annotation = note((50, 50, 70, 70), "An", text)
        for key, value in fields.items():
            annotation[NameObject(f"/{key}")] = value  # type: ignore[assignment]
        return writer.add_annotation(0, annotation)

    add("ngày không có", M=TextStringObject("D:20251345101500+07'00'"))
    add("giờ không có", M=TextStringObject("D:20251231256000Z"))
    add("ngày là số", M=NumberObject(20251231))
    parent = add("có trả lời")
    add("trả lời", IRT=parent.indirect_reference)
    add("trả lời cái không có", IRT=IndirectObject(99_999, 0, writer))
    add("tên là từ điển", T=DictionaryObject())
    add("không có Rect")
    del writer.pages[0]["/Annots"][-1].get_object()[NameObject("/Rect")]
    add("đánh dấu hỏng", Subtype=NameObject("/Highlight"),
        QuadPoints=ArrayObject([FloatObject(1), FloatObject(2), NameObject("/X"),
                                FloatObject(4), FloatObject(5)]))  # fmt: skip
    add("đánh dấu lẻ", Subtype=NameObject("/Highlight"),
        QuadPoints=ArrayObject(FloatObject(v) for v in range(11)))  # fmt: skip
    first = add("vòng một")
    second = add("vòng hai", IRT=first.indirect_reference)
    first[NameObject("/IRT")] = second.indirect_reference
    add("x" * 50_000)
    add("số", Contents=NumberObject(42))
    returned = tmp_path / "hong-mot-cho.pdf"
    writer.write(returned)

    placed = [comment for _slug, comment in comments_pdf.pdf_comments(returned, {})]
    texts = {comment.text: comment for comment in placed}
    assert texts["ngày không có"].date == ""
    assert texts["giờ không có"].date == "2025-12-31"
    assert texts["ngày là số"].date == ""
    assert [reply.text for reply in texts["có trả lời"].replies] == ["trả lời"]
    assert "trả lời" not in texts  # kept with what it answers
    assert "trả lời cái không có" in texts  # its own comment, not lost
    assert texts["tên là từ điển"].author == ""
    assert {"không có Rect", "đánh dấu hỏng", "đánh dấu lẻ", "vòng một", "vòng hai"} <= set(texts)
    assert texts["đánh dấu hỏng"].quoted == ""
    assert len(next(c for c in placed if c.text.startswith("xxx")).text) == comments_pdf.TEXT_MAX
    assert "" in texts  # the note whose text is a number: kept, its text empty
    assert len(placed) == 13


# --- too many notes (defect 7) -------------------------------------------------------------


def many_notes(path: Path, count: int) -> Path:
    """A one-page PDF with `count` notes, as a program that turns every word into one
    would write it."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    notes = pikepdf.Array()
    for number in range(count):
        notes.append(pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[10, 10, 20, 20],
            Contents=pikepdf.String(f"ghi chú {number}"), T=pikepdf.String("An"),
        )))  # fmt: skip
    pdf.pages[0].obj.Annots = pdf.make_indirect(notes)
    pdf.save(path)
    return path


MEASURE = """
import re, sys, time
from pathlib import Path
from builder.review_round.comments.comments_pdf import pdf_comments
from builder.util.errors import DocumentRefused
started = time.monotonic()
try:
    pdf_comments(Path(sys.argv[1]), {})
    print("read")
except DocumentRefused as refused:
    print(refused)
print(time.monotonic() - started)
status = Path("/proc/self/status").read_text()  # VmHWM: this process's peak, since exec
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024)
"""


def test_a_pdf_with_100_000_notes_is_refused_in_a_second_before_they_are_read(
    tmp_path: Path,
) -> None:
    pdf = many_notes(tmp_path / "tram-nghin.pdf", 100_000)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(pdf)], cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    message, seconds, megabytes = done.stdout.strip().split("\n")
    assert message == (
        "it holds 100 000 annotations, more than 5 000 of them notes and marks, the most one "
        "PDF may bring; ask for the notes in several files"
    )
    print(f"refused in {float(seconds):.2f} s, {megabytes} MB at most")
    assert float(seconds) < 2 and int(megabytes) < 150


def test_a_pdf_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    pdf = many_notes(tmp_path / "du.pdf", ANNOTATIONS_MAX)
    started = time.monotonic()
    placed = comments_pdf.pdf_comments(pdf, {})
    print(f"{ANNOTATIONS_MAX} notes read in {time.monotonic() - started:.2f} s")
    assert len(placed) == ANNOTATIONS_MAX
    with pytest.raises(DocumentRefused, match="5 001 annotations"):
        comments_pdf.pdf_comments(many_notes(tmp_path / "qua.pdf", ANNOTATIONS_MAX + 1), {})


# --- damaged files (defect 21) -------------------------------------------------------------


def test_a_truncated_pdf_is_refused_in_vietnamese_without_pypdfs_english(
    marked: Marked, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    data = marked.pdf.read_bytes()
    cut = tmp_path / "tai-do-dang.pdf"
    cut.write_bytes(data[: len(data) // 2])
    result = cli("comments", "--content", book_copy("minimal"), cut)
    assert result.returncode == 1
    assert result.stderr == (
        f"{cut}: lỗi: không đọc được tệp (tệp PDF bị hỏng: tệp kết thúc quá sớm, có lẽ chưa "
        "tải về hoặc chép hết; hãy xin lại tệp)\n"
    )


def test_a_pdf_pypdf_repairs_is_read_without_its_warnings(
    marked: Marked, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    data = marked.pdf.read_bytes()
    start = data.rindex(b"startxref")
    repaired = tmp_path / "sai-muc-luc.pdf"
    repaired.write_bytes(data[:start] + b"startxref\n12345\n%%EOF\n")
    content = book_copy("sample")
    result = cli("comments", "--content", content, repaired)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "đã thêm 4 góp ý" in result.stdout


def _with_info(source: Path, target: Path, **info: str | None) -> Path:
    with pikepdf.open(source) as pdf:
        for key, value in info.items():
            if value is None:
                del pdf.docinfo[f"/{key}"]
            else:
                pdf.docinfo[f"/{key}"] = value
        pdf.save(target)
    return target


def test_the_command_refuses_a_pdf_of_another_book_unless_forced(
    run: Run, sample_output: Path, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    content = book_copy("sample")
    other = _with_info(sample_output / SCREEN_PDF, tmp_path / "sach-khac.pdf",
                       Title="Một cuốn sách khác", BookId="dvk-0000000000000000")  # fmt: skip
    refused = run("comments", "--content", content, "--out", sample_output, other)
    assert refused.exit_code == 1
    assert "another book" in refused.output and "Một cuốn sách khác" in refused.output
    assert not (content / "reviews").exists() or not any((content / "reviews").iterdir())
    forced = run("comments", "--content", content, "--out", sample_output, "--force", other)
    assert forced.exit_code == 0, forced.output
    assert "--force" in forced.output


def test_a_pdf_printed_again_keeps_no_id_and_is_imported_with_a_warning(
    run: Run, sample_output: Path, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """Another program's /Title (“Microsoft Word - …”) alone does not make it another book."""
    content = book_copy("sample")
    again = _with_info(sample_output / SCREEN_PDF, tmp_path / "in-lai.pdf",
                       Title="Microsoft Word - du-thao.docx", BookId=None)  # fmt: skip
    result = run("comments", "--content", content, "--out", sample_output, again)
    assert result.exit_code == 0, result.output
    assert "does not say which book" in result.output


def test_the_books_own_pdf_is_imported_without_a_word_of_identity(
    run: Run, sample_output: Path, book_copy: Callable[[str], Path]
) -> None:
    content = book_copy("sample")
    result = run("comments", "--content", content, "--out", sample_output,
                 sample_output / SCREEN_PDF)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "book" not in result.output.split("comments,")[0]
