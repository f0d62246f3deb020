"""An ISBN-13 as written in book.yaml: its digits, its check digit, and what is wrong with it.

`check` verifies it (builder/load/config.py); the back cover draws it
(builder/outputs/pdf/press/barcode.py).
"""

from __future__ import annotations

import re


def isbn_digits(isbn: str) -> str:
    """The digits of an ISBN as written (`978-604-57-1234-5` → `9786045712345`)."""
    return re.sub(r"[\s-]", "", isbn)


def check_digit(first_twelve: str) -> int:
    """The EAN-13 (and ISBN-13) check digit of twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return (10 - total % 10) % 10


def isbn_problem(isbn: str) -> tuple[str, str] | None:
    """What is wrong with an ISBN-13, as (kind, detail); None when it is valid.

    kind is "form" (not 13 digits starting 978/979) or "check" (detail: the right digit).
    """
    digits = isbn_digits(isbn)
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return ("form", "")
    expected = check_digit(digits[:12])
    if int(digits[12]) != expected:
        return ("check", str(expected))
    return None
