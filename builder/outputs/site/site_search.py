"""The website's search index, built with Pagefind from the book model.

Pagefind folds tone marks (NFD, then drops the marks) but not `đ`, which has no
decomposition, so “duong” would never find “đường”. The index therefore holds each text
with `đ` written `d`; the positions of the `đ`s travel with the record (`meta.d`, `meta.D`)
so the search page puts them back into the excerpt it shows. Strings keep their length,
so positions in the indexed text are positions in the original.

The index is cut into shards (`pagefind/0/`, `pagefind/1/`…), each a whole Pagefind bundle
of about SHARD_RECORDS records, so that an edit re-indexes one shard; the search page
merges them (Pagefind's `mergeIndex`), and Pagefind ranks their results together.
"""

from __future__ import annotations

import fcntl
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import cbor2

from builder.book.model import Book, Entry
from builder.render import markdown
from builder.render.templating import environment
from builder.util.cache import cache_path
from builder.util.errors import BuildError
from builder.util.folder_swap import link_or_copy, swap_in
from builder.util.i18n import _

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SearchRecord:
    url: str
    text: str  # the original, NFC
    title: str
    place: str
    year: str
    field: str
    district: str

    @property
    def indexed(self) -> str:
        """The text as the index holds it: `đ` → `d`, same length."""
        return fold_d(self.text)

    def positions(self, letter: str) -> str:
        """Where `letter` stands in the text, for the search page to put it back."""
        return ",".join(str(match.start()) for match in re.finditer(letter, self.text))


def fold_d(text: str) -> str:
    return text.replace("đ", "d").replace("Đ", "D")


def records(book: Book, url_of: dict[str, str]) -> list[SearchRecord]:
    return [record(entry, url_of[entry.slug]) for entry in book.entries]


def record(entry: Entry, url: str) -> SearchRecord:
    parts = [entry.title, entry.unit, entry.place.label, entry.field.name, *entry.tags]
    if entry.person:
        parts.append(entry.person.name)
    parts.append(markdown.plain_text(entry.body))
    return SearchRecord(
        url=url,
        text=" ".join(" ".join(parts).split()),
        title=entry.title,
        place=entry.place.label,
        year=str(entry.year),
        field=entry.field.name,
        district=entry.place.district.name,
    )


# Records per shard, about: an edit waits for Pagefind to index one (1.7 ms a record alone,
# twice that beside the build; docs/performance.md).
SHARD_RECORDS = 64
MAX_SHARDS = 16  # a search reads every shard's metadata: a few files, even at 10 000 models


def shard_count(records: int) -> int:
    """How many shards an index of `records` records is cut into."""
    return max(1, min(MAX_SHARDS, -(-records // SHARD_RECORDS)))


def shards(items: Sequence[T], address: Callable[[T], str]) -> list[list[T]]:
    """The records (or the entries they are made from) in shards, each chosen by a hash of
    its address: an edit, an added or a removed model changes one shard only (while their
    number stays)."""
    found: list[list[T]] = [[] for _ in range(shard_count(len(items)))]
    for item in items:
        number = int(hashlib.sha256(address(item).encode()).hexdigest()[:8], 16) % len(found)
        found[number].append(item)
    return found


class RecordPages:
    """Each record of one shard as a small HTML page (templates/site/search-record.html) in
    a scratch folder, which the Pagefind CLI indexes in one run. (Its Python API waits 0.1 s
    for every record's answer: 17 minutes for 10 000 models.) `builder serve` keeps them
    between builds, so an edit rewrites one page instead of all, and indexes one shard."""

    def __init__(self) -> None:
        self.scratch = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self.folder = Path(self.scratch.name)
        self.records: dict[str, SearchRecord] = {}
        self.indexed = False  # the index in the site holds these very records

    def update(self, items: list[SearchRecord]) -> None:
        template = environment("site").get_template("search-record.html")
        now = {item.url: item for item in items}
        for url in self.records.keys() - now.keys():
            (self.folder / url).unlink(missing_ok=True)
            self.indexed = False
        for url, item in now.items():
            if self.records.get(url) != item:
                page = self.folder / url
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(template.render(record=item), encoding="utf-8")
                self.indexed = False
        self.records = now

    def cleanup(self) -> None:
        self.scratch.cleanup()


@functools.cache
def pagefind_binary() -> str:
    """The Pagefind program, run as it is: `python -m pagefind` starts a Python first, only
    to find and start it (0.1 s a shard). Found as that wrapper finds it: PAGEFIND_BINARY_PATH,
    the pagefind-bin wheel `make` installs, or a `pagefind` on the PATH."""
    chosen = os.environ.get("PAGEFIND_BINARY_PATH")
    if chosen:
        return chosen
    try:
        from pagefind_bin import get_executable

        return str(get_executable())
    except (ImportError, OSError):
        found = shutil.which("pagefind")
        if found is None:
            raise FileNotFoundError("pagefind (pip install 'pagefind[bin]', or make)") from None
        return found


class IndexRun:
    """Pagefind indexing the record pages of the shards given, one shard after the other in
    its own process, while the caller goes on (the site's pages render on the other core);
    `finish()` waits, puts each shard's index into `folder/<number>/` and returns its files.

    Pagefind writes into `.cache/pagefind/<number>/`, kept between builds: it names its files
    by their content and skips the ones already there, which halves its time on a rebuild.
    Only the files the new index names are copied into the site (and kept in the cache); a
    lock lets one build at a time use the folder.
    """

    def __init__(
        self, jobs: list[tuple[int, RecordPages]], folder: Path, count: int, *,
        keep_pages: bool = False,
    ) -> None:  # fmt: skip
        self.folder = folder
        self.jobs = jobs
        self.count = count
        self.keep_pages = keep_pages
        self.work = cache_path("search")
        self.work.mkdir(parents=True, exist_ok=True)
        self.lock = (self.work.parent / "pagefind.lock").open("a")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        _forget_unsharded(self.work)
        self.stopped = False
        self.indexed = 0  # shards Pagefind has indexed without a fault
        self.failure = ""
        self.process: subprocess.Popen[str] | None = None
        self.guard = threading.Lock()  # `process` and `stopped`
        self.finishing = threading.Lock()  # `stop` waits for a `finish` installing shards
        self.thread = threading.Thread(target=self._index_all, daemon=True)
        self.thread.start()

    def _index_all(self) -> None:
        try:
            for number, pages in self.jobs:
                with self.guard:
                    if self.stopped:
                        return
                    self.process = subprocess.Popen(
                        [pagefind_binary(), "--site", str(pages.folder),
                         "--output-path", str(self.work / str(number)), "--force-language",
                         "vi", "--silent"],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                    )  # fmt: skip
                output, _unused = self.process.communicate()
                if self.process.returncode != 0:
                    self.failure = output or str(self.process.returncode)
                    return
                self.indexed += 1
        except Exception as exc:  # Pagefind could not start (no memory, no descriptors…):
            self.failure = str(exc) or type(exc).__name__  # the build fails, as it says

    def finish(self) -> list[Path]:
        """The shards installed; a BuildError when Pagefind failed or was stopped (and only
        then: a shard not indexed this time is never taken from what an earlier run left
        in the cache)."""
        with self.finishing:
            try:
                self.thread.join()
                if self.stopped or self.indexed != len(self.jobs):
                    failure = self.failure or _("stopped")
                    raise BuildError(
                        _("Pagefind could not index the site: {output}").format(output=failure)
                    )
                written: list[Path] = []
                for number, pages in self.jobs:
                    work, shard = self.work / str(number), self.folder / str(number)
                    files = _index_files(work)
                    _prune(work, files)
                    _install(work, files, shard)
                    stable_filters(shard)
                    pages.indexed = True
                    written += sorted(path for path in shard.rglob("*") if path.is_file())
                _remove_shards_from(self.folder, self.count)
            finally:
                self._done()
        return written

    def stop(self) -> None:
        """The build failed elsewhere, or a newer one started: end Pagefind, and wait for
        shards being installed (`builder serve` finishes outside its lock)."""
        with self.guard:
            self.stopped = True
            if self.process is not None:
                self.process.kill()
        with self.finishing:
            self.thread.join()
            self._done()

    def _done(self) -> None:
        self.lock.close()  # releases the lock
        if not self.keep_pages:
            for _number, pages in self.jobs:
                pages.cleanup()


def _forget_unsharded(work: Path) -> None:
    """Remove what an index before shards left at the top of the cache folder."""
    for path in work.iterdir():
        if not path.name.isdigit():
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _remove_shards_from(folder: Path, count: int) -> None:
    """Remove the shards past `count` (the book had more records before)."""
    for path in folder.iterdir() if folder.is_dir() else ():
        if not (path.name.isdigit() and int(path.name) < count):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")


def _index_files(work: Path) -> set[str]:
    """The files (relative names) of the index Pagefind has just written into `work`."""
    entry = json.loads((work / "pagefind-entry.json").read_text(encoding="utf-8"))
    files = {"pagefind-entry.json", *RUNTIME_FILES}
    for language in entry["languages"].values():
        files.add(f"pagefind.{language['hash']}.pf_meta")
        if language.get("wasm"):
            files.add(f"wasm.{language['wasm']}.pagefind")
        meta = _read(work / f"pagefind.{language['hash']}.pf_meta")
        files.update(f"fragment/{page[0]}.pf_fragment" for page in meta[1])
        files.update(f"index/{chunk[2]}.pf_index" for chunk in meta[2])
        files.update(f"filter/{item[1]}.pf_filter" for item in meta[3])
    return files


def _prune(work: Path, keep: set[str]) -> None:
    """Forget what earlier indexes left in the cache (Pagefind never removes a file)."""
    for path in work.rglob("*"):
        if path.is_file() and path.relative_to(work).as_posix() not in keep:
            path.unlink()


def _install(work: Path, files: set[str], folder: Path) -> None:
    """Put the index into `folder`, replacing what is there in one rename: its pages'
    fragments, index chunks and filters hard-linked (named by their content, never written
    again), the files at its top copied. Pagefind writes those (`pagefind.js`, its worker,
    its WebAssembly) again on every run, through the same inode: a link would let the next
    build's Pagefind rewrite this site's files while this build sums them (SHA256SUMS)."""
    fresh = folder.with_name(f".{folder.name}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    for name in sorted(files):
        (fresh / name).parent.mkdir(parents=True, exist_ok=True)
        if "/" in name:
            link_or_copy(work / name, fresh / name)
        else:
            shutil.copyfile(work / name, fresh / name)
    swap_in(fresh, folder)


HEADER = b"pagefind_dcd"


def stable_filters(folder: Path) -> None:
    """Rewrite Pagefind's filter files in a stable order, so the same book gives the same
    site to the byte.

    Pagefind writes a filter's values in hash-map order, which changes from run to run; the
    file names are hashes of their content, named in the language's `.pf_meta`, itself named
    in `pagefind-entry.json`. Each file is a gzipped `pagefind_dcd` header plus CBOR.
    """
    entry_path = folder / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = folder / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_path)
        renamed = []
        for name, old in sorted(meta[3]):
            path = folder / "filter" / f"{old}.pf_filter"
            key, values = _read(path)
            data = _encode([key, sorted(values)])
            new = f"{old.split('_')[0]}_{hashlib.sha256(data).hexdigest()[:7]}"
            path.unlink()
            (folder / "filter" / f"{new}.pf_filter").write_bytes(data)
            renamed.append([name, new])
        meta[3] = renamed
        data = _encode(meta)
        meta_path.unlink()
        language["hash"] = (
            f"{language['hash'].split('_')[0]}_{hashlib.sha256(data).hexdigest()[:10]}"
        )
        (folder / f"pagefind.{language['hash']}.pf_meta").write_bytes(data)
    entry_path.unlink()  # a hard link into the cache: write a new file, not through the link
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(HEADER):
        raise BuildError(_("unexpected Pagefind file format: {name}").format(name=path.name))
    return cbor2.loads(raw[len(HEADER) :])


def _encode(value: Any) -> bytes:
    return gzip.compress(HEADER + cbor2.dumps(value), mtime=0)
