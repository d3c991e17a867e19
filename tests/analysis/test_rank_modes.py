"""A rank mode is one entry of ``graphsvc.analysis.core.rank_modes``: adding one touches that module alone, and no other
module of the package spells a mode's name to decide what to do."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.analysis import Recommender
from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.core.rank_modes import RANK_MODES, RankModeSpec, rank_help, rank_mode, register, unregister
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.research import sample_graph

PACKAGE = Path(__file__).resolve().parents[2] / "graphsvc"


@pytest.fixture
def toy_mode() -> Iterator[RankModeSpec]:
    """A mode registered by a test, as a new one would be: need closed, weighed by probability squared."""

    class Cautious(RankModeSpec):
        def weigh(self, gain, probability):  # type: ignore[no-untyped-def]
            return gain * probability * probability

    mode = register(Cautious("cautious", True, True, "need closed, weighed by probability twice", "a test"))
    yield mode
    unregister("cautious")


def test_a_registered_mode_is_offered_and_used_everywhere(toy_mode: RankModeSpec) -> None:
    assert "cautious: need closed, weighed by probability twice" in rank_help()
    assert RecommendationOptions(rank="cautious").rank == "cautious"
    G = sample_graph()
    rec = Recommender.fit(G, seed=0)
    cautious = rec.recommend("com-00001", k=5, rank="cautious")
    gain = rec.recommend("com-00001", k=5, rank="gain")
    assert cautious.rank == "cautious" and cautious.recommendations
    assert all(r.gain > 0 for r in cautious.recommendations)  # a mode by need: an honest list
    for r in cautious.recommendations:  # its score is its own weighing of the gain
        assert r.score == pytest.approx(r.gain * r.probability**2, abs=1e-5)
        assert sum(x.contribution for x in r.reasons) == pytest.approx(r.score, abs=1e-5)
    assert {r.partner for r in cautious.recommendations} & {r.partner for r in gain.recommendations}
    first = cautious.recommendations[0].partner
    assert rec.explain("com-00001", first, k=5, rank="cautious").rank == 1


def test_modes_by_name() -> None:
    assert next(iter(RANK_MODES)) == "gain"
    assert rank_mode("gap").weigh(2.0, 0.5) == 2.0 and rank_mode("gain").weigh(2.0, 0.5) == 1.0
    with pytest.raises(ValueError, match="gain, likelihood, gap"):
        rank_mode("best")
    with pytest.raises(ValueError, match="built-in"):
        unregister("gain")
    G = nx.Graph()
    G.add_node("c", kind="community", needs={"health": 2.0})
    G.add_node("a", kind="organization", offers={"health": 2.0})
    rec = Recommender(G, prior_model(True))
    assert [r.partner for r in rec.recommend("c", rank=rank_mode("gap").name).recommendations] == ["a"]


def _mode_literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """String constants naming a rank mode where code decides by them: compared, given as a default or as a
    ``rank=``/``mode=`` argument, or listed in a ``Literal[...]``."""
    names = set(RANK_MODES)

    def named(node: ast.AST | None) -> Iterator[tuple[int, str]]:
        for sub in ast.walk(node) if node is not None else ():
            if isinstance(sub, ast.Constant) and sub.value in names:
                yield sub.lineno, sub.value

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            yield from named(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                yield from named(default)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("rank", "mode"):
                    yield from named(keyword.value)
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "Literal":
            yield from named(node.slice)


def test_no_module_but_the_registry_decides_by_a_mode_name() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "rank_modes.py":
            continue
        for line, name in _mode_literals(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name!r}")
    assert found == []
