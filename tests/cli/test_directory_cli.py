"""A resource directory without needs (the project's HSDS 1.x fixture) through gaps, plan, recommend and the
policy profiles, as a user sees them: "no needs recorded", never a coverage of 100%, no hub checks by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.console import graphsvc

V1 = Path(__file__).parents[1] / "loaders" / "hsds_v1"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = tmp_path_factory.mktemp("directory") / "g.db"
    environment = {"GRAPHSVC_STORE": f"sqlite:///{db}", "COLUMNS": "200"}
    graphsvc("load", str(V1), env=environment, check=True)
    return environment


def test_gaps_of_the_district_say_no_needs_recorded(env: dict[str, str]) -> None:
    out = graphsvc("gaps", env=env, check=True).out
    assert "no needs recorded" in out and "未记录需求" in out and "needs.csv" in out
    assert "100%" not in out
    assert "Policy checks" not in out and "hub" not in out.split("政策 policy:")[0]  # generic: no hub columns
    assert "policy: generic" in out
    district = json.loads(graphsvc("gaps", "--json", env=env, check=True).out)
    assert district["needs_recorded"] is False and district["coverage"] is None and district["profile"] == "generic"
    assert district["policy"]["checks"] == [] and district["roles_missing"] == {}
    assert district["communities_without_needs"] == ["city:Bay Town", "city:Harbor City", "city:拱北"]


def test_gaps_of_one_community_say_no_needs_recorded(env: dict[str, str]) -> None:
    out = graphsvc("gaps", "city:Bay Town", env=env, check=True).out
    assert "no needs recorded" in out and "100%" not in out and "missing roles" not in out
    one = json.loads(graphsvc("gaps", "city:Bay Town", "--json", env=env, check=True).out)
    assert (one["needs_recorded"], one["coverage"], one["roles_missing"], one["reached_by_hub"]) == (
        False,
        None,
        [],
        None,
    )


def test_the_hub_profile_is_chosen_with_policy(env: dict[str, str]) -> None:
    out = graphsvc("gaps", "--policy", "hub", env=env, check=True).out
    assert "Policy checks" in out and "policy: hub" in out
    one = json.loads(graphsvc("gaps", "city:Bay Town", "--policy", "hub", "--json", env=env, check=True).out)
    assert one["profile"] == "hub" and len(one["roles_missing"]) == 3  # org-1 and org-2: social organizations
    bad = graphsvc("gaps", "--policy", "xiangzhou", env=env)
    assert bad.code == 2 and "hub or generic" in bad.err


def test_plan_and_recommend_say_no_needs_recorded(env: dict[str, str]) -> None:
    plan = graphsvc("plan", env=env, check=True).out
    assert "no needs recorded" in plan and "needs.csv" in plan and "100%" not in plan
    recs = graphsvc("recommend", "city:Bay Town", "-k", "3", env=env, check=True).out
    assert "no needs recorded" in recs and "未记录需求" in recs and "100%" not in recs


BROKEN = Path(__file__).parents[1] / "loaders" / "hsds_broken"


def test_load_without_keep_going_exits_2_naming_it(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    refused = graphsvc("load", str(BROKEN), env=env)
    assert refused.code == 2 and "nothing was written" in refused.err and "--keep-going" in refused.err
    assert "service.csv:3: organization_id" in refused.err
    assert json.loads(graphsvc("stats", "--json", env=env, check=True).out)["links"] == 0


def test_load_with_keep_going_exits_0_and_reports_every_skipped_row(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}", "COLUMNS": "200"}
    done = graphsvc("load", str(BROKEN), "--keep-going", env=env, check=True)
    for place in ("service.csv:3", "service.csv:5", "location.csv:3", "address.csv:3", "address.csv:4"):
        assert f"skipped {BROKEN / place}" in done.out
    assert "Skipped rows (--keep-going): 5" in done.out
    assert "no HSDS organization with id … in this directory\t3" in done.out
    report = json.loads(graphsvc("load", str(BROKEN), "--keep-going", "--json", env=env, check=True).out)
    assert report["skipped_rows"] == 5 and len(report["skipped"]) == 8
    assert report["skipped_by_reason"]["[location_id] no HSDS location with id … in this directory"] == 1
    assert json.loads(graphsvc("stats", "--json", env=env, check=True).out)["links"] == 2


def test_a_missing_column_is_not_offered_keep_going(tmp_path: Path) -> None:
    (tmp_path / "needs.csv").write_text("community,category\nc1,health\n", encoding="utf-8")
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    for args in ((), ("--keep-going",)):
        refused = graphsvc("load", str(tmp_path / "needs.csv"), *args, env=env)
        assert refused.code == 2 and "missing required column" in refused.err and "--keep-going" not in refused.err


def test_service_deserts_are_shown_as_supply_not_needs(env: dict[str, str]) -> None:
    out = graphsvc("gaps", "city:Bay Town", env=env, check=True).out
    deserts = next(line for line in out.splitlines() if "service deserts" in line)
    assert "not residents' needs" in deserts and "youth services" in deserts and "legal aid" not in deserts
    district = json.loads(graphsvc("gaps", "--json", env=env, check=True).out)
    by_area = {d["community"]: [c["category"] for c in d["categories"]] for d in district["service_deserts"]}
    assert by_area == {
        "city:Bay Town": ["youth", "children"],
        "city:Harbor City": ["youth", "children"],
        "city:拱北": ["legal_aid", "mediation"],
    }
    table = graphsvc("gaps", env=env, check=True).out
    assert "service deserts" in table and "by community" in table


def test_streets_are_chosen_on_the_command_line(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    refused = graphsvc("load", str(V1), "--areas", "county", "--streets", "county", env=env)
    assert refused.code == 2 and "choose streets among none, state" in refused.err
    report = json.loads(graphsvc("load", str(V1), "--areas", "county", "--streets", "state", "--json", env=env).out)
    assert report["hsds"][0]["streets"] == "state"
    streets = json.loads(graphsvc("gaps", "--json", env=env, check=True).out)["streets"]
    assert sorted(s["street"] for s in streets) == ["CA", "广东"]  # asked for: states as streets
