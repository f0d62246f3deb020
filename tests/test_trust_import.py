"""`builder import` and `builder new` when things go wrong around them: sixteen runs at once,
a full or read-only disk, a zip bomb, a file cut short, pictures `check` would refuse.

Real processes on real (tmpfs) disks; nothing of the builder is replaced.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, ROOT
from docx.shared import Cm
from PIL import Image

MODELS = ("an-ninh.md", "dan-quan.md", "duong-lang.md")  # the minimal book's own
SLUG = "doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung"
NEW_FACTS = ("--kind", "tap-the", "--field", "kinh-te", "--district", "huyện Gia Viễn",
             "--year", "2023")  # fmt: skip


def _builder(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "builder", "--lang", "en", *map(str, args)]


def _run(*args: str | Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *_builder(*args)], cwd=ROOT, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _picture(size: tuple[int, int], mode: str = "RGB", noise: bool = False) -> io.BytesIO:
    buffer = io.BytesIO()
    if noise:  # incompressible: its size on disk is known
        Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode))).save(buffer, "PNG")
    else:
        Image.new(mode, size, 1 if mode == "1" else (120, 160, 120)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def _document(path: Path, paragraphs: int = 3, pictures: tuple[io.BytesIO, ...] = ()) -> Path:
    document = docx.Document()
    document.add_heading("Đổi mới sinh hoạt chi bộ ở xã Gia Hưng", 1)
    for fact in ("Đơn vị: Chi bộ thôn Đông", "Địa bàn: xã Gia Hưng, huyện Gia Viễn",
                 "Năm công nhận: 2022", "Lĩnh vực: Kinh tế"):  # fmt: skip
        document.add_paragraph(fact)
    for number in range(paragraphs):
        document.add_paragraph(f"Đoạn {number + 1}: thôn Đông họp dân công khai mỗi tháng.")
    for picture in pictures:
        document.add_picture(picture, width=Cm(12))
        picture.seek(0)
    document.save(str(path))
    return path


def _book(folder: Path) -> Path:
    shutil.copytree(FIXTURES / "minimal", folder)
    return folder


def _leftovers(book: Path) -> list[str]:
    """Temporary files a write left behind."""
    return [p.name for p in book.rglob("*") if ".tmp-" in p.name]


def _new_pictures(book: Path) -> list[str]:
    return sorted(p.name for p in (book / "images").glob(f"{SLUG}-*"))


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (root only; skipped elsewhere)."""
    folder.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, check=False)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """A file taking all the space of `disk` but `leave` bytes."""
    stats = os.statvfs(disk)
    filler = disk / "filler.bin"
    filler.write_bytes(b"\0" * max(stats.f_bavail * stats.f_frsize - leave, 0))
    return filler


# --- 3: sixteen imports at once -------------------------------------------------------------


def test_sixteen_imports_of_one_document_at_once_keep_sixteen_models(tmp_path: Path) -> None:
    """Each run names its model and creates it under the book's lock: 16 runs, 16 models,
    each whole; their one picture is written once and shared."""
    source = _document(tmp_path / "cung-mot.docx", pictures=(_picture((900, 600)),))
    reference = _book(tmp_path / "reference")
    assert _run("import", "--content", reference, source).returncode == 0
    expected = (reference / "models" / f"{SLUG}.md").read_text(encoding="utf-8")
    checked = _run("check", "--content", reference)
    assert checked.returncode == 0, checked.stderr  # a valid model: each of the 16 is this one
    for trial in range(5):
        book = _book(tmp_path / f"trial-{trial}")
        command = _builder("import", "--content", book, source)
        runs = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(16)
        ]
        said = [process.communicate(timeout=180) for process in runs]
        assert [process.returncode for process in runs] == [0] * 16, said
        printed = {out.splitlines()[0] for out, _err in said}
        models = sorted(p for p in (book / "models").iterdir() if p.name not in MODELS)
        assert len(printed) == len(models) == 16, (trial, sorted(printed))
        assert printed == {str(path) for path in models}
        for path in models:
            assert path.read_text(encoding="utf-8") == expected, path
        assert len(_new_pictures(book)) == 1 and _leftovers(book) == []


# --- 4: a full or read-only disk ------------------------------------------------------------


def test_a_full_disk_leaves_no_half_model_nor_its_pictures(tmp_path: Path) -> None:
    """The picture fits, the model of 3 000 paragraphs does not: neither stays, the message
    names the model file and says the disk is full, and the next import (with room) writes
    the model under its own name, not a `-2` beside a broken one."""
    source = _document(tmp_path / "dai.docx", paragraphs=3000,
                       pictures=(_picture((160, 160), noise=True),))  # fmt: skip
    other = _document(tmp_path / "khac.docx")
    with _small_disk(tmp_path / "disk", "2m") as disk:
        book = _book(disk / "book")
        filler = _fill(disk, leave=120_000)
        result = _run("import", "--content", book, source, other)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "cannot read it as a Word document" not in result.stderr
        model = book / "models" / f"{SLUG}.md"
        assert f"cannot write {model}: the disk is full; free some space and try again" in (
            result.stderr
        )
        assert f"not tried: {other}" in result.stderr  # the batch stops: the disk is full
        assert sorted(p.name for p in (book / "models").iterdir()) == sorted(MODELS)
        assert _new_pictures(book) == [] and _leftovers(book) == []
        filler.unlink()
        again = _run("import", "--content", book, source)
        assert again.returncode == 0, again.stderr
        assert sorted(p.name for p in (book / "models").iterdir()) == sorted(
            [*MODELS, f"{SLUG}.md"]
        )
        assert "Đoạn 3000:" in model.read_text(encoding="utf-8")
        assert len(_new_pictures(book)) == 1


def test_new_on_a_full_disk_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk", "1m") as disk:
        book = _book(disk / "book")
        _fill(disk, leave=0)
        result = _run("new", "--content", book, "Đường làng mới", *NEW_FACTS)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        path = book / "models" / "duong-lang-moi.md"
        assert f"cannot write {path}: the disk is full; free some space and try again" in (
            result.stderr
        )
        assert sorted(p.name for p in (book / "models").iterdir()) == sorted(MODELS)
        assert _leftovers(book) == []


def test_a_read_only_book_is_named_as_such_by_import_and_new(tmp_path: Path) -> None:
    source = _document(tmp_path / "mot.docx", pictures=(_picture((900, 600)),))
    with _small_disk(tmp_path / "disk", "2m") as disk:
        book = _book(disk / "book")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = _run("import", "--content", book, source)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "cannot read it as a Word document" not in result.stderr
        assert f"cannot write {book}/" in result.stderr
        assert "the disk is read-only" in result.stderr
        made = _run("new", "--content", book, "Đường làng mới", *NEW_FACTS)
        assert made.returncode == 1 and "Traceback" not in made.stderr
        path = book / "models" / "duong-lang-moi.md"
        assert f"cannot write {path}: the disk is read-only" in made.stderr


def test_new_without_write_access_to_the_book_says_so(tmp_path: Path) -> None:
    """As an editor without write access (root without CAP_DAC_OVERRIDE)."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv")
    book = _book(tmp_path / "book")
    (book / "models").chmod(0o555)
    book.chmod(0o555)
    drop = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search", "--")  # fmt: skip
    try:
        made = _run("new", "--content", book, "Đường làng mới", *NEW_FACTS, prefix=drop)
    finally:
        book.chmod(0o755)
        (book / "models").chmod(0o755)
    assert made.returncode == 1 and "Traceback" not in made.stderr, made.stderr
    path = book / "models" / "duong-lang-moi.md"
    assert f"cannot write {path}: permission denied; ask for write access" in made.stderr


# --- 6: a zip bomb --------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def _bomb(path: Path, megabytes: int = 150) -> Path:
    """A .docx of well under 1 MB whose document.xml unpacks to `megabytes` MB of tiny
    paragraphs, written as a stream."""
    paragraph = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"
    chunk = paragraph * (1_000_000 // len(paragraph))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELATIONSHIPS)
        with archive.open("word/document.xml", "w", force_zip64=True) as stream:
            stream.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                         b'wordprocessingml/2006/main"><w:body>')  # fmt: skip
            for _ in range(megabytes + 1):  # chunks of a little under 1 MB
                stream.write(chunk)
            stream.write(b"</w:body></w:document>")
    return path


# The child's own peak, read from its /proc/self/status as it exits: `ru_maxrss` of a child
# forked from a big test process counts the parent's pages it had before its exec (a full
# test run's pytest is ~360 MB), so it measured the test, not the builder.
_PEAK_AT_EXIT = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        kb = next(line.split()[1] for line in status if line.startswith('VmHWM'))\n"
    "    sys.stderr.write(f'\\npeak-kb {kb}\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['builder', *sys.argv[1:]]\n"
    "runpy.run_module('builder', run_name='__main__')\n"
)


def _measured(args: list[str], seconds: float) -> tuple[int, float, int, str]:
    """Exit code, seconds taken, peak memory (MB) and stderr of `builder ARGS` (as `_builder`
    gives them), run with at most 2 GB of memory and killed after `seconds` (the unprotected
    import took gigabytes)."""
    import resource

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))

    assert args[1:3] == ["-m", "builder"], args
    started = time.monotonic()
    process = subprocess.run([args[0], "-c", _PEAK_AT_EXIT, *args[3:]], cwd=ROOT,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, preexec_fn=limited, timeout=seconds,
                             check=False)  # fmt: skip
    stderr, _, peak = process.stderr.decode().rpartition("\npeak-kb ")
    assert peak.strip().isdigit(), process.stderr.decode()[-2000:]
    return process.returncode, time.monotonic() - started, int(peak) // 1024, stderr


def test_a_zip_bomb_of_tiny_paragraphs_is_refused_in_seconds(tmp_path: Path) -> None:
    """A 150 MB document.xml (the 200 MB limit let it through: 11.8 GB and four minutes)
    is refused by `import` and `comments` from its measures, before any parsing."""
    bomb = _bomb(tmp_path / "bom.docx")
    assert bomb.stat().st_size < 1_000_000
    book = _book(tmp_path / "book")
    for command in ("import", "comments"):
        code, seconds, megabytes, stderr = _measured(
            _builder(command, "--content", book, bomb), seconds=60
        )
        assert code == 1, (command, stderr)
        assert f"{bomb}: error: its text unpacks to 150 MB; documents of up to 20 MB " in stderr
        assert seconds < 10 and megabytes < 300, (command, seconds, megabytes)
    assert sorted(p.name for p in (book / "models").iterdir()) == sorted(MODELS)


def test_a_document_within_the_size_but_with_too_many_paragraphs_is_refused(
    tmp_path: Path,
) -> None:
    """5 MB of XML, but 150 000 empty paragraphs: mammoth would take minutes over them."""
    bomb = tmp_path / "nhieu-doan.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELATIONSHIPS)
        archive.writestr("word/document.xml", b'<w:document xmlns:w="http://schemas.'
                         b'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                         + b"<w:p/>" * 150_000 + b"</w:body></w:document>")  # fmt: skip
    code, seconds, _megabytes, stderr = _measured(
        _builder("import", "--content", _book(tmp_path / "book"), bomb), seconds=60
    )
    assert code == 1 and seconds < 10, stderr
    assert "it has more than 20.000 paragraphs; documents of up to 20.000 are supported" in stderr


def test_a_zip_directory_that_understates_a_part_is_damaged_not_read(tmp_path: Path) -> None:
    """The directory says document.xml is 100 bytes; it unpacks to more: the check reads
    what is there, bounded, and finds the file damaged."""
    source = _document(tmp_path / "that.docx")
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        item = archive.getinfo("word/document.xml")
    name = b"word/document.xml"  # its entry in the central directory: size at byte 24
    directory = data.find(b"PK\x01\x02")
    while data[directory + 46 : directory + 46 + len(name)] != name:
        directory = data.find(b"PK\x01\x02", directory + 4)
    assert int.from_bytes(data[directory + 24 : directory + 28], "little") == item.file_size
    data[directory + 24 : directory + 28] = (100).to_bytes(4, "little")
    lying = tmp_path / "doi.docx"
    lying.write_bytes(bytes(data))
    result = _run("import", "--content", _book(tmp_path / "book"), lying)
    assert result.returncode == 1
    assert f"{lying}: error: the Word file is damaged (cut short?); ask for it again" in (
        result.stderr
    )


# --- 21: damaged, not “not Word” ------------------------------------------------------------


def test_a_word_file_cut_short_or_without_its_text_is_called_damaged(tmp_path: Path) -> None:
    source = _document(tmp_path / "nguyen.docx", paragraphs=200)
    whole = source.read_bytes()
    cut = tmp_path / "cat-ngan.docx"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    hollow = tmp_path / "rong.docx"
    with zipfile.ZipFile(source) as real, zipfile.ZipFile(hollow, "w") as out:
        for item in real.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, real.read(item))
    book = _book(tmp_path / "book")
    damaged = "error: the Word file is damaged (cut short?); ask for it again"
    for command in ("import", "comments"):
        result = _run(command, "--content", book, cut, hollow)
        assert result.returncode == 1, result.stderr
        assert f"{cut}: {damaged}" in result.stderr, (command, result.stderr)
        assert f"{hollow}: {damaged}" in result.stderr, (command, result.stderr)
        assert "not a Word document" not in result.stderr
        assert "Traceback" not in result.stderr


# --- 20: pictures check would refuse --------------------------------------------------------


def test_pictures_check_would_refuse_are_named_at_import_once_each(tmp_path: Path) -> None:
    """A 13.000 × 13.000 picture and a 297 × 24 strip (twice): each named once with what to
    do; they are kept in the model, where `check` names them again until they are replaced."""
    huge, strip = _picture((13_000, 13_000), mode="1"), _picture((297, 24))
    source = _document(tmp_path / "anh.docx", pictures=(huge, strip, strip))
    book = _book(tmp_path / "book")
    result = _run("import", "--content", book, source)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    large = [line for line in lines if "is too large (13.000 × 13.000 pixels)" in line]
    narrow = [line for line in lines if "is 297 × 24 pixels: a strip too narrow" in line]
    assert len(large) == 1 and len(narrow) == 1, result.stdout
    assert large[0].startswith("    warning: picture 1: ")
    assert "scale it down in an image editor" in large[0]
    assert "ask the district for the original photo" in narrow[0]
    model = (book / "models" / f"{SLUG}.md").read_text(encoding="utf-8")
    assert model.count("](../images/") == 3 and len(_new_pictures(book)) == 2
    checked = _run("check", "--content", book)
    assert checked.returncode == 1
    assert "is too large (13.000 × 13.000 pixels)" in checked.stderr
    assert "a strip too narrow to lay out" in checked.stderr


# --- 18: a title made from a file name carries no control or direction character ----------


def test_a_title_from_a_file_name_loses_its_control_and_direction_characters(
    tmp_path: Path,
) -> None:
    book = _book(tmp_path / "book")
    document = docx.Document()
    for number in range(3):  # no heading and no short first line: the file name is the title
        document.add_paragraph(f"Đoạn {number + 1}: " + "thôn Đông họp dân công khai. " * 12)
    named = tmp_path / "\x1b[31mBáo cáo\u202e xã Gia Hưng\x07.docx"
    document.save(str(named))
    result = _run("import", "--content", book, named)
    assert result.returncode == 0, result.stderr
    [model] = [p for p in (book / "models").glob("*.md") if p.name not in MODELS]
    title_line = next(
        line for line in model.read_text("utf-8").splitlines() if line.startswith("title:")
    )
    assert "Báo cáo xã Gia Hưng" in title_line
    assert not any(char in title_line for char in "\x1b\x07\u202e")
    assert "\x1b" not in result.stdout + result.stderr
