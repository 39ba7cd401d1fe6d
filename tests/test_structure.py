"""The import graph: data flows one way, with no cycle, hidden ones (lazy imports) included."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "index", "assistant", "ui", "evals")
#: What may import what: a package imports only those below it.
MAY_IMPORT = {
    "ingest": {"ingest", "index"},
    "index": {"index"},
    "assistant": {"assistant", "index", "ingest"},
    "ui": {"ui", "assistant.api"},
    "evals": {"evals", "assistant.api"},
}
#: Imports inside a function that only put off loading a heavy front end (Gradio), never
#: a module that imports the importer back.
DEFERRED = {("ui.cli", "ui.web"), ("ui.cli", "ui.feedback")}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported project module, whether the import is inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # for the type checker only: never run
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, inner))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, inner) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return [(m, n) for m, n in found if m.split(".")[0] in PACKAGES]


def _graph() -> dict[str, list[tuple[str, bool]]]:
    return {
        _module(path): _imports(path)
        for package in PACKAGES
        for path in (ROOT / package).glob("*.py")
    }


def test_packages_import_only_the_ones_below_them_and_front_ends_only_the_api() -> None:
    wrong = [
        f"{module} imports {imported}"
        for module, imports in _graph().items()
        for imported, _ in imports
        if not _allowed(imported, MAY_IMPORT[module.split(".")[0]])
    ]
    assert wrong == []


def _allowed(imported: str, allowed: set[str]) -> bool:
    """A package name allows all its modules; a module name ('assistant.api') only itself."""
    return any(imported == a or (a in PACKAGES and imported.split(".")[0] == a) for a in allowed)


def test_no_import_hides_in_a_function_and_there_is_no_cycle() -> None:
    graph = _graph()
    hidden = [
        (module, imported)
        for module, imports in graph.items()
        for imported, nested in imports
        if nested and (module, imported) not in DEFERRED
    ]
    assert hidden == []
    edges = {m: {i for i, _ in imports if i in graph} for m, imports in graph.items()}
    state: dict[str, int] = {}

    def cycle_from(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for imported in sorted(edges[module]):
            if state.get(imported) == 1:
                return [*path, module, imported]
            if imported not in state and (found := cycle_from(imported, [*path, module])):
                return found
        state[module] = 2
        return None

    cycles = [c for m in sorted(graph) if m not in state and (c := cycle_from(m, []))]
    assert cycles == []
