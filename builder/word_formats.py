"""What districts send, made into something mammoth reads: .docx as it is; .doc, .odt and
.rtf through LibreOffice; a password-protected file refused; EMF/WMF pictures as PNG.

LibreOffice runs headless with a profile of its own (two imports at once, or an office the
user has open, would otherwise share one and block each other) and a time limit.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from PIL import Image as PILImage

from builder.cache import cache_dir
from builder.i18n import _

LIBREOFFICE_SECONDS = 120
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # a stream of an encrypted OOXML file
INSTALL = "libreoffice-writer-nogui libreoffice-draw-nogui"
# A district's write-up with a dozen photos unpacks to a few MB; a .docx can be built to
# unpack to gigabytes (a “zip bomb”), which would take minutes and all the memory.
MAX_UNPACKED_MB = 200


class Refused(Exception):
    """The document cannot be imported; the message says why, in the user's language."""


def kind_of(path: Path) -> str:
    """`docx`, `odt`, `doc`, `rtf`, `encrypted` or `unknown`, from the content."""
    with path.open("rb") as stream:
        head = stream.read(8)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and b"opendocument.text" in archive.read("mimetype"):
                    return "odt"
        except zipfile.BadZipFile:
            return "unknown"
        return "unknown"
    if head == OLE:
        return "encrypted" if ENCRYPTED in path.read_bytes()[:4_000_000] else "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    return "unknown"


def readable_docx(path: Path, scratch: Path) -> Path:
    """`path` itself if it is a .docx; a .docx LibreOffice made of it in `scratch` if it is a
    .doc, .odt or .rtf; Refused with the reason otherwise."""
    kind = kind_of(path)
    if kind == "docx":
        check_unpacked_size(path)
        return path
    if kind == "encrypted":
        raise Refused(_("it is protected by a password; save it without one and import again"))
    if kind == "unknown":
        raise Refused(_("it is not a Word document (.docx, .doc) nor an OpenDocument text (.odt)"))
    office = libreoffice()
    if office is None:
        raise Refused(
            _("a .{kind} document needs LibreOffice to be read: install {packages}").format(
                kind=kind, packages=INSTALL
            )
        )
    folder = Path(tempfile.mkdtemp(dir=scratch))
    source = folder / f"source.{kind}"
    shutil.copyfile(path, source)  # LibreOffice names its output after the input
    converted = convert(office, [source], "docx", folder / "out")
    if not converted:
        raise Refused(
            _("LibreOffice could not convert this .{kind} document (damaged, or protected by a "
              "password?)").format(kind=kind)
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
                capture_output=True, timeout=LIBREOFFICE_SECONDS, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return []
    made = [outdir / f"{file.stem}.{target}" for file in files]
    return [path for path in made if path.is_file()]


def check_unpacked_size(document: Path) -> None:
    try:
        with zipfile.ZipFile(document) as archive:
            size = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(_("it is damaged ({reason})").format(reason=exc)) from exc
    if size > MAX_UNPACKED_MB * 1_000_000:
        raise Refused(
            _("it unpacks to {megabytes} MB; documents of up to {most} MB are supported").format(
                megabytes=size // 1_000_000, most=MAX_UNPACKED_MB
            )
        )


def metafiles_as_png(pictures: list[bytes], suffix: str, scratch: Path) -> list[bytes | None]:
    """EMF or WMF pictures (`suffix` `.emf`/`.wmf`) as PNG, their empty margins cut off;
    None for one LibreOffice could not convert, or for all when it is not installed.

    Conversions are kept by content in `.cache/metafiles/`: a district sends the same file
    again, with its letterhead's logo in every document, and each LibreOffice start costs
    about a second."""
    kept = cache_dir() / "metafiles"
    keys = [hashlib.sha256(suffix.encode() + data).hexdigest() for data in pictures]
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
    convert(office, list(files.values()), "png", folder / "png")
    kept.mkdir(parents=True, exist_ok=True)
    for number, file in files.items():
        made = folder / "png" / f"{file.stem}.png"
        if made.is_file():
            result[number] = _cropped(made.read_bytes())
            partial = kept / f"{keys[number]}.png.part"
            partial.write_bytes(result[number] or b"")
            partial.replace(kept / f"{keys[number]}.png")
    return result


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
