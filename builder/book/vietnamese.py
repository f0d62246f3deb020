"""Vietnamese conventions: alphabetical order, slugs, folding for search, dates, numbers."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

from babel.dates import format_date
from babel.numbers import format_decimal

# Every letter of Vietnamese, lower case: what the typeface's subsets and the text checks cover.
VIETNAMESE_LETTERS = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
# CLDR `vi` order of letters; tone marks only break ties (secondary difference).
_ALPHABET = tuple("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_SEPARATOR = 1
_NUMBER = 2  # then the count of digits, then the digits: 9 before 10, both before letters
_LETTER_RANK = {letter: rank + 20 for rank, letter in enumerate(_ALPHABET)}
_OTHER = 100  # letters outside the Vietnamese alphabet (f, j, w, z, other scripts)
_RUNS = re.compile(r"\d+|\D+")
# No tone, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _split_tone(char: str) -> tuple[str, str]:
    """`ế` → (`ê`, acute): the letter as the alphabet knows it, and its tone mark."""
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    marks = decomposed[1:]
    letter_marks = "".join(m for m in marks if m in _LETTER_MARKS)
    tone = "".join(m for m in marks if m in _TONE_RANK)
    return unicodedata.normalize("NFC", base + letter_marks), tone


_WEIGHTS: dict[str, tuple[int, int, int]] = {}  # each character's, worked out once


def _weights(char: str) -> tuple[int, int, int]:
    """A character's primary (letter), secondary (tone) and tertiary (case) weights."""
    letter, tone = _split_tone(char)
    lower = letter.lower()
    if lower in _LETTER_RANK:
        first = _LETTER_RANK[lower]
    elif char.isspace() or not char.isalnum():
        first = _SEPARATOR
    else:
        first = _OTHER + ord(lower)
    found = _WEIGHTS[char] = (first, _TONE_RANK.get(tone, 6), 0 if letter == lower else 1)
    return found


SortKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]


@functools.lru_cache(maxsize=65536)
def sort_key(text: str) -> SortKey:
    """A key that sorts strings in Vietnamese dictionary order (đ after d, tones after).

    Leading quotes and punctuation do not count (`“Giáo xứ bình yên”` files under G, as an
    index would), numbers come before letters in their numeric order (9 before 10), and a
    run of spaces or punctuation inside counts as one separator.
    """
    normal = unicodedata.normalize("NFC", text)
    start = next((i for i, char in enumerate(normal) if char.isalnum()), len(normal))
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for run in _RUNS.findall(normal[start:]):
        if run[0].isdecimal():
            digits = run.lstrip("0") or "0"
            primary += [_NUMBER, len(digits), *(int(digit) for digit in digits)]
            continue
        after_separator = False
        for char in run:
            first, tone, case = _WEIGHTS.get(char) or _weights(char)
            if first == _SEPARATOR:
                if after_separator:
                    continue  # a run of spaces and punctuation counts once
                after_separator = True  # before every letter: `Hoa Lư` before `Hoang`
            else:
                after_separator = False
            primary.append(first)
            secondary.append(tone)
            tertiary.append(case)
    # The last tie-break keeps the order stable: `Giáo` before `“Giáo”`.
    return tuple(primary), tuple(secondary), tuple(tertiary), normal[:start]


def fold(text: str) -> str:
    """Lower case with tone and letter marks removed and đ → d: `Đường` → `duong`."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(text: str) -> str:
    """`Hiến đất mở đường` → `hien-dat-mo-duong`."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


_PLACE_PREFIXES = ("thành phố", "thị xã", "thị trấn", "huyện", "phường", "xã", "quận", "tỉnh")


def bare_place_name(name: str) -> str:
    """`huyện Gia Viễn` → `gia viễn`: what an editor may write without the kind of place."""
    lowered = unicodedata.normalize("NFC", name).strip().casefold()
    for prefix in _PLACE_PREFIXES:
        if lowered.startswith(prefix + " "):
            return lowered[len(prefix) + 1 :].strip()
    return lowered


def year_title(year: int | str) -> str:
    """The title of a part that gathers a year's models: “Năm 2023”, as every output shows it
    (a Vietnamese way of naming a year, beside the dates below)."""
    return f"Năm {year}"


def format_long_date(day: datetime.date) -> str:
    """`ngày 19 tháng 1 năm 2024`, as Vietnamese running text writes dates."""
    return format_date(day, "'ngày' d 'tháng' M 'năm' y", locale="vi")


def format_number(value: float) -> str:
    """`1.000.000`, `419,7`: dot for thousands, comma for decimals."""
    return str(format_decimal(value, locale="vi"))
