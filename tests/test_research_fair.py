"""graphsvc.research: the projects frame and the fair's frames are shapes over the snapshot and the analysis."""

from __future__ import annotations

import pytest

from graphsvc import research
from graphsvc.analysis.fair.match import fair as analysis_fair
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.sample import generate_district

MODEL = prior_model(True)


def test_projects_frame_is_the_snapshot_projects() -> None:
    ds = generate_district(communities=13, seed=1)
    G = research.sample_graph(communities=13, seed=1)
    df = research.projects_frame(G)
    assert df["project"].tolist() == sorted(p.id for p in ds.projects)
    taken = {p.id: p.taken for p in ds.projects}
    assert df.set_index("project")["taken"].to_dict() == pytest.approx(taken)
    proposed = research.projects_frame(G, status="proposed")
    assert set(proposed["status"]) == {"proposed"} and set(proposed["status_zh"]) == {"待认购"}
    with pytest.raises(ValueError):
        research.projects_frame(G, status="dreaming")


def test_fair_frames_are_the_analysis_result() -> None:
    G = research.sample_graph(communities=26, seed=1)
    result = research.fair(G, model=MODEL)
    assert result == analysis_fair(G, model=MODEL)
    df = research.fair_frame(result)
    assert len(df) == result.projects
    assert sorted(df.loc[df["status"] == "matched", "project"]) == sorted(m.project for m in result.matches)
    summary = research.fair_summary_frame(G, model=MODEL)
    assert summary["projects"].sum() == result.projects
    assert (summary["fair_need_covered"] >= summary["first_come_need_covered"] - 1e-9).all()
