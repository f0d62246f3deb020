"""What laying the book out in units (front matter, each part, back matter) on every core and
joining them (builder.pdf_join) would save, measured on a generated book's real PDF HTML:
`python -m tests.bench.pdf_parts --models 100 [--jobs 2]`.

It times one plain tagged pass of the whole HTML against the units laid out in a process pool
and joined, and prints wall time, each process's peak memory, the file sizes and the page
counts. A timing experiment, not the build: the units' TOC numbers and folios are not the
book's (the build gives each unit its first folio and literal TOC numbers), which changes
neither the pages laid out nor the time.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pikepdf

from builder.pdf_join import cross_unit_uri, join
from tests.bench.synthetic import make_book

PART = '<section class="part"'
BACK = '<section class="index"'
COLOPHON = '<section class="colophon"'
# Ends every unit but the last: forced to the next right-hand page, it makes the blank
# left-hand page the single pass makes before the next unit, and is itself left out.
SENTINEL = '<div style="break-before: right"></div>'


def units(html: str) -> list[str]:
    """The book's HTML cut into documents: the front matter, each part, the back matter."""
    head, body = html.split("<body", 1)
    body_open, body = body.split(">", 1)
    body = body.rsplit("</body>", 1)[0]
    starts = [match.start() for match in re.finditer(re.escape(PART), body)]
    back = min(i for i in (body.find(BACK, starts[-1]), body.find(COLOPHON)) if i >= 0)
    pieces = [body[: starts[0]]]
    pieces += [body[a:b] for a, b in zip(starts, [*starts[1:], back], strict=True)]
    pieces.append(body[back:])
    documents: list[str] = []
    for piece in pieces:
        anchors = set(re.findall(r'id="([^"]+)"', piece))

        def relink(match: re.Match[str], anchors: set[str] = anchors) -> str:
            anchor = match.group(1)
            return match.group(0) if anchor in anchors else f'href="{cross_unit_uri(anchor)}"'

        piece = re.sub(r'href="#([^"]+)"', relink, piece)
        end = SENTINEL if len(documents) < len(pieces) - 1 else ""
        documents.append(f"{head}<body{body_open}>{piece}{end}</body></html>")
    return documents


def lay_out(job: tuple[str, str]) -> tuple[bytes, float, int, float]:
    """One document's tagged PDF, its seconds, the process's peak memory in MB and its
    CPU seconds (on a busy machine the wall time says little)."""
    from weasyprint import HTML

    html, base_url = job
    start, cpu = time.perf_counter(), time.process_time()
    pdf = HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return pdf, time.perf_counter() - start, peak, time.process_time() - cpu


def font_bytes(pdf: Any) -> int:
    """The bytes of the embedded font programs (as stored, compressed)."""
    total = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.FontDescriptor:
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in obj:
                    total += len(obj[key].read_raw_bytes())
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="copy joined.pdf and single.pdf here")
    args = parser.parse_args()
    from builder.load import load_book
    from builder.outputs.pdf import book_html

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        book_root = make_book(work / "book", args.models)
        book = load_book(book_root).book
        assert book is not None, "the generated book does not load"
        html = book_html(book)
        base_url = str(book_root.resolve())
        documents = units(html)
        biggest_first = sorted(range(len(documents)), key=lambda i: -len(documents[i]))
        start = time.perf_counter()
        with ProcessPoolExecutor(args.jobs, max_tasks_per_child=1) as pool:
            done = dict(
                zip(
                    biggest_first,
                    pool.map(lay_out, [(documents[i], base_url) for i in biggest_first]),
                    strict=True,
                )
            )
        laid_out = time.perf_counter() - start
        joined = join([done[i][0] for i in range(len(documents))], work / "joined.pdf")
        parts_wall = time.perf_counter() - start
        with ProcessPoolExecutor(1, max_tasks_per_child=1) as pool:
            single, single_s, single_peak, single_cpu = pool.submit(
                lay_out, (html, base_url)
            ).result()
        (work / "single.pdf").write_bytes(single)
        with pikepdf.open(joined) as a, pikepdf.open(work / "single.pdf") as b:
            pages = (len(a.pages), len(b.pages))
            fonts = (font_bytes(a), font_bytes(b))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for name in ("joined.pdf", "single.pdf"):
                shutil.copyfile(work / name, args.keep / name)
        print(f"models {args.models}, jobs {args.jobs}, units {len(documents)}")
        print(f"single tagged pass: {single_s:.1f} s, CPU {single_cpu:.1f} s, "
              f"peak {single_peak} MB, "
              f"{len(single) / 1e6:.1f} MB, {pages[1]} pages")  # fmt: skip
        for i in range(len(documents)):
            print(f"  unit {i}: {done[i][1]:.1f} s, CPU {done[i][3]:.1f} s, peak {done[i][2]} MB, "
                  f"{len(done[i][0]) / 1e6:.1f} MB")  # fmt: skip
        print(f"units in parallel: {laid_out:.1f} s; with the join: {parts_wall:.1f} s "
              f"({parts_wall / single_s:.2f}x), {joined.stat().st_size / 1e6:.1f} MB, "
              f"{pages[0] - (len(documents) - 1)} pages without the sentinels")  # fmt: skip
        cpu = [done[i][3] for i in range(len(documents))]
        print(f"units' CPU: {sum(cpu):.1f} s in all, the biggest {max(cpu):.1f} s: on "
              f"{args.jobs} idle cores at best "
              f"{max(sum(cpu) / args.jobs, max(cpu)):.1f} s")  # fmt: skip
        print(f"embedded font programs: joined {fonts[0] / 1e6:.1f} MB, "
              f"single {fonts[1] / 1e6:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
