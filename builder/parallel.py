"""Running a piece of work on the other core while this one does another.

The two PDF editions are written from one layout. A forked child gets that layout for free
(copy-on-write) and writes one edition while the parent writes the other; where `fork`
does not exist, the work runs here, one piece after the other.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from types import TracebackType

from builder.i18n import _
from builder.problems import BuildError


class ForkedTask:
    """`with ForkedTask(work, failure):` runs `work` in a forked child; leaving the block waits
    for it and raises BuildError if it failed, with `failure` (a translated message whose
    `{reason}` is filled in). Without fork, `work` runs first, on entering."""

    def __init__(self, work: Callable[[], None], failure: str) -> None:
        self.work = work
        self.failure = failure
        self.forked = "fork" in multiprocessing.get_all_start_methods()
        self.process: multiprocessing.process.BaseProcess | None = None
        self.errors: multiprocessing.queues.SimpleQueue[str] | None = None

    def __enter__(self) -> ForkedTask:
        if self.forked:
            context = multiprocessing.get_context("fork")
            self.errors = context.SimpleQueue()
            self.process = context.Process(target=self._child, daemon=True)
            self.process.start()
        else:
            self.work()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process is None:
            return
        if kind is not None:
            self.process.terminate()
        self.process.join()
        if kind is None and self.process.exitcode != 0:
            detail = self.errors.get() if self.errors and not self.errors.empty() else ""
            raise BuildError(self.failure.format(reason=detail or _("the worker stopped")))

    def _child(self) -> None:
        try:
            self.work()
        except BaseException as exc:  # report, then leave with a failure code
            if self.errors is not None:
                self.errors.put(str(exc) or type(exc).__name__)  # one line, no traceback
            os._exit(1)
