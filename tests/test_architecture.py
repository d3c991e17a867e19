"""The layering ARCHITECTURE.md describes, checked on the source: which parts of graphsvc may import which.

Every ``import graphsvc.x`` and ``from graphsvc.x import ...`` counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
import sys
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

PARTS = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
"""Every top-level module and package of graphsvc."""

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "vocabulary": set(),
    "progress": set(),
    "collector": set(),
    "lazy": set(),
    "model": {"vocabulary", "errors"},
    "settings": {"errors", "store", "analysis"},  # URIs and policy profiles, checked against their registries
    "labels": {"sample", "vocabulary"},
    "sample": {"graph", "model", "vocabulary"},
    "fitted": {"analysis", "progress", "store", "errors"},
    "answers": {"analysis", "store"},
    "neo4j_server": {"errors"},
    "__main__": {"cli"},
    "__init__": {"analysis", "graph", "lazy", "sample", "store"},  # the front door, loaded lazily
    "cli": PARTS - {"research"},
}
"""Foundational modules -> the only parts of graphsvc they may import (everything else is forbidden)."""

FORBIDDEN.update({part: PARTS - allowed - {part} for part, allowed in ALLOWED.items()})


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


def test_every_part_of_graphsvc_has_a_rule() -> None:
    assert PARTS - set(FORBIDDEN) == set()


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
        ("import graphsvc.analysis.gaps.find as g", {"analysis"}),
        ("from graphsvc import neo4j_server, errors", {"neo4j_server", "errors"}),
        ("def f():\n    from graphsvc.viz import show", {"viz"}),
        ("from . import sibling\nimport networkx", set()),
    ],
)
def test_imports_are_found_wherever_they_stand(tmp_path: Path, source: str, parts: set[str]) -> None:
    module = tmp_path / "m.py"
    module.write_text(source)
    assert graphsvc_imports(module) == parts


def module_imports(path: Path, modules: set[str]) -> set[str]:
    """The graphsvc modules (dotted names in ``modules``) ``path`` imports when it runs: at module level or inside
    a function, relative imports resolved, ``if TYPE_CHECKING:`` blocks left out (they never run)."""
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for sub in ast.walk(stmt)
    }
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        found |= {t for t in targets if t in modules and t != name}
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_circles(package: Path) -> list[list[str]]:
    """Every set of graphsvc modules that import one another in a circle (strongly connected, more than one)."""
    import networkx as nx

    paths = {module_name(p): p for p in package.rglob("*.py")}
    G = nx.DiGraph()
    G.add_nodes_from(paths)
    for name, path in paths.items():
        G.add_edges_from((name, target) for target in module_imports(path, set(paths)))
    return sorted(sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1)


ANALYSIS = PACKAGE / "analysis"

ANALYSIS_PARTS: dict[str, set[str]] = {
    "core": set(),
    "linkmodel": {"core"},
    "gaps": {"core"},
    "recommender": {"core", "linkmodel"},
    "plan": {"core", "recommender"},  # the recommender's reasons, in the plan's links
    "evaluation": {"core", "linkmodel", "recommender"},
    "fair": {"core", "linkmodel"},
    "areas": {"core", "gaps", "plan"},
}
"""The parts of ``graphsvc.analysis`` (ARCHITECTURE.md) -> the other parts each may import."""


def analysis_part(module: str) -> str | None:
    """``graphsvc.analysis.gaps.find`` -> ``gaps``; the package's own ``__init__`` (the front door) -> ``None``."""
    parts = module.split(".")
    return parts[2] if len(parts) > 3 or (len(parts) == 3 and parts[2] in ANALYSIS_PARTS) else None


def test_analysis_is_in_parts_and_each_part_has_a_rule() -> None:
    folders = {p.name for p in ANALYSIS.iterdir() if (p / "__init__.py").exists()}
    loose = {p.name for p in ANALYSIS.glob("*.py")} - {"__init__.py"}
    assert (folders, loose) == (set(ANALYSIS_PARTS), set())


def test_analysis_parts_import_only_the_parts_below_them() -> None:
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    wrong: dict[str, list[str]] = {}
    for path in ANALYSIS.rglob("*.py"):
        part = analysis_part(module_name(path))
        if part is None:
            continue
        reached = {analysis_part(m) for m in module_imports(path, modules) if m.startswith("graphsvc.analysis.")}
        bad = sorted(p for p in reached - {part, None} if p not in ANALYSIS_PARTS[part])
        if bad:
            wrong[module_name(path)] = bad
    assert wrong == {}


def test_no_import_circles() -> None:
    assert import_circles(PACKAGE) == []


def test_a_circle_is_found_inside_functions_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "graphsvc"
    (fake / "sub").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "sub" / "__init__.py").write_text("")
    (fake / "sub" / "a.py").write_text("from graphsvc.sub import b\n")
    (fake / "sub" / "b.py").write_text("def f():\n    from . import a\n")
    (fake / "sub" / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert import_circles(fake) == [["graphsvc.sub.a", "graphsvc.sub.b"]]
