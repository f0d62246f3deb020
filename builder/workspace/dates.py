"""Moments as the workspace's pages show them: “ngày 7 tháng 12 năm 2026, 09:15” in
Vietnamese, “7 December 2026, 09:15” in English, in the server's time zone."""

from __future__ import annotations

import datetime

from babel.dates import format_datetime

from builder.book.vietnamese import format_long_date
from builder.util import i18n


def format_moment(moment: datetime.datetime) -> str:
    local = moment.astimezone()
    if i18n.language() == "vi":
        return f"{format_long_date(local.date())}, {local:%H:%M}"
    return str(format_datetime(local, "d MMMM y, HH:mm", locale="en"))


def parse_moment(iso: str) -> datetime.datetime | None:
    """A git date (ISO 8601 with its offset), or None when it is not one."""
    try:
        return datetime.datetime.fromisoformat(iso)
    except ValueError:
        return None
