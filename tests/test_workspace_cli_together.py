"""The terminal and the workspace on one book at once: while editors save models in a real
`builder workspace` process, `builder import` brings Word documents in and `builder check
--fix` rewrites a model, each a process of its own. Nothing is lost: every save is in its
file and in its own commit, every imported model and picture is whole, the fix is kept, and
no workspace commit takes in a file the terminal wrote (the terminal does not commit: its
files stay new or changed in `git status` for their editor to commit)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.workspace_load import Load, Outcome, chosen_models, editors, lost_or_damaged, run_load
from workspace_server import running_workspace
from workspace_support import SAMPLE

from builder.load.checks.text_checks import fixed_text
from builder.workspace.front_matter_edit import cut

BUILDER = Path(sys.executable).parent / "builder"
WORD = Path(__file__).resolve().parent / "fixtures" / "word"
DOCUMENTS = [WORD / f"{name}.docx" for name in ("gia-hung", "khanh-nhac", "ca-nhan", "bang-long")]
LOAD = Load(clients=4, saves=8, pictures=1, models=3)  # two editors share a model
STRAIGHT = '\nBà con nói "đường đẹp lắm" trong buổi họp thôn.\n'  # what --fix curls


def builder(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BUILDER), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
        and not {".git", ".workspace", ".builder.lock"} & set(path.relative_to(folder).parts)
    }


def imported_alone(tmp_path: Path) -> dict[str, bytes]:
    """The files `builder import` adds to the shipped book when nothing else runs."""
    alone = tmp_path / "alone"
    shutil.copytree(SAMPLE, alone, ignore=shutil.ignore_patterns(".workspace", ".builder.lock"))
    before = files_of(alone)
    done = builder("import", "--content", alone, *DOCUMENTS)
    out = done.communicate()[0]
    assert done.returncode == 0, out
    return {name: data for name, data in files_of(alone).items() if name not in before}


def git(content: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(content), *args], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def test_import_and_check_fix_while_editors_save_lose_nothing(tmp_path: Path) -> None:
    expected = imported_alone(tmp_path)
    assert any(name.startswith("models/") for name in expected)
    assert any(name.startswith("images/") for name in expected)
    people = editors(LOAD.clients)
    with running_workspace(tmp_path / "office", language="en", people=people) as server:
        content = server.content
        slugs = chosen_models(content, LOAD.models)
        fixed = sorted(path.stem for path in (content / "models").glob("*.md"))[-1]
        assert fixed not in slugs
        planted = content / "models" / f"{fixed}.md"
        planted.write_text(planted.read_text(encoding="utf-8") + STRAIGHT, encoding="utf-8")
        git(content, "-c", "user.name=Setup", "-c", "user.email=setup@test",
            "commit", "-q", "-am", "A straight quote for check --fix")  # fmt: skip
        outcome = Outcome()
        spans: dict[str, tuple[float, float]] = {}

        def editors_save() -> None:
            started = time.monotonic()
            found = run_load(server.base, slugs, list(people), LOAD)
            outcome.saves, outcome.pictures = found.saves, found.pictures
            outcome.failures, outcome.conflicts = found.failures, found.conflicts
            spans["editors"] = (started, time.monotonic())

        browser = threading.Thread(target=editors_save)
        browser.start()
        time.sleep(0.5)  # the editors are saving
        started = time.monotonic()
        terminal = [builder("import", "--content", content, *DOCUMENTS),
                    builder("check", "--fix", "--content", content)]  # fmt: skip
        outputs = [process.communicate()[0] for process in terminal]
        spans["terminal"] = (started, time.monotonic())
        browser.join()
        assert terminal[0].returncode == 0, outputs[0]
        # the check may name the imported models' TODO facts; the fix is done all the same
        assert f"fixed {planted}" in outputs[1], outputs[1]
        assert spans["terminal"][0] < spans["editors"][1], "the terminal ran after the editors"
        assert spans["editors"][0] < spans["terminal"][1]
        assert lost_or_damaged(content, server.base, outcome, checked=False) == []

    # the imported files whole, as the import alone writes them, and not committed
    now = files_of(content)
    for name, data in expected.items():
        assert now.get(name) == data, name
        if name.endswith(".md"):
            model = cut(data.decode("utf-8"))
            assert model is not None and model.values is not None, name
    status = git(content, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(line for line in status if line.startswith("??")) == sorted(
        f"?? {name}" for name in expected
    )
    # check --fix's change kept, in the file and not committed by the workspace
    shipped = git(content, "show", f"HEAD:models/{fixed}.md")
    assert planted.read_text(encoding="utf-8") == fixed_text(shipped)[0] != shipped
    assert sorted(line for line in status if not line.startswith("??")) == [f" M models/{fixed}.md"]
    # each workspace commit holds only the model or the picture it was made for
    written = {f"models/{slug}.md" for slug in slugs}
    written |= {f"images/{picture.name}" for picture in outcome.pictures}
    committed = git(content, "log", "--author=@workspace", "--format=", "--name-only")
    assert set(committed.split()) == written
