"""Work shared out between the cores (builder.util.parallel): results in order, failures as one
line, and the print files the same whether their pages are walked in one share or many."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SAMPLE, Run

from builder.util import parallel
from builder.util.errors import BuildError
from builder.util.parallel import ForkedAhead, ForkedTask, forked_map, page_shares, run_forked


def _square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_forked_map_gives_the_results_in_order_each_from_a_child() -> None:
    results = forked_map(_square_and_pid, [3, 1, 2])
    assert [square for square, _pid in results] == [9, 1, 4]
    pids = {pid for _square, pid in results}
    assert len(pids) == 3 and os.getpid() not in pids


def _fails_on_two(number: int) -> int:
    if number == 2:
        raise BuildError("share two could not be read")
    return number


def _dies(number: int) -> int:
    os._exit(3)


def test_a_failing_share_is_one_line_and_a_dead_one_says_so() -> None:
    with pytest.raises(BuildError, match=r"^share two could not be read$"):
        forked_map(_fails_on_two, [1, 2])
    with pytest.raises(BuildError, match=r"^the worker stopped$"):
        forked_map(_dies, [1, 2])


def test_a_forked_task_returns_what_its_work_returns() -> None:
    with ForkedTask(lambda: ("done", os.getpid()), "failed: {reason}") as task:
        pass
    assert task.result is not None
    assert task.result[0] == "done" and task.result[1] != os.getpid()
    dies = ForkedTask(lambda: os._exit(1), "failed: {reason}")
    with pytest.raises(BuildError, match=r"^failed: the worker stopped$"), dies:
        pass


def test_a_task_behind_runs_at_a_lower_priority_than_its_parent() -> None:
    with ForkedTask(lambda: os.nice(0), "failed: {reason}", behind=True) as task:
        pass
    with ForkedTask(lambda: os.nice(0), "failed: {reason}") as level:
        pass
    assert task.result == min(os.nice(0) + parallel.BEHIND, 19)
    assert level.result == os.nice(0)


def test_run_forked_returns_what_its_work_returns_in_a_child() -> None:
    done, pid = run_forked(lambda: ("done", os.getpid()), "failed: {reason}")
    assert done == "done" and pid != os.getpid()
    with pytest.raises(BuildError, match=r"^failed: the worker stopped$"):
        run_forked(lambda: os._exit(1), "failed: {reason}")


def test_the_shares_cover_every_page_once_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    assert page_shares(40) == [range(0, 40)]
    shares = page_shares(400)
    assert [page for share in shares for page in share] == list(range(400))
    assert len(shares) == 3


def test_the_print_files_are_the_same_from_one_share_or_many(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The press colours and the preflight walk the pages in shares; with a share of every
    page and shares of a page or two, the print files and preflight.txt are the same."""
    files = ("dan-van-kheo-ninh-binh-2021-2025-print.pdf", "preflight.txt")
    built = {}
    for name, smallest in (("one", 10**6), ("many", 1)):
        monkeypatch.setattr(parallel, "SMALLEST_SHARE", smallest)
        monkeypatch.setattr(parallel, "cores", lambda: 4)
        out = tmp_path / name
        assert run("build", "--content", SAMPLE, "--out", out, "pdf").exit_code == 0
        built[name] = [(out / file).read_bytes() for file in files]
    assert built["one"] == built["many"]


def test_a_child_forked_ahead_prepares_then_does_the_work_it_is_given(tmp_path: Path) -> None:
    marker = tmp_path / "prepared"

    def work(value: str) -> tuple[str, bool, int]:
        return value.upper(), marker.exists(), os.getpid()

    with ForkedAhead(lambda: marker.write_text("yes"), work, "failed: {reason}") as child:
        result = child.run("html")
    assert result[:2] == ("HTML", True) and result[2] != os.getpid()

    def fails(value: str) -> None:
        raise BuildError(f"no layout for {value}")

    with (
        pytest.raises(BuildError, match=r"^no layout for html$"),
        ForkedAhead(lambda: None, fails, "failed: {reason}") as failing,
    ):
        failing.run("html")


def test_a_child_forked_ahead_and_never_given_work_is_stopped() -> None:
    import multiprocessing

    with ForkedAhead(lambda: None, lambda value: value, "failed: {reason}"):
        assert len(multiprocessing.active_children()) == 1
    assert multiprocessing.active_children() == []


def test_the_pdf_loads_weasyprint_ahead_of_the_book_and_lays_it_out_there(
    tmp_path: Path,
) -> None:
    """`build` enters `loading_ahead` before it loads the book: the PDF's child starts
    then, is handed the book later (pickled), and is stopped if the build ends first."""
    import multiprocessing

    from builder.load.loader import load_book
    from builder.outputs import loading_ahead
    from builder.outputs.pdf.output import PdfOutput

    output = PdfOutput()
    with loading_ahead([output]):
        assert len(multiprocessing.active_children()) == 1
    assert multiprocessing.active_children() == []
    with loading_ahead([output]):
        book = load_book(SAMPLE).book
        assert book is not None
        written = output.render(book, tmp_path)
        assert multiprocessing.active_children() == []  # the child loaded ahead laid it out
    assert all(path.is_file() for path in written)


def test_a_forked_task_may_share_its_work_out_again() -> None:
    """The print interior's child shares its pages out between the cores (a ForkedMap in
    a ForkedTask): a child may have children, and they are gone when it is done."""
    import multiprocessing

    def shared() -> list[int]:
        return [square for square, _pid in forked_map(_square_and_pid, [2, 3])]

    with ForkedTask(shared, "failed: {reason}") as task:
        pass
    assert task.result == [4, 9]
    assert multiprocessing.active_children() == []


def test_a_forked_task_says_a_build_error_as_it_is_and_puts_others_in_its_message() -> None:
    """As without fork: a BuildError's message is whole (the print interior's, made in the
    join's child, is not said as the join's); any other failure is said in the task's."""

    def said() -> None:
        raise BuildError("writing the print PDF failed: no space left")

    def unsaid() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(BuildError, match=r"^writing the print PDF failed: no space left$"):
        run_forked(said, "joining failed: {reason}")
    with pytest.raises(BuildError, match=r"^joining failed: \[Errno 28\] No space left on device$"):
        run_forked(unsaid, "joining failed: {reason}")


def test_children_forked_ahead_take_their_work_and_are_collected_later() -> None:
    """The print interior's press shares are forked before the join holds the book, handed
    their pages once it is saved, and collected after the interior is made: each works
    on what it was handed, in its own process."""

    def work(value: int) -> tuple[int, int]:
        return value * 2, os.getpid()

    with ForkedAhead(lambda: None, work, "failed: {reason}") as one, \
            ForkedAhead(lambda: None, work, "failed: {reason}") as two:  # fmt: skip
        one.hand(3)
        two.hand(4)
        (six, first), (eight, second) = one.result(), two.result()
    assert (six, eight) == (6, 8) and len({first, second, os.getpid()}) == 3
