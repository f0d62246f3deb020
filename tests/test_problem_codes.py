"""Every problem `check` reports carries a code (`duplicate-key`) that tests assert on and an
editor looks up in content/README.md: the codes the loader gives are those of
util/errors.CODES, no more, no fewer, and the guide's two tables list them as CODES says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.load.loader import load_book
from builder.util.errors import CODES
from builder.util.problems import Problem

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


def _table_after(text: str, heading: str) -> list[str]:
    lines = text[text.index(heading) :].splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_editors_guide_lists_every_code(language: str) -> None:
    guide = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    expected = [guide_row(code, language) for code in CODES]
    assert _table_after(guide, GUIDE[language]) == expected, (
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
