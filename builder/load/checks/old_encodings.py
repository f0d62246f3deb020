"""Reading a word back from the old 8-bit Vietnamese encodings, to tell garbled Vietnamese
from French, German or physics that uses the same Latin-1 letters and signs.

A word counts as TCVN3 (ABC) or VNI only when, decoded, it is a Vietnamese syllable: “Nh©n”
is “Nhân”, “ñaõ” is “đã”; “août” (VNI “aỏt”), “goût” (“gỏt”: a stop ending takes no hỏi tone),
“a·t” (TCVN3 “aãt”) and “µF” are not.
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 (ABC): one byte per letter; pasted as Unicode each byte shows as its Latin-1 sign.
_TCVN3_ROWS = {
    "¨©ª«¬\xad®": "ăâêôơưđ",
    "¡¢£¤¥¦§": "ĂÂÊÔƠƯĐ",
    "µ¶·¸¹": "àảãáạ",
    "»¼½¾Æ": "ằẳẵắặ",
    "ÇÈÉÊË": "ầẩẫấậ",
    "ÌÎÏÐÑ": "èẻẽéẹ",
    "ÒÓÔÕÖ": "ềểễếệ",
    "×ØÜÝÞ": "ìỉĩíị",
    "ßáâãä": "òỏõóọ",
    "åæçèé": "ồổỗốộ",
    "êëìíî": "ờởỡớợ",
    "ïñòóô": "ùủũúụ",
    "õö÷øù": "ừửữứự",
    "úûüýþ": "ỳỷỹýỵ",
}
TCVN3_LETTERS = {sign: letter for signs, letters in _TCVN3_ROWS.items()
                 for sign, letter in zip(signs, letters, strict=True)}  # fmt: skip

# VNI: the letter is typed plain and its marks follow as a second character.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_HAT, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_MARK_ROWS = {
    "ùøûõï": (_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT),
    "âáàåãä": (_HAT, _HAT + _ACUTE, _HAT + _GRAVE, _HAT + _HOOK, _HAT + _TILDE, _HAT + _DOT),
    "êéèúüë": (_BREVE, _BREVE + _ACUTE, _BREVE + _GRAVE, _BREVE + _HOOK, _BREVE + _TILDE,
               _BREVE + _DOT),
}  # fmt: skip
VNI_MARKS = {sign: mark for signs, marks in _VNI_MARK_ROWS.items()
             for sign, mark in zip(signs, marks, strict=True)}  # fmt: skip
VNI_MARKS |= {sign.upper(): mark for sign, mark in VNI_MARKS.items()}
# Letters VNI writes as one character: ơ, ư, đ and the toned i.
VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}
VNI_LETTERS |= {sign.upper(): letter.upper() for sign, letter in VNI_LETTERS.items()}
_TONES = {_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT}

# A syllable: initial consonant, vowels (with the medial o/u), final consonant or glide.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"(?P<vowels>uyê|oa|oă|oe|uâ|uê|uy|uơ|iê|yê|uô|ươ|ia|ua|ưa|[aăâeêioôơuưy])"
    r"(?P<final>ch|ng|nh|[cmnptiyou])?"
)


def as_tcvn3(word: str) -> str | None:
    """`word` read as TCVN3 (ABC), or None if it has a sign the encoding does not use."""
    letters = [char if char.isascii() else TCVN3_LETTERS.get(char) for char in word]
    return None if None in letters else "".join(str(letter) for letter in letters)


def as_vni(word: str) -> str | None:
    """`word` read as VNI, or None if a mark follows no vowel or a sign is not VNI's."""
    out: list[str] = []
    for char in word:
        if char in VNI_MARKS:
            if not out or out[-1].lower() not in "aeiouy":
                return None
            out[-1] += VNI_MARKS[char]
        elif char in VNI_LETTERS:
            out.append(VNI_LETTERS[char])
        elif char.isascii():
            out.append(char)
        else:
            return None
    return unicodedata.normalize("NFC", "".join(out))


def is_syllable(word: str) -> bool:
    """Whether `word` (Unicode) is shaped as one Vietnamese syllable, its tone included."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [char for char in decomposed if char in _TONES]
    if len(tones) > 1:
        return False
    plain = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    match = _SYLLABLE.fullmatch(plain)
    if match is None or not plain.isalpha():
        return False
    final = match.group("final") or ""
    if match.group("vowels")[-1] in "ăâ" and final in ("", "i", "y", "o", "u"):
        return match.group("vowels")[-1] == "â" and final in ("u", "y")  # âu, ây; ă is closed
    if final in ("c", "ch", "p", "t"):  # a stop ending takes only the sắc or nặng tone
        return tones in ([_ACUTE], [_DOT])
    return True
