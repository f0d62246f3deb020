"""WeasyPrint imported without a search for its C libraries under every name it knows
(builder.outputs.pdf.weasyprint_loading): no subprocess, and the search back where the
libraries need it."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from builder.outputs.pdf import weasyprint_loading

# Counts the subprocesses a fresh interpreter starts while it imports WeasyPrint.
COUNT = """
import sys
started = []
sys.addaudithook(lambda event, args: event == "subprocess.Popen" and started.append(args))
{imports}
print(len(started))
"""


def _subprocesses(imports: str) -> int:
    said = subprocess.run([sys.executable, "-c", COUNT.format(imports=imports)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(said.stdout.split()[-1])


def test_weasyprint_is_imported_without_searching_for_its_libraries() -> None:
    assert _subprocesses("import weasyprint, weasyprint.pdf.metadata") > 0  # its own way
    ours = "from builder.outputs.pdf.weasyprint_loading import import_weasyprint\n"
    ours += "import_weasyprint()\nimport weasyprint.text.ffi"
    assert _subprocesses(ours) == 0


def test_the_search_is_put_back_and_used_where_the_libraries_need_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    search = ctypes.util.find_library
    seen = []

    def importer() -> None:
        seen.append(ctypes.util.find_library)
        if len(seen) == 1:
            print("WeasyPrint could not import some external libraries")
            raise OSError("cannot load library 'libgobject-2.0-0'")

    weasyprint_loading.import_weasyprint(importer)
    assert seen[0] is not search and seen[1] is search
    assert ctypes.util.find_library is search
    assert capsys.readouterr().out == ""


def test_threads_importing_at_once_leave_the_search_in_place() -> None:
    """The workspace's first print previews may import WeasyPrint from two threads: each
    swaps the search out and back in turn, so neither puts the other's swap back."""
    import threading
    import time

    search = ctypes.util.find_library

    def importer() -> None:
        time.sleep(0.05)

    threads = [threading.Thread(target=weasyprint_loading.import_weasyprint, args=(importer,))
               for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ctypes.util.find_library is search
