"""Issue 28's package layout, as one re-runnable move.

Run from the repository root on a clean tree (after merging every branch that touches
builder/):

    .venv/bin/python scripts/restructure.py [--extra MORE.txt] [--dry-run]

It moves every module of builder/ with `git mv` by the table MOVES below, adds each new
package's `__init__.py` (PACKAGES), rewrites every place a module is named (imports found with
`ast`, dotted names and `builder/…py` paths in code, strings, docs, pyproject.toml, Makefile),
puts docs/layout-section.md in place of README's "Layout of the code", then sorts the imports
and formats with ruff. Nothing is committed: review `git status`, run `make test`, commit.

A module of builder/ that the table does not name stops the script before anything moves,
with the rows to add. Add them to MOVES, or give them in a file of `old new` lines
(`--extra`), e.g. `builder/isbn_lint.py builder/load/checks/isbn_lint.py`.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

# Every module of builder/ (old path → new path). Module names are kept; only the place
# changes (renames are for later, one at a time).
MOVES = {
    # cli: Click only; nothing imports it
    "builder/cli.py": "builder/cli/commands.py",
    "builder/click_messages.py": "builder/cli/click_messages.py",
    # util: infrastructure, imports no other package
    "builder/paths.py": "builder/util/paths.py",
    "builder/i18n.py": "builder/util/i18n.py",
    "builder/problems.py": "builder/util/problems.py",
    "builder/files.py": "builder/util/files.py",
    "builder/folder_swap.py": "builder/util/folder_swap.py",
    "builder/cache.py": "builder/util/cache.py",
    "builder/render_cache.py": "builder/util/render_cache.py",
    "builder/parallel.py": "builder/util/parallel.py",
    # book: the model and its rules; no YAML, no Jinja, no I/O
    "builder/model.py": "builder/book/model.py",
    "builder/fields.py": "builder/book/fields.py",
    "builder/place_names.py": "builder/book/place_names.py",
    "builder/ordering.py": "builder/book/ordering.py",
    "builder/urls.py": "builder/book/urls.py",
    "builder/vietnamese.py": "builder/book/vietnamese.py",
    "builder/isbn.py": "builder/book/isbn.py",
    # load: files → problems, or the immutable Book
    "builder/load.py": "builder/load/loader.py",
    "builder/load_cache.py": "builder/load/load_cache.py",
    "builder/source.py": "builder/load/source.py",
    "builder/yaml_source.py": "builder/load/yaml_source.py",
    "builder/yaml_scalars.py": "builder/load/yaml_scalars.py",
    "builder/yaml_flow.py": "builder/load/yaml_flow.py",
    "builder/web_address.py": "builder/load/web_address.py",
    "builder/press_profile.py": "builder/load/press_profile.py",
    "builder/schema.py": "builder/load/schema.py",
    "builder/config.py": "builder/load/config.py",
    "builder/entries.py": "builder/load/entries.py",
    "builder/images.py": "builder/load/images.py",
    "builder/reviews.py": "builder/load/reviews.py",
    "builder/review_file.py": "builder/load/review_file.py",
    "builder/invisible.py": "builder/load/checks/invisible.py",
    "builder/text_checks.py": "builder/load/checks/text_checks.py",
    "builder/front_matter_lint.py": "builder/load/checks/front_matter_lint.py",
    "builder/entry_warnings.py": "builder/load/checks/entry_warnings.py",
    # render: what every output reads besides the model
    "builder/markdown.py": "builder/render/markdown.py",
    "builder/templating.py": "builder/render/templating.py",
    "builder/fonts.py": "builder/render/fonts.py",
    "builder/editions.py": "builder/render/editions.py",
    # outputs: the registry, and one package per output
    "builder/outputs/__init__.py": "builder/outputs/__init__.py",
    "builder/outputs/site.py": "builder/outputs/site/output.py",
    "builder/site_images.py": "builder/outputs/site/site_images.py",
    "builder/site_search.py": "builder/outputs/site/site_search.py",
    "builder/charts.py": "builder/outputs/site/charts.py",
    "builder/outputs/epub.py": "builder/outputs/epub/output.py",
    "builder/epub_html.py": "builder/outputs/epub/epub_html.py",
    "builder/epub_pages.py": "builder/outputs/epub/epub_pages.py",
    "builder/epub_package.py": "builder/outputs/epub/epub_package.py",
    "builder/cover.py": "builder/outputs/epub/cover.py",
    "builder/outputs/review.py": "builder/outputs/review/output.py",
    "builder/docx_body.py": "builder/outputs/review/docx_body.py",
    "builder/docx_parts.py": "builder/outputs/review/docx_parts.py",
    "builder/outputs/pdf.py": "builder/outputs/pdf/output.py",
    "builder/print_html.py": "builder/outputs/pdf/print_html.py",
    "builder/progress.py": "builder/outputs/pdf/progress.py",
    "builder/print_preview.py": "builder/outputs/pdf/print_preview.py",
    "builder/pdf_units.py": "builder/outputs/pdf/layout/pdf_units.py",
    "builder/parallel_layout.py": "builder/outputs/pdf/layout/parallel_layout.py",
    "builder/unit_layout.py": "builder/outputs/pdf/layout/unit_layout.py",
    "builder/pagination_hook.py": "builder/outputs/pdf/layout/pagination_hook.py",
    "builder/print_layout.py": "builder/outputs/pdf/layout/print_layout.py",
    "builder/figure_placement.py": "builder/outputs/pdf/layout/figure_placement.py",
    "builder/pdf_writing.py": "builder/outputs/pdf/write/pdf_writing.py",
    "builder/pdf_join.py": "builder/outputs/pdf/write/pdf_join.py",
    "builder/struct_tree_merge.py": "builder/outputs/pdf/write/struct_tree_merge.py",
    "builder/font_union.py": "builder/outputs/pdf/write/font_union.py",
    "builder/pdf_tags.py": "builder/outputs/pdf/write/pdf_tags.py",
    "builder/interior_from_screen.py": "builder/outputs/pdf/write/interior_from_screen.py",
    "builder/print_package.py": "builder/outputs/pdf/press/print_package.py",
    "builder/print_colour.py": "builder/outputs/pdf/press/print_colour.py",
    "builder/print_marks.py": "builder/outputs/pdf/press/print_marks.py",
    "builder/cover_spread.py": "builder/outputs/pdf/press/cover_spread.py",
    "builder/barcode.py": "builder/outputs/pdf/press/barcode.py",
    "builder/preflight.py": "builder/outputs/pdf/press/preflight.py",
    "builder/ink_coverage.py": "builder/outputs/pdf/press/ink_coverage.py",
    "builder/vector_ink.py": "builder/outputs/pdf/press/vector_ink.py",
    # authoring: new model files, and Word documents made into them
    "builder/new_entry.py": "builder/authoring/new_entry.py",
    "builder/word_import.py": "builder/authoring/word/word_import.py",
    "builder/word_facts.py": "builder/authoring/word/word_facts.py",
    "builder/word_formats.py": "builder/authoring/word/word_formats.py",
    "builder/word_markdown.py": "builder/authoring/word/word_markdown.py",
    "builder/word_pictures.py": "builder/authoring/word/word_pictures.py",
    "builder/word_unsupported.py": "builder/authoring/word/word_unsupported.py",
    # review_round: returned copies read, the round's state, the final edition
    "builder/comments_import.py": "builder/review_round/comments/comments_import.py",
    "builder/comments_word.py": "builder/review_round/comments/comments_word.py",
    "builder/comments_pdf.py": "builder/review_round/comments/comments_pdf.py",
    "builder/returned_pdf.py": "builder/review_round/comments/returned_pdf.py",
    "builder/models_by_words.py": "builder/review_round/comments/models_by_words.py",
    "builder/pdf_marked_text.py": "builder/review_round/comments/pdf_marked_text.py",
    "builder/book_status.py": "builder/review_round/book_status.py",
    "builder/status_table.py": "builder/review_round/status_table.py",
    "builder/final_edition.py": "builder/review_round/final_edition.py",
    # publish: staging, the swap into output/, destinations, deploy
    "builder/write_outputs.py": "builder/publish/write_outputs.py",
    "builder/destinations.py": "builder/publish/destinations.py",
    "builder/deploy.py": "builder/publish/deploy.py",
    # serve: the preview server
    "builder/serve.py": "builder/serve/serve.py",
    # the package itself stays
    "builder/__init__.py": "builder/__init__.py",
    "builder/__main__.py": "builder/__main__.py",
}

# Each new package, with the one line its __init__.py says.
PACKAGES = {
    "builder/cli": "The builder command (Click): parses, prompts, prints; nothing imports it.",
    "builder/util": "Infrastructure: paths, messages, problems, files, caches, the process pool.",
    "builder/book": "The book model and its rules: no YAML, no Jinja, no I/O.",
    "builder/load": "Files → problems, or the immutable Book.",
    "builder/load/checks": "A file's text and front matter checked: what is valid but wrong.",
    "builder/render": "What every output reads besides the model: Markdown, templates, fonts.",
    "builder/outputs/site": "The website.",
    "builder/outputs/epub": "The EPUB 3 book.",
    "builder/outputs/review": "The Word review copy for delegates.",
    "builder/outputs/pdf": "The PDF: the screen edition and the print package.",
    "builder/outputs/pdf/layout": "The PDF laid out: units, parallel layout, pagination, figures.",
    "builder/outputs/pdf/write": "The PDF written: screen file, tags, joins, structure, fonts.",
    "builder/outputs/pdf/press": "Only for the press: colours, marks, cover, barcode, preflight.",
    "builder/authoring": "Model files made: `builder new`, and Word documents imported.",
    "builder/authoring/word": "`builder import`: Word documents through mammoth.",
    "builder/review_round": "The review round: the book's status and the final edition.",
    "builder/review_round/comments": "`builder comments`: returned Word and PDF copies read.",
    "builder/publish": "Outputs staged and swapped into output/; where to write; deploy.",
    "builder/serve": "`builder serve`: preview, rebuild on save, live reload.",
}

# Written for the new layout already: their names are not rewritten.
NEW_LAYOUT_FILES = {
    "scripts/restructure.py",
    "docs/layout-section.md",
    "docs/architecture.md",
    "tests/test_architecture.py",
}
# Text files whose module names are rewritten (git ls-files, minus books and locks).
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".html", ".xhtml", ".j2", ".css", ".js", ".txt"}
SKIPPED_FOLDERS = ("content/", "tests/fixtures/", "tests/tools/node_modules/")
LAYOUT_SECTION = "docs/layout-section.md"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def dotted(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_extra(path: Path) -> dict[str, str]:
    rows = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2 or not all(f.startswith("builder/") and f.endswith(".py")
                                       for f in fields):  # fmt: skip
            sys.exit(f"{path}:{number}: expected `builder/old.py builder/new/place.py`")
        rows[fields[0]] = fields[1]
    return rows


def module_rows(moves: dict[str, str]) -> dict[str, str]:
    """Old dotted name → new dotted name, for every module that changes name."""
    return {dotted(old): dotted(new) for old, new in moves.items() if dotted(old) != dotted(new)}


class Renamer:
    def __init__(self, modules: dict[str, str], paths: dict[str, str]) -> None:
        self.modules = modules
        self.paths = paths
        # longest first: `builder.outputs.pdf` before `builder.outputs`
        self.by_length = sorted(modules, key=len, reverse=True)

    def name(self, name: str) -> str:
        """A dotted name with its module part renamed (`builder.cli._can_ask` →
        `builder.cli.commands._can_ask`)."""
        for old in self.by_length:
            if name == old or name.startswith(old + "."):
                return self.modules[old] + name[len(old) :]
        return name

    DOTTED = re.compile(r"(?<![\w.])builder(?:\.[A-Za-z_]\w*)+")
    PATH = re.compile(r"(?<![\w/.])builder/[\w/]+\.py\b")

    def text(self, text: str) -> str:
        """Dotted module names and `builder/…py` paths in any text."""
        text = self.DOTTED.sub(lambda m: self.name(m[0]), text)
        return self.PATH.sub(lambda m: self.paths.get(m[0], m[0]), text)

    def python(self, source: str) -> str:
        """`from builder import x` and `from builder.outputs import pdf` (a module named as
        an imported name) rewritten with ast; every other dotted name by `text`."""
        tree = ast.parse(source)
        lines = source.splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))

        def offset(line: int, column: int) -> int:  # ast columns are UTF-8 byte offsets
            return starts[line - 1] + len(lines[line - 1].encode()[:column].decode())

        edits: list[tuple[int, int, str]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                sys.exit(f"relative import in the code (line {node.lineno}): not handled")
            if not (isinstance(node, ast.ImportFrom) and node.module):
                continue
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            if not any(name in self.modules for name in names):
                continue
            indent = " " * node.col_offset
            statements = []
            kept = [
                alias for alias in node.names if f"{node.module}.{alias.name}" not in self.modules
            ]
            if kept:
                statements.append(
                    f"from {self.name(node.module)} import "
                    + ", ".join(ast.unparse(alias) for alias in kept)
                )
            for alias in node.names:
                new = self.modules.get(f"{node.module}.{alias.name}")
                if new is None:
                    continue
                parent, _, last = new.rpartition(".")
                local = alias.asname or alias.name
                statements.append(
                    f"from {parent} import {last}" + ("" if local == last else f" as {local}")
                )
            start = offset(node.lineno, node.col_offset)
            end = offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
            edits.append((start, end, ("\n" + indent).join(statements)))
        out, done = [], 0
        for start, end, new in sorted(edits):
            out.append(self.text(source[done:start]))
            out.append(new)
            done = end
        out.append(self.text(source[done:]))
        return "".join(out)


LINE_LENGTH = 100


def wrap_prose(source: str) -> str:
    """Comment lines and lines of multi-line strings (docstrings) that a longer name made too
    long, cut at a space: the rest goes on a line of its own with the same indent."""
    prose: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
            prose.add(token.start[0])
        elif token.type == tokenize.STRING and token.end[0] > token.start[0]:
            prose.update(range(token.start[0], token.end[0] + 1))
    out = []
    for number, line in enumerate(source.splitlines(keepends=True), 1):
        while number in prose and len(line.rstrip("\n")) > LINE_LENGTH:
            cut = line.rfind(" ", 0, LINE_LENGTH + 1)
            indent = line[: len(line) - len(line.lstrip())]
            lead = indent + ("# " if line.lstrip().startswith("#") else "")
            if cut <= len(lead):
                break
            out.append(line[:cut].rstrip() + "\n")
            line = lead + line[cut:].lstrip()
        out.append(line)
    return "".join(out)


def replace_layout_section(readme: str, section: str) -> str:
    """README's "## Layout of the code" up to the next "## " heading, replaced."""
    start = readme.index("## Layout of the code")
    end = readme.index("\n## ", start + 1) + 1
    return readme[:start] + section.rstrip("\n") + "\n\n" + readme[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, help="more `old new` rows, one a line")
    parser.add_argument("--dry-run", action="store_true", help="check the table, move nothing")
    args = parser.parse_args()
    if not Path("builder/__init__.py").is_file() or not Path(".git").exists():
        sys.exit("run from the repository root")
    if Path("builder/book").exists():
        sys.exit("builder/book/ exists: the move was done already")
    if not args.dry_run and git("status", "--porcelain", "--untracked-files=no").strip():
        sys.exit("the tree has changes: commit or stash them first")

    moves = dict(MOVES)
    if args.extra:
        moves.update(read_extra(args.extra))
    tracked = git("ls-files").splitlines()
    modules = sorted(p for p in tracked if p.startswith("builder/") and p.endswith(".py"))
    missing = [path for path in modules if path not in moves]
    gone = [old for old in moves if old not in modules]
    if missing:
        sys.exit(
            "modules of builder/ that the table does not place; add a row for each to MOVES "
            "(or to a file given with --extra), e.g.\n"
            + "\n".join(f"    {path}  builder/<package>/{Path(path).name}" for path in missing)
        )
    if gone:
        print("rows of the table whose module no longer exists (left out):", *gone, sep="\n  ")
        for old in gone:
            del moves[old]
    targets = [new for new in moves.values()]
    if len(set(targets)) != len(targets):
        sys.exit("two modules are moved to the same place")
    folders = {str(Path(new).parent) for new in targets} - {"builder", "builder/outputs"}
    without_line = sorted(folder for folder in folders if folder not in PACKAGES)
    if without_line:
        sys.exit("packages without a line in PACKAGES: " + ", ".join(without_line))
    if args.dry_run:
        print(f"{len(moves)} modules, {len(folders)} packages: the table places every module")
        return

    renamer = Renamer(module_rows(moves), {old: new for old, new in moves.items() if old != new})
    for old, new in sorted(moves.items()):
        if old != new:
            Path(new).parent.mkdir(parents=True, exist_ok=True)
            git("mv", old, new)
    for folder in sorted(folders):
        init = Path(folder) / "__init__.py"
        if not init.exists():
            init.write_text(f'"""{PACKAGES[folder]}"""\n', encoding="utf-8")
            git("add", str(init))

    section = Path(LAYOUT_SECTION)
    for name in git("ls-files").splitlines():
        path = Path(name)
        if (name in NEW_LAYOUT_FILES or name.startswith(SKIPPED_FOLDERS) or not path.is_file()
                or (path.suffix not in TEXT_SUFFIXES and path.name != "Makefile")):  # fmt: skip
            continue
        text = path.read_text(encoding="utf-8")
        new = wrap_prose(renamer.python(text)) if path.suffix == ".py" else renamer.text(text)
        if name == "README.md" and section.is_file():
            new = replace_layout_section(new, section.read_text(encoding="utf-8"))
        if new != text:
            path.write_text(new, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--fix", "--select", "I", "-q", "builder", "tests", "scripts"],
                   check=True)  # fmt: skip
    subprocess.run([*ruff, "format", "-q", "builder", "tests", "scripts"], check=True)
    git("add", "-A", "builder", "tests", "scripts")
    print(f"moved {sum(old != new for old, new in moves.items())} modules into "
          f"{len(folders)} packages; now: make test, then commit")  # fmt: skip


if __name__ == "__main__":
    main()
