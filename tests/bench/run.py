"""`make bench`: whole-process build times of the PDF and the EPUB against their anchors.

PDF: `builder build pdf` (both editions) against one plain single-pass WeasyPrint render of
the same HTML. EPUB: `builder build epub` against Pandoc's EPUB writer on the same Markdown.
Each is run in a fresh process; wall time, CPU time and peak memory (max RSS) are reported.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench.synthetic import make_book

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    peak_mb: float


def measure(command: list[str], cwd: Path) -> Timing:
    """Run `command` in a child process (fork + wait4 gives its own CPU time and peak RSS)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return Timing(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def best_of(runs: int, command: list[str], cwd: Path) -> Timing:
    timings = [measure(command, cwd) for _ in range(runs)]
    return min(timings, key=lambda t: t.wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=100)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    book = make_book(work / "book", args.models)
    cache = {"BUILDER_CACHE": str(work / "cache")}
    os.environ.update(cache)
    html = work / "book.html"
    subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            (
                "import sys; from pathlib import Path; from builder.load import load_book; "
                "from builder.outputs.pdf import book_html; "
                f"Path({str(html)!r}).write_text(book_html(load_book(Path({str(book)!r})).book))"
            ),
        ],
        check=True,
        cwd=ROOT,
    )
    builder = [str(BIN / "builder"), "build", "--content", str(book), "--out"]
    rows = []
    ours = best_of(args.runs, [*builder, str(work / "out-pdf"), "pdf"], ROOT)
    plain = best_of(
        args.runs,
        [str(BIN / "weasyprint"), "--base-url", str(book), str(html), str(work / "plain.pdf")],
        ROOT,
    )
    rows.append(("PDF, both editions", ours, "WeasyPrint single pass", plain, 1.5))
    epub = best_of(args.runs, [*builder, str(work / "out-epub"), "epub"], ROOT)
    if shutil.which("pandoc"):
        models = sorted(str(p) for p in (book / "models").glob("*.md"))
        pandoc = best_of(
            args.runs,
            [
                "pandoc",
                "--file-scope",  # each model's footnotes are its own, as in our build
                "--resource-path",
                str(book / "models"),
                "-o",
                str(work / "pandoc.epub"),
                *models,
            ],
            ROOT,
        )
        rows.append(("EPUB", epub, "Pandoc EPUB writer", pandoc, 1.0))
    else:
        print("pandoc is not installed: EPUB anchor skipped (make bench installs it)")
    print(
        f"\nBook: {args.models} models, ~800 words and one 1600 px picture each; "
        f"best of {args.runs} run(s); {os.cpu_count()} cores\n"
    )
    print(
        "| what | ours: wall / CPU / peak | anchor | anchor: wall / CPU / peak | ratio | target |"
    )
    print("|---|---|---|---|---|---|")
    for name, mine, anchor_name, anchor, target in rows:
        ratio = mine.wall / anchor.wall
        verdict = "met" if ratio <= target else "NOT met"
        print(
            f"| {name} | {mine.wall:.1f} s / {mine.cpu:.1f} s / {mine.peak_mb:.0f} MB | "
            f"{anchor_name} | {anchor.wall:.1f} s / {anchor.cpu:.1f} s / "
            f"{anchor.peak_mb:.0f} MB | {ratio:.2f}× | ≤ {target}× ({verdict}) |"
        )
    shutil.rmtree(work, ignore_errors=True)
    _ = resource  # peak memory comes from wait4's rusage


if __name__ == "__main__":
    main()
