"""Checks of Vietnamese text that Word, old fonts and keyboards get wrong, and the safe fixes.

- text typed in a legacy encoding (TCVN3/ABC or VNI) and pasted as Unicode: named;
- old (“hoà”, “thuỷ”) and new (“hòa”, “thủy”) tone placement mixed in one book: the minority
  is reported;
- straight quotes where Vietnamese uses “ ”: reported, and `check --fix` curls them;
- text not in NFC: reported on reading (source.py), and `check --fix` normalises it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from builder.book.vietnamese import VIETNAMESE_LETTERS
from builder.load.checks import front_matter_lint
from builder.load.checks.invisible import without_invisible
from builder.load.checks.old_encodings import as_tcvn3, as_vni, is_syllable
from builder.load.source import SourceFile
from builder.render.markdown import parse
from builder.util.i18n import _, ngettext
from builder.util.problems import Problems

# Letters that no Vietnamese word has, but that text typed with the old 8-bit fonts shows when
# it is pasted as Unicode: TCVN3 (ABC) puts tone-marked letters on ¸ µ ¶ · ¹ ® © ¨ …, VNI puts
# the marks after the vowel as ø ù û õ ï ä ë ÿ ñ.
TCVN3 = set("¸µ¶·¹¨¾»¼½Æ©ÇÈÉË®ÐÌÎÏÑªÒÓÔÖ«ÜØÙÚÛ¬ßÝÞäåæçëîïñö÷øûüþ−") - set(
    VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
)
VNI_MARKS = set("øûïäëÿñö")
# Signs TCVN3 uses for letters (® for đ, · for ã): a word with none of these is not looked at.
SUSPECT = TCVN3 | VNI_MARKS | set("¸µ¶·¹¨©ª«¬®−§»¼½¾")
TONE_OLD = re.compile(r"(?<![qQ])(?:[oO][àáảãạÀÁẢÃẠ]|[oO][èéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])$")
TONE_NEW = re.compile(r"(?<![qQ])(?:[òóỏõọÒÓỎÕỌ][aA]|[òóỏõọÒÓỎÕỌ][eE]|[ùúủũụÙÚỦŨỤ][yY])$")
# Words ending in oa, oe or uy with a tone mark on either vowel: the only ones to classify.
CANDIDATE = re.compile(
    r"(?<!\w)\w*(?:[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ]|[òóỏõọÒÓỎÕỌ][aAeE]"
    r"|[ùúủũụÙÚỦŨỤ][yY])(?!\w)"
)
# Inline places where a straight quote is syntax or part of an address, never prose: code
# spans, a link's or picture's destination and title, autolinks, bare web addresses.
NOT_PROSE = re.compile(
    r"(`+).*?\1"
    r"|\]\((?:[^()\n]|\([^()\n]*\))*\)"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>"
    r"|\b(?:https?://|www\.)[^\s<>]+"
)
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:")
CODE_BLOCKS = ("code_block", "fence", "html_block")


def check_legacy_encoding(source: SourceFile, problems: Problems) -> None:
    """One error per file, at the word that names the encoding best on the line that has most
    such words. A file is named only when three different words read back as Vietnamese
    syllables: a “dû” or “µm” in French or physics is not text pasted from an old font."""
    if not set(source.body) & SUSPECT:
        return  # nearly every entry: nothing to look at word by word
    found: list[tuple[int, int, int, str, str]] = []  # (rank, line, column, word, name)
    for number, line in enumerate(source.body.split("\n")):
        for match in re.finditer(r"\S+", line):  # TCVN3's marks are symbols, not letters
            word = match.group(0).strip(".,;:!?()“”\"'")
            if not set(word) & SUSPECT or not any(ch.isascii() and ch.isalpha() for ch in word):
                continue
            tcvn3, vni = as_tcvn3(word), as_vni(word)
            tcvn3_ok = tcvn3 is not None and is_syllable(tcvn3)
            vni_ok = vni is not None and is_syllable(vni)
            if tcvn3_ok and vni_ok:
                found.append((1, number, match.start(), word, _("TCVN3 (ABC) or VNI")))
            elif tcvn3_ok or vni_ok:
                found.append((0, number, match.start(), word, "TCVN3 (ABC)" if tcvn3_ok else "VNI"))
    if len({item[3] for item in found}) >= 3:
        lines = [item[1] for item in found]  # the line with most of them, not a stray “µm”
        most = max(lines, key=lambda line: (lines.count(line), -line))
        _rank, number, column, word, name = min(item for item in found if item[1] == most)
        problems.error(
            source.path, source.body_line + number, column + 1,
            _("“{word}” looks like text typed in the old {encoding} encoding").format(
                word=word, encoding=name
            ),
            _("convert it to Unicode (Unikey: Công cụ chuyển mã, from {encoding} to Unicode) "
              "and paste it again").format(encoding=name), code="old-encoding",
        )  # fmt: skip


def check_quotes(source: SourceFile, problems: Problems, tokens: Sequence[Token]) -> None:
    """One warning per line that has straight quotes in its prose (`tokens`: the body as
    the loader parsed it)."""
    warned = set()
    for number, column in prose_quotes(source.body, tokens):
        if number in warned:
            continue
        warned.add(number)
        problems.warning(
            source.path, source.body_line + number, column + 1,
            _('straight quotes "…": Vietnamese text uses “…”'),
            _("builder check --fix curls them"), code="straight-quotes",
        )  # fmt: skip


def prose_quotes(body: str, tokens: Sequence[Token] | None = None) -> Iterator[tuple[int, int]]:
    """(line from 0, column from 0) of every straight quote in the body's prose: not in code,
    raw HTML, link addresses, link definitions or web addresses. `tokens` is the body
    parsed, when the caller has it; most bodies have no straight quote and are not parsed."""
    if '"' not in body:
        return
    lines = body.split("\n")
    code = _code_lines(parse(body) if tokens is None else tokens)
    for number, line in enumerate(lines):
        if number in code or LINK_DEFINITION.match(line) or '"' not in line:
            continue
        hidden = NOT_PROSE.sub(lambda m: " " * len(m.group(0)), line)
        for match in re.finditer('"', hidden):
            yield number, match.start()


def _code_lines(tokens: Sequence[Token]) -> set[int]:
    """Lines of indented and fenced code and of HTML blocks, as the Markdown parser sees them."""
    return {
        line
        for token in tokens
        if token.type in CODE_BLOCKS and token.map
        for line in range(*token.map)
    }


@dataclass(slots=True)
class ToneStyles:
    """Where each tone placement occurs across the book, to report the minority style."""

    old: list[tuple[Path, int, int, str]] = field(default_factory=list)
    new: list[tuple[Path, int, int, str]] = field(default_factory=list)

    def add(self, source: SourceFile) -> None:
        body = source.body
        for match in CANDIDATE.finditer(body):
            word = match.group(0)
            line_start = body.rfind("\n", 0, match.start()) + 1
            place = (source.path, source.body_line + body.count("\n", 0, match.start()),
                     match.start() - line_start + 1, word)  # fmt: skip
            if TONE_OLD.search(word):
                self.old.append(place)
            elif TONE_NEW.search(word):
                self.new.append(place)

    def report(self, problems: Problems) -> None:
        if not self.old or not self.new:
            return
        if len(self.old) <= len(self.new):
            minority = self.old
            message = _(
                "“{word}” puts the tone mark the old way; the book mostly uses the new "
                "(“hòa”, “thủy”)"
            )
        else:
            minority = self.new
            message = _(
                "“{word}” puts the tone mark the new way; the book mostly uses the old "
                "(“hoà”, “thuỷ”)"
            )
        for path, line, column, word in minority:
            problems.warning(
                path, line, column, message.format(word=word),
                _("choose one style for the whole book"), code="mixed-tone-marks",
            )  # fmt: skip


def fixed_text(text: str) -> tuple[str, list[str]]:
    """`text` (a whole entry) with NFC and curly quotes in its body; what was changed."""
    changes = []
    normal = unicodedata.normalize("NFC", text)
    if normal != text:
        changes.append(_("Unicode NFC"))
    visible = without_invisible(normal)
    if visible != normal:
        changes.append(
            ngettext(
                "{count} invisible character removed",
                "{count} invisible characters removed",
                len(normal) - len(visible),
            ).format(count=len(normal) - len(visible))
        )
        normal = visible
    head, separator, body = _split(normal)
    head, repaired = front_matter_lint.fixed(head)
    if repaired:
        changes.append(
            ngettext(
                "{count} line of facts repaired", "{count} lines of facts repaired", repaired
            ).format(count=repaired)
        )
    curled, count = _curl(body)
    if count:
        changes.append(
            ngettext(
                "{count} straight quote curled", "{count} straight quotes curled", count
            ).format(count=count)
        )
    return head + separator + curled, changes


def _split(text: str) -> tuple[str, str, str]:
    """Front matter (kept as typed: YAML needs its quotes) and body."""
    match = re.match(r"(?s)(\ufeff?---\r?\n.*?\n)(---[ \t]*\r?\n)", text)
    if not match:
        return "", "", text
    return match.group(1), match.group(2), text[match.end() :]


def _curl(body: str) -> tuple[str, int]:
    lines = body.split("\n")
    quotes = list(prose_quotes(body))
    for number, column in reversed(quotes):
        line = lines[number]
        opening = column == 0 or line[column - 1] in " \t([{–—-/"
        lines[number] = line[:column] + ("“" if opening else "”") + line[column + 1 :]
    return "\n".join(lines), len(quotes)
