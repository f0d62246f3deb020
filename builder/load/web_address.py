"""Whether `base_url` is a plain web address: canonical links, the feed, the sitemap, the
404 page and the printed QR codes are all made from it.

A plain address is `http(s)://host[:port]/path/`: no user name or password, no `?` or `#`,
and only the characters a web address holds without escaping (letters, digits and
`- . _ ~ / : %`): a quote or an angle bracket would be escaped in the pages, but break the
404 page's script and the sitemap's XML.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

from builder.util.i18n import _

ALLOWED = frozenset(string.ascii_letters + string.digits + "-._~/:%")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def address_problem(value: str) -> str | None:
    """A hint saying what keeps `value` from being a plain http(s) address of a folder
    (its last `/` aside: said on its own); None when it is one."""
    try:
        parts = urlsplit(value)
    except ValueError:  # a [ left open
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or not value.isprintable()
        or any(char in value for char in " ?#")
    ):
        return _("start it with https:// (or http://), with no ?, # or spaces")
    if "@" in parts.netloc:
        return _("leave out the name and password before @: the address is printed in the book")
    odd = next((char for char in value if char not in ALLOWED), None)
    if odd is not None:
        return _("remove “{char}”: a web address holds only letters without accents, digits "
                 "and - . _ ~ / : %").format(char=odd)  # fmt: skip
    if PERCENT.search(value):
        return _("write % only as part of a %-code, like %20")
    try:
        port = parts.port
    except ValueError:  # not a number from 0 to 65535
        port = 0
    if not HOST.fullmatch(parts.hostname or "") or port == 0:
        return _("after https:// comes the site's name, like example.org, and nothing else")
    return None
