"""Progress hooks: the counting of :class:`graphsvc.progress.Steps`, and every long function's calls of its hook
(``(done, total)``: done never decreasing, ending at the total), on small hand-checkable inputs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graphsvc.analysis.evaluation.evaluate import BASELINES, evaluate
from graphsvc.analysis.gaps.find import all_community_gaps
from graphsvc.analysis.linkmodel.model_selection import STEPS_PER_SPLIT, fit_model
from graphsvc.fitted import encode_model
from graphsvc.graph import build_graph
from graphsvc.loaders import load_paths, write_csv
from graphsvc.loaders.load import CHECKING, READING, WRITING
from graphsvc.model import Dataset
from graphsvc.progress import INTERVAL, REPORTS, Steps
from graphsvc.sample import generate_district
from graphsvc.store import GraphStore
from graphsvc.viz import render_community, render_overview, render_street
from graphsvc.viz.pages import OVERVIEW_STEPS
from tests.progress_hooks import Calls, StageCalls

pytestmark = pytest.mark.usefixtures("no_recent_fits")  # what a computed fit reports


@pytest.fixture(scope="module")
def district() -> nx.Graph:
    return build_graph(generate_district(communities=26, seed=1))


def test_steps_report_few_calls_for_many_steps_and_end_at_the_total() -> None:
    calls = Calls()
    steps = Steps(calls, 100_000)
    for _ in range(100_000):
        steps.advance()
    assert calls.checked() == (100_000, 100_000)
    assert len(calls.seen) < 5 * REPORTS  # (a slow machine adds one per INTERVAL)


def test_steps_report_a_slow_step_among_quick_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    monkeypatch.setattr("graphsvc.progress.time.monotonic", lambda: clock[0])
    calls = Calls()
    steps = Steps(calls, 10 * REPORTS)  # reports every 10 steps when they go by quickly
    steps.advance()
    assert calls.seen == [(0, 10 * REPORTS)]
    clock[0] += INTERVAL  # a slow step
    steps.advance()
    assert calls.seen[-1] == (2, 10 * REPORTS)


def test_steps_revised_total_and_finish() -> None:
    calls = Calls()
    steps = Steps(calls, 10)
    steps.advance(3)
    steps.add(-5)  # fewer steps than expected
    steps.add(-100)  # never below the steps done
    assert calls.seen[-1] == (3, 3)
    steps.add(2)
    steps.finish()  # an early end counts the rest as done
    assert calls.checked() == (5, 5)


def test_steps_without_a_hook_count_quietly() -> None:
    steps = Steps(None, 2)
    steps.advance()
    steps.part(1)(1, 4)
    steps.finish()
    assert (steps.done, steps.total) == (5, 5)


def test_fit_reports_splits_then_candidates_by_folds(district: nx.Graph) -> None:
    calls = Calls()
    model = fit_model(district, seed=0, progress=calls)
    total = calls.checked()[1]
    assert encode_model(model) == encode_model(fit_model(district, seed=0))  # the hook changes nothing
    # each inner split's steps, then on each of the two folds its fit and every candidate model, then the final fit
    candidates = len(model.selection)
    assert candidates >= 2
    splits = (total - 1 - 2 * (1 + candidates)) // STEPS_PER_SPLIT
    assert splits >= 1 and total == STEPS_PER_SPLIT * splits + 2 * (1 + candidates) + 1
    assert len({d for d, _ in calls.seen}) == total + 1  # every step reported (few steps: no thinning)


def test_fit_of_a_graph_too_small_to_learn_from_reports_one_step() -> None:
    calls = Calls()
    assert fit_model(nx.path_graph(6), progress=calls).name == "prior"
    assert calls.seen == [(0, 1), (1, 1)]


def test_evaluate_reports_the_fit_methods_and_each_mode_communities(district: nx.Graph) -> None:
    calls = Calls()
    result = evaluate(district, seed=0, progress=calls)
    total = calls.checked()[1]
    assert set(result.methods) == {"graphsvc", *BASELINES} and len(result.modes) == 3
    # split + scoring + 7 methods + 3 modes, then the fit's steps (at least a split's and the final fit) and,
    # for each mode, the communities with a gap (at least one)
    assert total >= 2 + len(result.methods) + len(result.modes) + STEPS_PER_SPLIT + 1 + 3
    assert result == evaluate(district, seed=0)  # the hook changes nothing


def test_evaluate_on_a_plain_graph_reports_no_modes() -> None:
    calls = Calls()
    result = evaluate(nx.karate_club_graph(), holdout=0.2, seed=1, negatives=20, progress=calls)
    calls.checked()
    assert result.modes == {}


def test_all_community_gaps_reports_each_community(district: nx.Graph) -> None:
    calls = Calls()
    gaps = all_community_gaps(district, progress=calls)
    assert calls.checked() == (len(gaps), len(gaps)) == (26, 26)


def test_pages_report_their_steps(district: nx.Graph) -> None:
    calls = Calls()
    render_overview(district, progress=calls)
    assert calls.checked() == (26 + 1 + OVERVIEW_STEPS,) * 2
    assert calls.seen[0] == (0, 26 + 1 + OVERVIEW_STEPS)  # the whole known from the start
    calls = Calls()
    render_community(district, "com-00001", recommendations={"community": "com-00001"}, progress=calls)
    assert calls.checked() == (3 + 26, 3 + 26)
    calls = Calls()
    render_street(district, "拱北", progress=calls)
    assert calls.seen == [(0, 2), (1, 2), (2, 2)]


def test_load_reports_files_rows_checked_and_rows_written(tmp_path: Path, tiny: Dataset, store: GraphStore) -> None:
    write_csv(tiny, tmp_path / "in")
    stages = StageCalls()
    load_paths(store, [tmp_path / "in"], progress=stages)
    assert list(stages.stages) == [READING, CHECKING, WRITING]
    assert stages.stages[READING].checked() == (4, 4)  # entities, links, needs, offers .csv
    assert stages.stages[CHECKING].checked() == (tiny.row_count() + 1, tiny.row_count() + 1)  # + the cross checks
    assert stages.stages[WRITING].checked() == (tiny.row_count(), tiny.row_count())


def test_dry_run_reports_no_writing(tmp_path: Path, tiny: Dataset, sqlite_store: GraphStore) -> None:
    write_csv(tiny, tmp_path / "in")
    stages = StageCalls()
    load_paths(sqlite_store, [tmp_path / "in"], dry_run=True, progress=stages)
    assert list(stages.stages) == [READING, CHECKING]
