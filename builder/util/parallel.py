"""Running pieces of work on the other cores while this one does another.

A forked child gets what this process holds for free (copy-on-write: a layout, the book).
`run_forked` runs one piece of work in a child and waits for it (a print file, whose memory
goes with the child); `ForkedTask` runs one in a child while this process goes on (the
cover spread beside the print files); `forked_map` and
`ForkedMap` share one piece of work out between the cores (the pages of the press colours
and of the preflight, the QR codes); `ForkedAhead` forks a child that loads what its work
needs while this process goes on (WeasyPrint, for the units' layout). Where `fork` does
not exist, the work runs here, one piece after the other. A child dies with its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar

from builder.util.errors import BuildError
from builder.util.i18n import _

T = TypeVar("T")
Item = TypeVar("Item")


def cores() -> int:
    """Every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


SMALLEST_SHARE = 50  # pages; a shorter file is one share: a fork would cost more than it saves


def page_shares(pages: int) -> list[range]:
    """The indexes of `pages` pages in one share per core, in order, each of at least
    SMALLEST_SHARE pages."""
    return shares_of(pages, SMALLEST_SHARE)


def shares_of(count: int, smallest: int) -> list[range]:
    """The indexes of `count` items in one share per core, in order, each of at least
    `smallest` items."""
    shares = max(1, min(cores(), count // smallest))
    return [range(count * n // shares, count * (n + 1) // shares) for n in range(shares)]


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_forked(work: Callable[[], T], failure: str) -> T:
    """What `work()` returns, run in a forked child and waited for: what it holds while it
    runs (a join holds every object of the book) is given back to the system when the child
    ends, where this process's memory would not shrink. If it failed: a BuildError with
    `failure` (a translated message whose `{reason}` is filled in). Without fork, here."""
    with ForkedTask(work, failure) as task:
        pass  # nothing to do beside it: leaving the block waits for the child
    return task.result  # type: ignore[return-value]  # set on leaving, or raised


class ForkedTask(Generic[T]):
    """`with ForkedTask(work, failure) as task:` runs `work` in a forked child; leaving the
    block waits for it, sets `task.result` to what `work` returned, and raises BuildError if
    it failed, with `failure` (a translated message whose `{reason}` is filled in).
    Without fork, `work` runs first, on entering."""

    def __init__(self, work: Callable[[], T], failure: str, *, behind: bool = False) -> None:
        self.work = work
        self.failure = failure
        self.forked = can_fork()
        self.behind = behind  # the child yields the cores to the work the build waits on
        self.result: T | None = None
        self._child: _Child | None = None

    def __enter__(self) -> ForkedTask[T]:
        if self.forked:
            self._child = _Child.start(partial(_behind, self.work) if self.behind else self.work)
        else:
            self.result = self.work()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._child is None:
            return
        if kind is not None:
            self._child.stop()
            return
        ok, value = self._child.outcome()
        if not ok:  # a BuildError's message as it is (as without fork); others in `failure`
            if value.said:
                raise BuildError(value.message)
            raise BuildError(self.failure.format(reason=value.message or _("the worker stopped")))
        self.result = value


BEHIND = 5  # `nice` increment of a task that runs beside the one the build waits on


def _behind(work: Callable[[], T]) -> T:
    """`work`, in a forked child, at a lower priority than its parent's other children."""
    with contextlib.suppress(OSError):
        os.nice(BEHIND)
    return work()


class ForkedAhead(Generic[Item, T]):
    """`with ForkedAhead(prepare, work, failure) as child:` forks a child that runs
    `prepare()` at once and then waits, while this process goes on; `child.run(value)`
    hands it `value` and returns what `work(value)` returned there. If that failed: a
    BuildError with its message, or with `failure` if the child died without one.
    What `prepare` loads (WeasyPrint's modules: most of a second) is loaded beside this
    process's own work, and what `work` forks inherits it. Without fork, `prepare` runs
    on entering and `work` in `run`."""

    def __init__(
        self, prepare: Callable[[], object], work: Callable[[Item], T], failure: str
    ) -> None:
        self.prepare = prepare
        self.work = work
        self.failure = failure
        self._child: _Child | None = None
        self._inbox: Connection | None = None
        self._value: Any = None

    def __enter__(self) -> ForkedAhead[Item, T]:
        if not can_fork():
            self.prepare()
            return self
        inbox, self._inbox = multiprocessing.get_context("fork").Pipe(duplex=False)
        self._child = _Child.start(partial(self._serve, inbox))
        inbox.close()
        return self

    def _serve(self, inbox: Connection) -> T:
        if self._inbox is not None:
            self._inbox.close()  # the parent's end: only the parent sends
        self.prepare()
        value = inbox.recv()  # EOFError if the parent left without work: a failure, unread
        inbox.close()
        return self.work(value)

    def run(self, value: Item) -> T:
        self.hand(value)
        return self.result()

    def hand(self, value: Item) -> None:
        """Give the child `value` to work on, and go on (`result` waits for it)."""
        self._value = value
        if self._child is not None and self._inbox is not None:
            self._inbox.send(value)
            self._inbox.close()

    def result(self) -> T:
        """What `work(value)` returned, for the value handed."""
        if self._child is None:
            return self.work(self._value)
        ok, result = self._child.outcome()
        self._child = None
        if not ok:  # the work's own one-line message, else `failure`
            raise BuildError(result.message or self.failure.format(reason=_("the worker stopped")))
        return result  # type: ignore[no-any-return]

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._inbox is not None and not self._inbox.closed:
            self._inbox.close()
        if self._child is not None:  # never given its work
            self._child.stop()


def forked_map(work: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
    """[work(item) for item in items], each item in a forked child of its own, all at once
    (give as many items as there are cores); a BuildError raised by `work` is raised here
    with its message. Without fork, one after the other here."""
    with ForkedMap(work, items) as started:
        return started.results()


class ForkedMap(Generic[Item, T]):
    """`with ForkedMap(work, items) as started:` starts `forked_map`'s children and goes
    on; `started.results()` waits for them. Leaving the block stops any still running."""

    def __init__(self, work: Callable[[Item], T], items: Sequence[Item]) -> None:
        self.work = work
        self.items = items
        self._children: list[_Child] = []

    def __enter__(self) -> ForkedMap[Item, T]:
        if can_fork() and len(self.items) > 1:
            self._children = [_Child.start(partial(self.work, item)) for item in self.items]
        return self

    def results(self) -> list[T]:
        if not self._children:
            return [self.work(item) for item in self.items]
        try:
            outcomes = [child.outcome() for child in self._children]
        finally:
            self._stop()
        for ok, value in outcomes:
            if not ok:
                raise BuildError(value.message or _("the worker stopped"))
        return [value for _ok, value in outcomes]

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        for child in self._children:
            child.stop()
        self._children = []


class _Child:
    """A forked process running one piece of work and sending back its outcome: (True,
    result) or (False, the error's one-line message)."""

    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection):
        self.process = process
        self.connection = connection

    @classmethod
    def start(cls, work: Callable[[], Any]) -> _Child:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=False)
        work = partial(_in_child, os.getpid(), ours, work)
        # A daemon, stopped if this process leaves without waiting for it; `stop` and
        # `outcome` see to it that none outlives its block.
        process = context.Process(target=_run, args=(work, theirs), daemon=True)
        process.start()
        theirs.close()  # so that a child that dies is an EOFError here
        return cls(process, ours)

    def outcome(self) -> tuple[bool, Any]:
        """Waits for the child: what it sent, read before it is joined (a large result
        fills the pipe, and the child waits for it to be read)."""
        try:
            ok, value = self.connection.recv()
        except EOFError:
            ok, value = False, Failed("", said=False)
        finally:
            self.connection.close()
        self.process.join()
        if ok and self.process.exitcode != 0:
            return False, Failed("", said=False)
        return ok, value

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


@dataclass(frozen=True, slots=True)
class Failed:
    """What a child that failed sends: its one-line message, and whether it is a BuildError's,
    said as the build should say it (otherwise its parent puts it in its own message)."""

    message: str
    said: bool


# Python's own thresholds: a child lays out pages, whose boxes point at each other, and is
# collected at the usual pace (the command raises them for its own process: cli/__init__).
CHILD_GC_THRESHOLD = (700, 10, 10)


def start_child(parent: int) -> None:
    """In a forked child: be killed when `parent` dies (Linux), so that a build killed with
    `kill -9` leaves no worker behind laying out pages nobody will read; gone at once if it
    already has. Its garbage is collected at Python's usual pace."""
    gc.set_threshold(*CHILD_GC_THRESHOLD)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _in_child(parent: int, ours: Connection, work: Callable[[], Any]) -> Any:
    start_child(parent)
    ours.close()  # the parent's end: this child only writes
    return work()


def _run(work: Callable[[], Any], connection: Connection) -> None:
    # The work may share itself out again (`forked_map` in a task): multiprocessing lets a
    # daemon have no children, so this child is one no longer in its own eyes; its blocks
    # stop its children before it leaves.
    multiprocessing.current_process().daemon = False
    try:
        result = work()
        payload = pickle.dumps((True, result))
    except BaseException as exc:  # report, then leave with a failure code
        said = isinstance(exc, BuildError)
        connection.send((False, Failed(str(exc) or type(exc).__name__, said)))  # no traceback
        connection.close()
        os._exit(1)
    connection.send_bytes(payload)
    connection.close()
    os._exit(0)
