"""`builder serve`'s rebuild after one edited model, for `make bench` (run as a child process).

    python -m tests.bench.serve_edit BOOK FOLDER [EDITS]

Builds the preview once in full, then `EDITS` times appends a sentence to one model (a
different one each time), bumps its modification time and times `Preview.rebuild`; each
edit must show on its page. Prints one JSON line: the best rebuild's wall and CPU seconds,
the full build's, and the process's peak memory. The search index, which the preview writes
in the background after each rebuild, is left to finish before the next edit so that it
does not slow the one timed.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

from builder.serve.serve import Preview

SENTENCE = "\nBan biên tập bổ sung một câu để thử việc dựng lại trang khi soạn thảo.\n"


def settle() -> None:
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join()


def timed_rebuild(preview: Preview) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    if not preview.rebuild(lambda message: None):
        raise SystemExit("\n".join(["the preview failed to rebuild:", *preview.problems]))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    book, folder = Path(sys.argv[1]), Path(sys.argv[2])
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    preview = Preview(content=book, folder=folder)
    wall, cpu = time.perf_counter(), time.process_time()
    if not preview.rebuild(lambda message: print(message, file=sys.stderr)):
        raise SystemExit("\n".join(["the preview failed to build:", *preview.problems]))
    full = (time.perf_counter() - wall, time.process_time() - cpu)
    models = sorted((book / "models").glob("*.md"))
    timings = []
    for number in range(edits):
        settle()
        model = models[(number + 1) * len(models) // (edits + 1)]
        with model.open("a", encoding="utf-8") as file:
            file.write(SENTENCE)
        stamp = time.time() + number + 1  # newer than any earlier save, whatever the clock
        os.utime(model, (stamp, stamp))
        timings.append(timed_rebuild(preview))
        page = folder / "site" / "mo-hinh" / f"{model.stem}.html"
        if SENTENCE.strip() not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the rebuild did not show the edit in {page}")
    settle()
    best = min(timings)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": best[0], "cpu": best[1], "full": full, "peak_mb": peak}))


if __name__ == "__main__":
    main()
