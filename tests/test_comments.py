"""`builder comments`: returned review copies (Word and PDF) read back into content/reviews/."""

from __future__ import annotations

import datetime
import itertools
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import Run
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from lxml import etree
from pypdf.annotations import FreeText, Highlight, Text
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject
from test_review_copy import REVIEW, build_review

from builder.book.model import Book, Entry
from builder.load.loader import load_book
from builder.load.reviews import UNPLACED, Reply, comments_for, open_comments, review_path
from builder.render.editions import PAGE_MAP_NAME
from builder.review_round.comments.comments_word import QUOTED_MAX

W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
SCREEN_PDF = "dan-van-kheo-ninh-binh-2021-2025.pdf"


def book_of(content: Path) -> Book:
    book = load_book(content).book
    assert book is not None
    return book


def review_files(content: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((content / "reviews").glob("*.yaml"))}


# --- Word ----------------------------------------------------------------------------------


def body_paragraph(document: docx.document.Document, entry: Entry, skip: int = 0) -> Paragraph:
    """A paragraph of `entry`'s body text (not a heading, a caption or a table cell) whose
    last run holds a few words."""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == entry.title)
    candidates = [
        p
        for p in paragraphs[start + 1 :]
        if p.style is not None and p.style.name == "Normal" and len(p.text.split()) > 8
        and p.runs and len(p.runs[-1].text.split()) > 3
    ]  # fmt: skip
    return candidates[skip]


def add_reply(
    document: docx.document.Document, parent: docx.comments.Comment, **fields: str
) -> None:
    """A threaded reply, as Word writes it: its own comment, linked to the parent through
    the paraIds of commentsExtended.xml."""
    reply = document.comments.add_comment(text=fields["text"], author=fields["author"])
    reply._comment_elm.set(qn("w:date"), fields["date"])
    parent.paragraphs[-1]._p.set(qn("w14:paraId"), "1A2B3C4D")
    reply.paragraphs[-1]._p.set(qn("w14:paraId"), "5E6F7A8B")
    xml = (
        f'<w15:commentsEx xmlns:w15="{W15}">'
        '<w15:commentEx w15:paraId="1A2B3C4D" w15:done="0"/>'
        '<w15:commentEx w15:paraId="5E6F7A8B" w15:paraIdParent="1A2B3C4D" w15:done="0"/>'
        "</w15:commentsEx>"
    ).encode()
    part = Part(
        PackURI("/word/commentsExtended.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
        xml,
        document.part.package,
    )
    document.part.relate_to(
        part, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
    )


def replace_last_word(paragraph: Paragraph, new: str, author: str, date: str) -> tuple[str, str]:
    """A tracked change, as Word's Track Changes writes it: the paragraph's last word deleted
    (`w:del`) and `new` inserted (`w:ins`). Returns (the paragraph before, the word)."""
    before = paragraph.text
    run = paragraph.runs[-1]
    head, _space, old = run.text.rstrip(".").rpartition(" ")
    tail = run.text[len(head) + 1 + len(old) :]
    run.text = head + " "
    marks = f'w:author="{author}" w:date="{date}"'
    changes = parse_xml(
        f"<w:p {nsdecls('w')}>"
        f'<w:del w:id="901" {marks}><w:r><w:delText>{old}</w:delText></w:r></w:del>'
        f'<w:ins w:id="902" {marks}><w:r><w:t>{new}</w:t></w:r></w:ins>'
        f'<w:r><w:t xml:space="preserve">{tail}</w:t></w:r></w:p>'
    )
    for element in list(changes):
        paragraph._p.append(element)
    return before, old


@dataclass(frozen=True)
class WordRound:
    content: Path
    returned: Path
    models: tuple[Entry, Entry, Entry]
    quoted: tuple[str, str]
    changed: tuple[str, str]  # the paragraph before the change, the word replaced


@pytest.fixture
def word_round(book_copy: Callable[[str], Path], tmp_path: Path) -> WordRound:
    content = book_copy("sample")
    copy = build_review(content, tmp_path / "output")
    book = book_of(content)
    first, second, third = book.entries[0], book.entries[1], book.entries[-1]
    document = docx.Document(str(copy))
    marked = body_paragraph(document, first)
    comment = document.add_comment(
        marked.runs, text="Cần bổ sung số liệu năm 2024.", author="Nguyễn Văn An", initials="NA"
    )
    comment._comment_elm.set(qn("w:date"), "2026-01-05T09:30:00Z")
    add_reply(
        document,
        comment,
        text="Đã có trong bảng.",
        author="Lê Thị Hoa",
        date="2026-01-06T08:00:00Z",
    )
    partial = body_paragraph(document, second, skip=1).runs[0]
    other = document.add_comment(
        partial, text="Nên viết rõ hơn.", author="Trần Bình", initials="TB"
    )
    other._comment_elm.set(qn("w:date"), "2026-01-07T10:00:00Z")
    changed = replace_last_word(
        body_paragraph(document, third), "mới", "Phạm Cúc", "2026-01-08T11:15:00Z"
    )
    cover = document.paragraphs[0]  # the title page, before any model
    document.add_comment(cover.runs, text="Tên sách nên ngắn hơn.", author="Đỗ Dũng", initials="ĐD")
    part = [p for p in document.paragraphs if p.style.name == "Heading 1"][1]  # after a model
    document.add_comment(part.runs, text="Đổi tên phần.", author="Đỗ Dũng", initials="ĐD")
    returned = tmp_path / "gop-y-nguyen-van-an.docx"
    document.save(str(returned))
    return WordRound(
        content, returned, (first, second, third), (marked.text, partial.text), changed
    )


def test_word_comments_reply_and_tracked_change_land_in_their_models(
    run: Run, word_round: WordRound
) -> None:
    content, (first, second, third) = word_round.content, word_round.models
    result = run("comments", "--content", content, word_round.returned)
    assert result.exit_code == 0, result.output
    assert (
        "added 5 comments for 3 models, 0 already there, 2 not placed in a model" in result.stdout
    )

    (comment,) = comments_for(content, first.slug)
    assert (comment.kind, comment.author, comment.date) == (
        "comment",
        "Nguyễn Văn An",
        "2026-01-05T09:30:00Z",
    )
    assert comment.text == "Cần bổ sung số liệu năm 2024."
    assert comment.quoted == word_round.quoted[0]
    assert comment.source == word_round.returned.name and comment.status == "open"
    assert first.title in comment.where
    assert comment.replies == (Reply("Lê Thị Hoa", "2026-01-06T08:00:00Z", "Đã có trong bảng."),)

    (other,) = comments_for(content, second.slug)
    assert (other.author, other.quoted) == ("Trần Bình", word_round.quoted[1])

    (suggestion,) = comments_for(content, third.slug)
    before, old = word_round.changed
    assert (suggestion.kind, suggestion.old, suggestion.new) == ("suggestion", old, "mới")
    assert (suggestion.author, suggestion.date) == ("Phạm Cúc", "2026-01-08T11:15:00Z")
    assert suggestion.quoted.strip("…") in " ".join(before.split())
    assert old in suggestion.quoted and len(suggestion.quoted) <= QUOTED_MAX + 2  # around it

    cover, part = sorted(comments_for(content, UNPLACED), key=lambda c: c.text)
    assert (cover.text, part.text) == ("Tên sách nên ngắn hơn.", "Đổi tên phần.")
    assert cover.where == "đoạn 1"  # the title page's first line
    assert part.quoted.startswith("Phần ") and part.where == f"tiêu đề “{part.quoted}”"
    assert open_comments(content) == {first.slug: 1, second.slug: 1, third.slug: 1, UNPLACED: 2}


def test_importing_the_same_word_file_again_adds_nothing(run: Run, word_round: WordRound) -> None:
    assert run("comments", "--content", word_round.content, word_round.returned).exit_code == 0
    stored = review_files(word_round.content)
    again = run("comments", "--content", word_round.content, word_round.returned)
    assert again.exit_code == 0
    assert "added 0 comments for 0 models, 5 already there, 0 not placed in a model" in again.stdout
    assert review_files(word_round.content) == stored


def test_model_files_are_never_changed(run: Run, word_round: WordRound) -> None:
    models = {p: p.read_bytes() for p in (word_round.content / "models").glob("*.md")}
    assert run("comments", "--content", word_round.content, word_round.returned).exit_code == 0
    assert {p: p.read_bytes() for p in (word_round.content / "models").glob("*.md")} == models


def test_resolve_closes_a_comment_and_a_new_import_keeps_it_closed(
    run: Run, word_round: WordRound
) -> None:
    content, first = word_round.content, word_round.models[0]
    assert run("comments", "--content", content, word_round.returned).exit_code == 0
    (comment,) = comments_for(content, first.slug)
    result = run("comments", "--content", content, "--resolve", comment.id)
    assert result.exit_code == 0, result.output
    assert comment.id in result.stdout
    assert comments_for(content, first.slug)[0].status == "resolved"
    assert first.slug not in open_comments(content)
    assert run("comments", "--content", content, word_round.returned).exit_code == 0
    assert comments_for(content, first.slug)[0].status == "resolved"
    unknown = run("comments", "--content", content, "--resolve", "khong-co")
    assert unknown.exit_code == 1
    assert "no comment has the id `khong-co`" in unknown.stderr


def test_an_editor_may_resolve_by_editing_the_file(run: Run, word_round: WordRound) -> None:
    content, first = word_round.content, word_round.models[0]
    assert run("comments", "--content", content, word_round.returned).exit_code == 0
    path = review_path(content, first.slug)
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: resolved"))
    assert first.slug not in open_comments(content)


def test_a_review_file_broken_by_hand_is_named_with_its_place(
    run: Run, word_round: WordRound
) -> None:
    content, first = word_round.content, word_round.models[0]
    assert run("comments", "--content", content, word_round.returned).exit_code == 0
    path = review_path(content, first.slug)
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("  status:"))
    lines[number] = "  status: xong"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run("comments", "--content", content, "--resolve", "abc")
    assert result.exit_code == 1
    assert f"reviews/{first.slug}.yaml:{number + 1}:11: error: `status` is `xong`" in result.stderr
    assert "Traceback" not in result.output
    path.write_text("comments:\n- id: [\n", encoding="utf-8")
    again = run("comments", "--content", content, word_round.returned)
    assert again.exit_code == 1
    assert f"reviews/{first.slug}.yaml:3:1: error: YAML syntax error" in again.stderr


def test_bad_files_are_named_and_the_batch_goes_on(
    run: Run, word_round: WordRound, tmp_path: Path
) -> None:
    text = tmp_path / "ghi-chu.txt"
    text.write_text("không phải tài liệu", encoding="utf-8")
    broken_pdf = tmp_path / "hong.pdf"
    broken_pdf.write_bytes(b"%PDF-1.7\nnot really a PDF")
    locked = tmp_path / "khoa.pdf"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("mat-khau")
    writer.write(locked)
    locked_word = tmp_path / "khoa.docx"  # what Word saves with a password: an OLE file
    locked_word.write_bytes(
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
    )
    result = run(
        "comments", "--content", word_round.content, text, tmp_path / "khong-co.docx",
        broken_pdf, locked, locked_word, word_round.returned,
    )  # fmt: skip
    assert result.exit_code == 1
    errors = result.stderr.strip().split("\n")
    assert errors == [
        f"{text}: error: it is neither a Word document (.docx) nor a PDF",
        f"{tmp_path / 'khong-co.docx'}: error: no such file",
        errors[2],
        f"{locked}: error: it is protected by a password; save it without one and import again",
        f"{locked_word}: error: it is protected by a password; save it without one and import "
        "again",
    ]
    assert errors[2].startswith(f"{broken_pdf}: error: cannot read it (")
    assert "added 5 comments for 3 models" in result.stdout


def test_no_file_and_no_resolve_is_a_usage_error(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    result = run("comments", "--content", book_copy("minimal"))
    assert result.exit_code == 2
    assert "name the returned files" in result.stderr


# --- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """A line of a PDF page as Poppler reads it: its words and their boxes (PDF space)."""

    words: tuple[str, ...]
    boxes: tuple[tuple[float, float, float, float], ...]  # left, bottom, right, top


def poppler_lines(pdf: Path, index: int) -> list[Words]:
    """The lines of page `index` with word boxes, read by Poppler (not by the code tested)."""
    xml = subprocess.run(
        ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), "-bbox-layout", str(pdf), "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    root = etree.fromstring(xml, etree.XMLParser(recover=True))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    height = float(root.find(".//h:page", ns).get("height"))
    lines = []
    for line in root.iterfind(".//h:line", ns):
        words = line.findall("h:word", ns)
        boxes = tuple(
            (float(w.get("xMin")), height - float(w.get("yMax")),
             float(w.get("xMax")), height - float(w.get("yMin")))
            for w in words
        )  # fmt: skip
        lines.append(Words(tuple(w.text or "" for w in words), boxes))
    return lines


def quads(
    boxes: tuple[tuple[float, float, float, float], ...],
) -> tuple[ArrayObject, tuple[float, ...]]:
    """The QuadPoints and Rect of a mark over `boxes` (one line)."""
    left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
    points = [left, top, right, top, left, bottom, right, bottom]
    return ArrayObject(FloatObject(p) for p in points), (left, bottom, right, top)


def text_markup(subtype: str, line: Words) -> DictionaryObject:
    """An Underline or StrikeOut over a whole line (pypdf has classes for neither)."""
    points, rect = quads(line.boxes)
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject(FloatObject(v) for v in rect),
        NameObject("/QuadPoints"): points,
    })  # fmt: skip


def signed(
    annotation: DictionaryObject, author: str, when: str, text: str = ""
) -> DictionaryObject:
    annotation[NameObject("/T")] = TextStringObject(author)
    annotation[NameObject("/M")] = TextStringObject(when)
    if text:
        annotation[NameObject("/Contents")] = TextStringObject(text)
    return annotation


def first_pages(pdf: Path, out: Path, book: Book) -> dict[str, int]:
    """Each model's first page index, from the page map the build wrote and the page labels."""
    folios = json.loads((out / PAGE_MAP_NAME).read_text(encoding="utf-8"))
    labels = list(pypdf.PdfReader(pdf).page_labels)
    return {e.slug: labels.index(str(folios[f"mo-hinh-{e.slug}"])) for e in book.entries}


def body_line(lines: list[Words], least: int = 6) -> Words:
    """A line in the middle of the page (a justified line of body text, not a running head)."""
    long_enough = [line for line in lines if len(line.words) >= least]
    return long_enough[len(long_enough) // 2]


@dataclass(frozen=True)
class PdfRound:
    content: Path
    returned: Path
    models: tuple[Entry, Entry]
    highlighted: str
    underlined: str


@pytest.fixture
def pdf_round(sample_output: Path, book_copy: Callable[[str], Path], tmp_path: Path) -> PdfRound:
    content = book_copy("sample")
    book = book_of(content)
    pdf = sample_output / SCREEN_PDF
    starts = first_pages(pdf, sample_output, book)
    ordered = sorted(book.entries, key=lambda entry: starts[entry.slug])
    following = {e.slug: starts[n.slug] for e, n in itertools.pairwise(ordered)}
    first = next(e for e in ordered if following.get(e.slug, 0) - starts[e.slug] >= 2)
    second = next(e for e in ordered if e is not first)
    writer = pypdf.PdfWriter(clone_from=pdf)
    page_one, page_two = starts[first.slug], starts[first.slug] + 1
    writer.add_annotation(page_one, signed(
        Text(rect=(50, 50, 70, 70), text=""), "Nguyễn Văn An", "D:20260105093000+07'00'",
        "Đề nghị thêm ảnh.",
    ))  # fmt: skip
    highlight_line = body_line(poppler_lines(pdf, page_two))
    points, rect = quads(highlight_line.boxes[:3])
    highlight = writer.add_annotation(page_two, signed(
        Highlight(rect=rect, quad_points=points), "Nguyễn Văn An", "D:20260105094500Z",
        "Số liệu này lấy từ đâu?",
    ))  # fmt: skip
    writer.add_annotation(page_two, signed(
        DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): ArrayObject(FloatObject(v) for v in (80, 50, 100, 70)),
            NameObject("/IRT"): highlight.indirect_reference,
        }),
        "Lê Thị Hoa", "D:20260106080000Z", "Từ báo cáo của xã.",
    ))  # fmt: skip
    page_b = starts[second.slug]
    underline_line = body_line(poppler_lines(pdf, page_b))
    writer.add_annotation(page_b, signed(
        text_markup("/Underline", underline_line), "Trần Bình", "D:20260107100000Z",
        "Câu này cần rõ hơn.",
    ))  # fmt: skip
    writer.add_annotation(page_b, signed(
        FreeText(text="Thiếu tên xã", rect=(40, 500, 200, 520)), "Trần Bình",
        "D:20260107101500Z", "Thiếu tên xã",
    ))  # fmt: skip
    last = len(writer.pages) - 1  # the colophon: no model
    strike_line = body_line(poppler_lines(pdf, last), least=1)
    writer.add_annotation(last, signed(
        text_markup("/StrikeOut", strike_line), "Đỗ Dũng", "D:20260108000000Z", "Bỏ dòng này.",
    ))  # fmt: skip
    returned = tmp_path / "gop-y.pdf"
    writer.write(returned)
    return PdfRound(
        content, returned, (first, second),
        " ".join(highlight_line.words[:3]), " ".join(underline_line.words),
    )  # fmt: skip


def test_pdf_annotations_land_in_their_models(run: Run, pdf_round: PdfRound) -> None:
    content, (first, second) = pdf_round.content, pdf_round.models
    result = run("comments", "--content", content, pdf_round.returned)
    assert result.exit_code == 0, result.output
    assert (
        "added 5 comments for 2 models, 0 already there, 1 not placed in a model" in result.stdout
    )

    note, highlight = sorted(comments_for(content, first.slug), key=lambda c: c.date)
    assert (note.kind, note.author, note.date) == ("note", "Nguyễn Văn An", "2026-01-05T02:30:00Z")
    assert note.text == "Đề nghị thêm ảnh." and note.where.startswith("trang ")
    assert (highlight.kind, highlight.quoted) == ("highlight", pdf_round.highlighted)
    assert highlight.where != note.where  # the model's second page
    assert highlight.replies == (Reply("Lê Thị Hoa", "2026-01-06T08:00:00Z", "Từ báo cáo của xã."),)

    underline, free = sorted(comments_for(content, second.slug), key=lambda c: c.date)
    assert (underline.kind, underline.author) == ("underline", "Trần Bình")
    assert underline.quoted == pdf_round.underlined and underline.text == "Câu này cần rõ hơn."
    assert (free.kind, free.text) == ("freetext", "Thiếu tên xã")

    (strike,) = comments_for(content, UNPLACED)
    assert (strike.kind, strike.author) == ("strikeout", "Đỗ Dũng")


def test_importing_the_same_pdf_again_adds_nothing(run: Run, pdf_round: PdfRound) -> None:
    assert run("comments", "--content", pdf_round.content, pdf_round.returned).exit_code == 0
    stored = review_files(pdf_round.content)
    again = run("comments", "--content", pdf_round.content, pdf_round.returned)
    assert "added 0 comments for 0 models, 5 already there" in again.stdout
    assert review_files(pdf_round.content) == stored


def test_a_pdf_without_its_named_pages_is_placed_by_the_page_map(
    run: Run, pdf_round: PdfRound, sample_output: Path, tmp_path: Path
) -> None:
    writer = pypdf.PdfWriter(clone_from=pdf_round.returned)
    names = writer.root_object.get("/Names")
    assert names is not None and "/Dests" in names.get_object()
    del names.get_object()[NameObject("/Dests")]
    printed = tmp_path / "in-lai.pdf"
    writer.write(printed)
    assert not pypdf.PdfReader(printed).named_destinations
    result = run("comments", "--content", pdf_round.content, "--out", sample_output, printed)
    assert result.exit_code == 0, result.output
    first, second = pdf_round.models
    assert {c.kind for c in comments_for(pdf_round.content, first.slug)} == {"note", "highlight"}
    assert {c.kind for c in comments_for(pdf_round.content, second.slug)} == {
        "underline",
        "freetext",
    }


def test_pdf_dates_become_iso() -> None:
    from builder.review_round.comments.comments_pdf import _iso

    assert _iso("D:20260105093000+07'00'") == "2026-01-05T02:30:00Z"
    assert _iso("D:2026") == "2026-01-01T00:00:00Z"
    assert _iso("hôm qua") == "hôm qua"
    assert datetime.datetime.fromisoformat(_iso("D:20261231235959-05'30'")).day == 1


def test_the_review_copy_is_not_in_the_default_build(sample_output: Path) -> None:
    assert not (sample_output / REVIEW).exists()
