"""Recommendations served from the edition: one fitted recommender, answers kept as encoded JSON.

A :class:`RecommendationService` is fitted once per edition
(:meth:`graphsvc.analysis.recommender.recommend.Recommender.fit`). Answers are cached as
the JSON bytes sent to clients (bounded), so a repeated question costs one dict
lookup on the event loop; simultaneous identical questions are computed once
(:class:`~graphsvc.api.single_flight.SharedResults`). A background warm-up fills
the default question (``k=10``, no filters) for every community right after an
edition is swapped in; ``/readyz`` reports how far it got (``answers_cached`` of
``communities``).
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import Callable

import networkx as nx

from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.core.results import CommunityRecommendations
from graphsvc.analysis.recommender.explain import explain
from graphsvc.analysis.recommender.recommend import Recommender
from graphsvc.answers import kept_parts, lists_in
from graphsvc.api.edition import Edition
from graphsvc.api.single_flight import SharedResults
from graphsvc.fitted import stored_model
from graphsvc.graph import communities
from graphsvc.store.base import GraphStore

log = logging.getLogger(__name__)

MAX_K = 100
MAX_OTHER_ANSWERS = 20_000
"""Answers kept beyond one per community: a default answer is about 5 KB (10 partners with their reasons), so
the cache holds at most ``(communities + 20,000) x ~5 KB``, about 0.6 GB at 100,000 communities."""
FREEZE_GC_NODES = 5_000
"""Editions at least this large are frozen out of the cyclic GC once warm (small ones do not stall it)."""

AnswerKey = tuple[str, RecommendationOptions]
"""A question: the community, and the options of its list (equal options, equal key)."""
DEFAULT_OPTIONS = RecommendationOptions()
"""The options of the default question (what the warm-up computes): ``k=10``, no filters, ranked by gain."""


def default_key(community: str) -> AnswerKey:
    """The key of ``community``'s default question: ``k=10``, no filters, ranked by gain."""
    return (community, DEFAULT_OPTIONS)


class RecommendationService:
    """The recommender fitted on one edition graph, and its cached answers."""

    def __init__(self, recommender: Recommender, community_ids: list[str]) -> None:
        self.recommender = recommender
        self.community_ids = community_ids
        self.answers_cached = 0
        """How many communities' default answers are cached (the warm-up's progress, and any asked for)."""
        self.max_answers = len(community_ids) + MAX_OTHER_ANSWERS
        """Room for every community's default answer, and as many other questions' answers besides."""
        self._answers = SharedResults[AnswerKey, bytes](self.max_answers, on_keep=self._kept)
        self._lock = threading.Lock()  # the recommender keeps its own caches: one computation at a time
        self.kept_lists: list[bytes] = []
        """The default lists kept for this edition's data (:func:`graphsvc.answers.kept_parts`), read from the
        store with the edition so that the warm-up thread never uses the store (it may be closed under it)."""

    def _kept(self, key: AnswerKey) -> None:
        if key[1] == DEFAULT_OPTIONS:
            self.answers_cached += 1

    @property
    def warm(self) -> bool:
        """Whether every community's default answer is cached."""
        return self.answers_cached >= len(self.community_ids)

    @classmethod
    def fit(
        cls, G: nx.Graph, *, seed: int = 0, store: GraphStore | None = None, version: int | None = None
    ) -> RecommendationService | None:
        """Fit on ``G``; ``None`` for an empty graph (nothing to recommend).

        With ``store`` (whose snapshot at data ``version`` ``G`` is), the model kept in the store for that data
        is reused, or the one fitted here is kept there (:func:`graphsvc.fitted.stored_model`).
        """
        if G.number_of_nodes() == 0:
            return None
        if store is None:
            return cls(Recommender.fit(G, seed=seed), communities(G))
        model, _ = stored_model(store, G, seed=seed, version=version)
        service = cls(Recommender(G, model), communities(G))
        if version is not None:
            service.kept_lists = kept_parts(store, version=version)
        return service

    def cached(self, key: AnswerKey) -> bytes | None:
        """The encoded answer if it was computed before (never blocks)."""
        return self._answers.get(key)

    def answer(self, key: AnswerKey) -> bytes:
        """The encoded :class:`~graphsvc.analysis.recommender.recommend.CommunityRecommendations` for ``key``.

        Computed once per key: a question asked while the same one is being computed waits for that answer.
        Different questions share the recommender one at a time (its caches are not thread-safe), and only
        for the scoring: encoding runs outside that lock.
        """
        return self._answers.get_or_compute(key, lambda: self._compute(key))

    def _compute(self, key: AnswerKey) -> bytes:
        with self._lock:
            result = self.recommender.answer(*key)
        return result.model_dump_json().encode()

    def default_lists(self) -> list[CommunityRecommendations]:
        """Every community's default list as clients read it (the cached answer, or computed and cached now):
        what the district plan's divergences are held against."""
        return [CommunityRecommendations.model_validate_json(self.answer(default_key(c))) for c in self.community_ids]

    def explain(self, key: AnswerKey, partner: str) -> bytes:
        """The encoded :class:`~graphsvc.analysis.core.results.PartnerExplanation` of ``partner`` for ``key``."""
        community, options = key
        with self._lock:
            result = explain(self.recommender, community, partner, options)
        return result.model_dump_json().encode()

    def warm_up(self, is_current: Callable[[], bool] | None = None) -> None:
        """Cache the default answer of every community (run in a background thread): first the lists ``graphsvc
        fit`` kept for this edition's data, if any (read, not computed), then the others, computed a batch at a time
        (at 100,000 communities one at a time took more than 7 minutes).

        Stops when a newer edition took over, or when the answer cache is full (then it is never ``warm``).
        """
        if self.kept_lists:
            known = set(self.community_ids)
            parts, self.kept_lists = self.kept_lists, []
            for community, kept in lists_in(parts):
                if community in known and len(self._answers) < self.max_answers:
                    data = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode()
                    self._answers.get_or_compute(default_key(community), _known(data))
        step = Recommender.BATCH
        for start in range(0, len(self.community_ids), step):
            if is_current is not None and not is_current():
                return  # a newer edition took over
            if len(self._answers) >= self.max_answers:
                log.warning(
                    "answer cache full (%d answers): %d of %d communities' default answers precomputed",
                    self.max_answers,
                    self.answers_cached,
                    len(self.community_ids),
                )
                return
            chunk = self.community_ids[start : start + step]
            todo = [c for c in chunk if self._answers.get(default_key(c)) is None]
            room = self.max_answers - len(self._answers)
            for community, data in self._computed_together(todo[: max(0, room)]):
                self._answers.get_or_compute(default_key(community), _known(data))
        log.info("recommendations warmed for %d communities", len(self.community_ids))

    def _computed_together(self, todo: list[str]) -> list[tuple[str, bytes]]:
        """The encoded default answers of ``todo``, computed together (:meth:`Recommender.answer_all
        <graphsvc.analysis.recommender.recommend.Recommender.answer_all>`: a batch's candidates, signals and greedy
        lists in one round of array calls, in this process; what ``graphsvc fit`` keeps), one batch holding the
        recommender at a time, so that a client's question waits for one batch at most."""
        if not todo:
            return []
        with self._lock:
            results = self.recommender.answer_all(DEFAULT_OPTIONS, communities=todo, workers=1)
        return [(c, results[c].model_dump_json().encode()) for c in todo]


def _known(data: bytes) -> Callable[[], bytes]:
    """The "computation" of an answer already known."""
    return lambda: data


def fit_edition_of(store: GraphStore) -> Callable[[nx.Graph, int], RecommendationService | None]:
    """The ``fit`` hook of the edition holder of ``store``: reuses (and keeps) the model stored with the data."""
    return lambda G, version: RecommendationService.fit(G, store=store, version=version)


def warm_edition(edition: Edition, is_current: Callable[[], bool]) -> None:
    """The ``warm`` hook of the edition holder: precompute, then take the edition out of the cyclic GC's sight.

    A large edition is millions of long-lived objects; without ``gc.freeze()`` every full collection walks them
    all and stalls every request for a few hundred milliseconds (the p99). Unfreezing first lets the previous
    edition's garbage be collected.
    """
    service = edition.fitted
    if service is not None:
        service.warm_up(is_current=is_current)
    if is_current() and edition.graph.number_of_nodes() >= FREEZE_GC_NODES:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
