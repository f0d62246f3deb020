"""What districts send, made into something mammoth reads: .docx as it is; .doc, .odt and
.rtf through LibreOffice; a password-protected file refused; EMF/WMF pictures as PNG.

LibreOffice runs headless with a profile of its own (two imports at once, or an office the
user has open, would otherwise share one and block each other) and a time limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

from PIL import Image as PILImage

from builder.authoring.word import ole_streams
from builder.book.vietnamese import format_number
from builder.util.cache import cache_path, code_version
from builder.util.errors import DocumentRefused
from builder.util.i18n import _

LIBREOFFICE_SECONDS = 120
LIBREOFFICE_SECONDS_A_FILE = 15  # a batch of a hundred .doc files gets its time
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"  # a zip's first local header: a .docx or .odt starts so
ENCRYPTED = "encryptioninfo".encode("utf-16-le")  # a stream of an encrypted OOXML file
# The streams of a password-protected OOXML file (Word keeps it as an OLE file), any case.
ENCRYPTED_STREAMS = {"encryptioninfo", "encryptedpackage"}
FIB_ENCRYPTED = 0x0100  # fEncrypted in the flags word at 0x0A of a .doc's WordDocument stream
SUFFIXES = {"wordml": "xml"}  # what LibreOffice needs to see to pick its reader
WORD_2003_XML = (b'progid="word.document"', b"<w:worddocument")
INSTALL = "libreoffice-writer-nogui libreoffice-draw-nogui"
# A .docx can be built to unpack to gigabytes (a “zip bomb”): 150 MB of tiny paragraphs held
# mammoth for minutes and gigabytes. mammoth (and python-docx for `comments`) hold the whole
# XML tree: time and memory follow the paragraphs and elements more than the bytes. A 30-page
# district report as python-docx writes it (headings, text, lists, a table a page, ten photos)
# has 1.1 MB of XML, 1 541 paragraphs and 29 000 elements, and imports in 1.4 s and 70 MB;
# Word's own XML is about three times as verbose. The limits leave ten times that: the worst
# document they allow (19 000 paragraphs, 285 000 elements) imported in 25 s and 300 MB on a
# loaded two-core machine.
MAX_XML_MB = 20  # the text: .xml and .rels parts, unpacked
MAX_PARAGRAPHS = 20_000
MAX_ELEMENTS = 300_000
# Pictures are counted apart: a dozen phone photos are tens of MB, and they are not parsed.
# Their declared sizes suffice: Python's zipfile never unpacks more than a part declares.
MAX_UNPACKED_MB = 200
XML_PARTS = (".xml", ".rels")
_PARAGRAPH = re.compile(rb"<w:p[\s>/]")
_ELEMENT = re.compile(rb"<[^/?!]")
_CHUNK = 1 << 20


def damaged() -> DocumentRefused:
    return DocumentRefused(_("the Word file is damaged (cut short?); ask for it again"))


def kind_of(path: Path) -> str:
    """`docx`, `odt`, `doc`, `rtf`, `wordml` (Word 2003 XML), `encrypted` (a password: .docx,
    .doc or .odt) or `unknown`, from the content; DocumentRefused (damaged) for a zip cut short
    or a Word package without its text."""
    with path.open("rb") as stream:
        head = stream.read(8)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names:
                    with archive.open("mimetype") as mimetype:
                        if b"opendocument.text" in mimetype.read(100):
                            return "encrypted" if _odf_encrypted(archive, names) else "odt"
                if any(name.startswith("word/") for name in names):
                    raise damaged()  # Word's parts, but not the one with the text
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            if head.startswith(ZIP):  # a zip's start without its directory: cut short
                raise damaged() from exc
            return "unknown"
        return "unknown"
    if head == OLE:
        return _ole_kind(path)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if _word_2003_xml(path):
        return "wordml"
    return "unknown"


def _ole_kind(path: Path) -> str:
    """`encrypted` for a password-protected .docx (its encryption streams, in any case) or
    .doc (the FIB's fEncrypted flag), else `doc`."""
    try:
        names, fib = ole_streams.streams(path, "WordDocument", 16)
    except ole_streams.NotCompound:  # damaged tables: the bytes may still say it
        return "encrypted" if ENCRYPTED in path.read_bytes()[:4_000_000].lower() else "doc"
    if {name.casefold() for name in names} & ENCRYPTED_STREAMS:
        return "encrypted"
    if len(fib) >= 12 and struct.unpack_from("<H", fib, 0x0A)[0] & FIB_ENCRYPTED:
        return "encrypted"
    return "doc"


def _odf_encrypted(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument saved with a password lists `encryption-data` in its manifest."""
    if "META-INF/manifest.xml" not in names:
        return False
    with archive.open("META-INF/manifest.xml") as manifest:
        return b"encryption-data" in manifest.read(1_000_000)


def _word_2003_xml(path: Path) -> bool:
    """A Word 2003 XML document (“WordprocessingML”, one .xml file): LibreOffice reads it."""
    with path.open("rb") as stream:
        start = stream.read(4096).lower()
    return start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml") and any(
        mark in start for mark in WORD_2003_XML
    )


LEGACY = ("doc", "odt", "rtf", "wordml")  # what LibreOffice turns into a .docx first


def converted_together(documents: list[Path], scratch: Path) -> dict[Path, Path]:
    """The legacy documents of a batch (.doc, .odt, .rtf, Word 2003 XML) turned into .docx by
    one LibreOffice start (it costs 1–3 s; a hundred starts were most of an import's time).
    A document it could not convert is left out: `readable_docx` tries it alone and says why."""
    office = libreoffice()
    legacy: dict[Path, str] = {}
    for document in documents:
        try:
            kind = kind_of(document) if document.is_file() else ""
        except (DocumentRefused, OSError):
            continue
        if kind in LEGACY:
            legacy[document] = kind
    if office is None or len(legacy) < 2:
        return {}
    folder = Path(tempfile.mkdtemp(dir=scratch))
    sources = {}
    for number, (document, kind) in enumerate(legacy.items()):
        sources[document] = folder / f"source-{number}.{SUFFIXES.get(kind, kind)}"
        shutil.copyfile(document, sources[document])  # unique names: outputs never collide
    convert(office, list(sources.values()), "docx", folder / "out")
    made = {
        document: folder / "out" / f"{source.stem}.docx" for document, source in sources.items()
    }
    return {document: docx for document, docx in made.items() if docx.is_file()}


def readable_docx(path: Path, scratch: Path, batch_docx: Path | None = None) -> Path:
    """`path` itself if it is a .docx; a .docx LibreOffice made of it in `scratch` if it is a
    .doc, .odt or .rtf (or `batch_docx`, made already with the rest of its batch);
    DocumentRefused with the reason otherwise."""
    kind = kind_of(path)
    if kind == "docx":
        check_unpacked_size(path)
        return path
    if kind in LEGACY and batch_docx is not None and batch_docx.is_file():
        check_unpacked_size(batch_docx)
        return batch_docx
    if kind == "encrypted":
        raise DocumentRefused(
            _("it is protected by a password; save it without one and import again")
        )
    if kind == "unknown":
        raise DocumentRefused(
            _("it is not a Word document (.docx, .doc) nor an OpenDocument text (.odt)")
        )
    office = libreoffice()
    if office is None:
        raise DocumentRefused(
            _("a .{kind} document needs LibreOffice to be read: install {packages}").format(
                kind=kind, packages=INSTALL
            )
        )
    folder = Path(tempfile.mkdtemp(dir=scratch))
    source = folder / f"source.{SUFFIXES.get(kind, kind)}"
    shutil.copyfile(path, source)  # LibreOffice names its output after the input
    converted = convert(office, [source], "docx", folder / "out")
    if not converted:
        raise DocumentRefused(
            _("the .{kind} document is damaged: LibreOffice could not read it; ask for it "
              "again").format(kind=SUFFIXES.get(kind, kind))
        )  # fmt: skip
    check_unpacked_size(converted[0])
    return converted[0]


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(office: str, files: list[Path], target: str, outdir: Path) -> list[Path]:
    """`files` converted by LibreOffice into `target` format in `outdir`: the files made, in
    the order given (missing where LibreOffice failed)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="builder-office-") as profile:
        try:
            subprocess.run(
                [office, "--headless", "--norestore",
                 f"-env:UserInstallation={Path(profile).as_uri()}",
                 "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
                capture_output=True, check=False,
                timeout=LIBREOFFICE_SECONDS + LIBREOFFICE_SECONDS_A_FILE * len(files),
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return []
    extension = target.split(":", 1)[0]  # `png:draw_png_Export:{…}` makes .png files
    made = [outdir / f"{file.stem}.{extension}" for file in files]
    return [path for path in made if path.is_file()]


def check_unpacked_size(document: Path) -> None:
    """DocumentRefused unless the .docx's text is within what a district's report needs: its XML
    parts' size, paragraphs and elements counted while unpacking them as a stream, never
    more than the limit read (the zip's directory may lie about sizes), before any parser
    sees them; its pictures' size from the directory. Used by `import` and `comments`."""
    try:
        with zipfile.ZipFile(document) as archive:
            items = archive.infolist()
            xml = [item for item in items if item.filename.lower().endswith(XML_PARTS)]
            declared = sum(item.file_size for item in xml)
            _within(declared, 0, 0)
            pictures = sum(item.file_size for item in items) - declared
            if pictures > MAX_UNPACKED_MB * 1_000_000:
                raise DocumentRefused(
                    _("it unpacks to {megabytes} MB; documents of up to {most} MB are "
                      "supported").format(megabytes=pictures // 1_000_000, most=MAX_UNPACKED_MB)
                )  # fmt: skip
            _count_xml(archive, xml)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise damaged() from exc


def _count_xml(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> None:
    """Unpack the XML parts as a stream, counting, and stop at the first limit passed."""
    size = paragraphs = elements = 0
    for item in parts:
        before = b""  # the last bytes of the previous chunk: a tag may straddle two
        with archive.open(item) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                paragraphs += len(_PARAGRAPH.findall(before[-4:] + chunk))
                elements += len(_ELEMENT.findall(before[-1:] + chunk))
                _within(size, paragraphs, elements)
                before = chunk


def _within(size: int, paragraphs: int, elements: int) -> None:
    if size > MAX_XML_MB * 1_000_000:
        raise DocumentRefused(
            _("its text unpacks to {megabytes} MB; documents of up to {most} MB of text are "
              "supported").format(megabytes=size // 1_000_000, most=MAX_XML_MB)
        )  # fmt: skip
    if paragraphs > MAX_PARAGRAPHS:
        raise DocumentRefused(
            _("it has more than {most} paragraphs; documents of up to {most} are supported "
              "(split it)").format(most=format_number(MAX_PARAGRAPHS))
        )  # fmt: skip
    if elements > MAX_ELEMENTS:
        raise DocumentRefused(
            _("its text has more than {most} XML elements; documents of up to {most} are "
              "supported (split it)").format(most=format_number(MAX_ELEMENTS))
        )  # fmt: skip


def metafiles_as_png(
    pictures: list[bytes], suffix: str, scratch: Path, print_width_px: int = 0
) -> list[bytes | None]:
    """EMF or WMF pictures (`suffix` `.emf`/`.wmf`) as PNG, their empty margins cut off, at
    least `print_width_px` wide where their drawing allows (a vector map drawn for the screen
    is exported again, larger, so it prints at 300 ppi across the page); None for one
    LibreOffice could not convert, or for all when it is not installed.

    Conversions are kept by content in `.cache/metafiles/`: a district sends the same file
    again, with its letterhead's logo in every document, and each LibreOffice start costs
    about a second. All the pictures of a batch share one LibreOffice start per pass."""
    kept = cache_path("metafiles")
    version = code_version("metafiles")
    keys = [
        hashlib.sha256(version + f"{suffix}:{print_width_px}".encode() + data).hexdigest()
        for data in pictures
    ]
    result: list[bytes | None] = [
        (kept / f"{key}.png").read_bytes() if (kept / f"{key}.png").is_file() else None
        for key in keys
    ]
    missing = [number for number, found in enumerate(result) if found is None]
    office = libreoffice()
    if office is None or not missing:
        return result
    folder = Path(tempfile.mkdtemp(dir=scratch))
    files = {}
    for number in missing:
        files[number] = folder / f"picture-{number}{suffix}"
        files[number].write_bytes(pictures[number])
    first = _exported(office, files, folder / "png", "png")
    scale = max((_scale(png, print_width_px) for png in first.values()), default=1.0)
    if scale > 1:
        larger = _exported(office, files, folder / "larger", _png_filter(first, scale))
        first.update({number: png for number, png in larger.items() if png})
    for number, png in first.items():
        result[number] = _cropped(png)
        with contextlib.suppress(OSError):  # a full disk costs the cache, not the import
            kept.mkdir(parents=True, exist_ok=True)
            partial = kept / f"{keys[number]}.png.part"
            partial.write_bytes(result[number] or b"")
            partial.replace(kept / f"{keys[number]}.png")
    return result


MAX_METAFILE_SCALE = 6.0  # an A4 page at 96 dpi drawn 6× is 27 million pixels: enough


def _exported(office: str, files: dict[int, Path], outdir: Path, target: str) -> dict[int, bytes]:
    convert(office, list(files.values()), target, outdir)
    found = {}
    for number, file in files.items():
        made = outdir / f"{file.stem}.png"
        if made.is_file():
            found[number] = made.read_bytes()
    return found


def _scale(png: bytes, print_width_px: int) -> float:
    """How much larger the page must be drawn for the picture on it to be `print_width_px`
    wide (1: wide enough already)."""
    with PILImage.open(io.BytesIO(png)) as picture:
        box = PILImage.eval(picture.convert("RGB"), lambda value: 255 - value).getbbox()
    width = (box[2] - box[0]) if box else 0
    if not width or not print_width_px or width >= print_width_px:
        return 1.0
    return min(print_width_px / width, MAX_METAFILE_SCALE)


def _png_filter(first: dict[int, bytes], scale: float) -> str:
    """LibreOffice's PNG export drawing the page `scale` times larger (its size is the page's
    as the first pass drew it; the filter needs both sides, or it ignores them)."""
    with PILImage.open(io.BytesIO(next(iter(first.values())))) as page:
        width, height = page.size
    size = {"PixelWidth": round(width * scale), "PixelHeight": round(height * scale)}
    options = ",".join(
        f'"{key}":{{"type":"long","value":"{value}"}}' for key, value in size.items()
    )
    return f"png:draw_png_Export:{{{options}}}"


def _cropped(png: bytes) -> bytes:
    """LibreOffice draws a metafile on a page: the picture is what is not page-white."""
    with PILImage.open(io.BytesIO(png)) as picture:
        rgb = picture.convert("RGB")
        inverted = PILImage.eval(rgb, lambda value: 255 - value)
        box = inverted.getbbox()
        if box is None:
            return png
        buffer = io.BytesIO()
        rgb.crop(box).save(buffer, "PNG")
        return buffer.getvalue()
