"""The analysis commands (gaps, recommend, plan, evaluate) end to end on the sample district."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.errors import EntityNotFound, ValidationFailed
from tests.cli.console import graphsvc

runner = CliRunner()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("analysis") / "g.db"
    environment = {"GRAPHSVC_STORE": f"sqlite:///{db}", "COLUMNS": "200"}
    result = runner.invoke(app, ["demo"], env=environment)
    assert result.exit_code == 0, result.output
    return environment


def invoke_json(env: dict[str, str], *args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1, "--json prints exactly one line"
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_gaps(env: dict[str, str]) -> None:
    district = invoke_json(env, "gaps")
    assert district["communities"] == 130
    one = invoke_json(env, "gaps", "com-00001")
    assert one["community"] == "com-00001" and "roles_missing" in one
    street = invoke_json(env, "gaps", "--street", "拱北")
    assert street["street"] == "拱北" and len(street["communities"]) == 13  # type: ignore[arg-type]
    table = runner.invoke(app, ["gaps"], env=env)
    assert table.exit_code == 0 and "Policy checks" in table.stdout


def test_gaps_unknown_community_raises_not_found(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["gaps", "com-99999"], env=env)
    assert isinstance(result.exception, EntityNotFound)
    at_the_terminal = graphsvc("gaps", "com-99999", env=env)
    assert at_the_terminal.code == 4 and "com-99999" in at_the_terminal.err
    assert "Traceback" not in at_the_terminal.err


def test_recommend(env: dict[str, str]) -> None:
    out = invoke_json(env, "recommend", "com-00001", "-k", "3", "--kinds", "enterprise,social organization")
    assert set(out) >= {"community", "recommendations", "rank", "expected_gain", "coverage_if_linked"}
    assert out["rank"] == "gain"
    recs = out["recommendations"]
    assert isinstance(recs, list) and len(recs) == 3
    assert {r["kind"] for r in recs} <= {"enterprise", "organization"}
    fields = {"partner", "name", "name_en", "kind", "score", "gain", "probability", "long_shot", "reasons"}
    assert all(set(r) == fields and r["name"] for r in recs)
    assert all(r["reasons"] and r["reasons"][0]["text_zh"] for r in recs)
    bad = runner.invoke(app, ["recommend", "com-00001", "--kinds", "community"], env=env)
    assert bad.exit_code == 2


def test_recommend_rank_modes_and_explain(env: dict[str, str]) -> None:
    gain = invoke_json(env, "recommend", "com-00001", "-k", "5")
    likely = invoke_json(env, "recommend", "com-00001", "-k", "5", "--rank", "likelihood")
    assert likely["rank"] == "likelihood"
    assert gain["coverage_if_linked"] > likely["coverage_if_linked"]  # type: ignore[operator]
    recs = gain["recommendations"]
    assert isinstance(recs, list)
    assert all(r["gain"] > 0 and r["reasons"][0]["code"].startswith("gap:") for r in recs)
    assert runner.invoke(app, ["recommend", "com-00001", "--rank", "best"], env=env).exit_code == 2
    # the first of the partners that close none of com-00001's gaps: explain puts it where --others does
    whole = invoke_json(env, "recommend", "com-00001", "-k", "40", "--others")
    first = whole["others"][0]["partner"]  # type: ignore[index]
    why = invoke_json(env, "recommend", "com-00001", "-k", "5", "--explain", first)
    assert why["partner"] == first and why["listed"] is False and why["other"] is True
    assert why["rank"] == len(whole["recommendations"]) + 1  # type: ignore[arg-type]
    [kept] = why["kept_out"]  # type: ignore[misc]
    assert kept["code"] in ("offers_nothing_lacking", "gap_filled_above")  # alone, or once those above join
    text = runner.invoke(app, ["recommend", "com-00001", "-k", "5", "--explain", first], env=env)
    assert text.exit_code == 0 and kept["text_en"] in text.stdout
    assert "among the partners that close no gap" in text.stdout


def test_plan(env: dict[str, str]) -> None:
    out = invoke_json(env, "plan")
    totals = out["totals"]
    assert isinstance(totals, dict)
    assert totals["after"] > totals["before"] and totals["after"] >= totals["naive"]
    links, divergences = out["links"], out["divergences"]
    assert isinstance(links, list) and isinstance(divergences, list)
    assert all(x["name"] and x["community_name"] and x["reasons"] for x in links)  # names beside every id
    assert all(d["top_name"] and d["community_name"] for d in divergences)
    # the divergences are held against the list `recommend` prints: its #1 where it is not the planned partner
    planned = {x["community"]: x for x in links}
    why = {d["community"]: d for d in divergences}
    for community in ["com-00001", "com-00002", "com-00003", "com-00050"]:
        first = invoke_json(env, "recommend", community)["recommendations"][0]  # type: ignore[index]
        if first["partner"] == planned[community]["partner"]:
            assert community not in why
        else:
            assert why[community]["top"] == first["partner"]
            assert why[community]["gain_here"] == pytest.approx(first["gain"], abs=1e-5)
            assert why[community]["gain_planned"] == planned[community]["gain"]


def test_plan_on_a_100_column_terminal(env: dict[str, str]) -> None:
    run = graphsvc("plan", env={**env, "COLUMNS": "100", "TTY_COMPATIBLE": "1", "TERM": "xterm-256color"})
    assert run.code == 0, run.err
    assert "主要理由 top reason" in run.out and "Why not the list's #1" in run.out
    assert "offers " in run.out and "here it would close" in run.out
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", run.out).splitlines()
    assert max(cell_len(line) for line in plain) <= 100  # folded into the width, never cut


def test_evaluate_store_and_edges(env: dict[str, str], tmp_path: Path) -> None:
    out = invoke_json(env, "evaluate", "--seed", "0")
    assert set(out) == {"split", "methods", "modes"}
    modes = out["modes"]
    assert isinstance(modes, dict) and set(modes) == {"gain", "likelihood", "gap"}
    assert modes["gain"]["gap_closed@5"] >= 2 * modes["likelihood"]["gap_closed@5"]
    methods = out["methods"]
    assert isinstance(methods, dict)
    hits = {m: v["hits@10"] for m, v in methods.items()}
    assert set(hits) == {
        "graphsvc",
        "random",
        "popularity",
        "common_neighbors",
        "adamic_adar",
        "resource_allocation",
        "l3",
    }
    assert hits["graphsvc"] >= max(hits.values())
    edges = tmp_path / "edges.txt"
    G = nx.connected_watts_strogatz_graph(200, 6, 0.1, seed=1)
    edges.write_text("\n".join(f"{u} {v}" for u, v in G.edges()))
    generic = invoke_json(env, "evaluate", "--edges", str(edges), "--holdout", "0.1")
    split = generic["split"]
    assert isinstance(split, dict) and split["pairs"] == "any" and split["nodes"] == 200
    table = runner.invoke(app, ["evaluate", "--edges", str(edges)], env=env)
    assert table.exit_code == 0 and "adamic_adar" in table.stdout
    pooled = invoke_json(env, "evaluate", "--edges", str(edges), "--holdout", "0.1", "--negatives", "global")
    assert pooled["split"]["negatives"] == "global"  # type: ignore[index]
    assert "auc_global" in pooled["methods"]["l3"]  # type: ignore[index]
    assert runner.invoke(app, ["evaluate", "--negatives", "many"], env=env).exit_code == 2


def test_evaluate_membership_table_and_bad_file(env: dict[str, str], tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    rows = [f"C{i:03d};city {i};N{(i * 7 + j) % 15:02d};{2000 + j}" for i in range(60) for j in range(3)]
    members.write_text("CodeCity;NameCity;Code_Network;Year\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    out = invoke_json(
        env,
        "evaluate",
        "--edges",
        str(members),
        "--bipartite",
        "--columns",
        "CodeCity,Code_Network",
        "--negatives",
        "10",
    )
    split = out["split"]
    assert isinstance(split, dict) and split["pairs"] == "bipartite" and split["nodes"] == 75
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2\n3\n")
    result = runner.invoke(app, ["evaluate", "--edges", str(bad)], env=env)
    assert isinstance(result.exception, ValidationFailed)
    assert [(p.line, p.file) for p in result.exception.problems] == [(2, str(bad))]
    help_text = runner.invoke(app, ["evaluate", "--help"], env=env).stdout
    assert "--columns" in help_text and "GB18030" in help_text
