"""The bench's measure of a process tree (tests/bench/measure.py): every descendant found,
threads' children too, and their memory summed while they run."""

from __future__ import annotations

import subprocess
import sys
import time

from bench import measure  # tests/bench: pytest puts tests/ on the path, as for conftest

# A parent whose thread (alive) starts a child that starts a grandchild holding 120 MB; each says
# its pid, then they all wait to be killed.
_FAMILY = """
import subprocess, sys, threading, time
code = ("import sys, time; block = bytearray(120 * 2**20); "
        "print('ready', flush=True); time.sleep(60)")
def start():
    child = subprocess.Popen([sys.executable, "-c",
        "import subprocess, sys, time; g = subprocess.Popen([sys.executable, '-c', %r]); "
        "print(g.pid, flush=True); time.sleep(60)" % code])
    print(child.pid, flush=True)
    time.sleep(60)  # alive: its child is listed as its own, not the main thread's
threading.Thread(target=start, daemon=True).start()
time.sleep(60)
"""


def test_the_tree_holds_the_children_of_threads_and_their_children() -> None:
    family = subprocess.Popen([sys.executable, "-c", _FAMILY], stdout=subprocess.PIPE, text=True)
    try:
        assert family.stdout is not None
        said = [family.stdout.readline().strip() for _ in range(3)]
        pids = {int(word) for word in said if word.isdigit()}
        assert "ready" in said and len(pids) == 2
        assert measure._tree(family.pid) == {family.pid, *pids}
        assert measure._tree(family.pid) == measure._tree_by_scan(family.pid)
        with measure.TreeMemory(family.pid) as tree:
            time.sleep(0.3)
        assert tree.peak_mb > 120
    finally:
        for pid in measure._tree(family.pid) - {family.pid}:
            subprocess.run(["kill", str(pid)], check=False)
        family.kill()
        family.wait()
