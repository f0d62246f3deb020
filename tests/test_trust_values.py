"""Every value an editor can type ends in a located message or in a book, never a traceback:
impossible dates, numbers too long for Python, floats, negatives and booleans where numbers
belong, in every date and number key of the front matter and book.yaml."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, VALID_FRONT_MATTER, Run, write_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.book.fields import FIELDS
from builder.cli import main
from builder.load import config as book_config
from builder.load.loader import load_book

LONG = "9" * 5001


def check(run: Run, book: Path, *more: str) -> str:
    result = run("check", "--content", book, *more)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)
    return str(result.stderr)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("year: 2021-02-30", "7:7: error: 2021-02-30 is not a date: month 2 of 2021 has 28 days"),
        ("year: 2023-13-45", "7:7: error: 2023-13-45 is not a date: there is no month 13"),
        ("year: 0000-01-01", "7:7: error: 0000-01-01 is not a date: there is no year 0"),
        (f"year: {LONG}", "7:7: error: this number has 5001 digits; no fact needs more than 30"),
        (f"year: 0x{'f' * 4000}", "7:7: error: this number has 4000 digits"),
        ("year: 2023.0", "7:7: error: `year` must be a whole number, like 2023"),
        ("year: .nan", "7:7: error: `year` must be a whole number, like 2023"),
        ("year: yes", "7:7: error: `year` must be a whole number, like 2023"),
        ("year: -2023", "7:7: error: year -2023 is outside the book's period 2021–2025"),
        ("year: !!int zwei", "7:7: error: “zwei” cannot be read as the kind of value"),
        ("year: !!timestamp hôm qua", "7:7: error: “hôm qua” cannot be read as the kind"),
        ("year: 2021-02-28 25:00:00", "7:7: error: “2021-02-28 25:00:00” cannot be read"),
    ],
)
def test_a_bad_number_or_date_in_the_front_matter_is_named_at_its_place(
    run: Run, book_copy: Callable[[str], Path], line: str, message: str
) -> None:
    book = book_copy("minimal")
    write_model(book, "sai-so", VALID_FRONT_MATTER.replace("year: 2023", line))
    assert f"models/sai-so.md:{message}" in check(run, book)


def test_every_impossible_date_of_a_file_is_named_at_once(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    front = VALID_FRONT_MATTER.replace("year: 2023", "year: 2021-02-30\nstarted: 2020-02-30")
    write_model(book, "hai-ngay", front)
    output = check(run, book)
    assert "hai-ngay.md:7:7: error: 2021-02-30 is not a date" in output
    assert "hai-ngay.md:8:10: error: 2020-02-30 is not a date: month 2 of 2020 has 29 days" in (
        output
    )
    assert "hint: write a date that exists, as YYYY-MM-DD (like 2025-06-01)" in output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("published: 2025-13-45", "8:12: error: 2025-13-45 is not a date: there is no month 13"),
        ("published: 1900-01-01", "8:12: error: `published` is 1900-01-01; it must be from "
         "1945-01-01 to 2100-12-31"),
        (f"published: {LONG}", "8:12: error: this number has 5001 digits"),
        ("published: 2025", "8:12: error: `published` must be a date written YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_a_bad_date_in_book_yaml_is_named_at_its_place(
    run: Run, book_copy: Callable[[str], Path], line: str, message: str
) -> None:
    book = book_copy("minimal")
    text = (book / "book.yaml").read_text(encoding="utf-8")
    (book / "book.yaml").write_text(text.replace("published: 2025-06-01", line), "utf-8")
    assert f"book.yaml:{message}" in check(run, book)


def test_build_stops_with_the_message_not_a_traceback(
    book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    write_model(book, "sai-ngay", VALID_FRONT_MATTER.replace("year: 2023", "year: 2021-02-30"))
    result = CliRunner().invoke(
        main, ["build", "--content", str(book), "--out", str(tmp_path / "out"), "site"]
    )
    assert result.exit_code == 1
    assert "2021-02-30 is not a date" in result.stderr
    assert "Traceback" not in result.output


def test_numbers_in_text_facts_stay_as_typed(book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    front = VALID_FRONT_MATTER.replace('unit: "Chi bộ thôn"', "unit: 0123") + "tags: [3.10, 2_0]"
    write_model(book, "so-nhu-go", front)
    text = (book / "book.yaml").read_text(encoding="utf-8")
    text += "print:\n  price: 45.000\n"
    (book / "book.yaml").write_text(text, encoding="utf-8")
    loaded = load_book(book)
    assert loaded.book is not None, [str(p) for p in loaded.problems]
    entry = next(e for e in loaded.book.entries if e.slug == "so-nhu-go")
    assert entry.unit == "0123"  # read as a number, it would be 83 (octal)
    assert entry.tags == ("3.10", "2_0")
    assert loaded.book.config.print.price == "45.000"  # not 45.0


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("colophon:\n  print_run: -5", "`colophon.print_run` is -5; it must be from 1 to 10000000"),
        ("print:\n  cover_bleed_mm: .nan", "`print.cover_bleed_mm` is nan; it must be from 3"),
        ("print:\n  max_ink: true", "`max_ink` must be a whole number, like 2023"),
        ("epub:\n  max_image_px: 1600.5", "`max_image_px` must be a whole number"),
    ],
)  # fmt: skip
def test_negative_float_and_boolean_numbers_in_book_yaml_are_refused(
    run: Run, book_copy: Callable[[str], Path], section: str, message: str
) -> None:
    book = book_copy("minimal")
    with (book / "book.yaml").open("a", encoding="utf-8") as stream:
        stream.write(section + "\n")
    assert f"error: {message}" in check(run, book)


def test_started_before_1945_and_a_negative_page_order_are_refused(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "som", VALID_FRONT_MATTER + "started: -5")
    page = book / "pages" / "loi-gioi-thieu.md"
    page.write_text(page.read_text(encoding="utf-8").replace("order: 1", "order: -1"), "utf-8")
    output = check(run, book)
    assert "som.md:8:10: error: `started` is -5; it must be from 1945 to 2100" in output
    assert "loi-gioi-thieu.md:3:8: error: `order` is -1; it must be from 0 to 999" in output


# Where each date and number key of book.yaml is written, as a template for its value.
BOOK_PLACES = {
    "published": "published: {v}",
    "period.start": "period: {{start: {v}, end: 2025}}",
    "period.end": "period: {{start: 2021, end: {v}}}",
    "colophon.print_run": "colophon:\n  print_run: {v}",
    "pdf.trim.width_mm": "pdf:\n  trim: {{width_mm: {v}, height_mm: 205}}",
    "pdf.trim.height_mm": "pdf:\n  trim: {{width_mm: 145, height_mm: {v}}}",
    "print.signature": "print:\n  signature: {v}",
    "print.paper_caliper_mm": "print:\n  paper_caliper_mm: {v}",
    "print.cover_bleed_mm": "print:\n  cover_bleed_mm: {v}",
    "print.spine_text_min_mm": "print:\n  spine_text_min_mm: {v}",
    "print.max_ink": "print:\n  max_ink: {v}",
    "epub.max_image_px": "epub:\n  max_image_px: {v}",
    "review.words.min": "review:\n  words:\n    min: {v}",
    "review.words.max": "review:\n  words:\n    max: {v}",
    "review.targets.total": "review:\n  targets:\n    total: {v}",
    "review.targets.fields.kinh-te": "review:\n  targets:\n    fields:\n      kinh-te: {v}",
    "review.targets.districts.Gia Viễn": "review:\n  targets:\n    districts:\n"
    '      "Gia Viễn": {v}',
}
MODEL_PLACES = {"year": "year: {v}", "started": "year: 2023\nstarted: {v}"}
PAGE_PLACES = {"order": "order: {v}"}
SECTIONS = {
    "": book_config.BOOK_KEYS,
    "period": book_config.PERIOD_KEYS,
    "colophon": book_config.COLOPHON_KEYS,
    "pdf.trim": book_config.TRIM_KEYS,
    "print": book_config.PRINT_KEYS,
    "epub": book_config.EPUB_KEYS,
    "review.words": book_config.WORDS_KEYS,
    "review.targets": book_config.TARGET_KEYS,
}


def test_the_property_test_covers_every_date_and_number_key() -> None:
    numbers = (int, float, datetime.date)
    declared = {
        f"{section}.{key}".lstrip(".")
        for section, keys in SECTIONS.items()
        for key, spec in keys.items()
        if spec.kind in numbers
    }
    declared |= {"review.targets.fields.kinh-te", "review.targets.districts.Gia Viễn"}
    assert declared == set(BOOK_PLACES)
    assert {spec.key for spec in FIELDS if spec.type in numbers} == set(MODEL_PLACES)


def _digits(count: int, alphabet: str = "9") -> str:
    return (alphabet * count)[:count]


scalars = st.one_of(
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99),
              st.integers(0, 99)),
    st.builds("{:04d}-{}-{} {}:{:02d}:00{}".format, st.integers(0, 9999), st.integers(0, 19),
              st.integers(0, 39), st.integers(0, 99), st.integers(0, 99),
              st.sampled_from(["", "Z", "+07:00", "+25:00", "-99"])),
    st.builds(lambda sign, prefix, count, digit: sign + prefix + _digits(count, digit),
              st.sampled_from(["", "-", "+"]), st.sampled_from(["", "0x", "0b", "0o", "0"]),
              st.integers(1, 6000), st.sampled_from(["9", "1", "f", "7", "1_"])),
    st.builds(lambda parts: ":".join(["1", *parts]), st.lists(st.sampled_from(["59", "0"]),
              min_size=1, max_size=3000)),
    st.integers(-(10**40), 10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([".inf", "-.inf", ".nan", ".NaN", "1.0e+400", "2023.0", "1e5", "yes",
                     "no", "on", "off", "true", "False", "~", "null", '""', "''", "[]", "{}",
                     '"2021-02-30"', "2021", "0", "-0", "1_000", "0o17", "!!binary aGk=",
                     "!!int x", "!!float x", "!!bool maybe", "!!timestamp nay",
                     "!!timestamp 2021-02-30", "!!str 5", "!!null x", "!!int " + LONG,
                     "9" * 4301 + ".5", "0x" + "f" * 4000]),
)  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(place=st.sampled_from(sorted(BOOK_PLACES) + ["model." + k for k in MODEL_PLACES]
                             + ["page.order"]),
       value=scalars)  # fmt: skip
def test_check_never_tracebacks_on_any_number_or_date_shape(
    tmp_path: Path, place: str, value: str
) -> None:
    book = tmp_path / "book"
    shutil.rmtree(book, ignore_errors=True)
    shutil.copytree(FIXTURES / "minimal", book)
    if place.startswith("model."):
        line = MODEL_PLACES[place.removeprefix("model.")].format(v=value)
        write_model(book, "gia-tri", VALID_FRONT_MATTER.replace("year: 2023", line))
    elif place == "page.order":
        page = book / "pages" / "loi-gioi-thieu.md"
        text = page.read_text(encoding="utf-8").replace("order: 1", f"order: {value}")
        page.write_text(text, encoding="utf-8")
    else:
        text = (book / "book.yaml").read_text(encoding="utf-8")
        snippet = BOOK_PLACES[place].format(v=value)
        first = snippet.split(":")[0]
        lines = [line for line in text.split("\n") if not line.startswith(f"{first}:")]
        (book / "book.yaml").write_text("\n".join([*lines, snippet, ""]), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(book)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    for line in result.stderr.splitlines():
        if ": error: " in line:
            where = line.split(": error: ")[0].rsplit(":", 2)
            assert int(where[1]) >= 1 and int(where[2]) >= 1, line


def test_a_quote_escaped_inside_a_list_is_no_unclosed_bracket(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "ngoac", VALID_FRONT_MATTER + 'tags: ["a\\"b", "c", \'it\'\'s [\', x]')
    output = check(run, book)
    assert "bracket" not in output
    loaded = load_book(book)
    entry = next(e for e in loaded.book.entries if e.slug == "ngoac") if loaded.book else None
    assert entry is not None and entry.tags == ('a"b', "c", "it's [", "x")


def test_a_list_closed_on_a_later_line_is_no_unclosed_bracket(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "nhieu-dong", VALID_FRONT_MATTER + 'tags: ["a",\n  "b"]')
    assert "bracket" not in check(run, book)


def test_an_unclosed_bracket_is_still_named(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "mo-ngoac", VALID_FRONT_MATTER + 'tags: ["a\\"b", "c"')
    output = check(run, book)
    assert "mo-ngoac.md:8:7: error: the bracket opened here is never closed" in output
    assert 'hint: close it at the end of the line: tags: ["a\\"b", "c"]' in output


texts = st.text(
    st.sampled_from("\"'\\[]{}#:,-?&*!|>%@` \tađĐ1")
    | st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp"),
                    exclude_characters="“”\u0085\ufeff"),
    max_size=20,
)  # fmt: skip
front_matters = st.fixed_dictionaries(
    {},
    optional={"title": texts, "unit": texts, "summary": texts, "tags": st.lists(texts, max_size=4),
              "person": st.fixed_dictionaries({"name": texts}, optional={"role": texts})},
)  # fmt: skip


def _dumped(data: dict[str, object], style: str | None, flow: bool) -> str:
    """`data` as front matter: one `key: value` a line, nested lists and groups in brackets
    (`flow`) or on lines of their own, texts plain or quoted (`style`)."""
    import yaml

    def dump(value: object, flow: bool) -> str:
        text = yaml.safe_dump(value, allow_unicode=True, default_style=style,
                              default_flow_style=flow, width=10**6)  # fmt: skip
        return text.removesuffix("\n...\n").rstrip("\n")

    lines = []
    for key, value in data.items():
        if isinstance(value, list | dict) and not flow and value:
            lines.append(dump({key: value}, False))
        else:
            lines.append(f"{key}: {dump(value, True)}")
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(data=front_matters, style=st.sampled_from([None, '"', "'"]), flow=st.booleans())
def test_the_lint_never_reports_a_mistake_in_valid_yaml(
    data: dict[str, object], style: str | None, flow: bool
) -> None:
    import yaml

    from builder.load.checks import front_matter_lint
    from builder.load.entries import LIST_KEYS

    text = _dumped(data, style, flow)
    assert (yaml.safe_load(text) or {}) == data
    assert front_matter_lint.mistakes(text, LIST_KEYS) == [], text


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    deep = "[" * 25
    front = VALID_FRONT_MATTER.replace('unit: "Chi bộ thôn"', 'unit: "Chi bộ \\"thôn\\""')
    write_model(book, "sau", front + f"summary: 'it''s {deep}'  # {deep}\ntags: [\"{deep}\"]")
    output = check(run, book)
    assert "nested" not in output and "sau.md" not in output, output


def test_a_file_name_with_terminal_codes_is_shown_escaped(
    book_copy: Callable[[str], Path],
) -> None:
    book = book_copy("minimal")
    write_model(book, "bad\x1b[31m\x07\u202ename", VALID_FRONT_MATTER)
    result = CliRunner().invoke(main, ["check", "--content", str(book)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\u202e" not in result.output
    assert "models/bad\\x1b[31m\\x07\\u202ename.md:1:1: error: file name “bad\\x1b[31m\\x07" in (
        result.stderr
    )


def test_a_write_failure_names_the_file_escaped() -> None:
    import errno

    from builder.util.files import WriteFailed

    failure = WriteFailed(Path("models/a\x1bb.md"), OSError(errno.EROFS, "Read-only"))
    assert str(failure) == "cannot write models/a\\x1bb.md: the disk is read-only"


def test_import_names_a_missing_document_escaped(book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    result = CliRunner().invoke(main, ["import", "--content", str(book), "khong\x1b[2J\u202e.docx"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "khong\\x1b[2J\\u202e.docx: error: no such file" in result.stderr


def test_a_title_made_from_a_file_name_keeps_no_invisible_character() -> None:
    from builder.load.checks.invisible import clean_title

    name = "\x1b[31mHiến\x07 đất\u202e mở\tđường\u200b\x1b]0;tên\x07  \n"
    assert clean_title(name) == "Hiến đất mở đường"
    assert clean_title("Dân vận khéo") == "Dân vận khéo"


def test_check_fix_writes_whole_and_keeps_the_mode(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    path = write_model(book, "sua", VALID_FRONT_MATTER, "Nhân dân đo\u0302\u0300ng lòng.\n")
    path.chmod(0o600)
    result = run("check", "--fix", "--content", book)
    assert result.exit_code == 0, result.output
    assert "đồng" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o600
    assert not [p.name for p in path.parent.iterdir() if ".tmp-" in p.name]


def test_check_fix_on_a_read_only_book_says_so_plainly(book_copy: Callable[[str], Path]) -> None:
    import os
    import subprocess
    import sys

    book = book_copy("minimal")
    write_model(book, "sua", VALID_FRONT_MATTER, "Nhân dân đo\u0302\u0300ng lòng.\n")
    command = [sys.executable, "-m", "builder", "--lang", "en", "check", "--fix", "--content",
               str(book)]  # fmt: skip
    if os.geteuid() == 0:  # root writes anywhere, unless it gives up the right to
        if not shutil.which("setpriv"):
            pytest.skip("setpriv is needed to drop root's right to write anywhere")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    for folder in (book, book / "models"):
        folder.chmod(0o555)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    finally:
        for folder in (book, book / "models"):
            folder.chmod(0o755)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error: cannot write {book}/models/sua.md: permission denied; ask for write " in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("address", "hint"),
    [
        ('https://example.org/"sach/', 'remove “"”: a web address holds only letters'),
        ("https://example.org/<b>/", "remove “<”"),
        ("https://example.org/a\\b/", "remove “\\”"),
        ("https://ten:mat-khau@example.org/", "leave out the name and password before @"),
        ("https://example.org/?trang=1/", "start it with https:// (or http://), with no ?, #"),
        ("ftp://example.org/", "start it with https:// (or http://)"),
        ("https://example..org/", "after https:// comes the site's name, like example.org"),
        ("https://example.org:99999/", "after https:// comes the site's name"),
        ("https://example.org/%zz/", "write % only as part of a %-code, like %20"),
    ],
)
def test_base_url_must_be_a_plain_web_address(
    run: Run, book_copy: Callable[[str], Path], address: str, hint: str
) -> None:
    book = book_copy("minimal")
    text = (book / "book.yaml").read_text(encoding="utf-8")
    text = text.replace('base_url: "https://example.org/sach/"', f"base_url: '{address}'")
    (book / "book.yaml").write_text(text, encoding="utf-8")
    output = check(run, book)
    assert "book.yaml:9:11: error: `base_url` must be the site's web address" in output
    assert f"hint: {hint}" in output


def test_a_plain_address_with_a_port_and_percent_codes_passes(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    text = (book / "book.yaml").read_text(encoding="utf-8")
    address = "http://localhost:8080/s%C3%A1ch/"
    (book / "book.yaml").write_text(text.replace("https://example.org/sach/", address), "utf-8")
    assert "base_url" not in check(run, book)


ICC_FOLDER = Path("/usr/share/color/icc/ghostscript")


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("/etc/passwd", "the press profile /etc/passwd is not an ICC profile"),
        (
            str(ICC_FOLDER / "srgb.icc"),
            f"the press profile {ICC_FOLDER}/srgb.icc is for RGB colours, not for the press's CMYK",
        ),
        ("khong-co.icc", "the press profile khong-co.icc is not a file"),
        ("x" * 5000, f"the press profile {'x' * 120}… is not a file"),
        ("images", "the press profile images is not a file"),
        ("cut.icc", "the press profile cut.icc is not an ICC profile"),
    ],
)
def test_print_profile_must_be_a_cmyk_icc_file(
    run: Run, book_copy: Callable[[str], Path], profile: str, message: str
) -> None:
    book = book_copy("minimal")
    cmyk = (ICC_FOLDER / "default_cmyk.icc").read_bytes()
    (book / "cut.icc").write_bytes(cmyk[:1000])  # the header says 187 484 bytes
    with (book / "book.yaml").open("a", encoding="utf-8") as stream:
        stream.write(f'print:\n  profile: "{profile}"\n')
    output = check(run, book)
    assert f"book.yaml:23:12: error: {message}" in output, output
    assert "hint: ask the printing house for its ICC profile for CMYK (a .icc file)" in output


def test_a_cmyk_icc_profile_passes_the_check(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    shutil.copy(ICC_FOLDER / "default_cmyk.icc", book / "nha-in.icc")
    with (book / "book.yaml").open("a", encoding="utf-8") as stream:
        stream.write('print:\n  profile: "nha-in.icc"\n')
    assert "profile" not in check(run, book)


def test_an_impossible_date_as_a_key_is_named_at_its_place() -> None:
    """A key is read like a value: `2025-02-30:` raised Python's ValueError past the YAML
    layer (the review files had their own fallback for it)."""
    from builder.load.yaml_source import YamlProblem, parse_yaml

    with pytest.raises(YamlProblem) as caught:
        parse_yaml("title: x\n2025-02-30: y\n")
    assert (caught.value.position.line, caught.value.position.column) == (2, 1)
    assert "2025-02-30" in caught.value.message
