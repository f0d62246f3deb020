"""`builder import` on the Word corpus of tests/fixtures/word/: every visible word kept, every
note defined, no fact but those the document states, and a book that passes `check` builds."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SAMPLE, Run
from lxml import etree

from builder.authoring.word.word_import import import_document
from builder.load.config import load_config
from builder.util.problems import Problems

CORPUS = FIXTURES / "word"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".docx", ".doc", ".odt"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
# What the Markdown adds around the words: a picture (its description is an attribute in
# Word, not text), note references, list numbers, the label of a note that stood in the title,
# the TODO before an equation's characters.
MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[\^\w+\]|^\s*\d+\.\s|\*Chú thích ở tên mô hình:\*"
                    r"|TODO:[^:]*:")  # fmt: skip
FROM_OTHER_PARTS = {"bieu-do.docx", "chi-bieu-do.docx", "so-do.docx"}  # charts, SmartArt
NEVER_SHOWN = ("chữbịxóa", "bìnhluậnriêng", "chữẩnmột", "đoạnẩnba")  # deleted, comment, hidden


def word_book(book_copy: Callable[[str], Path]) -> Path:
    """The minimal book with no model, and the sample book's places."""
    book = book_copy("minimal")
    for model in (book / "models").iterdir():
        model.unlink()
    places = (SAMPLE / "book.yaml").read_text(encoding="utf-8").split("\nplaces:\n", 1)[1]
    places = re.split(r"\n(?=\S)", places, maxsplit=1)[0]
    text = (book / "book.yaml").read_text(encoding="utf-8").split("\nplaces:\n", 1)[0]
    (book / "book.yaml").write_text(f"{text}\nplaces:\n{places}\n", encoding="utf-8")
    return book


def visible_words(document: Path) -> list[str]:
    """The words Word shows: body, tables, notes, equations; not deleted text, not comments,
    not hidden text, not a phonetic guide's small reading (`w:rt`: the base text is kept)."""
    if document.suffix != ".docx":
        document = document.with_suffix(".docx")  # the same source, through LibreOffice
    words = []
    with zipfile.ZipFile(document) as archive:
        for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
            if part not in archive.namelist():
                continue
            root = etree.fromstring(archive.read(part))
            for paragraph in root.iter(f"{W}p"):
                if (
                    paragraph.getparent() is not None
                    and paragraph.getparent().tag in (f"{W}footnote", f"{W}endnote")
                    and paragraph.getparent().get(f"{W}type")
                ):
                    continue  # separators
                text = "".join(t.text or "" for t in paragraph.iter(f"{W}t", f"{M}t")
                               if not any(a.tag in (f"{W}del", f"{W}moveFrom", f"{W}rt")
                                          or _hidden(a)
                                          for a in t.iterancestors()))  # fmt: skip
                words += _words(text)
    return words


def _hidden(run: etree._Element) -> bool:
    """A run hidden by its own `w:vanish` (not switched off by `w:val="0"`)."""
    vanish = run.find(f"{W}rPr/{W}vanish") if run.tag == f"{W}r" else None
    return vanish is not None and vanish.get(f"{W}val", "1") not in ("0", "false", "off")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())


def front_matter(path: Path) -> dict[str, object]:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_a_corpus_document_keeps_its_words_notes_and_facts(
    document: Path, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = word_book(book_copy)
    config = load_config(book, Problems())
    assert config is not None
    imported = import_document(document, book, config, tmp_path)
    text = imported.path.read_text(encoding="utf-8")

    # Every visible word, less the labels of the lines the front matter now holds.
    labels = [word for fact in imported.taken_lines for word in _words(fact.label)]
    entry = set(_words(text))
    expected = visible_words(document)
    missing = sorted(set(expected) - entry - set(labels))
    recall = 1 - len([w for w in expected if w in missing]) / max(len(expected), 1)
    assert not missing, f"recall {recall:.3f}; lost: {missing}"
    for hidden in NEVER_SHOWN:
        assert hidden not in text.casefold()

    # No word twice that the document has once (a nested table, a text box read twice): the
    # text, less the lines the import writes itself (TODO), the labelled lines it kept, and
    # what comes from parts beside the document's text (a chart's figures, a diagram's boxes).
    body = text.split("\n---\n", 1)[1]
    own = [line for line in body.splitlines() if not line.lstrip("-| ").startswith("TODO")]
    own = [MARKUP.sub(" ", line) for line in own]
    if document.name not in FROM_OTHER_PARTS:
        have = Counter(expected)
        written = Counter(w for w in _words("\n".join(own)) if w in have)
        kept = Counter(w for fact in imported.taken_lines for w in _words(fact.line))
        doubled = sorted(w for w, n in written.items() if n > have[w] + kept[w])
        assert not doubled, f"words written more often than the document has them: {doubled}"

    # Every note reference has its note, every note its reference.
    references = set(re.findall(r"\[\^(\w+)\](?!:)", body))
    definitions = set(re.findall(r"^\[\^(\w+)\]:", body, re.MULTILINE))
    assert references == definitions

    # The facts are those the document states; the others are TODO.
    facts = front_matter(imported.path)
    wanted = yaml.safe_load((CORPUS / f"{document.name}.expected.yaml").read_text("utf-8"))
    for key, value in wanted.items():
        if value == "TODO":
            assert str(facts.get(key, "TODO")).startswith("TODO"), key
        else:
            assert facts.get(key) == value, key
    for key in ("commune", "started", "person"):
        assert key in wanted or key not in facts, key


def test_a_book_of_imported_documents_that_check_passes_builds(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """check passing implies build passing: every corpus file, its TODO facts filled in."""
    book = word_book(book_copy)
    result = run("import", "--content", book, *DOCUMENTS)
    assert result.exit_code == 0, result.output
    for number, model in enumerate(sorted((book / "models").glob("*.md"))):
        text = model.read_text(encoding="utf-8")
        filled = {"unit": '"Chi bộ"', "field": "kinh-te", "district": '"huyện Gia Viễn"',
                  "year": "2023"}  # fmt: skip
        for key, value in filled.items():
            text = re.sub(rf'^{key}: "?TODO.*$', f"{key}: {value}", text, flags=re.MULTILINE)
        text = re.sub(r'^(recognised_by|summary): "TODO.*\n', "", text, flags=re.MULTILINE)
        text = re.sub(r'^title: "(.*)"$', rf'title: "\1 {number}"', text, count=1, flags=re.M)
        text = text.replace("![TODO: mô tả bức ảnh cho người không nhìn thấy]", "![Ảnh]")
        text = text.replace("TODO: công thức (chép lại bằng chữ): ", "")
        model.write_text(text, encoding="utf-8")
    checked = run("check", "--content", book)  # the EMF diagram warns of its resolution
    assert checked.exit_code == 0, checked.stderr
    built = run("build", "--content", book, "--out", tmp_path / "out", "all")
    assert built.exit_code == 0, built.stderr
