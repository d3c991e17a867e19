"""Single flight: a result many requests want at the same time is computed once and shared.

Concurrency is made certain, not likely: each computation is held until every asking thread is either
computing or waiting for another thread's computation (counted by wrappers), so a second computation of the
same key would be seen, whatever the machine's speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.api import single_flight
from graphsvc.api.recommendations import RecommendationService
from graphsvc.api.single_flight import SharedResults
from graphsvc.model import Dataset
from graphsvc.store import GraphStore, SQLiteStore
from tests.api.conftest import ClientFactory

CROWD = 16
HOLD_S = 30  # a bound so that a broken implementation fails instead of hanging


class Crowd:
    """Counts threads computing and threads waiting for another's computation; holds computations until
    ``size`` threads are accounted for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.computing = 0
        self.waiting = 0
        self._changed = threading.Condition()

    def _all_in(self) -> bool:
        return self.computing + self.waiting >= self.size

    def computes(self) -> None:
        with self._changed:
            self.computing += 1
            self._changed.notify_all()
            if not self._changed.wait_for(self._all_in, HOLD_S):
                self.size = 0  # the others are stuck elsewhere (e.g. behind a lock): let them through, and fail
                raise AssertionError(f"only {self.computing + self.waiting} of the crowd computed or waited")

    def waits(self) -> None:
        with self._changed:
            self.waiting += 1
            self._changed.notify_all()

    def wrap(self, compute: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            self.computes()
            return compute(*args, **kwargs)

        return held


@pytest.fixture
def crowd(monkeypatch: pytest.MonkeyPatch) -> Iterator[Crowd]:
    """A crowd of :data:`CROWD` threads; every wait for another thread's computation is counted."""
    counted = Crowd(CROWD)
    result = single_flight._Flight.result

    def counted_result(flight: Any, timeout: float | None = None) -> Any:
        counted.waits()
        return result(flight, timeout)

    monkeypatch.setattr(single_flight._Flight, "result", counted_result)
    yield counted


def all_at_once(ask: Callable[[], Any], times: int = CROWD) -> list[Any]:
    """Call ``ask`` from ``times`` threads released together; the answers (or exceptions) in order."""
    start = threading.Barrier(times)

    def one() -> Any:
        start.wait(HOLD_S)
        try:
            return ask()
        except Exception as error:
            return error

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(lambda _: one(), range(times)))


def test_sixteen_threads_asking_for_one_key_compute_it_once(crowd: Crowd) -> None:
    results = SharedResults[str, object]()
    computed = crowd.wrap(object)
    answers = all_at_once(lambda: results.get_or_compute("plan", computed))
    assert crowd.computing == 1
    assert crowd.waiting == CROWD - 1
    assert all(answer is answers[0] for answer in answers)  # the very same object, shared
    assert results.get("plan") is answers[0]


def test_an_exception_reaches_every_waiter_and_is_not_kept(crowd: Crowd) -> None:
    results = SharedResults[str, int]()

    def fails() -> int:
        raise ValueError("the store went away mid-plan")

    answers = all_at_once(lambda: results.get_or_compute("plan", crowd.wrap(fails)))
    assert crowd.computing == 1
    assert all(isinstance(answer, ValueError) for answer in answers)
    assert results.get("plan") is None and len(results) == 0
    assert results.get_or_compute("plan", lambda: 7) == 7  # the next request computes again
    assert results.get("plan") == 7


def test_different_keys_do_not_wait_for_each_other() -> None:
    results = SharedResults[str, str]()
    release = threading.Event()
    entered = threading.Event()

    def slow() -> str:
        entered.set()
        assert release.wait(HOLD_S)
        return "plan"

    slow_thread = threading.Thread(target=results.get_or_compute, args=("plan", slow))
    slow_thread.start()
    try:
        assert entered.wait(HOLD_S)
        assert results.get_or_compute("overview", lambda: "overview") == "overview"  # while "plan" is computing
        assert results.get("plan") is None
    finally:
        release.set()
        slow_thread.join(HOLD_S)
    assert results.get("plan") == "plan"


def test_a_key_asked_for_while_computing_itself_is_an_error_not_a_deadlock() -> None:
    results = SharedResults[str, int]()

    def itself() -> int:
        return results.get_or_compute("loop", itself)

    with pytest.raises(RuntimeError, match="while computing itself"):
        results.get_or_compute("loop", itself)
    assert results.get_or_compute("loop", lambda: 1) == 1  # nothing left in flight


def test_values_past_the_bound_are_returned_but_not_kept() -> None:
    kept: list[str] = []
    results = SharedResults[str, int](max_size=1, on_keep=kept.append)
    assert results.get_or_compute("a", lambda: 1) == 1
    assert results.get_or_compute("b", lambda: 2) == 2
    assert (results.get("a"), results.get("b"), kept) == (1, None, ["a"])


# -- in the API ----------------------------------------------------------------
def test_sixteen_simultaneous_first_plans_compute_one(
    make_client: ClientFactory, crowd: Crowd, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphsvc.api import results

    monkeypatch.setattr(results, "district_plan", crowd.wrap(results.district_plan))
    client = make_client()
    answers = all_at_once(lambda: client.get("/plan?per_community=2"))
    assert [answer.status_code for answer in answers] == [200] * CROWD
    assert crowd.computing == 1
    assert all(answer.json() == answers[0].json() for answer in answers)


def test_simultaneous_identical_questions_are_answered_once(
    tiny_store: GraphStore, crowd: Crowd, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = RecommendationService.fit(tiny_store.snapshot())
    assert service is not None
    monkeypatch.setattr(service.recommender, "answer", crowd.wrap(service.recommender.answer))
    key = ("c2", RecommendationOptions(k=3))
    answers = all_at_once(lambda: service.answer(key))
    assert crowd.computing == 1
    assert all(answer == answers[0] for answer in answers) and b"recommendations" in answers[0]
    assert service.cached(key) == answers[0]


def test_the_warm_up_counts_each_community_once_even_beside_requests(tiny: Dataset, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "t.db") as store:
        store.upsert(tiny)
        service = RecommendationService.fit(store.snapshot())
    assert service is not None and service.answers_cached == 0 and not service.warm
    service.answer(("c1", RecommendationOptions(k=10)))  # a request for the default question first
    service.answer(("c1", RecommendationOptions(k=3)))  # not the default question: not counted
    service.warm_up()
    assert (service.answers_cached, len(service.community_ids), service.warm) == (2, 2, True)


def test_a_full_answer_cache_stops_the_warm_up_and_is_never_called_warm(
    tiny: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphsvc.api import recommendations

    monkeypatch.setattr(recommendations, "MAX_OTHER_ANSWERS", 1)
    with SQLiteStore(tmp_path / "t.db") as store:
        store.upsert(tiny)
        service = RecommendationService.fit(store.snapshot())
    assert service is not None and service.max_answers == 3  # two communities' defaults and one more
    service.answer(("c1", RecommendationOptions(k=3)))
    service.answer(("c2", RecommendationOptions(k=3)))
    service.warm_up()  # keeps c1's default answer, then finds the cache full
    assert (service.answers_cached, service.warm) == (1, False)
    assert service.answer(("c2", RecommendationOptions(k=10)))  # still answered, just not kept
    assert service.answers_cached == 1
