"""Recommendations served from the edition: one fitted recommender, answers kept as encoded JSON.

A :class:`RecommendationService` is fitted once per edition
(:meth:`graphsvc.analysis.recommend.Recommender.fit`). Answers are cached as
the JSON bytes sent to clients (bounded), so a repeated question costs one dict
lookup on the event loop; a background warm-up fills the default question
(``k=10``, no filters) for every community right after an edition is swapped in.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable

import networkx as nx

from graphsvc.analysis.explain import explain
from graphsvc.analysis.options import RecommendationOptions
from graphsvc.analysis.recommend import Recommender
from graphsvc.api.edition import Edition
from graphsvc.fitted import stored_model
from graphsvc.graph import communities
from graphsvc.store.base import GraphStore

log = logging.getLogger(__name__)

DEFAULT_K = 10
MAX_K = 100
MAX_CACHED = 20_000
FREEZE_GC_NODES = 5_000
"""Editions at least this large are frozen out of the cyclic GC once warm (small ones do not stall it)."""

AnswerKey = tuple[str, RecommendationOptions]
"""A question: the community, and the options of its list (equal options, equal key)."""


class RecommendationService:
    """The recommender fitted on one edition graph, and its cached answers."""

    def __init__(self, recommender: Recommender, community_ids: list[str]) -> None:
        self.recommender = recommender
        self.community_ids = community_ids
        self._answers: dict[AnswerKey, bytes] = {}
        self._lock = threading.Lock()  # the recommender keeps its own caches: one question at a time
        self.warmed = threading.Event()

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
        return cls(Recommender(G, model), communities(G))

    def cached(self, key: AnswerKey) -> bytes | None:
        """The encoded answer if it was computed before (never blocks)."""
        return self._answers.get(key)

    def answer(self, key: AnswerKey) -> bytes:
        """The encoded :class:`~graphsvc.analysis.recommend.CommunityRecommendations` for ``key``."""
        hit = self._answers.get(key)
        if hit is not None:
            return hit
        with self._lock:
            result = self.recommender.answer(*key)
        data = result.model_dump_json().encode()
        if len(self._answers) < MAX_CACHED:
            self._answers[key] = data
        return data

    def explain(self, key: AnswerKey, partner: str) -> bytes:
        """The encoded :class:`~graphsvc.analysis.results.PartnerExplanation` of ``partner`` for ``key``."""
        community, options = key
        with self._lock:
            result = explain(self.recommender, community, partner, options)
        return result.model_dump_json().encode()

    def warm(self, is_current: Callable[[], bool] | None = None) -> None:
        """Compute the default answer of every community (run in a background thread)."""
        for community in self.community_ids:
            if is_current is not None and not is_current():
                return  # a newer edition took over
            self.answer((community, RecommendationOptions(k=DEFAULT_K)))
        self.warmed.set()
        log.info("recommendations warmed for %d communities", len(self.community_ids))


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
    if isinstance(service, RecommendationService):
        service.warm(is_current=is_current)
    if is_current() and edition.graph.number_of_nodes() >= FREEZE_GC_NODES:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
