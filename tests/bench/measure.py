"""Timing whole processes for `make bench`: wall time, CPU time and peak memory of a child.

`os.wait4` returns the child's resource usage together with that of the processes it waited
for (Pagefind's binary, the PDF's worker processes): CPU time is their sum, peak memory
the largest single process's resident set. The summed peak (every process of the tree at
once) is sampled from /proc every 50 ms while the command runs. The CPU time the rest of the
machine used meanwhile is kept too, to flag a measurement that other work disturbed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Timing:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak_mb: float  # largest resident set of a single process
    others: float = 0.0  # CPU seconds the rest of the machine used meanwhile
    total_mb: float = 0.0  # largest sum of the resident sets of the process tree, sampled

    @property
    def disturbed(self) -> bool:
        """Other work took more than a quarter of a core on average: the time is suspect."""
        return self.others > 0.25 * self.wall

    def then(self, other: Timing) -> Timing:
        """Two processes run one after the other."""
        wall, cpu, others = self.wall + other.wall, self.cpu + other.cpu, self.others + other.others
        peak, total = max(self.peak_mb, other.peak_mb), max(self.total_mb, other.total_mb)
        return Timing(wall, cpu, peak, others, total)


def machine_cpu() -> float:
    """CPU seconds the whole machine has used since it started, hypervisor steal included
    (Linux's /proc/stat; 0 where there is none)."""
    try:
        first = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class BuildFailed(SystemExit):
    """A measured command exited non-zero: its command line and stderr, and exit status 1."""

    def __init__(self, command: list[str], stderr: str) -> None:
        super().__init__(f"\nfailed: {' '.join(command)}\n{stderr.rstrip()}")


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[Timing, str]:
    """Run `command` to its end; its timing and what it wrote on stdout. Output goes to
    temporary files, not pipes, so a chatty child can never block on a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started, machine = time.perf_counter(), machine_cpu()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        with TreeMemory(process.pid) as tree:
            _, status, usage = os.wait4(process.pid, 0)
        wall, machine = time.perf_counter() - started, machine_cpu() - machine
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise BuildFailed(command, err.read().decode(errors="replace"))
        cpu = usage.ru_utime + usage.ru_stime
        peak = usage.ru_maxrss / 1024
        timing = Timing(wall, cpu, peak, max(0.0, machine - cpu), max(peak, tree.peak_mb))
        return timing, out.read().decode(errors="replace")


def best_of(
    runs: int, command: list[str], cwd: Path, before: Callable[[], None] | None = None
) -> Timing:
    """The fastest of `runs` runs (by wall time); `before` resets state before each one."""
    return best_of_turns(runs, Timed(command, cwd, before))[0]


@dataclass(frozen=True, slots=True)
class Timed:
    """A command to time: where it runs, and what resets state before each run."""

    command: list[str]
    cwd: Path
    before: Callable[[], None] | None = None


def best_of_turns(runs: int, *timed: Timed) -> list[Timing]:
    """The fastest of `runs` runs of each command (by wall time), the commands taking turns
    (a, b, a, b…): this machine's speed moves by up to a factor of two within minutes, and
    two commands timed in turns meet its slow and fast minutes alike, where `best_of` one
    after the other can give one of them all the fast ones."""
    timings: list[list[Timing]] = [[] for _ in timed]
    for _ in range(runs):
        for found, one in zip(timings, timed, strict=True):
            if one.before is not None:
                one.before()
            found.append(run(one.command, one.cwd)[0])
    return [min(found, key=lambda t: t.wall) for found in timings]


class TreeMemory:
    """`with TreeMemory(pid) as tree:` samples, until the block ends, the summed resident set
    of `pid` and its descendants; `tree.peak_mb` is the largest sum seen (Linux's /proc)."""

    INTERVAL = 0.05

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        while not self._stop.wait(self.INTERVAL):
            pages = sum(_resident_pages(pid) for pid in _tree(self.pid))
            self.peak_mb = max(self.peak_mb, pages * page_mb)


def _tree(root: int) -> set[int]:
    """`root` and every process descended from it: read down from `root` through each of
    its threads' list of children (a few files a process). Scanning every process of the
    machine for its parent took 3.3 ms a sample (69 processes), 7 % of a core taken from
    the build measured, which a one-core anchor leaves idle: where the kernel keeps no
    lists of children, that scan."""
    if not Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children").exists():
        return _tree_by_scan(root)
    found: set[int] = set()
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in found:
            continue
        found.add(pid)
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # ended meanwhile
        for thread in threads:
            try:
                with open(f"/proc/{pid}/task/{thread}/children", "rb") as listed:
                    pending.extend(int(child) for child in listed.read().split())
            except OSError:
                continue
    return found


def _tree_by_scan(root: int) -> set[int]:
    """`_tree` from every process's parent."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def _resident_pages(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
