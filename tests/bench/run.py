"""`make bench`: whole-process builds of synthetic books against anchors on the same input.

    python -m tests.bench.run [--sizes 100 1000 10000]
                              [--outputs site serve pdf epub import workspace]
                              [--runs N] [--write-doc]

For each size a book is generated (tests/bench/synthetic.py), then timed, each build a fresh
process: the website against Hugo, Hugo followed by the Pagefind CLI, and MkDocs
(tests/bench/anchors.py); `builder serve`'s rebuild after one edit; the PDF (both editions)
against one plain WeasyPrint render of the same HTML; the EPUB against Pandoc; the
workspace with 20 editors saving at once (tests/bench/workspace_load.py). Without
--outputs, 10 000 models run the website and the EPUB only. The table goes to stdout, and
with --write-doc into docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.load.loader import load_book
from tests.bench.anchors import hugo_project, mkdocs_project, pandoc_sources
from tests.bench.measure import Timed, Timing, best_of, best_of_turns, run
from tests.bench.report import DISTURBED, Row, seconds, table, write_doc
from tests.bench.synthetic import make_book, sentences

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUTPUTS = ("site", "rebuild", "serve", "pdf", "epub", "import", "workspace")
DEFAULT_SIZES = (100, 1000, 10000)
LARGE = 10000  # without --outputs, books this large run the site and the EPUB only
MKDOCS_LIMIT = 1000  # its automatic nav puts every page in every page: output grows as n²
IMAGE_EVERY = 10


@dataclass(frozen=True, slots=True)
class Bench:
    """One size's book and where its builds go."""

    models: int
    book: Path
    work: Path
    runs: int

    def fresh(self, name: str) -> Path:
        """An empty folder for one build's output."""
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def builder(self, out: str, *outputs: str) -> list[str]:
        """`builder build` of this book into a fresh folder."""
        command = [str(BIN / "builder"), "build", "--content", str(self.book)]
        return [*command, "--out", str(self.fresh(out)), *outputs]


def progress(bench: Bench, text: str) -> None:
    print(f"[{bench.models} models] {text}", file=sys.stderr, flush=True)


def reset_cache(*keep: str) -> None:
    """Empty the run's BUILDER_CACHE but for the entries named in `keep`. Timed builds keep
    only `fonts` (the warm-up build subset them), so they start as cold as the anchors:
    no resized pictures, no rendered Markdown, no checked files."""
    for entry in Path(os.environ["BUILDER_CACHE"]).glob("*"):
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def fonts_only() -> None:
    reset_cache("fonts")


def bench_site(bench: Bench) -> list[Row]:
    n, runs = bench.models, bench.runs
    progress(bench, "site (cache: fonts only)")
    ours = best_of(runs, bench.builder("site", "site"), ROOT, before=fonts_only)
    hugo = hugo_project(bench.book, bench.work / "hugo")
    hugo_out = bench.work / "hugo-site"
    hugo_command = ["hugo", "--quiet", "--destination", str(hugo_out)]
    hugo_command += ["--cacheDir", str(bench.work / "hugo-cache")]

    def hugo_cold() -> None:
        for path in (hugo / "resources", bench.work / "hugo-cache", hugo_out):
            shutil.rmtree(path, ignore_errors=True)

    progress(bench, "Hugo")
    hugo_time = best_of(runs, hugo_command, hugo, before=hugo_cold)
    pagefind = [str(BIN / "python"), "-m", "pagefind", "--site", str(hugo_out)]
    progress(bench, "Pagefind CLI on Hugo's site")
    search = best_of(
        runs, pagefind, hugo, before=lambda: shutil.rmtree(hugo_out / "pagefind", True)
    )
    rows = [
        Row(n, "site", "website", ours, "Hugo", hugo_name("pictures resized"), hugo_time),
        Row(n, "site", "website", ours, "Hugo+", "Hugo, then the Pagefind CLI (information)",
            hugo_time.then(search)),
    ]  # fmt: skip
    if n <= MKDOCS_LIMIT:
        mkdocs = mkdocs_project(bench.book, bench.work / "mkdocs")
        mkdocs_out = bench.work / "mkdocs-site"
        command = [str(BIN / "mkdocs"), "build", "-q", "-d", str(mkdocs_out)]
        progress(bench, "MkDocs")
        mkdocs_time = best_of(runs, command, mkdocs, before=lambda: bench.fresh("mkdocs-site"))
        rows.append(Row(n, "site", "website", ours, "MkDocs", mkdocs_name(), mkdocs_time))
    progress(bench, "site and Hugo again, pictures cached")
    pictures = best_of(runs, bench.builder("site", "site"), ROOT,
                       before=lambda: reset_cache("fonts", "images"))  # fmt: skip
    progress(bench, "site again, whole cache kept")
    second = best_of(runs, bench.builder("site", "site"), ROOT)
    hugo_warm = best_of(runs, hugo_command, hugo, before=lambda: bench.fresh("hugo-site"))
    warm_name = hugo_name("resized pictures cached")
    rows += [
        Row(n, "site-warm", "website, pictures cached (information)", pictures, "Hugo-warm",
            warm_name, hugo_warm),
        Row(n, "site-again", "website built again, whole cache kept (information)", second,
            "Hugo-warm", warm_name, hugo_warm),
    ]  # fmt: skip
    return rows


def bench_rebuild(bench: Bench) -> list[Row]:
    """`builder build site` again into the folder of the build before, whole cache kept:
    with nothing changed, then with one model edited (a sentence appended), against Hugo
    run again on its own output with its resized pictures kept, before and after the same
    edit of its copy of the model."""
    n, runs = bench.models, bench.runs
    command = bench.builder("rebuild", "site")
    progress(bench, "site built again: a first build, then nothing changed")
    fonts_only()
    run(command, ROOT)
    same = best_of(runs, command, ROOT)
    hugo = hugo_project(bench.book, bench.work / "hugo-rebuild")
    hugo_out = bench.work / "hugo-rebuild-site"
    hugo_command = ["hugo", "--quiet", "--destination", str(hugo_out)]
    hugo_command += ["--cacheDir", str(bench.work / "hugo-rebuild-cache")]
    run(hugo_command, hugo)
    hugo_same = best_of(runs, hugo_command, hugo)
    ours_edits, hugo_edits = [], []
    for number in range(runs):
        slug = sorted(p.stem for p in (bench.book / "models").glob("*.md"))[n // 2 + number]
        sentence = f"\nMột câu thêm lần {number}.\n"
        progress(bench, f"one model edited: {slug}")
        for model in (bench.book / "models" / f"{slug}.md", *hugo.glob(f"content/mo-hinh/{slug}*")):
            model = model / "index.md" if model.is_dir() else model
            model.write_text(model.read_text(encoding="utf-8") + sentence, encoding="utf-8")
        ours_edits.append(run(command, ROOT)[0])
        hugo_edits.append(run(hugo_command, hugo)[0])
    warm_name = "Hugo again on its own output, resized pictures cached"
    return [
        Row(n, "site-same", "website built again, nothing changed", same, "Hugo-again",
            warm_name, hugo_same),
        Row(n, "site-edit", "website built again, one model edited", min(ours_edits,
            key=lambda t: t.wall), "Hugo-again", f"{warm_name}, the same edit",
            min(hugo_edits, key=lambda t: t.wall)),
    ]  # fmt: skip


def bench_serve(bench: Bench) -> list[Row]:
    progress(bench, "serve: rebuild after one edit")
    command = [str(BIN / "python"), "-m", "tests.bench.serve_edit", str(bench.book)]
    fonts_only()
    _, out = run([*command, str(bench.fresh("serve"))], ROOT)
    result = json.loads(out.strip().splitlines()[-1])
    ours = Timing(result["wall"], result["cpu"], result["peak_mb"])
    return [Row(bench.models, "serve", "serve: rebuild after one edited model (best of 3)", ours)]


def bench_pdf(bench: Bench) -> list[Row]:
    html = bench.work / "book.html"
    write_print_html(bench.book, html)
    progress(bench, "PDF and WeasyPrint's single pass, in turns")
    plain = [str(BIN / "weasyprint"), "--base-url", str(bench.book), str(html)]
    ours, single = best_of_turns(
        bench.runs,
        Timed(bench.builder("pdf", "pdf"), ROOT, before=fonts_only),
        Timed([*plain, str(bench.work / "plain.pdf")], ROOT),
    )
    return [
        Row(bench.models, "pdf", "PDF, both editions", ours, "WeasyPrint",
            "WeasyPrint, one plain render of the same HTML", single),
        *bench_pdf_after_edit(bench, ours),
    ]  # fmt: skip


SENTENCE = " Mô hình được nhân rộng ra các thôn lân cận, được nhân dân đồng tình ủng hộ."
PDF_FILES = ("print-pages.json", "preflight.txt")  # and every .pdf of the output


def bench_pdf_after_edit(bench: Bench, full: Timing) -> list[Row]:
    """The PDF built again after one model of the second part changed, the cache of the full
    build before it kept (restored before each run): a sentence appended to its last
    paragraph, then a long paragraph (about two pages) that moves the page numbers of
    everything after it; each against our own full build, and checked byte for byte
    against a full build of the edited book (untimed, cache emptied but for the fonts)."""
    cache = Path(os.environ["BUILDER_CACHE"])
    kept = bench.work / "cache-after-pdf"
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(cache, kept)  # what the last full build left
    full_pages = json.loads((bench.work / "pdf" / "print-pages.json").read_text())
    book = load_book(bench.book).book
    assert book is not None
    part = book.parts[min(1, len(book.parts) - 1)].entries
    model = part[len(part) // 2].source
    original = model.read_text(encoding="utf-8")
    words = " ".join(sentences())
    paragraph = "\n\n" + " ".join(words.split()[:1000]) + "\n"

    def cache_kept() -> None:
        shutil.rmtree(cache)
        shutil.copytree(kept, cache)

    rows = []
    try:
        for name, edited in (("a sentence added", original.rstrip("\n") + SENTENCE + "\n"),
                             ("a long paragraph added", original + paragraph)):  # fmt: skip
            model.write_text(edited, encoding="utf-8")
            progress(bench, f"PDF after one model changed: {name}")
            timing = best_of(bench.runs, bench.builder("pdf-edit", "pdf"), ROOT, before=cache_kept)
            progress(bench, "PDF of the edited book from scratch, to compare")
            fonts_only()
            run(bench.builder("pdf-edit-full", "pdf"), ROOT)
            same = _same_files(bench.work / "pdf-edit", bench.work / "pdf-edit-full")
            pages = json.loads((bench.work / "pdf-edit" / "print-pages.json").read_text())
            moved = "page numbers moved" if pages != full_pages else "same page numbers"
            checked = "identical to a full build" if same else "NOT identical to a full build"
            rows.append(Row(bench.models, "pdf-edit", f"PDF after one model changed: {name} "
                            f"({moved}; {checked})", timing, "ours-full",
                            "our own full PDF build (the row above)", full))  # fmt: skip
    finally:
        model.write_text(original, encoding="utf-8")
        shutil.rmtree(kept, ignore_errors=True)
    return rows


def _same_files(ours: Path, theirs: Path) -> bool:
    names = [*PDF_FILES, *(path.name for path in ours.glob("*.pdf"))]
    return all((ours / name).read_bytes() == (theirs / name).read_bytes() for name in names)


def bench_epub(bench: Bench) -> list[Row]:
    progress(bench, "EPUB")
    ours = best_of(bench.runs, bench.builder("epub", "epub"), ROOT, before=fonts_only)
    sources = pandoc_sources(bench.book, bench.work / "pandoc")
    title = yaml.safe_load((bench.book / "book.yaml").read_text(encoding="utf-8"))["title"]
    command = ["pandoc", "--file-scope", "--resource-path", str(bench.work / "pandoc" / "models")]
    command += ["--metadata", f"title={title}", "--metadata", "lang=vi"]
    command += ["-o", str(bench.work / "pandoc.epub"), *map(str, sources)]
    progress(bench, "Pandoc")
    pandoc = best_of(bench.runs, command, ROOT)
    return [
        Row(bench.models, "epub", "EPUB", ours, "Pandoc",
            f"Pandoc {version(['pandoc', '--version'])} EPUB writer", pandoc)
    ]  # fmt: skip


WORD_CORPUS = ROOT / "tests" / "fixtures" / "word"
IMPORT_FILES = 100


def bench_import(bench: Bench) -> list[Row]:
    """`builder import` of 100 Word files in one call (the corpus's .docx files over and over:
    with lists, tables, notes, pictures, one EMF diagram each) against Pandoc's DOCX reader
    turning the same files into Markdown, one process a file."""
    folder = bench.fresh("word")
    folder.mkdir(parents=True)
    sources = sorted(WORD_CORPUS.glob("*.docx"))
    documents = []
    for number in range(IMPORT_FILES):
        source = sources[number % len(sources)]
        documents.append(folder / f"{number:03d}-{source.name}")
        shutil.copyfile(source, documents[-1])
    target = bench.work / "import-book"

    def fresh_book() -> None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(bench.book, target)

    command = [str(BIN / "builder"), "import", "--content", str(target), *map(str, documents)]
    progress(bench, f"import of {IMPORT_FILES} Word files")
    ours = best_of(bench.runs, command, ROOT, before=fresh_book)
    loop = 'for f in "$@"; do pandoc "$f" -t gfm -o /dev/null || exit 1; done'
    progress(bench, "Pandoc's DOCX reader on the same files")
    pandoc = best_of(bench.runs, ["sh", "-c", loop, "sh", *map(str, documents)], ROOT)
    return [
        Row(bench.models, "import", f"import of {IMPORT_FILES} Word files in one call", ours,
            "Pandoc-docx", f"Pandoc {version(['pandoc', '--version'])}, DOCX to Markdown, "
            "a process a file", pandoc),
        *bench_import_legacy(bench, target, fresh_book),
    ]  # fmt: skip


def bench_import_legacy(bench: Bench, target: Path, fresh_book: Callable[[], None]) -> list[Row]:
    """`builder import` of 100 legacy .doc files in one call (the corpus's .doc, copied)
    against LibreOffice's own conversion of the same files to .docx in one start: Pandoc
    does not read .doc, and the conversion is the part of our import LibreOffice does."""
    folder = bench.fresh("word-doc")
    folder.mkdir(parents=True)
    documents = []
    for number in range(IMPORT_FILES):
        documents.append(folder / f"{number:03d}-bao-cao.doc")
        shutil.copyfile(WORD_CORPUS / "khanh-nhac.doc", documents[-1])
    command = [str(BIN / "builder"), "import", "--content", str(target), *map(str, documents)]
    progress(bench, f"import of {IMPORT_FILES} legacy .doc files")
    ours = best_of(bench.runs, command, ROOT, before=fresh_book)
    converted = bench.fresh("word-doc-converted")
    office = shutil.which("soffice") or "soffice"
    profile = (bench.work / "office-profile").as_uri()
    anchor = [office, "--headless", "--norestore", f"-env:UserInstallation={profile}",
              "--convert-to", "docx", "--outdir", str(converted), *map(str, documents)]  # fmt: skip
    progress(bench, "LibreOffice's own conversion of the same files")
    libreoffice = best_of(bench.runs, anchor, ROOT)
    return [
        Row(bench.models, "import", f"import of {IMPORT_FILES} legacy .doc files in one call",
            ours, "LibreOffice-doc", "LibreOffice converting the same files to .docx, one "
            "start", libreoffice)
    ]  # fmt: skip


PACED_SECONDS = 2.0  # an editor saving every two seconds: far above an office's pace


def bench_workspace(bench: Bench) -> list[Row]:
    """20 editors at once, each saving its model 50 times and uploading 10 pictures, against
    a `builder workspace` process on a copy of the book; the run fails if a save was lost.
    One run whatever --runs says. The rows' CPU: the server's (with git's), per save or for
    the whole load."""
    progress(bench, "workspace: 20 editors saving at once")
    command = [str(BIN / "python"), "-m", "tests.bench.workspace_load", str(bench.book)]
    found = json.loads(run(command, ROOT)[1].strip().splitlines()[-1])
    progress(bench, f"workspace: 20 editors saving every {PACED_SECONDS:g} s")
    paced = json.loads(
        run([*command, "--pause", str(PACED_SECONDS)], ROOT)[1].strip().splitlines()[-1]
    )
    n, saves, peak = bench.models, found["saves"], found["peak_mb"]
    per_save = found["server_cpu"] / saves
    editors = f"{found['clients']} editors"
    return [
        Row(n, "workspace", f"workspace: save-to-preview p95, {editors} at once ({saves} "
            f"saves, p50 {seconds(found['p50'])}; the save's own answer: p95 "
            f"{seconds(found['save_p95'])})", Timing(found["p95"], per_save, peak)),
        Row(n, "workspace-paced", f"workspace: save-to-preview p95, {editors} each saving "
            f"every {PACED_SECONDS:g} s ({paced['saves']} saves, p50 {seconds(paced['p50'])}; "
            f"{paced['rps']:.0f} requests/s, {paced['conflicts']} conflicts retried, nothing "
            "lost)", Timing(paced["p95"], paced["server_cpu"] / paced["saves"],
                            paced["peak_mb"])),
        Row(n, "workspace-solo", "workspace: save-to-preview p95, one editor alone "
            f"(information; p50 {seconds(found['solo_p50'])})",
            Timing(found["solo_p95"], found["solo_server_cpu"] / found["solo_saves"], peak)),
        Row(n, "workspace-load", f"workspace: the whole load, {editors} × "
            f"({saves // found['clients']} saves + {found['pictures'] // found['clients']} "
            f"pictures): {found['rps']:.0f} requests/s, {found['conflicts']} conflicts "
            "retried, nothing lost (information)",
            Timing(found["wall"], found["server_cpu"], peak)),
    ]  # fmt: skip


EDITING = ("rebuild", "serve")  # benches that edit the book: run after the others
BENCHES = {
    "site": bench_site, "rebuild": bench_rebuild, "epub": bench_epub, "pdf": bench_pdf,
    "serve": bench_serve, "import": bench_import, "workspace": bench_workspace,
}  # fmt: skip


def write_print_html(book: Path, html: Path) -> None:
    """The PDF's HTML, for the plain WeasyPrint render to start from the same document."""
    script = (
        "import sys; from pathlib import Path; from builder.load.loader import load_book; "
        "from builder.outputs.pdf.output import book_html; "
        "Path(sys.argv[2]).write_text(book_html(load_book(Path(sys.argv[1])).book))"
    )
    run([str(BIN / "python"), "-c", script, str(book), str(html)], ROOT)


def warm_up(bench: Bench) -> None:
    """One untimed EPUB build: subsets the typeface for this book into the run's cache (the
    site and the EPUB share the subsets), so no timed build pays for it."""
    progress(bench, "warm-up build (fonts subset into the cache)")
    run(bench.builder("warm-up", "epub"), ROOT)


def version(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"\d+\.\d+(\.\d+)*", result.stdout)
    return found.group() if found else "?"


def hugo_name(pictures: str) -> str:
    return f"Hugo {version(['hugo', 'version'])}, {pictures}"


def mkdocs_name() -> str:
    return f"MkDocs {version([str(BIN / 'mkdocs'), '--version'])}, default theme and search"


def code_revision() -> str:
    """The commit the builder was measured at, and whether builder/ or templates/ differ."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    changed = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "builder", "templates"],
                             cwd=ROOT, check=False).returncode != 0  # fmt: skip
    if not head:
        return "outside git"
    return f"commit {head}" + (" plus uncommitted changes" if changed else "")


def sizes(values: list[str]) -> list[int]:
    return [int(v) for value in values for v in value.replace(",", " ").split()]


def notes(args: argparse.Namespace, chosen: list[int], revision: str) -> str:
    """The footnotes under the table: what this run was, and what it left out."""
    runs = f"best of {args.runs}" if args.runs else "best of 2 runs up to 100 models, 1 run above"
    command = " ".join(["python -m tests.bench.run --sizes", *map(str, chosen)])
    command += f" --outputs {' '.join(args.outputs)}" if args.outputs else ""
    lines = [
        f"Measured on {datetime.date.today().isoformat()} with {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, {revision}: `{command}` ({runs}). "
        "Peak: the largest single "
        "process; for serve, the preview process including its first full build. "
        "The builder's modules are compiled to bytecode first, as an installed package "
        "has them (an editable install under PYTHONDONTWRITEBYTECODE, as on the 2-core "
        "machine, would compile them again in every process: 0.05 s).",
    ]
    if not args.outputs and any(n >= LARGE for n in chosen):
        lines.append(
            f"At {LARGE:,} models only the website and the EPUB run by default: the PDF would "
            "take over an hour, and its peak memory grows with the book; "
            "`python -m tests.bench.run --sizes 10000 --outputs pdf` runs it."
        )
    if any(n > MKDOCS_LIMIT for n in chosen) and "site" in (args.outputs or OUTPUTS):
        lines.append(
            f"MkDocs runs up to {MKDOCS_LIMIT:,} models: its automatic navigation lists every "
            "page on every page, so its output grows with the square of the book."
        )
    return "\n\n".join(line.replace(",000", " 000") for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=[" ".join(map(str, DEFAULT_SIZES))])
    parser.add_argument("--outputs", nargs="+", choices=OUTPUTS)
    parser.add_argument("--runs", type=int, help="default: 2 up to 100 models, else 1")
    parser.add_argument("--write-doc", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()
    chosen = sizes(args.sizes)
    revision = code_revision()  # now: the code may change while a long run goes on
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    os.environ["BUILDER_CACHE"] = str(work / "cache")  # this run's own cache
    # As pip compiles an installed package; the anchors are compiled programs too.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "builder")], check=True)
    rows: list[Row] = []
    try:
        for models in chosen:
            folder = work / str(models)
            runs = args.runs or (2 if models <= 100 else 1)
            bench = Bench(models, folder / "book", folder, runs)
            progress(bench, f"writing the book (one picture per {IMAGE_EVERY} models)")
            make_book(bench.book, models, image_every=IMAGE_EVERY)
            outputs = args.outputs or (("site", "epub") if models >= LARGE else OUTPUTS)
            if models != min(chosen):
                outputs = [o for o in outputs if o != "import"]  # the same 100 files each size
            warm_up(bench)
            for output in [o for o in OUTPUTS if o in outputs and o not in EDITING]:
                rows += BENCHES[output](bench)
            for output in [o for o in EDITING if o in outputs]:  # last: they edit the book
                rows += BENCHES[output](bench)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    block = table(rows) + "\n\n" + notes(args, chosen, revision)
    if any(t.disturbed for row in rows for t in (row.ours, row.anchor) if t is not None):
        block += "\n\n" + DISTURBED
    print("\n" + block)
    if args.write_doc:
        write_doc(block)


if __name__ == "__main__":
    main()
