"""The stream names and the start of one stream of an OLE compound file (a Word 97–2003 .doc,
or an encrypted .docx, which Word stores as such a file): enough to tell a password-protected
document from a damaged one before LibreOffice is started. [MS-CFB] sections 2.2–2.6."""

from __future__ import annotations

import struct
from pathlib import Path

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
END_OF_CHAIN = 0xFFFFFFFE
MAX_SECTORS = 1 << 20  # a chain longer than this is a loop in a damaged file


class NotCompound(ValueError):
    """The file is not an OLE compound file, or its tables are damaged."""


def streams(path: Path, read_first: str = "", count: int = 0) -> tuple[set[str], bytes]:
    """The names of every stream and storage (case as stored), and the first `count` bytes
    of the stream named `read_first` (compared without case; b"" when absent)."""
    data = path.read_bytes()
    if data[:8] != SIGNATURE or len(data) < 512:
        raise NotCompound(str(path))
    shift = struct.unpack_from("<H", data, 30)[0]
    size = 1 << shift
    if size not in (512, 4096):
        raise NotCompound(str(path))
    first_directory, mini_cutoff = struct.unpack_from("<I", data, 48)[0], 4096
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < END_OF_CHAIN - 2]
    fat: list[int] = []
    for sector in fat_sectors:
        fat.extend(struct.unpack_from(f"<{size // 4}I", _sector(data, sector, size)))
    directory = _chain(data, fat, first_directory, size)
    names: set[str] = set()
    wanted = read_first.casefold()
    found = b""
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        if not 2 <= length <= 64 or entry[66] not in (1, 2, 5):
            continue
        name = entry[: length - 2].decode("utf-16-le", "replace")
        names.add(name)
        start, stream_size = struct.unpack_from("<IQ", entry, 116)
        if wanted and name.casefold() == wanted and entry[66] == 2:
            if stream_size >= mini_cutoff:
                found = _chain(data, fat, start, size)[: min(count, stream_size)]
            else:
                found = b"\x00"  # present but small: held in the mini stream, not read here
    return names, found


def _sector(data: bytes, number: int, size: int) -> bytes:
    start = (number + 1) * size
    if start + size > len(data):
        raise NotCompound("a sector past the end of the file")
    return data[start : start + size]


def _chain(data: bytes, fat: list[int], start: int, size: int) -> bytes:
    parts, sector, seen = [], start, 0
    while sector != END_OF_CHAIN:
        if sector >= len(fat) or seen > MAX_SECTORS:
            raise NotCompound("a broken sector chain")
        parts.append(_sector(data, sector, size))
        sector, seen = fat[sector], seen + 1
    return b"".join(parts)
