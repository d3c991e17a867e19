"""The layering ARCHITECTURE.md describes, checked on the source: which parts of graphsvc may import which.

Every ``import graphsvc.x`` and ``from graphsvc.x import ...`` counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graphsvc"

FORBIDDEN: dict[str, set[str]] = {
    "analysis": {"store", "loaders", "settings", "api", "cli", "viz", "research", "neo4j_server"},
    "graph": {"store", "loaders", "analysis", "api", "cli", "viz", "research"},
    "model": {"store", "loaders", "analysis", "graph", "api", "cli", "viz", "research"},
    "store": {"loaders", "analysis", "api", "cli", "viz", "research"},
    "loaders": {"analysis", "api", "cli", "viz", "research"},
    "viz": {"store", "loaders", "api", "cli", "research"},
    "research": {"loaders", "api", "cli"},
    "api": {"cli", "research"},
}
"""Layer -> the parts of graphsvc it must not import."""


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def graphsvc_imports(path: Path) -> set[str]:
    """The top-level parts of graphsvc a module imports (``graphsvc.store.base`` -> ``store``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names if node.module == "graphsvc"]
        found |= {name.split(".")[1] for name in names if name.startswith("graphsvc.")}
    return found


def test_imports_point_down_the_layers() -> None:
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(graphsvc_imports(path) & FORBIDDEN[layer_of(path)])
        for path in PACKAGE.rglob("*.py")
        if layer_of(path) in FORBIDDEN
    }
    assert {module: parts for module, parts in wrong.items() if parts} == {}


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("from graphsvc.store.base import GraphStore", {"store"}),
        ("import graphsvc.analysis.gaps as g", {"analysis"}),
        ("from graphsvc import neo4j_server, errors", {"neo4j_server", "errors"}),
        ("def f():\n    from graphsvc.viz import show", {"viz"}),
        ("from . import sibling\nimport networkx", set()),
    ],
)
def test_imports_are_found_wherever_they_stand(tmp_path: Path, source: str, parts: set[str]) -> None:
    module = tmp_path / "m.py"
    module.write_text(source)
    assert graphsvc_imports(module) == parts
