"""One YAML value (a scalar) read without a traceback: an impossible date, a number too
long for Python to read, or a value that does not fit its `!!tag` becomes a message.

PyYAML recognises `2021-02-30` as a date by its shape and only then asks `datetime.date`,
which raises `ValueError`; a 5 001-digit `year:` passes Python's 4 300-digit limit of
`int()` and raises too. Both are found here before PyYAML's constructor runs, and said in
the editor's words; whatever else a constructor raises is named as an unreadable value.
"""

from __future__ import annotations

import calendar
import re
from typing import Any

import yaml

from builder.util.i18n import _

INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
NUMBER_TAGS = (INT_TAG, FLOAT_TAG)

# No fact needs a longer number (an ISBN typed without quotes has 13 digits); far below
# the 4 300 digits past which Python refuses to turn text into a number and back.
MAX_DIGITS = 30
SHOWN_LENGTH = 40  # characters of a refused value quoted in its message

_BASE = re.compile(r"^[-+]?0[xXbBoO]")  # 0x…, 0b…: the letter is no digit
_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")


class ScalarProblem(Exception):
    """A value that cannot be read, in the editor's words."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def construct(loader: Any, node: yaml.Node) -> Any:
    """The Python value of `node`; ScalarProblem when it has none."""
    if node.tag in NUMBER_TAGS:
        _check_length(node.value)
    if node.tag == TIMESTAMP_TAG:
        _check_date(node.value)
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        # A value that does not fit the `!!int`, `!!float`, `!!bool` or `!!timestamp` it
        # was given, or a time of day past 23:59.
        raise ScalarProblem(
            _("“{value}” cannot be read as the kind of value its form or tag says").format(
                value=shown_value(node.value)
            ),
            _("write the value plainly: a date as YYYY-MM-DD, a number in digits, "
              "text in double quotes"),
        ) from exc  # fmt: skip


def is_number(node: yaml.Node) -> bool:
    """A scalar YAML reads as a number: its text is kept too, for text facts."""
    return isinstance(node, yaml.ScalarNode) and node.tag in NUMBER_TAGS


def shown_value(text: str, most: int = SHOWN_LENGTH) -> str:
    """`text` as quoted in a message: cut past `most` characters."""
    return text if len(text) <= most else text[:most] + "…"


def _check_length(text: str) -> None:
    digits = sum(char.isalnum() for char in _BASE.sub("", text))
    if digits > MAX_DIGITS:
        raise ScalarProblem(
            _("this number has {digits} digits; no fact needs more than {most}").format(
                digits=digits, most=MAX_DIGITS
            ),
            _("check the value; if it is a code rather than a number, put it in double "
              "quotes"),
        )  # fmt: skip


def _check_date(text: str) -> None:
    found = _DATE.match(text)
    if found is None:
        return  # a `!!timestamp` tag on something else: named by `construct`
    year, month, day = (int(found[name]) for name in ("year", "month", "day"))
    if year == 0:
        reason = _("there is no year 0")
    elif not 1 <= month <= 12:
        reason = _("there is no month {month}").format(month=month)
    elif not 1 <= day <= calendar.monthrange(year, month)[1]:
        reason = _("month {month} of {year} has {days} days").format(
            month=month, year=year, days=calendar.monthrange(year, month)[1]
        )
    else:
        return
    raise ScalarProblem(
        _("{value} is not a date: {reason}").format(value=found[0], reason=reason),
        _("write a date that exists, as YYYY-MM-DD (like 2025-06-01); where a year is "
          "asked, write the year alone (like 2021)"),
    )  # fmt: skip
