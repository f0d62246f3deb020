"""What a build wrote into an output folder's site, kept in the cache (`site-pages`), so the
next build into the same folder links each file it would write identically instead of
rendering it again.

For every page the record holds a digest of what the page was rendered from (its entry,
its neighbours, the lists it shows, the book-wide inputs: see `SiteWriter._unchanged`) and
the files that came with it (its pictures); for each shard of the search index, a digest of
its records.
The record names the site folder it describes by device, inode and modification time, so it
is believed only for that very folder: a folder swapped in by another build, copied, or
rewritten by a failed build is not the one recorded, and every page is rendered again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from builder.util.cache import cache_path, code_version
from builder.util.files import write_whole
from builder.util.folder_swap import link_or_copy
from builder.util.paths import TEMPLATES


def digest(inputs: object) -> str:
    """A digest of what a file is made from: frozen dataclasses, tuples, strings and numbers
    (no sets, whose order differs between processes), as pickled: the faithful form (two
    different values never pickle alike), three times as fast as `repr` (a tenth of a second
    for 1 000 entries). Without the pickler's memo, which writes a string met twice as a
    reference to the first: an entry read from the cache shares no strings with the others,
    one just parsed does, and equal inputs must give equal digests."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo (the inputs hold no cycles)
    pickler.dump(inputs)
    return hashlib.sha256(buffer.getbuffer()).hexdigest()[:32]


def _link_anew(source: str, target: Path) -> None:
    """`target` made a link to `source` (or a copy). A file already there (a picture the
    pages made) is unlinked first, never written through: it may be a link into the cache.
    Most names are new to the folder, so the link is tried first."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        os.unlink(target)
        link_or_copy(source, target)
    except OSError:
        link_or_copy(source, target)


def _code() -> str:
    """The code and the site's templates (and the words they share): a change to either
    renders every page again."""
    found = hashlib.sha256(code_version("site-pages"))
    for path in sorted([*(TEMPLATES / "site").rglob("*"), *(TEMPLATES / "shared").rglob("*")]):
        if path.is_file():
            found.update(path.relative_to(TEMPLATES).as_posix().encode() + b"\0")
            found.update(path.read_bytes())
    return found.hexdigest()


def _record_path(out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir).encode()).hexdigest()[:24]
    return cache_path("site-pages") / f"{name}.json"


def _identity(folder: Path) -> list[int]:
    info = folder.stat()
    return [info.st_dev, info.st_ino, info.st_mtime_ns]


@dataclass(slots=True)
class SiteRecord:
    """The pages of the last build into an output folder, and what this build writes."""

    out_dir: Path | None  # the output folder this build replaces (None: no record kept)
    previous: Path | None  # the site folder the last build wrote, when the record holds
    pages: dict[str, str] = field(default_factory=dict)  # path: digest of its inputs
    extras: dict[str, list[str]] = field(default_factory=dict)  # path: files that came with it
    search: dict[str, str] = field(default_factory=dict)  # shard number: digest of its records
    now: dict[str, str] = field(default_factory=dict)  # this build's pages
    now_extras: dict[str, list[str]] = field(default_factory=dict)
    now_search: dict[str, str] = field(default_factory=dict)
    linked: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)  # made in the new site folder

    def keep(self, path: str, inputs_digest: str, target: Path) -> list[Path] | None:
        """Link `path` and the files that came with it from the last build into `target`
        (the new site folder) when it was made from the same inputs; the files linked, or
        None when it has to be rendered."""
        self.now[path] = inputs_digest
        if self.previous is None or self.pages.get(path) != inputs_digest:
            return None
        names = [path, *self.extras.get(path, [])]
        previous = os.fspath(self.previous)
        if not all(os.path.isfile(os.path.join(previous, name)) for name in names):
            return None
        linked = []
        for name in names:
            copy = target / name
            if name not in self.linked:
                folder = os.path.dirname(name)
                if folder not in self.folders:
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    self.folders.add(folder)
                _link_anew(os.path.join(previous, name), copy)
                self.linked.add(name)
            linked.append(copy)
        self.now_extras[path] = self.extras.get(path, [])
        return linked

    def search_unchanged(self, shard: int, records_digest: str, folder: Path) -> bool:
        """Whether the last build's index of search shard `shard` (in `folder/<shard>` of
        its site, `folder` being the pagefind folder) was made from the same records: then
        `link_search` puts it in this build's; otherwise Pagefind indexes them."""
        self.now_search[str(shard)] = records_digest
        if self.previous is None or self.search.get(str(shard)) != records_digest:
            return False
        entry = os.path.join(self.previous, folder.name, str(shard), "pagefind-entry.json")
        return os.path.isfile(entry)

    def link_search(self, shard: int, folder: Path) -> list[Path]:
        """The last build's index of shard `shard`, linked into `folder/<shard>` (after
        `search_unchanged` said it may be)."""
        assert self.previous is not None
        previous = os.path.join(self.previous, folder.name, str(shard))
        linked = []
        for place, _folders, names in os.walk(previous):  # a thousand files at 1 000 models
            relative = os.path.relpath(place, previous)
            copies = folder / str(shard) if relative == "." else folder / str(shard) / relative
            copies.mkdir(parents=True, exist_ok=True)
            for name in sorted(names):
                link_or_copy(os.path.join(place, name), copies / name)
                linked.append(copies / name)
        return linked

    def save(self, site: Path) -> None:
        """Record what this build wrote into `site` (its staging folder, swapped in whole
        as `out_dir/site` when the build succeeds)."""
        if self.out_dir is None:
            return
        data = {
            "code": _code(),
            "folder": _identity(site),
            "pages": self.now,
            "extras": self.now_extras,
            "search": self.now_search,
        }
        path = _record_path(self.out_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, json.dumps(data, sort_keys=True).encode())


def site_record(out_dir: Path | None) -> SiteRecord:
    """The record of the last build into `out_dir`, or an empty one (no output folder, no
    record, another code version, or the folder is not the one recorded)."""
    if out_dir is None:
        return SiteRecord(None, None)
    site = out_dir / "site"
    try:
        data = json.loads(_record_path(out_dir).read_bytes())
        if data["code"] != _code() or data["folder"] != _identity(site):
            return SiteRecord(out_dir, None)
        return SiteRecord(out_dir, site, dict(data["pages"]), dict(data["extras"]),
                          dict(data["search"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return SiteRecord(out_dir, None)
