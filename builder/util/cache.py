"""Where the builder keeps what makes rebuilds fast (`.cache/`, or BUILDER_CACHE): every
file there may be deleted at any time."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("BUILDER_CACHE", ".cache"))
