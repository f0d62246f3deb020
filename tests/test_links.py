"""Links in a body: web addresses stay as typed; a link to another model by its file name
goes where each output has that model; anything else is refused by `check` at its line."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import VALID_FRONT_MATTER, Run, write_model
from lxml import html

from builder.book import urls


def test_a_link_to_another_model_goes_to_it_in_every_output(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    book = book_copy("minimal")
    body = "Học theo [đường làng](duong-lang.md) và [trang web](https://example.org/).\n"
    write_model(book, "lien-ket", VALID_FRONT_MATTER, body)
    out = tmp_path / "o"
    result = run("build", "--content", book, "--out", out)
    assert result.exit_code == 0, result.stderr
    page = html.parse(str(out / "site" / urls.model("lien-ket")))
    hrefs = page.xpath("//main//a[text()='đường làng' or text()='trang web']/@href")
    from_a_body = urls.root_of(urls.model("lien-ket"))  # bodies of models and pages alike
    assert hrefs == [from_a_body + urls.model("duong-lang"), "https://example.org/"]
    (epub,) = out.glob("*.epub")
    with zipfile.ZipFile(epub) as package:
        xhtml = package.read("EPUB/m-lien-ket.xhtml").decode()
    assert 'href="m-duong-lang.xhtml"' in xhtml
    (screen,) = (p for p in out.glob("*.pdf") if not p.stem.endswith(("-print", "-cover")))
    reader = PdfReader(screen)
    target_page = _page_with(reader, "Đường làng sạch đẹp")
    links = [
        annotation.get_object()
        for pdf_page in reader.pages
        for annotation in pdf_page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    uris = [link["/A"].get("/URI") for link in links if "/A" in link]
    assert not [uri for uri in uris if uri and str(uri).startswith("file:")]
    internal = [
        link for link in links if "/Dest" in link or link.get("/A", {}).get("/S") == "/GoTo"
    ]
    destinations = {_destination_page(reader, link) for link in internal}
    assert target_page in destinations


def _page_with(reader: object, text: str) -> int:
    from pypdf import PdfReader

    assert isinstance(reader, PdfReader)
    for number, page in enumerate(reader.pages):
        if text in (page.extract_text() or "") and "Đơn vị" in (page.extract_text() or ""):
            return number
    raise AssertionError(text)


def _destination_page(reader: object, link: object) -> int:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    assert isinstance(reader, PdfReader) and isinstance(link, DictionaryObject)
    destination = link.get("/Dest") or link["/A"].get("/D")
    if not isinstance(destination, list):
        destination = reader.named_destinations[str(destination)]
        return reader.get_destination_page_number(destination)
    return reader.get_page_number(destination[0].get_object())


def test_a_link_to_a_file_of_the_machine_is_refused_at_its_line(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "tep", VALID_FRONT_MATTER, "Xem [mật khẩu](/etc/passwd).\n")
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert (
        "tep.md:10:16: error: the link “/etc/passwd” leads neither to a web page nor to a "
        "model of the book\n"
    ) in result.stderr
