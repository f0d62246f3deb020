"""How long `builder serve`'s “Xem bản in” takes for one model of a generated book.

    python -m tests.bench.page_preview [MODELS] [--page-map]

Generates a book of MODELS models (100 by default, tests/bench/synthetic.py), starts a real
preview on loopback, and asks it for the print preview of the model in the middle of the
book twice: the first answer lays the model out, the second comes from the memo. With
`--page-map` the book's PDF is built first (about 20 s for 100 models), so the preview
starts on the model's real folio instead of a provisional 1. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from builder.cli import main as builder_main
from builder.outputs.pdf.page_preview import preview_address
from builder.render.editions import PAGE_MAP_NAME
from builder.serve.serve import Preview, make_server
from tests.bench.synthetic import make_book


def timed_get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        size = len(response.read())
    return time.perf_counter() - started, size


def main() -> None:
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    models = int(arguments[0]) if arguments else 100
    with tempfile.TemporaryDirectory() as scratch:
        book = make_book(Path(scratch, "book"), models)
        output = Path(scratch, "output")
        if "--page-map" in sys.argv:
            built = CliRunner().invoke(
                builder_main, ["build", "pdf", "--content", str(book), "--out", str(output)]
            )
            if built.exit_code != 0:
                raise SystemExit(built.output)
        folder = Path(scratch, "serve")
        (folder / "site").mkdir(parents=True)
        preview = Preview(book, folder)
        preview.prints.page_map = output / PAGE_MAP_NAME
        if not preview.rebuild(lambda message: None) or preview.book is None:
            raise SystemExit("\n".join(["the preview failed to build:", *preview.problems]))
        entries = [entry for part in preview.book.parts for entry in part.entries]
        slug = entries[len(entries) // 2].slug
        server = make_server(preview, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        folio = preview.prints.folio(slug)
        url = f"http://127.0.0.1:{server.server_address[1]}{preview_address(slug)}"
        first, size = timed_get(url)
        again, _size = timed_get(url)
        server.shutdown()
        server.server_close()
        preview.stop_search()
    row = {"models": models, "model": slug, "folio": folio, "bytes": size,
           "first_seconds": round(first, 2), "memo_seconds": round(again, 3)}  # fmt: skip
    print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
