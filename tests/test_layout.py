"""The house plan holds: dependencies point one way, rooms stay small, tests mirror modules.

ARCHITECTURE.md: app/cli -> views/briefing (-> i18n) -> hotspots -> store -> geo, no
circles and no function-local imports to hide one; ``geo``, ``store`` and ``hotspots``
never import Streamlit. Read from the source with ``ast``, so a new module is checked the
day it is written.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "store", "hotspots", "i18n", "views", "briefing", "cli")
#: What each layer may import (itself included). ``app`` is the Streamlit page.
ALLOWED: dict[str, frozenset[str]] = {
    "geo": frozenset({"geo"}),
    "store": frozenset({"store", "geo"}),
    "hotspots": frozenset({"hotspots", "store", "geo"}),
    "i18n": frozenset({"i18n", "hotspots", "geo"}),  # it words what hotspots returns
    "briefing": frozenset({"briefing", "i18n", "hotspots", "store", "geo"}),
    "views": frozenset({"views", "briefing", "i18n", "hotspots", "store", "geo"}),
    "cli": frozenset({"cli", "briefing", "i18n", "hotspots", "store", "geo"}),
    "app": frozenset({"views", "briefing", "i18n", "hotspots", "store", "geo"}),
}
#: Layers that never draw: no Streamlit.
NO_STREAMLIT = ("geo", "store", "hotspots", "i18n", "briefing", "cli")
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
#: Modules that are data tables, allowed to be long: the demo's real places and profiles.
DATA_TABLES: frozenset[str] = frozenset()


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _imported(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """Project modules an import statement loads (``from pkg import mod`` counts as ``pkg.mod``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level:
        return  # the project uses absolute imports only; a relative one would show up here
    else:
        base = node.module or ""
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
        ]
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name:
            yield name


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges[name] |= {target for target in _imported(node) if target != name}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_between_modules_or_packages() -> None:
    edges = _edges()
    assert _cycles(edges) == []
    packages: dict[str, set[str]] = {}
    for source, targets in edges.items():
        top = source.split(".")[0]
        packages.setdefault(top, set()).update(t.split(".")[0] for t in targets if t.split(".")[0] != top)
    assert _cycles(packages) == []


def test_dependencies_point_down_the_layers() -> None:
    upward = [
        f"{source} imports {target}"
        for source, targets in _edges().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[source.split(".")[0]]
    ]
    assert upward == []


def test_no_function_local_import_of_the_project() -> None:
    hidden = []
    for name, tree in TREES.items():
        top_level = set(map(id, tree.body))
        for node in tree.body:  # ``if TYPE_CHECKING:`` at the top: names for type checkers
            checking = isinstance(node, ast.If) and isinstance(node.test, ast.Name)
            if checking and node.test.id == "TYPE_CHECKING":
                top_level |= set(map(id, node.body))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top_level:
                hidden += [f"{name}:{node.lineno} imports {target}" for target in _imported(node)]
    assert hidden == []


@pytest.mark.parametrize("layer", NO_STREAMLIT)
def test_pure_layers_never_import_streamlit(layer: str) -> None:
    for name, tree in TREES.items():
        if name.split(".")[0] != layer:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "streamlit" for a in node.names), name
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "streamlit", name


def test_no_room_too_big_to_hold_in_ones_head() -> None:
    files = {
        name: len(MODULES[name].read_text(encoding="utf-8").splitlines())
        for name in MODULES
        if name not in DATA_TABLES
    }
    assert {name: n for name, n in files.items() if n > MAX_FILE_LINES} == {}
    functions = {
        f"{name}.{node.name}": node.end_lineno - node.lineno + 1
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    }
    assert {name: n for name, n in functions.items() if n > MAX_FUNCTION_LINES} == {}


def test_every_module_has_its_test_file() -> None:
    """``tests/test_<module>.py``, package-qualified where two packages share a module name.

    Package fronts (``__init__``), ``python -m`` stubs and private modules (``_name``, tested
    through the public module that uses them) need none; the page is ``test_app.py``.
    """
    tests = {path.stem for path in (ROOT / "tests").glob("test_*.py")}
    modules = [
        name
        for name, path in MODULES.items()
        if name != "app" and path.stem not in ("__init__", "__main__") and not path.stem.startswith("_")
    ]
    # A short name belongs to the lowest layer's module (geo.demo: test_demo.py); the
    # same name higher up is qualified (cli.demo: test_cli_demo.py).
    owner: dict[str, str] = {}
    for name in sorted(modules, key=lambda n: PACKAGES.index(n.split(".")[0])):
        owner.setdefault(name.rpartition(".")[2], name)
    missing = []
    for name in modules:
        parts = name.split(".")
        qualified = {f"test_{'_'.join(parts)}", f"test_{'_'.join(parts[1:])}"} - {f"test_{parts[-1]}"}
        candidates = {f"test_{parts[-1]}", *qualified} if owner[parts[-1]] == name else qualified
        if not candidates & tests:
            missing.append(name)
    assert missing == [], missing
