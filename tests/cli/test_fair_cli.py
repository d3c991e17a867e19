"""``graphsvc fair`` end to end on the sample district: JSON, the sheet, the CSV, sponsors from a file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.console import graphsvc


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("fair") / "g.db"
    environment = {"GRAPHSVC_STORE": f"sqlite:///{db}", "COLUMNS": "200"}
    graphsvc("demo", env=environment, check=True)
    return environment


def test_fair_json_beats_first_come_and_explains_every_project_left(env: dict[str, str], tmp_path: Path) -> None:
    html, table = tmp_path / "fair.html", tmp_path / "fair.csv"
    run = graphsvc("fair", "--json", "--html", str(html), "--csv", str(table), env=env, check=True)
    assert run.out.count("\n") == 1
    result = json.loads(run.out)
    assert result["solver"] == "milp" and result["projects"] > 0
    assert result["need_covered"] > result["first_come_need_covered"]
    assert all(u["reason"] and u["text_zh"] and u["text_en"] for u in result["unmatched"])
    assert result["written"] == [str(html), str(table)]
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert len(rows) == result["projects"]
    assert {r["status"] for r in rows} == {"matched", "unmatched"}
    assert all(r["why_en"] for r in rows)
    page = html.read_text(encoding="utf-8")
    assert "@page { size: A4" in page and "<script" not in page and "http" not in page.split("</style>")[1]
    assert page.count('<section class="street">') == len({r["street"] for r in rows})


def test_fair_table_for_people_and_one_street(env: dict[str, str]) -> None:
    run = graphsvc("fair", "--street", "拱北", env=env, check=True)
    assert "认购 Matches · 拱北 Gongbei" in run.out and "fair vs first come" in run.out
    assert "吉大" not in run.out.split("认购会 Fair")[0]


def test_sponsors_from_a_file(env: dict[str, str], tmp_path: Path) -> None:
    present = tmp_path / "present.csv"
    present.write_text("认购方,预算,容量\nent-0023,4000,\n", encoding="utf-8")
    result = json.loads(graphsvc("fair", "--street", "拱北", "--sponsors", str(present), "--json", env=env).out)
    assert {m["sponsor"] for m in result["matches"]} == {"ent-0023"}
    assert sum(m["cost"] for m in result["matches"]) <= 4000


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--street", "火星"], 4, "no community in street"),
        (["--solver", "magic"], 2, "--solver"),
    ],
)
def test_bad_requests_say_why(env: dict[str, str], args: list[str], code: int, said: str) -> None:
    run = graphsvc("fair", *args, env=env)
    assert run.code == code and said in run.err


def test_a_sponsors_file_naming_an_unknown_partner(env: dict[str, str], tmp_path: Path) -> None:
    present = tmp_path / "present.csv"
    present.write_text("partner,budget\nghost,100\nent-0001,lots\n", encoding="utf-8")
    run = graphsvc("fair", "--sponsors", str(present), env=env)
    assert run.code == 2 and "present.csv:3: budget: must be a number" in run.err
    present.write_text("partner,budget\nghost,100\n", encoding="utf-8")
    run = graphsvc("fair", "--sponsors", str(present), env=env)
    assert run.code == 2 and "ghost" in run.err


def test_a_store_without_projects_says_so(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'empty.db'}"}
    run = graphsvc("fair", env=env, check=True)
    assert "no proposed projects" in run.out
    result = json.loads(graphsvc("fair", "--json", env=env, check=True).out)
    assert result["projects"] == 0 and result["matches"] == [] and result["unmatched"] == []
