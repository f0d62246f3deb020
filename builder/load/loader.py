"""Load and validate a whole book folder: every problem at once, then the immutable `Book`."""

from __future__ import annotations

import difflib
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder.book.model import Book, BookConfig, Entry, Page
from builder.book.ordering import group_entries
from builder.book.vietnamese import sort_key
from builder.load import load_cache, reviews
from builder.load.config import load_config
from builder.load.entries import AcrossEntries, load_entry, load_page
from builder.load.images import IMAGE_SUFFIXES, ImageCatalog, picture_files
from builder.load.schema import Checked
from builder.load.yaml_source import LocatedYaml
from builder.util.i18n import _
from builder.util.parallel import cores, forked_map
from builder.util.problems import Problem, Problems, shown_path


@dataclass(slots=True)
class _TitlesOfOneFile(AcrossEntries):
    """Takes note of a file's title instead of checking it, so the check can be replayed
    against the whole book on every load (the file's own result is kept in a LoadMemo)."""

    titles: list[tuple[Any, Checked]] = field(default_factory=list)

    def add(self, title: Any, where: Checked) -> None:
        # Only where the title stands: the file's whole front matter would be kept in
        # .cache/ for nothing, and read back on every check.
        kept = LocatedYaml(None, {("title",): where.yaml.at(("title",))})
        self.titles.append((title, replace(where, yaml=kept)))


@dataclass(frozen=True, slots=True)
class _LoadedFile:
    key: tuple[object, ...]
    entry: Entry | None
    problems: tuple[Problem, ...]
    titles: _TitlesOfOneFile


@dataclass(slots=True)
class LoadMemo:
    """Model files as an earlier load found them, by modification time and size (and
    book.yaml and the pictures unchanged): `builder serve` keeps one, so an edit reloads
    one file and hands back the very same Entry objects for all the others."""

    files: dict[Path, _LoadedFile] = field(default_factory=dict)
    config: tuple[object, BookConfig | None, tuple[Problem, ...]] | None = None
    # The watcher's latest look at every file (name → signature), when it has one.
    files_seen: dict[str, tuple[str, int, int]] | None = None

    def signature(self, path: Path) -> tuple[str, int, int]:
        if self.files_seen is not None:
            return self.files_seen.get(str(path), (str(path), 0, -1))
        try:
            info = path.stat()
        except OSError:
            return (str(path), 0, -1)
        return (str(path), info.st_mtime_ns, info.st_size)

    def pictures(self, root: Path) -> tuple[Path, ...]:
        """Every picture file of the book: from the watcher's look when it has one."""
        if self.files_seen is None:
            return picture_files(root)
        prefix = f"{root}{os.sep}"
        names = (name for name in sorted(self.files_seen) if name.startswith(prefix))
        return tuple(Path(name) for name in names if Path(name).suffix.lower() in IMAGE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The book (None when there are errors) and every problem found."""

    book: Book | None
    problems: Problems


@dataclass(frozen=True, slots=True)
class Contents:
    """What the check found: book.yaml, the entries and pages that are valid, every problem."""

    config: BookConfig | None
    entries: list[Entry]
    pages: list[Page]
    problems: Problems


def load_book(root: Path, memo: LoadMemo | None = None) -> Loaded:
    contents = check_contents(root, memo)
    config, problems = contents.config, contents.problems
    if config is None or problems.errors:
        return Loaded(None, problems)
    pages = sorted(contents.pages, key=lambda page: (page.back, page.order, sort_key(page.title)))
    book = Book(
        config=config,
        root=root,
        parts=group_entries(contents.entries, config, config.pdf.group_by),
        pages=tuple(pages),
    )
    return Loaded(book, problems)


def check_contents(root: Path, memo: LoadMemo | None = None) -> Contents:
    """Every file of the book checked, without putting the book in order (`builder status`
    needs no parts, and sorting a thousand titles the Vietnamese way takes half a second)."""
    problems = Problems()
    if not root.is_dir():
        problems.error(
            shown_path(root),
            1,
            1,
            _("the content folder does not exist"),
            _("give the book folder with --content DIR"),
            code="no-content-folder",
        )
        return Contents(None, [], [], problems)
    memo = memo or LoadMemo()
    config = _config(root, memo, problems)
    if config is None or not _folders_readable(root, problems):
        return Contents(config, [], [], problems)
    pictures = memo.pictures(root)
    catalog = ImageCatalog(root, pictures=pictures)
    model_files = sorted((root / "models").glob("*.md"), key=os.fspath)
    if not model_files:
        problems.error(
            shown_path(root / "models"),
            1,
            1,
            _("the book has no models"),
            _("add one Markdown file per model in the models/ folder"),
            code="no-models",
        )
    titles = AcrossEntries()
    # What every model's check depends on besides its own file: book.yaml and the pictures.
    book_key = (memo.signature(root / "book.yaml"), *map(memo.signature, pictures))
    loaded_files = _load_models(root, model_files, book_key, config, catalog, memo)
    memo.files = loaded_files
    entries = []
    for loaded in loaded_files.values():
        problems.extend(loaded.problems)
        for title, where in loaded.titles.titles:
            titles.add(title, replace(where, problems=problems))
        titles.tones.old += loaded.titles.tones.old
        titles.tones.new += loaded.titles.tones.new
        if loaded.entry is not None:
            entries.append(loaded.entry)
    titles.tones.report(problems)
    pages = [
        page
        for path in sorted((root / "pages").glob("*.md"))
        if (page := load_page(path, catalog, AcrossEntries(), problems))
    ]
    _check_links(entries, pages, problems)
    reviews.check_review_files(root, (path.stem for path in model_files), problems)
    return Contents(config, entries, pages, problems)


def _folders_readable(root: Path, problems: Problems) -> bool:
    """The book's folders can be listed: an unreadable pages/ must not read as “no pages”."""
    unreadable = [
        folder
        for folder in (root / "models", root / "pages", root / "images")
        if folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK)
    ]
    for folder in unreadable:
        problems.error(
            shown_path(folder), 1, 1,
            _("cannot read this folder: permission denied"),
            _("give your user the right to read it (chmod u+rx), or copy the book anew"),
            code="unreadable-folder",
        )  # fmt: skip
    return not unreadable


def _check_links(entries: list[Entry], pages: list[Page], problems: Problems) -> None:
    """Every link to another model names a model of the book."""
    slugs = {entry.slug for entry in entries}
    linking: list[Entry | Page] = [*entries, *pages]
    for item in linking:
        for slug, line in item.links:
            if slug not in slugs:
                close = difflib.get_close_matches(slug, sorted(slugs), n=1)
                problems.error(
                    item.source, line, 1,
                    _("the link to “{slug}.md” names no model of the book").format(slug=slug),
                    _("did you mean `{key}`?").format(key=f"{close[0]}.md") if close else "",
                    code="unknown-model-link",
                )  # fmt: skip


def _config(root: Path, memo: LoadMemo, problems: Problems) -> BookConfig | None:
    """book.yaml, read again only when it changed (the same object otherwise)."""
    key = memo.signature(root / "book.yaml")
    if memo.config is None or memo.config[0] != key:
        found = Problems()
        memo.config = (key, load_config(root, found), tuple(found.items))
    problems.extend(memo.config[2])
    return memo.config[1]


PARALLEL_FROM = 200  # model files to load; below that, starting a worker costs more than it saves


def _load_models(
    root: Path,
    paths: list[Path],
    book_key: tuple[object, ...],
    config: BookConfig,
    catalog: ImageCatalog,
    memo: LoadMemo,
) -> dict[Path, _LoadedFile]:
    """Each model file's result: the memo's when the file is unchanged, else loaded again;
    many files are shared out between the cores (forked workers: every file is read,
    parsed and checked on its own)."""
    keys: dict[Path, tuple[object, ...]] = {
        path: (memo.signature(path), book_key) for path in paths
    }
    found = {path: memo.files[path] for path in paths
             if path in memo.files and memo.files[path].key == keys[path]}  # fmt: skip
    todo = [path for path in paths if path not in found]
    if todo and not memo.files:  # a fresh process: what an earlier one checked
        digests, kept = load_cache.kept(root, todo, book_key)
        for path, result in kept.items():
            if isinstance(result, _LoadedFile):
                found[path] = replace(result, key=keys[path])
        todo = [path for path in todo if path not in found]
    else:
        digests = {}
    found_before = set(found)
    workers = min(cores(), 8)
    load = functools.partial(_load_chunk, config=config, catalog=catalog, keys=keys)
    if len(todo) >= PARALLEL_FROM and workers > 1:
        for chunk in forked_map(load, [todo[start::workers] for start in range(workers)]):
            found.update(chunk)
    else:
        found.update(load(todo))
    new = {path: replace(found[path], key=()) for path in found.keys() - found_before}
    load_cache.keep(digests, new)  # without the memo's key (it names every picture)
    return {path: found[path] for path in paths}


def _load_chunk(
    paths: list[Path],
    config: BookConfig,
    catalog: ImageCatalog,
    keys: dict[Path, tuple[object, ...]],
) -> dict[Path, _LoadedFile]:
    loaded = {}
    for path in paths:
        problems, titles = Problems(), _TitlesOfOneFile()
        entry = load_entry(path, config, catalog, titles, problems)
        loaded[path] = _LoadedFile(keys[path], entry, tuple(problems.items), titles)
    return loaded
