"""The workspace under load: editors saving at once against a real `builder workspace`
process, then a search for any save lost or damaged. Run by `make bench` (as a child
process) and, smaller, by tests/test_workspace_load.py.

    python -m tests.bench.workspace_load BOOK [--clients 20] [--saves 50] [--pictures 10]
                                              [--models 16] [--pause SECONDS]

Each client is a thread with its own account and its own logged-in HTTP session. It saves its
model `--saves` times, each save one new sentence (its marker, "Mốc lưu LOGIN lần NNN.")
appended to the body of the form it has just opened, and uploads `--pictures` pictures of its
own between saves. There are `--models` models for `--clients` clients, so the clients past
`--models` share a model with an earlier one: their saves meet, one is answered 409 (the
conflict page), and that client opens the form again and retries, as an editor would.
With `--pause`, each client waits about that long after each save (half to one and a half
times it): editors at a pace, rather than the stress test of none.

Save-to-preview is the time from sending the save to receiving the preview of the saved
model: the save (POST /models/SLUG, answered 303), then the preview of the same form (POST
/models/SLUG/preview), which must show the marker. Opening the form before each save is not
timed. Every count and time is printed as one JSON line; the process exits 1 when anything
was lost or damaged (the reasons on stderr).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import lxml.html
from PIL import Image

from builder.workspace.accounts import EDITOR

PASSWORD = "mat-khau-thu-nghiem"  # tests/workspace_support.py's
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
MARKER = re.compile(r"Mốc lưu ([a-z0-9]+) lần (\d{3})\.")
SOLO_SAVES = 20  # saves of one editor alone, before the others start
TRIES = 30  # conflicts in a row before a client gives up a save (a failure)


@dataclass(frozen=True, slots=True)
class Load:
    clients: int = 20
    saves: int = 50  # per client
    pictures: int = 10  # per client
    models: int = 16  # clients past this many share a model with an earlier client
    pause: float = 0.0  # seconds a client waits after each save, ±50 % (0: none, a stress test)


@dataclass(frozen=True, slots=True)
class Save:
    login: str
    slug: str
    number: int
    body: str  # the body the save sent
    latency: float  # save to preview, seconds
    saving: float  # of which the save's answer, seconds

    @property
    def marker(self) -> tuple[str, str]:
        return self.login, f"{self.number:03d}"


@dataclass(frozen=True, slots=True)
class Picture:
    login: str
    name: str  # in content/images/, as the server answered
    data: bytes


@dataclass(slots=True)
class Outcome:
    saves: list[Save] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    conflicts: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def latency(self, share: float, saving: bool = False) -> float:
        """The save-to-preview time (or with `saving`, the save's own) that `share` of the
        saves took at most (0.95: p95)."""
        times = sorted(save.saving if saving else save.latency for save in self.saves)
        if not times:
            return float("nan")
        return times[min(len(times) - 1, max(0, round(share * len(times)) - 1))]


def marker(login: str, number: int) -> str:
    return f"Mốc lưu {login} lần {number:03d}."


def editors(count: int) -> dict[str, tuple[str, str]]:
    """`count` desk editors: login → (full name, role)."""
    return {f"bientap{n:02d}": (f"Biên tập viên số {n:02d}", EDITOR) for n in range(1, count + 1)}


def chosen_models(content: Path, count: int) -> list[str]:
    """`count` models spread over the book."""
    slugs = sorted(path.stem for path in (content / "models").glob("*.md"))
    step = max(1, len(slugs) // count)
    return slugs[::step][:count]


def form_of(html: str) -> dict[str, str]:
    """What a browser sends for the model form as the page shows it (a textarea's first
    newline dropped, as HTML parsing drops it; disabled inputs not sent)."""
    form = lxml.html.fromstring(html).get_element_by_id("model-form")
    values = dict(form.form_values())
    for area in form.iter("textarea"):
        name = area.get("name")
        if name in values and values[name].startswith("\n"):
            values[name] = values[name][1:]
    return values


def picture(login: str, number: int) -> bytes:
    """A JPEG no other client or upload sends (its colour comes from both)."""
    digest = hashlib.sha256(f"{login}/{number}".encode()).digest()
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (digest[0], digest[1], digest[2])).save(buffer, "JPEG")
    return buffer.getvalue()


class Editor:
    """One client: its own session, saving its model and uploading its pictures."""

    def __init__(self, base: str, login: str, slug: str, outcome: Outcome) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
        self.login, self.slug, self.outcome = login, slug, outcome
        self.requests = self.conflicts = 0
        self.token = ""

    def get(self, url: str) -> httpx.Response:
        self.requests += 1
        return self.http.get(url)

    def post(self, url: str, **kwargs: object) -> httpx.Response:
        self.requests += 1
        return self.http.post(url, **kwargs)  # type: ignore[arg-type]

    def log_in(self) -> None:
        found = CSRF.search(self.get("/login").text)
        assert found, "no CSRF token on the login page"
        data = {"login": self.login, "password": PASSWORD, "csrf": found.group(1), "next": "/"}
        answer = self.post("/login", data=data)
        if answer.status_code != 303:
            raise RuntimeError(f"{self.login} could not log in: {answer.status_code}")

    def save(self, number: int) -> Save | str:
        """One save, retried from a fresh form after each conflict; a failure's reason."""
        for _ in range(TRIES):
            opened = self.get(f"/models/{self.slug}")
            if opened.status_code != 200:
                return f"{self.login}: opening {self.slug} answered {opened.status_code}"
            form = form_of(opened.text)
            self.token = form["csrf"]
            form["body"] = form["body"].rstrip("\n") + f"\n\n{marker(self.login, number)}\n"
            started = time.perf_counter()
            saved = self.post(f"/models/{self.slug}", data=form)
            saving = time.perf_counter() - started
            if saved.status_code == 409:
                self.conflicts += 1
                continue
            if saved.status_code != 303 or saved.headers.get("location") != (
                f"/models/{self.slug}?saved=1"
            ):
                return f"{self.login}: save {number} of {self.slug} answered {saved.status_code}"
            preview = self.post(f"/models/{self.slug}/preview", data=form)
            latency = time.perf_counter() - started
            if preview.status_code != 200 or marker(self.login, number) not in preview.text:
                return f"{self.login}: the preview after save {number} lacks it"
            return Save(self.login, self.slug, number, form["body"], latency, saving)
        return f"{self.login}: save {number} of {self.slug} met {TRIES} conflicts in a row"

    def upload(self, number: int) -> Picture | str:
        data = picture(self.login, number)
        answer = self.post(
            f"/models/{self.slug}/pictures",
            files={"picture": (f"anh-{number}.jpg", data, "image/jpeg")},
            data={"alt": f"Ảnh thứ {number + 1} của {self.login} ở mô hình"},
            headers={"X-CSRF-Token": self.token, "Accept": "application/json"},
        )
        if answer.status_code != 200:
            return f"{self.login}: picture {number} answered {answer.status_code}"
        return Picture(self.login, answer.json()["name"], data)

    def work(self, load: Load) -> None:
        saves: list[Save] = []
        pictures: list[Picture] = []
        failures: list[str] = []
        after = {round((k + 1) * load.saves / load.pictures) - 1 for k in range(load.pictures)}
        try:
            self.log_in()
            for number in range(load.saves):
                done = self.save(number)
                (saves if isinstance(done, Save) else failures).append(done)  # type: ignore[arg-type]
                if load.pause:  # an editor reading what they saved, spread so clients drift apart
                    spread = int(hashlib.sha256(f"{self.login}{number}".encode()).hexdigest(), 16)
                    time.sleep(load.pause * (0.5 + (spread % 1000) / 1000))
                if number in after:
                    sent = self.upload(len(pictures))
                    (pictures if isinstance(sent, Picture) else failures).append(sent)  # type: ignore[arg-type]
        except Exception as exc:  # a failure of the run, reported with the rest
            failures.append(f"{self.login}: {type(exc).__name__}: {exc}")
        finally:
            self.http.close()
        with self.outcome.lock:
            self.outcome.saves += saves
            self.outcome.pictures += pictures
            self.outcome.failures += failures
            self.outcome.conflicts += self.conflicts
            self.outcome.requests += self.requests


def run_load(base: str, slugs: list[str], logins: list[str], load: Load) -> Outcome:
    """Every client at once, each in its own thread; returns when all have finished."""
    outcome = Outcome()
    clients = [
        Editor(base, login, slugs[number % len(slugs)], outcome)
        for number, login in enumerate(logins[: load.clients])
    ]
    threads = [threading.Thread(target=client.work, args=(load,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.wall = time.perf_counter() - started
    return outcome


def git(content: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(content), *args], capture_output=True, check=True
    ).stdout


def lost_or_damaged(
    content: Path, base: str, *outcomes: Outcome, checked: bool = True
) -> list[str]:
    """Why the book does not hold every save and picture the server (at `base`) said it took
    in `outcomes`, whole, each in its own commit by its sender; [] when it does. `checked`:
    `builder check` must pass on the book too (not when other work left TODO facts)."""
    problems = [failure for outcome in outcomes for failure in outcome.failures]
    saves = [save for outcome in outcomes for save in outcome.saves]
    pictures = [picture for outcome in outcomes for picture in outcome.pictures]
    by_model: dict[str, list[Save]] = defaultdict(list)
    for save in saves:
        by_model[save.slug].append(save)
    for slug, of_model in sorted(by_model.items()):
        problems += _model_problems(content, slug, of_model)
    problems += _final_forms(base, content, by_model)
    for upload in pictures:
        path = content / "images" / upload.name
        if not path.is_file() or path.read_bytes() != upload.data:
            problems.append(f"images/{upload.name}: not as {upload.login} sent it")
        authors = git(content, "log", "--format=%ae", "--", f"images/{upload.name}").split()
        if authors != [f"{upload.login}@workspace".encode()]:
            problems.append(f"images/{upload.name}: committed by {authors}, not {upload.login}")
    commits = git(content, "log", "--format=%x00%ae", "--name-only").split(b"\x00")[1:]
    by_workspace = [c.split() for c in commits if c.split()[0].endswith(b"@workspace")]
    wanted = len(saves) + len({upload.name for upload in pictures})
    if len(by_workspace) != wanted:
        problems.append(f"{len(by_workspace)} commits for {wanted} saves and new pictures")
    problems += [f"a commit of several files: {c}" for c in by_workspace if len(c) != 2]
    return problems + book_problems(content, checked)


def _model_problems(content: Path, slug: str, saves: list[Save]) -> list[str]:
    """Each commit of the model adds one save's marker, by that save's editor, and drops
    none; the commits hold every save; the file on disk is the last commit's."""
    name = f"models/{slug}.md"
    problems = []
    added: list[tuple[str, str]] = []
    before: set[tuple[str, str]] = set()
    for line in git(content, "log", "--reverse", "--format=%H %ae", "--", name).split(b"\n"):
        commit, _, email = line.decode().partition(" ")
        if not email.endswith("@workspace"):
            continue
        now = set(MARKER.findall(git(content, "show", f"{commit}:{name}").decode()))
        if before - now:
            problems.append(f"{name}: commit {commit[:8]} lost {sorted(before - now)}")
        new = now - before
        if len(new) != 1 or email != f"{next(iter(new))[0]}@workspace":
            problems.append(f"{name}: commit {commit[:8]} by {email} added {sorted(new)}")
        added += sorted(new)
        before = now
    wanted = sorted(save.marker for save in saves)
    if sorted(added) != wanted:
        missing = sorted(set(wanted) - set(added))
        extra = sorted(set(added) - set(wanted))
        problems.append(f"{name}: commits lack {missing} and hold {extra} beyond the saves")
    on_disk = (content / name).read_bytes()
    if on_disk != git(content, "show", f"HEAD:{name}"):
        problems.append(f"{name}: the file on disk is not its last commit")
    if sorted(MARKER.findall(on_disk.decode())) != wanted:
        problems.append(f"{name}: the file does not hold every save")
    return problems


def _final_forms(base: str, content: Path, by_model: dict[str, list[Save]]) -> list[str]:
    """Each model's form opened again shows, byte for byte, the body its last save sent (the
    last save: the one whose marker the last commit added)."""
    problems = []
    any_login = next(iter(by_model.values()))[0].login if by_model else None
    if any_login is None:
        return []
    reader = Editor(base, any_login, "", Outcome())
    try:
        reader.log_in()
        for slug, saves in sorted(by_model.items()):
            name = f"models/{slug}.md"
            last = git(content, "log", "-1", "--format=%H", "--", name).decode().strip()
            text = git(content, "show", f"{last}:{name}").decode()
            held = [save for save in saves if marker(save.login, save.number) in text]
            final = max(held, key=lambda save: text.index(marker(save.login, save.number)))
            shown = form_of(reader.get(f"/models/{slug}").text)["body"]
            if shown != final.body:
                problems.append(f"{name}: the form shows a body other than the last save sent")
    finally:
        reader.http.close()
    return problems


def book_problems(content: Path, checked: bool = True) -> list[str]:
    """Half-written files left behind, a damaged repository, a book `check` refuses (when
    `checked`)."""
    problems = []
    for path in content.rglob("*"):
        if ".git" not in path.relative_to(content).parts and ".tmp" in path.name:
            problems.append(f"a temporary file left: {path.relative_to(content)}")
    fsck = subprocess.run(["git", "-C", str(content), "fsck", "--no-dangling", "--no-progress"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if fsck.returncode != 0 or fsck.stdout.strip():
        problems.append(f"git fsck: {fsck.stdout}{fsck.stderr}")
    if not checked:
        return problems
    builder = Path(sys.executable).parent / "builder"
    check = subprocess.run([str(builder), "check", "--content", str(content)],
                           capture_output=True, text=True, check=False)  # fmt: skip
    if check.returncode != 0:
        problems.append(f"builder check: {check.stdout}{check.stderr}")
    return problems


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds `pid` and the children it waited for (git) have used
    (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("book", type=Path)
    default = Load()
    parser.add_argument("--clients", type=int, default=default.clients)
    parser.add_argument("--saves", type=int, default=default.saves)
    parser.add_argument("--pictures", type=int, default=default.pictures)
    parser.add_argument("--models", type=int, default=default.models)
    parser.add_argument("--pause", type=float, default=default.pause)
    args = parser.parse_args()
    load = Load(args.clients, args.saves, args.pictures, args.models, args.pause)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the server
    from workspace_server import running_workspace

    people = editors(load.clients)
    with (
        tempfile.TemporaryDirectory(prefix="workspace-load-") as work,
        running_workspace(Path(work), book=args.book, people=people) as server,
    ):
        slugs = chosen_models(server.content, load.models + 1)
        # first one editor alone, on a model of its own: the time of a save unqueued
        cpu = server_cpu_seconds(server.process.pid)
        solo = run_load(server.base, slugs[-1:], list(people)[:1], Load(1, SOLO_SAVES, 0))
        solo_cpu = server_cpu_seconds(server.process.pid) - cpu
        cpu = server_cpu_seconds(server.process.pid)
        outcome = run_load(server.base, slugs[:-1], list(people), load)
        cpu = server_cpu_seconds(server.process.pid) - cpu
        peak = server.peak_memory_kib() / 1024
        problems = lost_or_damaged(server.content, server.base, outcome, solo)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(json.dumps({
        "clients": load.clients, "saves": len(outcome.saves), "pictures": len(outcome.pictures),
        "conflicts": outcome.conflicts, "requests": outcome.requests, "wall": outcome.wall,
        "p50": outcome.latency(0.5), "p95": outcome.latency(0.95),
        "save_p50": outcome.latency(0.5, saving=True),
        "save_p95": outcome.latency(0.95, saving=True),
        "solo_p50": solo.latency(0.5), "solo_p95": solo.latency(0.95),
        "rps": outcome.requests / outcome.wall, "server_cpu": cpu, "peak_mb": peak,
        "solo_saves": len(solo.saves), "solo_server_cpu": solo_cpu,
        "problems": len(problems),
    }))  # fmt: skip
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
