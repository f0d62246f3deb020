"""Hostile and broken input: every case ends in a clear message with its place, or in a
correct build; never a traceback, a hang or a crash."""

from __future__ import annotations

import shutil
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, VALID_FRONT_MATTER, Run, write_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.load.loader import load_book
from builder.outputs.site.output import SiteOutput


def test_every_bad_input_of_the_corpus_gives_its_exact_message(run: Run) -> None:
    result = run("check", "--content", "tests/fixtures/hostile")
    assert result.exit_code == 1
    expected = (FIXTURES / "hostile" / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert "Traceback" not in result.output
    files = {line.split(":")[0] for line in result.stderr.splitlines() if ": error: " in line
             or ": warning: " in line}  # fmt: skip
    corpus = sorted((FIXTURES / "hostile" / "models").iterdir())
    assert len(corpus) >= 30
    assert files == {f"tests/fixtures/hostile/models/{path.name}" for path in corpus}


def test_a_10_mb_entry_is_refused_with_its_size(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "qua-lon", VALID_FRONT_MATTER, "x" * 10_000_000)
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert "qua-lon.md:1:1: error: the file is 10.0 MB; entries of up to 2 MB are supported" in (
        result.stderr
    )


def test_ten_thousand_entries_are_checked_and_built(tmp_path: Path) -> None:
    from bench.synthetic import make_book

    book = make_book(tmp_path / "book", 10_000, words=40, image_every=10**9)
    loaded = load_book(book)
    assert loaded.book is not None and len(loaded.book.entries) == 10_000
    assert not loaded.problems.errors
    (tmp_path / "out").mkdir()
    SiteOutput().render(loaded.book, tmp_path / "out")
    assert len(list((tmp_path / "out" / "site" / "mo-hinh").iterdir())) == 10_000


keys = st.sampled_from(
    ["title", "kind", "unit", "field", "district", "commune", "year", "started", "person",
     "images", "tags", "summary", "titel", "x"]
)  # fmt: skip
values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=40)
    | st.sampled_from(["tap-the", "ca-nhan", "kinh-te", "huyện Gia Viễn", "2023"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "role", "src", "alt"]), children, max_size=3),
    max_leaves=6,
)  # fmt: skip
yaml_texts = st.dictionaries(keys, values, max_size=8).map(
    lambda data: "\n".join(f"{key}: {_yaml(value)}" for key, value in data.items())
) | st.text(alphabet=string.printable + "đĐươ“”:-[]{}&*!|>#\t", max_size=120)
bodies = st.text(alphabet=string.printable + "đĐươáà“”<>![]()*_#|^", max_size=300)


def _yaml(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # JSON is YAML


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(front_matter=yaml_texts, body=bodies)
def test_any_front_matter_and_markdown_build_or_report_with_a_place(
    tmp_path: Path, front_matter: str, body: str
) -> None:
    book = tmp_path / "book"
    if book.exists():
        shutil.rmtree(book)
    shutil.copytree(FIXTURES / "minimal", book)
    path = book / "models" / "ngau-nhien.md"
    path.write_text(f"---\n{front_matter}\n---\n\n{body}\n", encoding="utf-8")
    loaded = load_book(book)
    for problem in loaded.problems:
        assert problem.line >= 1 and problem.column >= 1 and str(problem.path)
        assert problem.message
    if loaded.book is not None:
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        assert SiteOutput().render(loaded.book, out)
    else:
        assert loaded.problems.errors


@pytest.mark.parametrize(
    "body",
    ["", "\x00", "---\n---", "| a |\n|---|\n" * 200, "[^1]\n\n[^1]: " + "x" * 5000,
     "#" * 10_000, "> " * 2000 + "sâu", "![](" + "../" * 500 + "x.png)"],
)  # fmt: skip
def test_odd_markdown_never_crashes_the_check(
    run: Run, book_copy: Callable[[str], Path], body: str
) -> None:
    book = book_copy("minimal")
    write_model(book, "la", VALID_FRONT_MATTER, body)
    result = run("check", "--content", book)
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
