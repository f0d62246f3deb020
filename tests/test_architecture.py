"""The shape of the code: the packages of builder/ and which may import which.

LAYERS says, for each package, the packages it may import; imports for type checking count
(a reader follows them too), and so do imports inside functions. Outputs are leaves: an
output's package imports no other output. No module takes part in an import circle, and no
module sits in builder/ itself but `__init__` and `__main__`. README's "Layout of the code"
draws the packages that exist, no more, no fewer.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "builder"

# Package → the packages it may import (besides itself). A name with a dot allows one module
# of a package only. `outputs` is the registry and every output below it; each output imports
# only its own package (test_no_output_imports_another).
LAYERS: dict[str, set[str]] = {
    "util": set(),
    "book": {"util"},
    "render": {"book", "util"},
    # Loading parses Markdown with the one parser the outputs render with; nothing else of
    # render (no templates, no typeface, no editions).
    "load": {"book", "util", "render.markdown"},
    "outputs": {"book", "render", "util"},
    "authoring": {"book", "load", "render", "util"},
    # Returned copies are read with the review copy's Word parts and the import's converters.
    "review_round": {"book", "load", "render", "outputs", "authoring", "util"},
    "publish": {"book", "load", "render", "outputs", "util"},
    "serve": {"book", "load", "render", "outputs", "review_round", "publish", "util"},
    # The editorial workspace runs what the commands run, for an office in the browser.
    "workspace": set(),  # set below: it is the longest row
}
LAYERS["workspace"] = {"book", "load", "render", "outputs", "authoring", "review_round", "publish"}
LAYERS["workspace"] |= {"serve", "util"}
LAYERS["cli"] = set(LAYERS) - {"cli"}  # the command may import every package
# Imports that break a rule and are known, each with its reason; a test fails when one is no
# longer there, so this list only shrinks.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}
KNOWN_CIRCLES: dict[frozenset[str], str] = {}


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every module of `modules` the file imports, at its top, inside a function or for type
    checking only: `from builder.render import markdown` imports render.markdown (the
    package's `__init__` only when it names no module of it)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named = {f"{node.module}.{alias.name}" for alias in node.names} & modules
            found.update(named or {node.module})
    return found & modules


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the modules of builder it imports."""
    modules = {_module_name(path, package): path for path in package.rglob("*.py")}
    return {
        name: {m for m in _imports(path, set(modules)) if m != name}
        for name, path in modules.items()
    }


def _place(module: str) -> str:
    """`builder.book.model` → `book.model`."""
    return module.removeprefix("builder.")


def _package(module: str) -> str:
    return _place(module).split(".")[0]


def _allowed(importer: str, imported: str) -> bool:
    mine, theirs = _package(importer), _package(imported)
    if mine == theirs or theirs in ("builder", "__main__"):
        return True
    rules = LAYERS.get(mine, set())
    place = _place(imported)
    return theirs in rules or any(place == r or place.startswith(r + ".") for r in rules)


def layer_violations(package: Path = PACKAGE) -> set[tuple[str, str]]:
    return {
        (_place(importer), _place(imported))
        for importer, imports in graph(package).items()
        if importer not in ("builder", "builder.__main__")
        for imported in imports
        if not _allowed(importer, imported)
    }


def circles(package: Path = PACKAGE) -> list[list[str]]:
    links = graph(package)
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for imported in sorted(links[name]):
            if imported in path:
                found.append([*path[path.index(imported) :], imported])
            elif imported not in done:
                visit(imported, [*path, imported])
        done.add(name)

    for name in sorted(links):
        if name not in done:
            visit(name, [name])
    return found


def _unknown_circles(package: Path = PACKAGE) -> list[list[str]]:
    return [c for c in circles(package)
            if frozenset(_place(m) for m in c) not in KNOWN_CIRCLES]  # fmt: skip


def test_every_package_has_its_layer() -> None:
    packages = {_package(m) for m in graph()} - {"builder", "__main__"}
    assert packages == set(LAYERS)


def test_packages_import_only_the_layers_below() -> None:
    assert layer_violations() - set(KNOWN_LEAKS) == set()


def test_the_known_leaks_are_still_there() -> None:
    """A leak fixed is a row to delete from KNOWN_LEAKS (and one from KNOWN_CIRCLES)."""
    assert set(KNOWN_LEAKS) <= layer_violations()
    found = {frozenset(_place(m) for m in c) for c in circles()}
    assert set(KNOWN_CIRCLES) <= found


def test_nothing_imports_the_cli() -> None:
    assert {(a, b) for a, b in layer_violations() if _package(b) == "cli"} == set()
    importers = {m for m, imports in graph().items() for i in imports if _package(i) == "cli"}
    assert importers <= {"builder.__main__", *(m for m in graph() if _package(m) == "cli")}


def test_no_import_circle_type_only_included() -> None:
    assert _unknown_circles() == []


def _outputs() -> dict[str, set[str]]:
    """Each output's name → its modules."""
    found: dict[str, set[str]] = {}
    for module in graph():
        parts = _place(module).split(".")
        if parts[0] == "outputs" and len(parts) > 1:
            found.setdefault(parts[1], set()).add(module)
    return found


def test_no_output_imports_another() -> None:
    outputs, links = _outputs(), graph()
    for name, modules in outputs.items():
        others = set().union(*(m for other, m in outputs.items() if other != name))
        assert {(m, i) for m in modules for i in links[m] & others} == set(), name


def test_there_are_outputs_to_check() -> None:
    assert {"site", "pdf", "epub", "review"} <= set(_outputs())


def test_no_module_in_the_package_root() -> None:
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py"]


def test_the_registry_names_every_output() -> None:
    from builder.outputs import available_outputs

    for name, output in available_outputs().items():
        module = type(output).__module__
        assert _place(module).split(".")[:2] == ["outputs", name]


def test_building_one_output_imports_only_that_output() -> None:
    """`builder build pdf` starts the PDF without importing the site, the EPUB or the Word
    copy (the registry imports an output's package only when it is named)."""
    code = (
        "import sys; from builder.outputs import output_named; output_named('pdf'); "
        "print(sorted(m for m in sys.modules if m.startswith('builder.outputs.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = ast.literal_eval(done.stdout.strip())
    assert loaded and {m.split(".")[2] for m in loaded} == {"pdf"}


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "builder"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    return copy


def _file_of(package: Path, new_name: str) -> Path:
    """The file of the module `new_name` in the copy `package`."""
    for path in package.rglob("*.py"):
        if _module_name(path, package) == new_name:
            return path
    raise LookupError(new_name)


def _name_now(package: Path, new_name: str) -> str:
    return _module_name(_file_of(package, new_name), package)


def test_a_planted_forbidden_import_fails(tmp_path: Path) -> None:
    """util imports render, for type checking only: the check names it."""
    copy = _copy(tmp_path)
    target = _file_of(copy, "builder.util.files")
    planted = _name_now(copy, "builder.render.templating")
    target.write_text(
        target.read_text(encoding="utf-8")
        + f"\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import {planted}\n",
        encoding="utf-8",
    )
    assert ("util.files", "render.templating") in layer_violations(copy)


def test_a_planted_circle_fails(tmp_path: Path) -> None:
    """vietnamese imports model for type checking only, and model imports vietnamese."""
    copy = _copy(tmp_path)
    target = _file_of(copy, "builder.book.vietnamese")
    planted = _name_now(copy, "builder.book.model")
    target.write_text(
        target.read_text(encoding="utf-8")
        + f"\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import {planted}\n",
        encoding="utf-8",
    )
    assert any({"book.vietnamese", "book.model"} <= {_place(m) for m in c}
               for c in _unknown_circles(copy))  # fmt: skip


def _tree_folders(text: str) -> set[str]:
    """The folders under builder/ that the first code block of a layout text draws: a line's
    first word ending in `/`, placed under the folder above it by its indent."""
    block = re.search(r"```\n(.*?)```", text, re.S)
    assert block, "no tree in the layout section"
    stack: list[tuple[int, str]] = []
    found = set()
    for line in block[1].splitlines():
        word = line.split()[0] if line.strip() else ""
        if not word.endswith("/"):
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = "/".join([*(name for _, name in stack), word.rstrip("/")])
        stack.append((indent, word.rstrip("/")))
        if path.startswith("builder/"):
            found.add(path)
    return found


def _layout_text() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Layout of the code")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_tree_draws_the_packages() -> None:
    packages = {str(p.parent.relative_to(ROOT)) for p in PACKAGE.rglob("__init__.py")}
    packages -= {"builder"}
    drawn = _tree_folders(_layout_text())
    assert packages - drawn == set(), "packages the tree does not draw"
    folders = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*") if p.is_dir()}
    assert drawn - packages - folders == set(), "folders the tree draws that do not exist"
