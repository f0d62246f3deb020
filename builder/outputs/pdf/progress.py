"""A progress line for the long step of a build, the PDF's layout: “pdf: laying out page
120…” rewritten in place on a terminal, and nothing at all when stderr is not a terminal
(logs and CI stay clean). WeasyPrint reports each page it lays out on its `weasyprint.progress`
logger; we listen there instead of guessing.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from builder.util.i18n import _

LAYOUT_STEP = "Step 5 - Creating layout - Page"
EVERY = 0.2  # seconds between two updates of the line


class PageProgress(logging.Handler):
    def __init__(self, output: str, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.output = output
        self.stream = stream
        self.shown_at = 0.0
        self.shown = False

    def emit(self, record: logging.LogRecord) -> None:
        if not str(record.msg).startswith(LAYOUT_STEP) or not record.args:
            return
        now = time.monotonic()
        if now - self.shown_at < EVERY:
            return
        self.shown_at = now
        page = record.args[0] if isinstance(record.args, tuple) else record.args
        text = _("{output}: laying out page {page}…").format(output=self.output, page=page)
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        super().close()


@contextmanager
def layout_progress(output: str, stream: TextIO | None = None) -> Iterator[None]:
    """Show the pages being laid out while the block runs, when `stream` is a terminal."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = PageProgress(output, stream)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()
