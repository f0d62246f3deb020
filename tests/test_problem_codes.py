"""Every problem `check` reports carries a code (`duplicate-key`) that tests assert on and an
editor looks up in content/README.md: the codes the loader gives are those of
util/errors.CODES, no more, no fewer, and the guide's two tables list them as CODES says.

That no problem is made without a code is held three ways: `code` is a required argument of
`Problem` and of every method that makes one (mypy refuses a call without it); every such
call in builder/ names it, as a known code when written out (read from the source, so a
helper outside load/ is held too); and books with every kind of book.yaml mistake, checked
with `--show-codes`, print a known code after every message."""

from __future__ import annotations

import ast
import inspect
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, table_after

from builder.load.loader import load_book
from builder.load.schema import Checked
from builder.util.errors import CODES
from builder.util.problems import Problem, Problems

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
GUIDE = {"vi": "#### Mã của thông báo", "en": "#### Message codes"}
# The codes an exception gives when it is raised without one (yaml_source, images).
DEFAULTS = {"yaml-syntax", "bad-image"}


def _codes_in_the_source() -> set[str]:
    found = set(DEFAULTS)
    for path in (ROOT / "builder").rglob("*.py"):
        found.update(re.findall(r'\bcode="([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_the_builder_gives_is_in_the_catalogue_and_every_one_is_given() -> None:
    assert _codes_in_the_source() == set(CODES)


def guide_row(code: str, language: str) -> str:
    vi, en = CODES[code]
    return f"| `{code}` | {vi if language == 'vi' else en} |"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_editors_guide_lists_every_code(language: str) -> None:
    guide = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    expected = [guide_row(code, language) for code in CODES]
    assert table_after(guide, GUIDE[language]) == expected, (
        "content/README.md should read:\n" + "\n".join(expected)
    )


def test_every_problem_of_the_hostile_books_has_a_known_code() -> None:
    for book in ("hostile", "ten-mistakes"):
        problems = list(load_book(FIXTURES / book).problems)
        assert problems
        assert {problem.code for problem in problems} <= set(CODES), book
        assert all(problem.code for problem in problems), [str(p) for p in problems if not p.code]


def test_tests_can_assert_on_the_code() -> None:
    by_file = {p.path.name: p.code for p in load_book(FIXTURES / "hostile").problems}
    assert by_file["09-trung-khoa.md"] == "duplicate-key"
    assert by_file["15-nam-ngoai.md"] == "year-outside-period"
    assert by_file["12-khoa-la.md"] == "unknown-key"
    assert by_file["23-anh-thieu-alt.md"] == "image-no-alt"
    assert by_file["05-utf16.md"] == "not-utf8"


def test_the_code_is_shown_after_the_first_line_only_when_asked() -> None:
    problem = Problem(
        Path("x.md"), 8, 1, "duplicate key `year`", hint="keep one", code="duplicate-key"
    )
    assert str(problem).splitlines()[0] == "x.md:8:1: error: duplicate key `year`"
    assert problem.shown(code=True).splitlines() == [
        "x.md:8:1: error: duplicate key `year` [duplicate-key]",
        "    hint: keep one",
    ]


# --- no problem without a code --------------------------------------------------------------

# The calls that make a problem: `Problem(…)` and `.error(…)`/`.warning(…)` on anything but
# a logger (`LOG.warning` writes to the terminal, it reports nothing about the book).
LOGGERS = {"LOG", "logging", "logger"}


def _makes_a_problem(function: ast.expr) -> bool:
    if isinstance(function, ast.Name):
        return function.id == "Problem"
    return (
        isinstance(function, ast.Attribute)
        and function.attr in ("error", "warning")
        and ast.unparse(function.value) not in LOGGERS
    )


def _problem_calls() -> list[tuple[str, ast.Call]]:
    """Each call in builder/ that makes a problem, with its `path:line`."""
    return [
        (f"{path.relative_to(ROOT)}:{node.lineno}", node)
        for path in sorted((ROOT / "builder").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and _makes_a_problem(node.func)
    ]


def test_every_call_that_makes_a_problem_names_a_known_code() -> None:
    calls = _problem_calls()
    assert len(calls) > 50  # the loader's calls are found
    without = [where for where, call in calls if "code" not in {k.arg for k in call.keywords}]
    assert not without, "a problem without `code=`: " + ", ".join(without)
    unknown = [
        f"{where}: {keyword.value.value!r}"
        for where, call in calls
        for keyword in call.keywords
        if keyword.arg == "code"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value not in CODES
    ]
    assert not unknown, "codes not in util/errors.CODES: " + ", ".join(unknown)


@pytest.mark.parametrize(
    "make", [Problem, Problems.error, Problems.warning, Checked.error, Checked.warning]
)
def test_the_code_is_a_required_argument(make: Callable[..., object]) -> None:
    """mypy then refuses any problem made without one, however it is called."""
    code = inspect.signature(make).parameters["code"]
    assert code.kind is inspect.Parameter.KEYWORD_ONLY
    assert code.default is inspect.Parameter.empty


# Books with the book.yaml mistakes an editor makes, each variant on the `minimal` book.
BOOK_YAML_MISTAKES = {
    "many": """\
title: "Sách thử"
language: en
period: {start: 2025, end: 2021}
base_url: "https://example.org/sach"
site: {}
fields:
  - {id: "Kinh Te", name: "Kinh tế"}
places: []
colophon: {isbn: "978-604-57-1234-0"}
pdf:
  group_by: huyen
  colours: {cover_background: "red"}
  colours_print: {cover_background: "1 2 3"}
print: {profile: "khong-co.icc", signature: 12}
review:
  words: {min: 900, max: 100}
  targets:
    fields: {nong-nghiep: 3, Kinh Te: "nhiều"}
    districts: {"huyện Xa Lạ": 2}
    total: -4
""",
    "others": """\
title: "Sách thử"
language: vi
period: {start: 1950, end: 2025}
base_url: "javascript:alert(1)//"
fields: []
places:
  - name: "huyện Gia Viễn"
colophon: {isbn: "12345"}
""",
}
BOOK_YAML_CODES = {
    "not-a-choice", "base-url", "period", "not-vietnamese", "retired-key",
    "field-id-not-slug", "no-fields", "no-places", "bad-colour", "isbn-form",
    "isbn-check-digit", "press-profile", "min-more-than-max", "unknown-field",
    "unknown-district", "wrong-type", "out-of-range", "no-book-yaml", "stray-review-file",
}  # fmt: skip
FIRST_LINE = re.compile(r"^\S.*:\d+:\d+: (?:error|warning): ")
CODE_AT_END = re.compile(r" \[([a-z0-9-]+)\]$")


def _shown_codes(output: str) -> list[str]:
    """The code at the end of each message's first line; fails at a line without one."""
    codes = []
    for line in output.splitlines():
        if FIRST_LINE.match(line):
            found = CODE_AT_END.search(line)
            assert found, f"no [code] at the end of: {line}"
            codes.append(found[1])
    return codes


def test_every_book_yaml_mistake_is_shown_with_a_known_code(run: Run, tmp_path: Path) -> None:
    books = []
    for name, text in {**BOOK_YAML_MISTAKES, "no-book-yaml": "", "stray-review": None}.items():
        book = tmp_path / name
        shutil.copytree(FIXTURES / "minimal", book)
        if text:
            (book / "book.yaml").write_text(text, encoding="utf-8")
        elif text is not None:
            (book / "book.yaml").unlink()
        books.append(book)
    (book / "reviews").mkdir()  # the last: a valid book with a review file of no model
    (book / "reviews" / "khong-co.yaml").write_text("comments: []\n", encoding="utf-8")
    seen: set[str] = set()
    for book in (*books, FIXTURES / "hostile-book"):
        result = run("check", "--show-codes", "--content", book)
        codes = _shown_codes(result.stderr)
        assert codes, result.stderr
        assert set(codes) <= set(CODES), result.stderr
        seen.update(codes)
    assert seen >= BOOK_YAML_CODES, sorted(BOOK_YAML_CODES - seen)
