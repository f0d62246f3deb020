"""Where the builder's own files are, found from the `builder` package itself, so a module
finds them the same from any folder of the package."""

from __future__ import annotations

import sys
from importlib.util import find_spec
from pathlib import Path

_package_file = sys.modules[__name__.partition(".")[0]].__file__
assert _package_file is not None
PACKAGE = Path(_package_file).resolve().parent  # builder/
LOCALES = PACKAGE / "locale"  # the gettext catalogue (builder/locale/vi/LC_MESSAGES/)
TEMPLATES = PACKAGE.parent / "templates"  # the outputs' templates, beside the package


def module_source(name: str) -> bytes:
    """The source of module `name` (a dotted path), read without importing it."""
    spec = find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_bytes()
