"""Where the builder's own files are, found from the `builder` package itself, so a module
finds them the same from any folder of the package."""

from __future__ import annotations

import sys
from pathlib import Path

_package_file = sys.modules[__name__.partition(".")[0]].__file__
assert _package_file is not None
PACKAGE = Path(_package_file).resolve().parent  # builder/
LOCALES = PACKAGE / "locale"  # the gettext catalogue (builder/locale/vi/LC_MESSAGES/)
TEMPLATES = PACKAGE.parent / "templates"  # the outputs' templates, beside the package
