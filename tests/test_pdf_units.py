"""The book laid out in units on every core and joined (builder.outputs.pdf.layout.parallel_layout,
builder.outputs.pdf.write.pdf_join) against the same book laid out in one WeasyPrint pass: the same
pages,
text, looks, folios, bookmarks, links and boxes; no new accessibility problem; the same
bytes from one build to the next and whatever the number of processes."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import SAMPLE, Run
from pdfcheck import layout_texts, link_targets, outline_titles
from pdfua import validate
from PIL import Image
from pypdf import PdfReader

from builder.load.loader import load_book
from builder.outputs.pdf.layout import pdf_units
from builder.outputs.pdf.output import PdfOutput, book_html
from builder.publish.write_outputs import write_outputs
from builder.render.editions import BuildOptions

SCREEN = "dan-van-kheo-ninh-binh-2021-2025.pdf"
PRINT = "dan-van-kheo-ninh-binh-2021-2025-print.pdf"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample book's PDF in units (as `builder build` makes it) and in one pass."""
    folder = tmp_path_factory.mktemp("units")
    book = load_book(SAMPLE).book
    kinds = [unit.kind for unit in pdf_units.cut(book_html(book))]
    assert kinds.count("opener") == 4 and kinds.count("model") == len(book.entries)
    write_outputs(book, [PdfOutput(in_units=True)], folder / "units", BuildOptions(jobs=2))
    write_outputs(book, [PdfOutput(in_units=False)], folder / "whole")
    return folder / "units", folder / "whole"


@pytest.mark.parametrize("edition", [SCREEN, PRINT])
def test_the_units_give_the_single_pass_pages_and_text(
    builds: tuple[Path, Path], edition: str
) -> None:
    units, whole = builds
    joined, single = layout_texts(units / edition), layout_texts(whole / edition)
    assert len(joined) == len(single) > 60
    for number, (ours, theirs) in enumerate(zip(joined, single, strict=True), start=1):
        assert ours == theirs, f"{edition}, page {number}"


def _pixels(pdf: Path) -> list[bytes]:
    """Every page drawn at 30 dpi (pdftoppm), as raw RGB bytes."""
    pages = len(PdfReader(pdf).pages)
    drawn = []
    for number in range(1, pages + 1):
        png = subprocess.run(
            ["pdftoppm", "-png", "-r", "30", "-f", str(number), "-l", str(number), str(pdf)],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        drawn.append(Image.open(io.BytesIO(png)).convert("RGB").tobytes())
    return drawn


@pytest.mark.parametrize("edition", [SCREEN, PRINT])
def test_every_page_looks_the_same(builds: tuple[Path, Path], edition: str) -> None:
    """Drawn, the pages are the same pixels: margins on the right side of each page,
    running heads, folios, figures, footnotes, crop marks."""
    units, whole = builds
    joined, single = _pixels(units / edition), _pixels(whole / edition)
    differing = [n for n, (a, b) in enumerate(zip(joined, single, strict=True), 1) if a != b]
    assert differing == []


def test_the_units_keep_the_bookmarks_labels_and_link_targets(builds: tuple[Path, Path]) -> None:
    units, whole = builds
    joined, single = PdfReader(units / SCREEN), PdfReader(whole / SCREEN)
    assert outline_titles(joined.outline) == outline_titles(single.outline)

    def outline_pages(reader: PdfReader) -> list[int]:
        flat: list[object] = []
        stack = list(reader.outline)
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            else:
                flat.append(reader.get_destination_page_number(item))
        return [int(str(page)) for page in flat]

    assert outline_pages(joined) == outline_pages(single)
    assert list(joined.page_labels) == list(single.page_labels)
    targets = link_targets(units / SCREEN)
    assert targets == link_targets(whole / SCREEN)
    assert sum(1 for _, target in targets if not target.startswith("http")) > 50
    assert not any(pdf_units.cross_unit_uri("") in target for _, target in targets)


def _findings(path: Path) -> set[str]:
    return {f"{f.rule_id} {f.severity.name}: {f.message}" for f in validate(str(path)).findings}


def test_pdfua_finds_no_new_problem_in_the_joined_screen_edition(
    builds: tuple[Path, Path],
) -> None:
    units, whole = builds
    assert _findings(units / SCREEN) <= _findings(whole / SCREEN)


def test_the_joined_print_edition_keeps_its_output_intent_and_boxes(
    builds: tuple[Path, Path],
) -> None:
    units, whole = builds

    def boxes(path: Path) -> list[tuple[str, ...]]:
        with pikepdf.open(path) as pdf:
            return [
                tuple(str(list(page.obj[box])) for box in ("/MediaBox", "/BleedBox", "/TrimBox"))
                for page in pdf.pages
            ]

    def catalogue(path: Path) -> tuple[list[str], list[str], set[str]]:
        with pikepdf.open(path) as pdf:
            intents = [str(intent.S) for intent in pdf.Root.OutputIntents]
            page_keys = {str(key) for page in pdf.pages for key in page.obj}
            return sorted(str(key) for key in pdf.Root), intents, page_keys

    # Made from the screen edition (builder.outputs.pdf.write.interior_from_screen): no tags, links,
    # labels.
    assert catalogue(units / PRINT) == catalogue(whole / PRINT)
    assert catalogue(units / PRINT)[1] == ["/GTS_PDFX"]
    assert "/Annots" not in catalogue(units / PRINT)[2]
    printed, single = PdfReader(units / PRINT), PdfReader(whole / PRINT)
    assert outline_titles(printed.outline) == outline_titles(single.outline)
    assert printed.metadata == single.metadata
    with pikepdf.open(units / PRINT) as ours, pikepdf.open(whole / PRINT) as theirs:
        assert ours.Root.Metadata.read_bytes() == theirs.Root.Metadata.read_bytes()
    assert boxes(units / PRINT) == boxes(whole / PRINT)
    assert (units / "preflight.txt").read_text(encoding="utf-8") == (
        whole / "preflight.txt"
    ).read_text(encoding="utf-8")
    assert (units / "print-pages.json").read_bytes() == (whole / "print-pages.json").read_bytes()


# What the joined file may carry beyond the single pass, for each unit after the first,
# measured on the sample book (6 units; pinned set of requirements.lock; `pikepdf` object by
# object, and the join saved again with one part replaced by the single pass's):
#   its own font dictionaries (Type0, CIDFont with /W, descriptor, ToUnicode) for each of
#   the 3 faces, all pointing at the one program:                           2.6 KB a unit
#   screen: the rest, measured together (its Document element and tree root
#   kept, structure, labels, outline: 6.9 KB for the file), and the join's
#   object streams of 100 objects, which compress less than WeasyPrint's
#   one (the single pass saved as the join is saved: +7.1 KB):            2.8 KB a unit
#   print: the units' marked-content operators (BDC/EMC; the single pass's
#   print file has none):                                                   2.2 KB a unit
# Measured: screen +26.8 KB (5.4 KB a unit), print +25.3 KB (5.1 KB a unit). The allowance,
# 6 KB a unit (30 KB for the sample), stays below one face's program (8.4–9.1 KB): a face
# carried twice fails here too, as the program bytes' own check below makes sure.
JOIN_BYTES_PER_UNIT = 6_000
# The join's union subsets keep empty glyph slots up to id 2 350 (the single pass's, up to
# 2 044–2 294): +110 bytes for the three programs (26 522 against 26 412, 0.4 %). They also
# hold the glyphs every character a page may show can be drawn with (`font_union`,
# SCREEN_BASE and its Vietnamese forms), used or not: +17 873 bytes for the three (44 285),
# 6.0 KB a face. One face carried twice adds 8.4 KB or more to the single pass's; before
# names 0–255 and Charis SIL's `Silt` table were left out of the union subsets, the programs
# took 64 512 bytes.
PROGRAM_GROWTH = 1.01
BASE_GLYPH_BYTES = 6_400  # a face


@pytest.mark.parametrize("edition", [SCREEN, PRINT])
def test_the_joined_file_carries_each_face_once(builds: tuple[Path, Path], edition: str) -> None:
    """Each unit embeds its own subset of each face; the join keeps one program per face
    (every glyph of the book), under a name no other program has: a RIP that caches fonts
    by name would otherwise draw one unit's text with another unit's glyphs."""
    units, whole = builds

    def programs(path: Path) -> dict[str, dict[str, int]]:
        """Each face's programs: {digest: compressed bytes}."""
        found: dict[str, dict[str, int]] = {}
        with pikepdf.open(path) as pdf:
            for descriptor in pdf.objects:
                if isinstance(descriptor, pikepdf.Dictionary) and "/FontFile2" in descriptor:
                    program = descriptor.FontFile2
                    digest = hashlib.sha256(program.read_bytes()).hexdigest()
                    found.setdefault(str(descriptor.FontName), {})[digest] = len(
                        program.read_raw_bytes()
                    )
        return found

    joined, single = programs(units / edition), programs(whole / edition)
    assert len(joined) == len(single) == 3  # regular, bold, italic
    assert all(len(digests) == 1 for digests in joined.values()), joined
    program_bytes = sum(sum(face.values()) for face in joined.values())
    single_program_bytes = sum(sum(face.values()) for face in single.values())
    base = len(joined) * BASE_GLYPH_BYTES
    assert program_bytes < single_program_bytes * PROGRAM_GROWTH + base, (
        program_bytes,
        single_program_bytes,
    )
    size, single_size = (units / edition).stat().st_size, (whole / edition).stat().st_size
    joined_units = len(pdf_units.cut(book_html(load_book(SAMPLE).book))) - 1
    assert size - single_size < joined_units * JOIN_BYTES_PER_UNIT + base, (size, single_size)


def test_one_process_or_two_give_the_same_bytes(
    run: Run, builds: tuple[Path, Path], tmp_path: Path
) -> None:
    units, _ = builds
    result = run("build", "--content", SAMPLE, "--out", tmp_path / "one", "--jobs", "1", "pdf")
    assert result.exit_code == 0, result.output
    for edition in (SCREEN, PRINT):
        assert (tmp_path / "one" / edition).read_bytes() == (units / edition).read_bytes()


def test_a_unit_that_fails_stops_the_build_and_leaves_no_output(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.outputs.pdf.layout import parallel_layout

    laid_out = parallel_layout.lay_out_unit

    def failing(job: object, folios_before: object, style: object) -> object:
        if getattr(job, "unit", 0) == 2:
            raise MemoryError("no memory left for the second part")
        return laid_out(job, folios_before, style)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel_layout, "lay_out_unit", failing)
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))  # no unit kept from before
    result = run("build", "--content", SAMPLE, "--out", tmp_path / "o", "pdf")
    assert result.exit_code == 1
    assert "error: laying out the PDF failed: no memory left for the second part" in (result.stderr)
    assert "Traceback" not in result.stderr.split("\n")[0]
    assert not (tmp_path / "o").exists()


def test_a_table_of_contents_that_changes_length_falls_back_to_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The front matter counted with its placeholder numbers takes two pages more than with
    the real ones (here forced): the book is laid out whole, and right."""
    html = pdf_units.Unit.html

    def longer_when_counted(unit: pdf_units.Unit, folios: object = None) -> str:
        written = html(unit, folios)  # type: ignore[arg-type]
        if folios is None:
            written = written.replace(
                "</body>", '<p style="break-before: page">…</p>' * 2 + "</body>"
            )
        return written

    monkeypatch.setattr(pdf_units.Unit, "html", longer_when_counted)
    book = load_book(SAMPLE).book
    with caplog.at_level(logging.INFO, logger="builder"):
        write_outputs(book, [PdfOutput(in_units=True)], tmp_path / "o", BuildOptions(jobs=2))
    assert "the table of contents changed length; laying the book out whole" in caplog.text
    labels = list(PdfReader(tmp_path / "o" / SCREEN).page_labels)
    assert labels[:3] == ["Bìa-1", "Bìa-2", "1"] and labels[-1] == str(len(labels) - 2)


def _sample_units() -> tuple[pdf_units.Unit, ...]:
    return pdf_units.cut(book_html(load_book(SAMPLE).book))


def test_the_cut_keeps_the_footnote_numbers_running_through_the_book() -> None:
    units = _sample_units()
    counts = [unit.body.count(pdf_units.FOOTNOTE) for unit in units]
    assert sum(counts) > 5
    for number, unit in enumerate(units):
        assert unit.footnotes_before == sum(counts[:number])
        style = f"counter-reset: footnote {unit.footnotes_before}"
        assert (style in unit.html({})) == (unit.footnotes_before > 0)


def test_the_cut_links_across_units_and_prints_their_numbers() -> None:
    units = _sample_units()
    kinds = [unit.kind for unit in units]
    assert kinds[:3] == ["front", "toc", "opener"] and kinds.count("index") == 2
    assert set(kinds[2:]) <= {"opener", "model", "index", "matter"}
    assert [unit.kind for unit in units if unit.needs_other_folios] == ["toc", "index", "index"]
    toc = units[1]
    model = next(unit for unit in units if unit.kind == "model")
    target = next(a for a in re.findall(r'href="#([^"]+)"', toc.body) if a in units[2].anchors)
    counted, numbered = toc.html(None), toc.html({target: 57})
    assert f'href="{pdf_units.cross_unit_uri(target)}" data-folio="000"' in counted
    # as wide as the real number: the join writes the real one (folio_rewrite.write_numbers)
    assert f'href="{pdf_units.cross_unit_uri(target)}" data-folio="10"' in numbered
    assert toc.printed({target: 57}) == (57,) and model.printed({target: 57}) == ()
    # a unit that prints no page number links across without one, whatever the folios
    assert model.html({target: 57}) == model.html({})
    assert all(unit.html({}).count(pdf_units.START) == unit.starts_right for unit in units)


def test_a_book_without_parts_is_one_unit() -> None:
    html = book_html(load_book(SAMPLE).book)
    whole = html.replace(pdf_units.PART, '<section class="chapter"')
    (unit,) = pdf_units.cut(whole)
    assert unit.kind == "front" and pdf_units.START not in unit.html({})


def test_keeping_the_page_references_changes_no_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """builder.outputs.pdf.write.pdf_writing.page_references_kept only saves time (pages × tags)."""
    import contextlib

    from weasyprint import HTML

    from builder.outputs.pdf.write import pdf_writing

    html = "<html lang='vi'><body>" + "<h1>Mục</h1><p>Dân vận khéo.</p>" * 40 + "</body></html>"
    style = "<style>h1 { break-before: page }</style>"
    written = []
    for kept in (True, False):
        document = HTML(string=html.replace("<body>", style + "<body>")).render()
        if not kept:
            pytest.MonkeyPatch().setattr(
                pdf_writing, "page_references_kept", contextlib.nullcontext
            )
        target = tmp_path / f"{kept}.pdf"
        pdf_writing.write_screen(document, target, b"0" * 32)
        written.append(target.read_bytes())
    assert len(PdfReader(tmp_path / "True.pdf").pages) == 40
    assert written[0] == written[1]


def test_weasyprint_subsets_the_typeface_with_harfbuzz() -> None:
    """Every unit's PDF subsets the typeface: with fontTools instead of HarfBuzz-Subset (a
    machine without libharfbuzz-subset0, which `make` installs) the 100-model book took 41 s
    instead of 18 s, and WeasyPrint warns that fontTools will not be supported."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0)


def test_weasyprint_subsets_a_typeface_without_parsing_c_types(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WeasyPrint asks cffi for a glyph array of a new length for every face it subsets;
    cffi parsed each with pycparser (2 ms, about a second of CPU at 100 models). With
    `glyph_arrays_without_parsing` a PDF is written without parsing any such type."""
    from weasyprint import HTML
    from weasyprint.text.ffi import ffi

    from builder.outputs.pdf.write.subset_arrays import glyph_arrays_without_parsing

    glyph_arrays_without_parsing()
    parsed: list[str] = []
    parse_type = ffi._parser.parse_type
    monkeypatch.setattr(
        ffi._parser, "parse_type", lambda cdecl: parsed.append(cdecl) or parse_type(cdecl)
    )
    # A text no earlier PDF of this process subset: arrays of lengths not seen before.
    text = "".join(chr(code) for code in range(0x1EA0, 0x1EF9)) + "Dân vận khéo ĐđƠơƯư"
    pdf = HTML(string=f'<p style="font-family: Charis SIL">{text} <b>{text}</b></p>').write_pdf()
    assert pdf.startswith(b"%PDF")
    assert [cdecl for cdecl in parsed if cdecl.startswith("hb_codepoint_t[")] == []
    array = ffi.new("hb_codepoint_t[4321]", list(range(4321)))
    assert len(array) == 4321 and array[4320] == 4320
    assert ffi.typeof(array) is ffi.typeof("hb_codepoint_t[4321]")
