"""Messages in Vietnamese by default, English with `--lang en`, from one gettext catalogue."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, Run

from builder.cli import main

CATALOGUE = ROOT / "builder" / "locale" / "vi" / "LC_MESSAGES" / "builder.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _code_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "builder",
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "templates" / "workspace",
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    ):  # the workspace's pages
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _catalogue() -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with CATALOGUE.open("rb") as source:
        catalog = read_po(source, locale="vi")
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy}


def test_every_message_in_the_code_has_a_vietnamese_translation() -> None:
    code, catalogue = _code_messages(), _catalogue()
    assert len(code) > 150, "the extraction found too few messages: are they wrapped in _()?"
    missing = sorted(str(m) for m in code if not catalogue.get(m))
    assert not missing, f"run `make messages` and translate these in {CATALOGUE}: {missing}"
    stale = sorted(str(m) for m in catalogue if m not in code)
    assert not stale, f"run `make messages` to drop messages no longer in the code: {stale}"


def test_translations_keep_the_placeholders() -> None:
    """A translation keeps every placeholder of its id. Vietnamese has one form for both of a
    plural's ids; when those name the number differently (Click's `{choice}`/`{choices}`,
    both given the same text) it keeps what both have and may use either of the others."""
    for message, translated in _catalogue().items():
        ids = [message] if isinstance(message, str) else list(message)
        strings = [translated] if isinstance(translated, str) else list(translated)
        named = [set(PLACEHOLDER.findall(text)) for text in ids]
        everywhere, anywhere = set.intersection(*named), set.union(*named)
        for string in strings:
            kept = set(PLACEHOLDER.findall(string))
            assert everywhere <= kept <= anywhere, (message, string)


def test_no_message_is_built_where_the_catalogue_cannot_see_it() -> None:
    """`_(f"...")` or `_("a" + b)` would never be translated: an id is a string literal (or a
    constant marked with N_ elsewhere), filled in with .format() after translation."""
    for path in (ROOT / "builder").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in KEYWORDS:
                for argument in node.args[: 2 if node.func.id == "ngettext" else 1]:  # type: ignore[attr-defined]
                    assert not isinstance(argument, ast.JoinedStr | ast.BinOp | ast.Call), (
                        f"{path.relative_to(ROOT)}:{node.lineno}: the message must be a literal"
                    )


@pytest.mark.parametrize(
    ("language", "expected"), [("vi", "expected.vi.txt"), ("en", "expected.txt")]
)
def test_check_speaks_vietnamese_by_default_and_english_on_request(
    run: Run, monkeypatch: pytest.MonkeyPatch, language: str, expected: str
) -> None:
    monkeypatch.delenv("BUILDER_LANG")
    args = ["check", "--content", FIXTURES / "ten-mistakes"]
    result = run(*args) if language == "vi" else run("--lang", "en", *args)
    assert result.exit_code == 1
    assert result.stderr == (FIXTURES / "ten-mistakes" / expected).read_text(encoding="utf-8")


def test_the_language_can_come_from_the_environment(run: Run) -> None:
    result = run("check", "--content", FIXTURES / "minimal")  # conftest sets BUILDER_LANG=en
    assert result.stdout.strip().endswith("3 models, 1 page, 1 image: ok")
    result = run("--lang", "vi", "check", "--content", FIXTURES / "minimal")
    assert result.stdout.strip().endswith("3 mô hình, 1 trang, 1 ảnh: đạt"), result.stdout


def test_new_and_import_speak_vietnamese(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("builder.cli.authoring._can_ask", lambda: True)  # as at a terminal
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "minimal", book)
    answers = "tap-the\nkinh-te\nhuyện Gia Viễn\n\n2024\n"
    result = CliRunner().invoke(
        main, ["--lang", "vi", "new", "--content", str(book), "Tổ hòa giải"], input=answers
    )
    assert result.exit_code == 0, result.output
    assert "Lĩnh vực (kinh-te, van-hoa-xa-hoi)" in result.stdout
    assert "\nNăm công nhận: 2024\n" in result.stdout
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"not a zip")
    result = run("--lang", "vi", "import", "--content", book, broken)
    assert result.exit_code == 1
    assert (
        "hong.docx: lỗi: đây không phải văn bản Word (.docx, .doc) hay văn bản OpenDocument (.odt)"
        in result.stderr
    )


def test_a_damaged_kept_catalogue_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalogue as Babel read it is kept in the cache, as JSON (reading it runs no
    code); junk, a cut file or another shape there is a miss, and the messages still speak
    Vietnamese, the same catalogue as Babel's."""
    from builder.util import i18n

    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path))
    i18n.set_language("vi")
    try:
        for damage in (b"", b"\x80junk", b"not json at all", b'{"a": 1}', b"[[1, 2]]", b"[[1]]"):
            i18n._catalogue.cache_clear()
            assert i18n._("the book has no models") == "sách chưa có mô hình nào"
            kept = list((tmp_path / "messages").iterdir())
            assert len(kept) == 1
            kept[0].write_bytes(damage)
        i18n._catalogue.cache_clear()
        assert i18n._("the book has no models") == "sách chưa có mô hình nào"
        i18n._catalogue.cache_clear()
        assert kept[0].suffix == ".json"
        assert i18n._catalogue("vi") == {m.id: m.string for m in read_po(CATALOGUE.open("rb"))
                                         if m.id and m.string and not m.fuzzy}  # fmt: skip
    finally:
        i18n.set_language(None)
        i18n._catalogue.cache_clear()
