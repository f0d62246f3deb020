"""Reading a content file: UTF-8 decoding, line endings, and the front matter split."""

from __future__ import annotations

import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.util.i18n import _
from builder.util.problems import Problems


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A Markdown file cut into its front matter and its body, both as written."""

    path: Path
    front_matter: str
    front_matter_line: int  # file line on which the YAML text starts
    body: str
    body_line: int  # file line on which the body starts


MAX_BYTES = 2_000_000  # a model of 900 words is about 8 KB; 2 MB is far past any real entry


def read_text(path: Path, shown: Path, problems: Problems, book: Path | None = None) -> str | None:
    """The file as NFC text with `\\n` line ends, or None (with a problem) if unreadable.

    Only a regular file of the book is read (`book`: the book folder, by default the folder
    above models/ or pages/): a link leading out of the book, a FIFO or a device is named
    and left unread, and no more than `MAX_BYTES` are ever read.
    """
    book = book if book is not None else path.parent.parent
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.error(
                shown, 1, 1,
                _("this is not a text file but a folder, a device or a pipe"),
                _("put the entry's text itself in a .md file here"), code="not-a-file",
            )  # fmt: skip
            return None
        if path.is_symlink() and book.resolve() not in path.resolve().parents:
            problems.error(
                shown, 1, 1,
                _("this is a link to {target}, outside the book").format(target=path.resolve()),
                _("copy the file into the book instead of linking to it"), code="link-outside-book",
            )  # fmt: skip
            return None
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            size = max(info.st_size, len(raw))
            problems.error(
                shown,
                1,
                1,
                _("the file is {megabytes} MB; entries of up to 2 MB are supported").format(
                    megabytes=f"{size / 1e6:.1f}"
                ),
                _("split it, or move pictures and tables out of the text"),
                code="file-too-large",
            )
            return None
    except OSError as exc:
        problems.error(
            shown,
            1,
            1,
            _("cannot read the file: {reason}").format(reason=exc.strerror),
            code="unreadable-file",
        )
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error(
            shown,
            1,
            1,
            _("the file is saved as UTF-16"),
            _("save it again choosing the encoding “UTF-8”"),
            code="not-utf8",
        )
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:8000]:
        problems.error(
            shown,
            1,
            1,
            _("this is not a text file (it contains NUL bytes)"),
            _("save the entry as plain text in UTF-8"),
            code="not-text",
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = _("save it again choosing the encoding “UTF-8”")
        if _looks_like_windows_1258(raw):
            hint = _(
                "it looks like Vietnamese Windows-1258 (“ANSI”) text: "
                "save it again choosing the encoding “UTF-8”"
            )
        problems.error(
            shown, line, column, _("the file is not valid UTF-8 text"), hint, code="not-utf8"
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _report_non_nfc(text, shown, problems)
    return unicodedata.normalize("NFC", text)


def _looks_like_windows_1258(raw: bytes) -> bool:
    """Old Vietnamese Windows files: decodable as cp1258, with Vietnamese letters in them."""
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        return False
    return any(char in text for char in "ăâđêôơưĂÂĐÊÔƠƯ")


def _report_non_nfc(text: str, shown: Path, problems: Problems) -> None:
    if unicodedata.is_normalized("NFC", text):
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not unicodedata.is_normalized("NFC", line):
            column = next((i for i, ch in enumerate(line, start=1) if unicodedata.combining(ch)), 1)
            problems.warning(
                shown,
                number,
                max(column - 1, 1),
                _("text is not in Unicode NFC (letters and tone marks are stored apart)"),
                _("the build normalises it; retype the word or run a Unicode NFC converter"),
                code="not-nfc",
            )
            return


def split_front_matter(text: str, shown: Path, problems: Problems) -> SourceFile | None:
    """Cut `---` front matter from the body; report a missing or unclosed block."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.error(
            shown,
            1,
            1,
            _("no front matter: the file must start with a line `---`"),
            _("put `---`, the facts (title: …, field: …), and another `---` before the text"),
            code="no-front-matter",
        )
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return SourceFile(
                path=shown,
                front_matter="\n".join(lines[1:index]),
                front_matter_line=2,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    problems.error(
        shown,
        1,
        1,
        _("the front matter is never closed"),
        _("add a line `---` after the last fact, before the text"),
        code="front-matter-unclosed",
    )
    return None


def body_lines(body: str) -> Iterator[tuple[int, str, bool]]:
    """(number from 0, line, whether it belongs to a fenced code block) for every line:
    the checks of prose leave code alone."""
    fenced = False
    for number, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        yield number, line, fenced
