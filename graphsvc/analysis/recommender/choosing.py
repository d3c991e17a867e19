"""Choosing a community's list among its scored candidates: by likelihood, or greedily by the need it closes.

:class:`Chooser` is the part of :class:`~graphsvc.analysis.recommender.recommend.Recommender` that picks the top-``k``
(see :mod:`graphsvc.analysis.recommender.recommend` for the rank modes): in ``gain`` and ``gap`` modes each next
partner is
the one with the largest gain once the partners above it are applied
(:class:`~graphsvc.analysis.recommender.gain.GainState`),
partners closing nothing follow by likelihood. :meth:`Chooser.sequences` chooses the ``gain`` and ``gap``
lists of many communities in lockstep (:class:`~graphsvc.analysis.recommender.gain.Lockstep`), every value as
one list alone computes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np

from graphsvc.analysis.core.coverage import ROLE_SLOTS, is_role_category
from graphsvc.analysis.core.rank_modes import RankMode, rank_mode
from graphsvc.analysis.linkmodel.model_selection import DECIMALS
from graphsvc.analysis.recommender.gain import (
    LACKING,
    GainState,
    Lockstep,
    Pick,
    category_bits,
    fillers_facts,
)
from graphsvc.analysis.recommender.scoring import GAIN_DECIMALS, Scorer

GAIN_EPSILON = 0.5 * 10.0**-GAIN_DECIMALS
"""A gain at most this (it rounds to 0 as lists show it) closes nothing: the partner is not on a ``gain`` or
``gap`` list."""


@dataclass
class Sequence:
    """A community's list in its one order: the partners that close some gap (``closing``, best first), then
    those that close nothing (``others``, by likelihood; empty unless asked for). ``fillers`` counts the
    candidates that close some gap on the snapshot (``None`` in ``likelihood`` mode)."""

    closing: list[Pick]
    others: list[Pick]
    fillers: int | None

    @property
    def picks(self) -> list[Pick]:
        return [*self.closing, *self.others]


@dataclass
class Prepared:
    """What :meth:`Chooser.prepare` computes for many lists at once, for one of them: the probabilities of
    its candidates."""

    probs: np.ndarray


class Chooser:
    """The lists chosen among the candidates a :class:`~graphsvc.analysis.recommender.scoring.Scorer` scores.

    Parameters
    ----------
    scorer : Scorer
        The scored candidates of one snapshot (read: its columns, gain tables and link model).
    """

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    # -- choosing the list
    def valid(self, scores: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
        valid = np.isfinite(scores)
        return np.asarray(valid if keep is None else valid & keep)

    def picks(
        self,
        query: Hashable,
        scores: np.ndarray,
        valid: np.ndarray,
        k: int,
        min_score: float | None,
        rank: RankMode,
        js: np.ndarray | None = None,
        prepared: Prepared | None = None,
        *,
        others: int = 0,
    ) -> Sequence:
        """The list's picks among the scored columns (every candidate, or positions ``js``); ``Pick.j`` is the
        position in :attr:`cols`. ``prepared``: what :meth:`prepare` computed for many lists at once.

        In ``gain`` and ``gap`` modes the list holds the partners that close some gap (at most ``k``), then at
        most ``others`` partners that close nothing, by likelihood: the two parts of one order, the one every
        view of the list (explain, the API's why-not, the research frames) reads its ranks from."""
        nodes = self.scorer.cols if js is None else self.scorer.cols[js]
        at = (lambda j: j) if js is None else (lambda j: int(js[j]))
        probs = self.scorer.model.probability(scores) if prepared is None else prepared.probs
        state = (
            GainState(self.scorer.tables, self.scorer.engine.index[query]) if self.scorer.tables is not None else None
        )
        order = np.lexsort((np.arange(len(scores)), -scores))
        order = order[valid[order]]
        by_need = rank_mode(rank).by_need
        if not by_need or state is None:
            picks: list[Pick] = []
            if by_need and self.scorer.typed:  # a snapshot with no need recorded anywhere: nobody closes a gap
                for j in order[: max(0, others)].tolist():
                    picks.append(self.take(state, at(j), 0.0, probs[j]))
                return Sequence([], picks, 0)
            for j in order[: max(0, k)].tolist():
                if min_score is not None and round(float(scores[j]), 6) < min_score:
                    break
                picks.append(self.take(state, at(j), float(scores[j]), probs[j]))
            return Sequence(picks, [], None)
        return self._greedy(state, nodes, scores, probs, valid, order, k, min_score, rank, at, others)

    def _greedy(
        self,
        state: GainState,
        nodes: np.ndarray,
        scores: np.ndarray,
        probs: np.ndarray,
        valid: np.ndarray,
        order: np.ndarray,
        k: int,
        min_score: float | None,
        rank: RankMode,
        at: Callable[[int], int],
        others: int = 0,
    ) -> Sequence:
        """The ``gain`` and ``gap`` lists (see the module doc): each next pick the partner with the largest
        gain once the picks above it are applied. The *fillers* (valid partners offering a category the
        community lacks) are ranked by gain, asked again after every pick; a filler whose gain is no longer
        positive closes nothing from then on (what a community lacks only shrinks) and joins the rest, which
        follow in ``order`` (by likelihood) after every partner that closes something."""
        fill = np.flatnonzero(valid & state.offers_lacking(nodes))
        among = state.among(nodes[fill])
        left = np.ones(len(fill), dtype=bool)
        mode = rank_mode(rank)
        weight = probs[fill]
        likelihood = -np.round(scores[fill], DECIMALS)
        roles = self._role_columns()
        closing_list: list[Pick] = []
        closing_count: int | None = None
        seen = -1  # the state's version the fillers were last ranked at
        ranking: list[int] = []
        first = 0  # ranking[first:] holds every filler left
        stopped = False
        while len(closing_list) < k and left.any():
            if state.version != seen:
                gains, closed, lost = among.gains_and_terms(among.closing())
                useful = gains > GAIN_EPSILON
                if closing_count is None:
                    closing_count = int((left & useful).sum())
                left &= useful
                if not left.any():
                    break
                # a state no link changed has the same gains: ranked once per version, the next pick is the
                # best filler still left (what ranking all again would give, the picked ones last)
                primary = mode.weigh(gains, weight)
                ranked = np.where(left, -np.round(primary, GAIN_DECIMALS), np.inf)
                ranking = np.lexsort((likelihood, ranked)).tolist()  # stable: ties by column (``fill`` is sorted)
                first, seen = 0, state.version
            while not left[ranking[first]]:
                first += 1
            i = ranking[first]
            if len(roles) and len(closing_list) < ROLE_SLOTS:
                # the places left in the first ROLE_SLOTS go to the missing roles some partner left can fill
                fills = left[:, None] & (closed[:, roles] > GAIN_EPSILON)
                open_roles = fills.any(axis=0)
                if 0 < ROLE_SLOTS - len(closing_list) <= int(open_roles.sum()) and not fills[i].any():
                    i = next(x for x in ranking[first:] if fills[x].any())
            j, value = int(fill[i]), float(primary[i])
            if min_score is not None and round(value, 6) < min_score:
                stopped = True
                break
            left[i] = False
            closing_list.append(self.take(state, at(j), value, probs[j], (float(gains[i]), closed[i], lost[i])))
        if closing_count is None:
            closing_count = 0
        rest: list[Pick] = []
        if others > 0 and not stopped and (min_score is None or min_score <= 0):
            rest = self._others(state, closing_list, order, probs, at, others)
        return Sequence(closing_list, rest, closing_count)

    def _others(
        self,
        state: GainState,
        closing: list[Pick],
        order: np.ndarray,
        probs: np.ndarray,
        at: Callable[[int], int],
        others: int,
    ) -> list[Pick]:
        """The partners that close nothing after the ``closing`` ones: at most ``others`` of ``order`` (valid
        columns by likelihood) not picked, each with the community's state once the closing ones are applied."""
        rest: list[Pick] = []
        picked = {p.j for p in closing}
        nothing = np.zeros(state.t.ncat)
        for j in order.tolist():
            if len(rest) >= others:
                break
            if at(j) in picked:
                continue
            rest.append(self.take(state, at(j), 0.0, probs[j], (0.0, nothing, nothing), apply=False))
        return rest

    def _role_columns(self) -> np.ndarray:
        """The engine's categories that are five-society roles (see :mod:`graphsvc.analysis.core.coverage`)."""
        cats = self.scorer.engine.cats if self.scorer.tables is not None else []
        return np.array([k for k, cat in enumerate(cats) if is_role_category(cat)], dtype=np.int64)

    def take(
        self,
        state: GainState | None,
        j: int,
        score: float,
        probability: float,
        terms: tuple[float, np.ndarray, np.ndarray] | None = None,
        *,
        apply: bool = True,
    ) -> Pick:
        """Pick column ``j`` and apply its link to ``state`` (unless not ``apply``); ``terms`` is its ``(gain, closed,
        lost)`` when the caller has them (closed and lost zero for a partner closing nothing), else they are
        computed here."""
        if state is None:
            empty = np.zeros(0)
            return Pick(j, score, 0.0, float(probability), empty, empty, empty)
        p = int(self.scorer.cols[j])
        uncovered = state.lacking()
        if terms is None:
            gains, closed, lost = state.gains_and_terms(np.array([p], dtype=np.int64))
            closes = bool(state.offers_lacking(np.array([p], dtype=np.int64))[0])
            none = np.zeros_like(closed[0])
            terms = (float(gains[0]), closed[0], lost[0]) if closes else (float(gains[0]), none, none)
        if apply:
            state.apply(p)
        return Pick(j, score, terms[0], float(probability), terms[1], terms[2], uncovered)

    def prepare(self, scores: np.ndarray, starts: np.ndarray) -> list[Prepared]:
        """For the ``likelihood`` lists of many communities (candidates as :meth:`Scorer.score_rows` gives them): the
        probabilities of each one's candidates, computed for all at once (elementwise: each as one list alone
        computes it). The ``gain`` and ``gap`` lists of many communities: :meth:`sequences`."""
        probs = self.scorer.model.probability(scores)
        return [Prepared(probs[a:b]) for a, b in itertools.pairwise(starts.tolist())]

    def sequences(
        self,
        queries: np.ndarray,
        scores: np.ndarray,
        js: np.ndarray,
        starts: np.ndarray,
        keep: np.ndarray | None,
        k: int,
        min_score: float | None,
        rank: RankMode,
        *,
        others: int = 0,
    ) -> list[Sequence]:
        """The ``gain`` and ``gap`` lists of ``queries`` (candidates as :meth:`Scorer.score_rows` gives them, ``keep``
        masking every candidate): what :meth:`picks` makes of each alone, chosen in lockstep -- each round of the
        greedy is one round of array calls for every community still choosing (:class:`Lockstep`), every value
        computed as one list alone computes it.

        Only for a mode by need on a snapshot with needs (``tables``); ``Pick.j`` is the position in :attr:`cols`.
        """
        t = self.scorer.tables
        assert t is not None and rank_mode(rank).by_need
        mode = rank_mode(rank)
        eng = self.scorer.engine
        probs = self.scorer.model.probability(scores)
        nodes = self.scorer.cols[js]
        bounds = starts.tolist()
        n = len(queries)
        owner_of = np.repeat(np.arange(n), np.diff(starts))
        valid = np.isfinite(scores) if keep is None else np.isfinite(scores) & keep[js]
        lacking = np.maximum(0.0, eng.N[queries] - eng.S[queries]) > LACKING  # as GainState.lacking() starts
        fill = np.flatnonzero(valid & (t.offer_bits[nodes] & category_bits(lacking)[owner_of] != 0))
        owner = owner_of[fill]
        states = [GainState(t, q) for q in queries.tolist()]
        many = Lockstep(states, owner, nodes[fill], fillers_facts(t, eng.N[queries][owner], nodes[fill]))
        weight = probs[fill]
        likelihood = -np.round(scores[fill], DECIMALS)
        roles = self._role_columns()
        cut = many.bounds
        closing: list[list[Pick]] = [[] for _ in range(n)]
        counts = [0] * n
        stopped = [False] * n
        left = np.ones(len(fill), dtype=bool)
        live = [c for c in range(n) if k > 0 and cut[c + 1] > cut[c]]
        first = True
        while live:
            # the fillers left of the communities still choosing (a filler once closing nothing never closes again)
            rows, gains, closed, lost = many.gains_and_terms(live, None if first else left)
            own = owner[rows]
            useful = gains > GAIN_EPSILON
            if first:  # what each community could close on the snapshot
                counts = np.bincount(own[useful], minlength=n).tolist()
                first = False
            now = left[rows] & useful
            left[rows] = now
            primary = mode.weigh(gains, weight[rows])
            ranked = np.where(now, -np.round(primary, GAIN_DECIMALS), np.inf)
            near = likelihood[rows]
            best = _first_of(ranked, near, now, own, n)
            placing_roles = bool(len(roles)) and any(len(closing[c]) < ROLE_SLOTS for c in live)
            if placing_roles:
                # the places left in the first ROLE_SLOTS go to the missing roles some partner left can fill
                fills = now[:, None] & (closed[:, roles] > GAIN_EPSILON)
                fills_any = fills.any(axis=1)
                open_roles = np.zeros(n, dtype=np.int64)  # per community, the roles some filler left can fill
                for r in range(len(roles)):
                    open_roles += np.bincount(own[fills[:, r]], minlength=n) > 0
                best_role = _first_of(ranked, near, fills_any, own, n)
            still = []
            for c in live:
                i = int(best[c])
                if i < 0:  # nothing left that closes anything
                    continue
                placed = len(closing[c])
                if placing_roles and 0 < ROLE_SLOTS - placed <= int(open_roles[c]) and not fills_any[i]:
                    i = int(best_role[c])
                g = int(fill[rows[i]])
                value = float(primary[i])
                if min_score is not None and round(value, 6) < min_score:
                    stopped[c] = True
                    continue
                left[rows[i]] = False
                terms = (float(gains[i]), closed[i].copy(), lost[i].copy())  # not views: the round's arrays go
                closing[c].append(self.take(states[c], int(js[g]), value, probs[g], terms))
                many.refresh(c)
                if placed + 1 < k:
                    still.append(c)
            live = still
        out = []
        for c in range(n):
            rest: list[Pick] = []
            if others > 0 and not stopped[c] and (min_score is None or min_score <= 0):
                a, b = bounds[c], bounds[c + 1]
                row = scores[a:b]
                order = np.lexsort((np.arange(len(row)), -row))
                order = order[valid[a:b][order]]
                rest = self._others(states[c], closing[c], order, probs[a:b], _position(js[a:b]), others)
            out.append(Sequence(closing[c], rest, counts[c] if cut[c + 1] > cut[c] and k > 0 else 0))
        return out


def _position(js: np.ndarray) -> Callable[[int], int]:
    """Column ``j`` of a community's scored columns as a position in :attr:`Scorer.cols` (``js[j]``)."""
    return lambda j: int(js[j])


def _first_of(ranked: np.ndarray, likelihood: np.ndarray, mask: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per community (``owner`` of each row, non-decreasing), the row among ``mask`` that ``np.lexsort((likelihood,
    ranked))`` of its rows puts first (ties by row), or -1 if ``mask`` holds none of its rows."""
    out = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if not len(rows):
        return out
    for key in (ranked, likelihood):  # the rows of each community's least value, then least of these...
        who = owner[rows]
        values = key[rows]
        heads = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
        least = np.minimum.reduceat(values, heads)
        rows = rows[values == np.repeat(least, np.diff(np.r_[heads, len(rows)]))]
    who = owner[rows]
    head = np.r_[True, who[1:] != who[:-1]]
    out[who[head]] = rows[head]  # ... the first of them
    return out
