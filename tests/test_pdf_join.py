"""Two small tagged PDFs laid out apart by WeasyPrint and joined
(builder.outputs.pdf.write.pdf_join) against the
same HTML laid out in one pass: pages, text, bookmarks, links, tags and page labels."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pdfcheck import layout_texts, link_targets, outline_titles
from pdfua import validate
from pypdf import PdfReader
from weasyprint import HTML

from builder.outputs.pdf.write.pdf_join import cross_unit_uri, join
from builder.outputs.pdf.write.struct_tree_merge import number_tree

STYLE = "<style>@page { size: A6 } h1 { break-before: page } table { border: 1px solid }</style>"
HEAD = f'<!doctype html><html lang="vi"><head><title>Sổ tay</title>{STYLE}</head><body>'
UNIT_A = (
    '<h1 id="mo-dau">Mở đầu</h1><p>Xem <a href="{link}">phần kinh tế</a> ở sau.</p>'
    '<h2 id="muc-tieu">Mục tiêu</h2><p>Dân biết, dân bàn, dân làm, dân kiểm tra.</p>'
)
UNIT_B = (
    '<h1 id="kinh-te">Phần kinh tế</h1><p>Trở về <a href="{link}">mở đầu</a>.</p>'
    "<table><tr><th>Xã</th><th>Hộ</th></tr><tr><td>Tân Phú</td><td>120</td></tr></table>"
    '<h1 id="ket-luan">Kết luận</h1><p>Hết.</p>'
)


def _pdf(body: str, path: Path) -> Path:
    html = HEAD + body + "</body></html>"
    HTML(string=html).write_pdf(path, pdf_variant="pdf/ua-1", uncompressed_pdf=True)
    return path


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("join")
    single = _pdf(
        UNIT_A.format(link="#kinh-te") + UNIT_B.format(link="#mo-dau"), folder / "single.pdf"
    )
    units = [
        _pdf(UNIT_A.format(link=cross_unit_uri("kinh-te")), folder / "a.pdf"),
        _pdf(UNIT_B.format(link=cross_unit_uri("mo-dau")), folder / "b.pdf"),
    ]
    return single, join(units, folder / "joined.pdf")


def test_the_joined_pdf_has_the_single_pass_pages_and_text(editions: tuple[Path, Path]) -> None:
    single, joined = editions
    assert layout_texts(joined) == layout_texts(single)
    assert len(layout_texts(joined)) == 3


def test_the_joined_pdf_has_the_same_bookmarks_andlink_targets(
    editions: tuple[Path, Path],
) -> None:
    single, joined = editions
    assert outline_titles(PdfReader(joined).outline) == outline_titles(PdfReader(single).outline)
    assert link_targets(joined) == link_targets(single)
    assert len(link_targets(joined)) == 2


def test_the_joined_structure_tree_is_one_document_with_parents_renumbered(
    editions: tuple[Path, Path],
) -> None:
    _, joined = editions
    with pikepdf.open(joined) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and pikepdf.Name.Document == root.K[0].S
        tags = [str(kid.S) for kid in root.K[0].K]
        assert tags.count("/H1") == 3 and "/Table" in tags
        assert all(kid.P.objgen == root.K[0].objgen for kid in root.K[0].K)
        keys = [key for key, _ in number_tree(root.ParentTree)]
        used = [int(page.obj.StructParents) for page in pdf.pages]
        used += [
            int(annotation.StructParent)
            for page in pdf.pages
            for annotation in page.obj.get("/Annots", [])
        ]
        assert sorted(used) == keys and len(set(keys)) == len(keys)
        assert int(root.ParentTreeNextKey) == max(keys) + 1
        for _key, value in number_tree(root.ParentTree):
            elements = list(value) if isinstance(value, pikepdf.Array) else [value]
            assert all(element.get("/Type") == pikepdf.Name.StructElem for element in elements)


def _findings(path: Path) -> set[str]:
    return {f"{f.rule_id} {f.severity.name}: {f.message}" for f in validate(str(path)).findings}


def test_pdfua_finds_no_new_problem_in_the_joined_pdf(editions: tuple[Path, Path]) -> None:
    single, joined = editions
    assert _findings(joined) <= _findings(single)


def test_two_joins_give_the_same_bytes(editions: tuple[Path, Path], tmp_path: Path) -> None:
    _, joined = editions
    folder = joined.parent
    again = join([folder / "a.pdf", folder / "b.pdf"], tmp_path / "again.pdf")
    assert again.read_bytes() == joined.read_bytes()


def test_page_labels_move_with_the_pages_before_them(tmp_path: Path) -> None:
    units = []
    for name, start in (("a", 1), ("b", 3)):
        pdf = pikepdf.new()
        for _ in range(2):
            pdf.add_blank_page()
        pdf.Root.PageLabels = pikepdf.Dictionary(
            Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, St=start)])
        )
        pdf.save(tmp_path / f"{name}.pdf")
        units.append(tmp_path / f"{name}.pdf")
    joined = join(units, tmp_path / "joined.pdf")
    assert PdfReader(joined).page_labels == ["1", "2", "3", "4"]


def _tagged_page_pdf(path: Path, element_id: str, role: str) -> Path:
    """One page with one paragraph element that has an ID and a custom role (WeasyPrint
    writes neither IDTree nor RoleMap, so these are made by hand)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    page.StructParents = 0
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root)
    )
    element = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name(role), P=document, Pg=page,
            K=pikepdf.Array([0]), ID=pikepdf.String(element_id),
        )
    )  # fmt: skip
    document.K = pikepdf.Array([element])
    root.K = pikepdf.Array([document])
    root.ParentTree = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Array([element])]))
    root.IDTree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String(element_id), element]))
    root.RoleMap = pikepdf.Dictionary({role: pikepdf.Name.P})
    pdf.Root.StructTreeRoot = root
    pdf.save(path)
    return path


def test_role_maps_and_id_trees_are_merged(tmp_path: Path) -> None:
    units = [
        _tagged_page_pdf(tmp_path / "a.pdf", "doan-a", "/DoanMo"),
        _tagged_page_pdf(tmp_path / "b.pdf", "doan-b", "/DoanKet"),
    ]
    with pikepdf.open(join(units, tmp_path / "joined.pdf")) as pdf:
        root = pdf.Root.StructTreeRoot
        assert dict(root.RoleMap.items()) == {
            "/DoanMo": pikepdf.Name.P, "/DoanKet": pikepdf.Name.P,
        }  # fmt: skip
        ids = {str(root.IDTree.Names[i]): root.IDTree.Names[i + 1] for i in (0, 2)}
        assert sorted(ids) == ["doan-a", "doan-b"]
        pages = [page.obj.objgen for page in pdf.pages]
        assert [ids[key].Pg.objgen for key in ("doan-a", "doan-b")] == pages
        assert [int(page.obj.StructParents) for page in pdf.pages] == [0, 1]
        parents = dict(number_tree(root.ParentTree))
        assert [parents[key][0].ID for key in (0, 1)] == ["doan-a", "doan-b"]


def test_harfbuzz_cuts_the_joined_typeface_as_fonttools_did() -> None:
    """The joined book's subsets are cut by HarfBuzz (a hundredth of fontTools' time): the
    same tables and names, every glyph kept at its id with the outline and advance of the
    installed face (.notdef empty, as fontTools cut it), the others empty."""
    import io

    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    from builder.outputs.pdf.write import font_union
    from builder.outputs.pdf.write.harfbuzz_subset import subset_keeping_ids
    from builder.render.fonts import book_fonts

    source = book_fonts()[0].path
    glyphs = {0, 3, 36, 68, 500, 1200}
    cut = TTFont(io.BytesIO(subset_keeping_ids(
        source.read_bytes(), glyphs, font_union._KEPT_TABLES, font_union._NAME_IDS
    )))  # fmt: skip
    installed = TTFont(source)
    assert set(cut.keys()) == set(installed.keys()) & font_union._KEPT_TABLES
    assert {record.nameID for record in cut["name"].names} <= set(font_union._NAME_IDS)
    assert cut["maxp"].numGlyphs == max(glyphs) + 1

    def drawn(font: TTFont, glyph: int) -> list[object]:
        pen = RecordingPen()
        font.getGlyphSet()[font.getGlyphName(glyph)].draw(pen)
        return pen.value

    for glyph in glyphs - {0}:
        assert drawn(cut, glyph) == drawn(installed, glyph)
        assert (
            cut["hmtx"][cut.getGlyphName(glyph)] == installed["hmtx"][installed.getGlyphName(glyph)]
        )
    assert drawn(cut, 36) != [] and drawn(cut, 3) == []  # "A", the space
    assert drawn(cut, 0) == drawn(cut, 37) == []  # .notdef, kept empty as before; "B"


@pytest.mark.parametrize(
    "widths",
    [
        [],
        [3, [293], 11, [392, 392], 46, [682, 554, 903, 744]],  # as WeasyPrint writes them
        [3, 10, 500, 20, [1, 2.5, 3], 40, 40, -7],  # ranges, fractions, a negative width
    ],
)
def test_the_glyphs_of_a_widths_array_are_read_from_its_text(widths: list[object]) -> None:
    """font_union reads the glyphs a unit uses from its text (`cid_glyphs`): the same as
    reading every width (`cid_widths`)."""
    from builder.outputs.pdf.write.font_union import cid_glyphs, cid_widths

    array = pikepdf.Array([pikepdf.Array(item) if isinstance(item, list) else item
                           for item in widths])  # fmt: skip
    assert cid_glyphs(array) == set(cid_widths(array))
    assert cid_glyphs(array) or not widths


def test_faces_made_ready_ahead_are_what_the_join_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ready_faces` (run by the layout's child while the book's HTML is made) keeps each
    face's base glyphs where the join reads them: the same list the join would work out,
    read back without fontTools; a file that is not a font is left to the join."""
    from builder.outputs.pdf.write import font_union
    from builder.render.fonts import book_fonts

    sources = [font.path for font in book_fonts()]
    worked_out = [font_union._Typeface(s, s.read_bytes(), None).base_glyphs() for s in sources]
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    font_union.ready_faces([tmp_path / "broken.ttf", *sources], tmp_path / "kept")
    assert len(list((tmp_path / "kept").glob("base-glyphs-*.txt"))) == len(sources)

    def not_again(source: Path) -> set[int]:
        raise AssertionError(f"{source} worked out again")

    monkeypatch.setattr(font_union, "_shaped_glyphs", not_again)
    read = [font_union._Typeface(s, s.read_bytes(), tmp_path / "kept").base_glyphs()
            for s in sources]  # fmt: skip
    assert read == worked_out and all(len(glyphs) > 200 for glyphs in read)
