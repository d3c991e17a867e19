"""Progress bars of the long commands: drawn on stderr on a terminal, absent under ``--json`` and off a terminal.

The commands run in-process (:mod:`tests.cli.console`); ``TTY_COMPATIBLE=1`` makes Rich treat the captured
stderr as a terminal. :class:`~graphsvc.cli.progress.Bar` is watched, so each test also sees the
``(done, total)`` calls that moved the bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.cli.progress import Bar
from graphsvc.loaders import write_csv
from graphsvc.sample import generate_district
from tests.cli.console import Run, graphsvc
from tests.progress_hooks import Calls

TERMINAL = {"TTY_COMPATIBLE": "1", "TERM": "xterm-256color"}
NOT_A_TERMINAL = {"TTY_COMPATIBLE": "0", "TERM": "xterm-256color"}
BAR = "━"  # what Rich draws a bar with
READING = "Reading the district from the store"


pytestmark = pytest.mark.usefixtures("no_recent_fits")  # what a computed fit reports


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("district")
    write_csv(generate_district(communities=26, seed=1), folder / "in")
    return folder


@pytest.fixture
def env(district: Path, tmp_path: Path) -> dict[str, str]:
    environment = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}", "COLUMNS": "120"}
    graphsvc("load", str(district / "in"), env=environment, check=True)
    return environment


@pytest.fixture
def bars(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Calls]]:
    """Each bar line's description, with the ``(done, total)`` calls it was moved by."""
    seen: dict[str, Calls] = {}
    stage, call = Bar.stage, Bar.__call__

    def watched_stage(self: Bar, description: str) -> Bar:
        seen[description] = self._watched = Calls()  # type: ignore[attr-defined]
        return stage(self, description)

    def watched_call(self: Bar, done: int, total: int) -> None:
        self._watched(done, total)  # type: ignore[attr-defined]
        call(self, done, total)

    monkeypatch.setattr(Bar, "stage", watched_stage)
    monkeypatch.setattr(Bar, "__call__", watched_call)
    yield seen


def drawn(run: Run, *descriptions: str) -> None:
    assert run.code == 0, run.err
    assert BAR in run.err, run.err
    for description in descriptions:
        assert description in run.err


def quiet(run: Run) -> None:
    assert run.code == 0, run.err
    assert BAR not in run.err and "\x1b[" not in run.err, run.err


def test_load_draws_a_bar_per_stage(district: Path, tmp_path: Path, bars: dict[str, Calls]) -> None:
    environment = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}", **TERMINAL}
    run = graphsvc("load", str(district / "in"), env=environment)
    drawn(run, "Reading files", "Checking rows", "Writing rows")
    rows = generate_district(communities=26, seed=1).row_count()
    assert bars["Reading files"].checked() == (5, 5)  # entities, links, needs, offers, projects .csv
    assert bars["Checking rows"].checked() == (rows + 1, rows + 1)  # each row, then the checks across rows
    assert bars["Writing rows"].checked() == (rows, rows)


def test_load_dry_run_and_json_and_off_a_terminal_draw_nothing(district: Path, tmp_path: Path) -> None:
    environment = {"GRAPHSVC_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    quiet(graphsvc("load", str(district / "in"), "--json", env={**environment, **TERMINAL}))
    quiet(graphsvc("load", str(district / "in"), env={**environment, **NOT_A_TERMINAL}))


def test_fit_draws_its_bar_once_fitting(env: dict[str, str], bars: dict[str, Calls]) -> None:
    drawn(graphsvc("fit", env={**env, **TERMINAL}), "Fitting the recommender")
    total = bars["Fitting the recommender"].checked()[1]
    assert total > 5  # the inner splits' steps, the candidates on each fold, the final fit
    assert bars["Keeping every community's default list"].checked() == (26, 26)
    bars.clear()
    quiet(graphsvc("fit", env={**env, **TERMINAL}))  # the kept model: nothing to read or fit, no bar
    assert bars == {}
    quiet(graphsvc("fit", "--force", "--json", env={**env, **TERMINAL}))
    quiet(graphsvc("fit", "--force", env={**env, **NOT_A_TERMINAL}))


def test_plan_draws_a_step_per_community(env: dict[str, str], bars: dict[str, Calls]) -> None:
    drawn(graphsvc("plan", env={**env, **TERMINAL}), READING, "Planning the district")
    assert bars[READING].seen == [(0, 1), (1, 1)]  # the stores report no progress: one step, with its clock
    assert bars["Planning the district"].checked() == (26 + 1, 26 + 1)  # each community, then the flow
    quiet(graphsvc("plan", "--json", env={**env, **TERMINAL}))
    quiet(graphsvc("plan", env={**env, **NOT_A_TERMINAL}))


def test_evaluate_draws_its_bar(env: dict[str, str], bars: dict[str, Calls]) -> None:
    drawn(graphsvc("evaluate", env={**env, **TERMINAL}), "Evaluating")
    total = bars["Evaluating"].checked()[1]
    assert total > 26  # the fit's steps, the methods, and each rank mode's communities
    quiet(graphsvc("evaluate", "--json", env={**env, **TERMINAL}))
    quiet(graphsvc("evaluate", env={**env, **NOT_A_TERMINAL}))


def test_recommend_draws_the_bar_of_its_lazy_fit_only(env: dict[str, str], bars: dict[str, Calls]) -> None:
    quiet(graphsvc("recommend", "com-00001", "--json", env={**env, **TERMINAL}))  # fits, keeps, says nothing
    assert bars["Fitting the recommender"].checked()[1] > 5
    bars.clear()
    drawn(graphsvc("recommend", "com-00001", env={**env, **TERMINAL}), READING)  # the kept model: no fit
    assert list(bars) == [READING]


def test_render_draws_the_steps_of_each_page(env: dict[str, str], tmp_path: Path, bars: dict[str, Calls]) -> None:
    terminal = {**env, **TERMINAL}
    drawn(graphsvc("render", "overview", "-o", str(tmp_path / "o.html"), env=terminal), "Building the overview")
    assert bars["Building the overview"].checked()[1] == 26 + 1 + 3  # each community's gaps, roll-up, page
    drawn(graphsvc("render", "street", "拱北", "-o", str(tmp_path / "s.html"), env=terminal), "Building the street")
    assert bars["Building the street page"].checked() == (2, 2)
    page = graphsvc("render", "community", "com-00001", "-o", str(tmp_path / "c.html"), env=terminal)
    drawn(page, "Fitting the recommender", "Building the community page")  # no model kept yet: fitted, kept
    assert bars["Building the community page"].checked() == (3 + 26, 3 + 26)
    quiet(graphsvc("render", "overview", "-o", str(tmp_path / "o.html"), env={**env, **NOT_A_TERMINAL}))
    assert (tmp_path / "o.html").stat().st_size > 0
