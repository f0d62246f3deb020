"""One queue for the workspace's long work — Word imports and builds — run one at a time.

A job is a function given a `progress(line)` callback; its lines are kept and streamed to the
page (`/jobs/<id>/events`, server-sent events), its result is what it returns: files to
download, or lines to show. One worker thread runs the jobs in the order they came, so two
builds never meet in `output/` and a build never reads a book half-imported. The jobs of the
last hour are kept in memory; a restart forgets them (their files stay on disk).
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from builder.util import i18n
from builder.util.i18n import _

Progress = Callable[[str], None]
KEPT_FOR = 3600.0  # seconds a finished job is listed


@dataclass(slots=True)
class Job:
    id: int
    kind: str  # "import", "build", "publish"…
    title: str  # what the page shows, translated when the job was made
    owner: str  # the login that asked for it
    run: Callable[[Progress], Any]
    language: str
    state: str = "queued"  # queued, running, done, failed
    lines: list[str] = field(default_factory=list)
    result: Any = None
    error: str = ""
    finished_at: float = 0.0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def progress(self, line: str) -> None:
        with self.changed:
            self.lines.append(line)
            self.changed.notify_all()

    def as_json(self, since: int = 0) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "owner": self.owner,
                "state": self.state, "lines": self.lines[since:], "error": self.error}  # fmt: skip


class JobQueue:
    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self._waiting: queue.Queue[Job] = queue.Queue()
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._work, name="workspace-jobs", daemon=True)
        self._worker.start()

    def submit(self, kind: str, title: str, owner: str, run: Callable[[Progress], Any]) -> Job:
        job = Job(next(self._numbers), kind, title, owner, run, i18n.language())
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._waiting.put(job)
        return job

    def get(self, number: int) -> Job | None:
        with self._lock:
            return self._jobs.get(number)

    def listed(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda job: -job.id)

    def wait(self, job: Job, timeout: float) -> bool:
        """Until `job` is finished or `timeout` seconds passed; whether it is finished."""
        end = time.monotonic() + timeout
        with job.changed:
            while job.state in ("queued", "running"):
                left = end - time.monotonic()
                if left <= 0:
                    return False
                job.changed.wait(left)
        return True

    def _forget_old(self) -> None:
        now = time.monotonic()
        for number, job in list(self._jobs.items()):
            if job.finished_at and now - job.finished_at > KEPT_FOR:
                del self._jobs[number]

    def _work(self) -> None:
        while True:
            job = self._waiting.get()
            i18n.use_language_here(job.language)
            with job.changed:
                job.state = "running"
                job.changed.notify_all()
            try:
                result = job.run(job.progress)
            except Exception as exc:  # the job's own message; the queue goes on
                state, result, error = "failed", None, str(exc) or _("the job failed")
            else:
                state, error = "done", ""
            with job.changed:
                job.state, job.result, job.error = state, result, error
                job.finished_at = time.monotonic()
                job.changed.notify_all()
