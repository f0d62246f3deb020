"""The workspace as an office runs it: `builder workspace` in its own process (uvicorn) on a
loopback port, over a copy of the shipped book (or of a given one), with one account per role
(or the accounts given)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workspace_support import SAMPLE, make_office

ROOT = Path(__file__).resolve().parent.parent
BUILDER = Path(sys.executable).parent / "builder"


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    content: Path
    process: subprocess.Popen[bytes]

    def peak_memory_kib(self) -> int:
        """The server process's peak resident memory (VmHWM), in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_workspace(
    tmp_path: Path,
    *,
    language: str = "vi",
    book: Path = SAMPLE,
    people: dict[str, tuple[str, str]] | None = None,
) -> Iterator[Server]:
    """A real server on a copy of `book`; stopped (and its output checked) afterwards."""
    office = make_office(tmp_path, book, people)
    port = free_port()
    env = {**os.environ, "BUILDER_LANG": language}
    log = (tmp_path / "workspace.log").open("wb")
    process = subprocess.Popen(
        [str(BUILDER), "workspace", "--content", str(office.content), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, tmp_path / "workspace.log")
        yield Server(base, office.content, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workspace stopped: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/login", timeout=2) as up:
            if up.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the workspace did not answer: {log.read_text(errors='replace')}")
