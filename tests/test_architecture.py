"""The shape of the code: outputs are leaves that read the model and the shared book layer,
never each other, and no module of `builder/` takes part in an import circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "builder"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every `builder…` module the file imports, at its top or inside a function; not those
    imported for type checking only (they are not imported when the code runs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = {f"{node.module}.{alias.name}" for alias in node.names}
            found.update(names if node.module == "builder" else {node.module, *names})
    return {name for name in found if name.split(".")[0] == "builder"}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name}
            for name, path in modules.items()}  # fmt: skip


OUTPUTS = sorted(
    _module_name(path) for path in (PACKAGE / "outputs").glob("*.py") if path.stem != "__init__"
)


@pytest.mark.parametrize("output", OUTPUTS)
def test_no_output_imports_another(output: str) -> None:
    others = set(OUTPUTS) - {output}
    assert _graph()[output] & others == set()


def test_there_are_outputs_to_check() -> None:
    assert {"builder.outputs.site", "builder.outputs.pdf", "builder.outputs.epub"} <= set(OUTPUTS)


def test_no_import_circle_in_builder() -> None:
    graph = _graph()
    circles = []

    def visit(name: str, path: list[str]) -> None:
        for imported in sorted(graph[name]):
            if imported in path:
                circles.append([*path[path.index(imported) :], imported])
            elif imported not in done:
                visit(imported, [*path, imported])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert circles == []


def test_the_registry_names_every_output_module() -> None:
    from builder.outputs import available_outputs

    registered = {type(output).__module__ for output in available_outputs().values()}
    assert registered == set(OUTPUTS)


def test_building_one_output_imports_only_that_output() -> None:
    """`builder build pdf` starts the PDF without importing the site, the EPUB or the Word
    copy (the registry imports an output's module only when it is named)."""
    import subprocess
    import sys

    code = (
        "import sys; from builder.outputs import output_named; output_named('pdf'); "
        "print(sorted(m for m in sys.modules if m.startswith('builder.outputs.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['builder.outputs.pdf']"
