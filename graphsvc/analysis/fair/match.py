"""The project subscription fair (公益项目认购会): which sponsor takes which proposed project.

A hub holds a fair; communities bring their *proposed* projects (``G.graph["projects"]``, see
:func:`graphsvc.graph.add_projects`), sponsors bring budgets. :func:`fair` chooses, for every project, at most one
sponsor that takes what is left of its budget, so that the residents' need the matched projects cover, weighted by
how likely each sponsorship is, is as large as it can be under every sponsor's budget and capacity.

What a match is worth
---------------------
A project of community ``c`` covering ``amount`` in category ``k`` brings ``share(amount, need, need)`` of the
coverage rule (:mod:`graphsvc.analysis.core.coverage`: the project serves its own community only) and can close at most
what ``c`` still lacks there (``uncovered``, after its partners' shares and its running projects): alone, it closes
``closable(amount, need, 0, uncovered)``. A match of sponsor ``s`` is worth that times ``p(s, c)``, the link model's
probability that ``s`` and ``c`` form a partnership: the same signals
(:class:`~graphsvc.analysis.linkmodel.signals.SignalEngine`), transform and calibrated
:class:`~graphsvc.analysis.linkmodel.model_selection.LinkModel` the recommendations show.
Projects of one community covering one category share its uncovered need: the expected need covered is
``sum over (community, category) of min(uncovered, sum of p * share over its matched projects)``.

Who may take what
-----------------
A sponsor present may take a project if it offers one of the categories the project covers, or offers ``funding``
(money pays for any project); it is of the project's street or of none (a fair is held per street; media and the
district's partners come to every one); and it may serve the community (:func:`~graphsvc.analysis.core.common.
may_serve`). It pays what is left of the project's budget (its budget less what sponsors already took); what it
takes in all stays within its budget, and the projects it takes in communities it does not serve yet stay within
its capacity (its headroom, :func:`~graphsvc.analysis.core.common.headroom`).

The solver
----------
Up to :data:`MILP_PAIRS` sponsor-project pairs the choice is an exact mixed-integer programme
(``scipy.optimize.milp``, HiGHS: binary ``x`` per pair, continuous ``y`` per community and category, ``y <=
uncovered``, ``y <= sum p * share * x``, one sponsor per project, budgets, capacities; at most
:data:`MILP_SECONDS` seconds). Above it, or when the solver stops without a solution, a greedy that takes the
match adding most expected need per yuan, one at a time (:func:`_greedy`); the result names the solver used.

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.model_selection import prior_model
>>> G = nx.Graph(policy="generic", projects=[
...     {"id": "p1", "community": "c", "title": "饭堂", "covers": {"elderly_care": 2.0}, "budget": 800.0,
...      "status": "proposed", "sponsors": [], "proposed_on": "2025-01-01", "start": None, "end": None},
...     {"id": "p2", "community": "c", "title": "课堂", "covers": {"youth": 1.0}, "budget": 800.0,
...      "status": "proposed", "sponsors": [], "proposed_on": "2025-01-02", "start": None, "end": None}])
>>> G.add_node("c", kind="community", name="社区", needs={"elderly_care": 2.0, "youth": 1.0})
>>> G.add_node("e", kind="enterprise", name="企业", offers={"funding": 5.0})
>>> result = fair(G, model=prior_model(True), sponsors=[FairSponsor(partner="e", budget=1000)])
>>> [(m.project, m.sponsor) for m in result.matches], [(u.project, u.reason) for u in result.unmatched]
([('p1', 'e')], [('p2', 'budgets_taken')])
>>> first_come(G, model=prior_model(True), sponsors=[FairSponsor(partner="e", budget=1000)]).matches[0].project
'p1'
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from pydantic import Field

from graphsvc.analysis.core.common import Result, check_graph, headroom, is_community, is_partner, may_serve
from graphsvc.analysis.core.coverage import closable, coverage_shares, covered_amounts, residents_needs, share
from graphsvc.analysis.linkmodel.model_selection import DECIMALS, LinkModel, fit_model
from graphsvc.analysis.linkmodel.signals import SignalEngine, transform
from graphsvc.errors import EntityNotFound, NotFound
from graphsvc.vocabulary import EntityKind, ProjectStatus, Subtype, category

MILP_PAIRS = 20_000
"""Sponsor-project pairs above which the fair is chosen greedily instead of by the exact programme."""
MILP_SECONDS = 20.0
"""How long the exact programme may run before its best solution so far (or the greedy one) is taken."""
FUNDING = "funding"
"""The category whose sponsors may take any project: money pays for whatever the project covers."""
BUDGET_ATTRIBUTE = "budget"
"""The free column of a partner (``entities.csv``) that gives its fair budget in yuan."""
DEFAULT_BUDGETS: dict[EntityKind, float] = {
    EntityKind.ENTERPRISE: 20_000.0,
    EntityKind.ORGANIZATION: 8_000.0,
    EntityKind.SCHOOL: 3_000.0,
    EntityKind.MEDIA: 5_000.0,
}
"""A sponsor's budget in yuan when neither the caller nor its ``budget`` column gives one: a planner's assumption
(caring enterprises bring money, organizations, student societies and media mostly services in kind), to be
replaced by the budgets sponsors announce."""
NOT_SPONSORS = frozenset({Subtype.DISTRICT_HUB, Subtype.STREET_HUB, Subtype.SELF_ORGANIZATION})
"""Partners not counted among a fair's sponsors by default: hubs hold the fair, self-organizations are residents."""
SOLVERS = ("auto", "milp", "greedy")
TINY = 1e-9


class FairSponsor(Result):
    """A sponsor present at the fair: its budget in yuan and how many more communities it can take (``None``: as
    its headroom in the graph says)."""

    partner: str = Field(min_length=1, max_length=200)
    budget: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    capacity: int | None = Field(default=None, ge=0, le=1_000_000)


class FairReason(Result):
    """One reason of a match, in the planner's words."""

    code: str
    text_zh: str
    text_en: str


class FairMatch(Result):
    """A sponsor taking a project."""

    project: str
    title: str
    community: str
    community_name: str | None
    street: str | None
    sponsor: str
    sponsor_name: str | None
    cost: float
    """What the sponsor pays: what was left of the project's budget (yuan)."""
    need_closed: float
    """Need the project would close alone if it runs."""
    probability: float
    """The link model's probability that sponsor and community form a partnership."""
    expected: float
    """``probability x need_closed``."""
    reasons: list[FairReason]


class FairUnmatched(Result):
    """A project no sponsor takes at this fair, and why."""

    project: str
    title: str
    community: str
    community_name: str | None
    street: str | None
    cost: float
    need_closed: float
    reason: str
    """``no_sponsor_offers``, ``need_met``, ``too_costly``, ``no_room``, ``budgets_taken`` or ``covered_by_other``."""
    text_zh: str
    text_en: str
    rivals: list[str] = Field(default_factory=list)
    """For ``budgets_taken``: the projects its possible sponsors took instead."""


class SponsorUse(Result):
    """What one sponsor takes at the fair."""

    partner: str
    name: str | None
    street: str | None
    budget: float
    spent: float
    projects: list[str]


class FairResult(Result):
    """The fair's matches, its unmatched projects with their reasons, and what the matches are worth."""

    street: str | None
    solver: str
    """``milp`` (the exact programme), ``greedy`` (its fallback) or ``first_come`` (the baseline)."""
    projects: int
    need_covered: float
    """Expected need covered by the matches (the objective)."""
    need_offered: float
    """Need the proposed projects would close if every one ran."""
    matches: list[FairMatch]
    unmatched: list[FairUnmatched]
    sponsors: list[SponsorUse]

    def streets(self) -> list[str | None]:
        """The streets of the projects, in order (``None`` last: communities without a street)."""
        found = {m.street for m in self.matches} | {u.street for u in self.unmatched}
        return sorted(found, key=lambda s: (s is None, s or ""))


# -- the setup: projects, sponsors, eligible pairs and what each is worth ------------------------------------------


@dataclass
class _Fair:
    G: nx.Graph
    projects: list[dict[str, Any]]
    sponsors: list[FairSponsor]
    cost: np.ndarray
    closes: np.ndarray
    pair_sponsor: np.ndarray
    pair_project: np.ndarray
    prob: np.ndarray
    uses_room: np.ndarray
    room: list[int | None]
    uncovered: np.ndarray
    cells: list[list[tuple[int, float]]]
    """Per project: ``(cell, share)`` of each category it covers (cells: a community's category)."""
    cell_keys: list[tuple[str, str]]
    no_offer: dict[int, list[str]] = field(default_factory=dict)

    def value(self, chosen: Iterable[int]) -> float:
        """Expected need covered by the chosen pairs."""
        sums = np.zeros(len(self.uncovered))
        for i in chosen:
            for cell, amount in self.cells[int(self.pair_project[i])]:
                sums[cell] += self.prob[i] * amount
        return float(np.minimum(self.uncovered, sums).sum())


def sponsors_present(
    G: nx.Graph, *, street: str | None = None, budgets: dict[str, float] | None = None
) -> list[FairSponsor]:
    """The sponsors a fair counts on by default: every partner but hubs and self-organizations (of ``street`` or of
    none, when a street is given), with the budget ``budgets`` gives, else its ``budget`` column, else
    :data:`DEFAULT_BUDGETS` of its kind.

    >>> G = nx.Graph()
    >>> G.add_node("e", kind="enterprise", street="拱北", attributes={"budget": "12000"})
    >>> G.add_node("m", kind="media")
    >>> G.add_node("h", kind="organization", subtype="street_hub", street="拱北")
    >>> [(s.partner, s.budget) for s in sponsors_present(G, street="拱北")]
    [('e', 12000.0), ('m', 5000.0)]
    """
    out = []
    for node in sorted(G, key=str):
        if not is_partner(G, node):
            continue
        data = G.nodes[node]
        if data.get("subtype") in NOT_SPONSORS:
            continue
        if street is not None and data.get("street") not in (street, None):
            continue
        budget = (budgets or {}).get(str(node))
        if budget is None:
            budget = _budget_column(data.get("attributes") or {})
        if budget is None:
            budget = DEFAULT_BUDGETS.get(EntityKind(data["kind"]), 0.0)
        out.append(FairSponsor(partner=str(node), budget=float(budget)))
    return out


def _budget_column(attributes: dict[str, Any]) -> float | None:
    try:
        value = float(str(attributes[BUDGET_ATTRIBUTE]).replace(",", ""))
    except (KeyError, ValueError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def proposed_projects(G: nx.Graph, *, street: str | None = None) -> list[dict[str, Any]]:
    """The projects a fair offers: ``proposed``, with some of their budget left, in their communities (of
    ``street`` if given), in the order they were proposed (date, then id)."""
    out = []
    for p in G.graph.get("projects") or []:
        if p["status"] != ProjectStatus.PROPOSED.value or p["community"] not in G:
            continue
        if street is not None and G.nodes[p["community"]].get("street") != street:
            continue
        if p["budget"] - sum(a for _, a in p["sponsors"]) <= TINY:
            continue
        out.append(p)
    return sorted(out, key=lambda p: (p.get("proposed_on") or "9999-12-31", p["id"]))


def _setup(
    G: nx.Graph,
    model: LinkModel | None,
    projects: list[dict[str, Any]],
    sponsors: list[FairSponsor],
    engine: SignalEngine | None,
) -> _Fair:
    for s in sponsors:
        if s.partner not in G:
            raise EntityNotFound(s.partner)
    communities = sorted({p["community"] for p in projects})
    shares = coverage_shares(G, communities)
    uncovered: dict[tuple[str, str], float] = {}
    needs: dict[str, dict[str, float]] = {}
    for c in communities:
        needs[c] = residents_needs(G, c)
        covered = covered_amounts(needs[c], shares.get(c, {}))
        for k, w in needs[c].items():
            uncovered[c, k] = max(0.0, w - covered[k])
    cell_keys = sorted(uncovered)
    cell_of = {key: i for i, key in enumerate(cell_keys)}
    cells: list[list[tuple[int, float]]] = []
    closes = np.zeros(len(projects))
    cost = np.zeros(len(projects))
    for j, p in enumerate(projects):
        c = p["community"]
        mine = []
        for k, amount in sorted(p["covers"].items()):
            need = needs[c].get(k, 0.0)
            if need <= 0:
                continue
            mine.append((cell_of[c, k], share(float(amount), need, need)))
            closes[j] += closable(float(amount), need, 0.0, uncovered[c, k])
        cells.append(mine)
        cost[j] = max(0.0, float(p["budget"]) - sum(a for _, a in p["sponsors"]))
    pairs: list[tuple[int, int]] = []
    no_offer: dict[int, list[str]] = {}
    offers = {s.partner: set((G.nodes[s.partner].get("offers") or {}).keys()) for s in sponsors}
    for j, p in enumerate(projects):
        c, street = p["community"], G.nodes[p["community"]].get("street")
        fit = []
        for i, s in enumerate(sponsors):
            there = G.nodes[s.partner].get("street")
            if there not in (None, street) or not may_serve(G, s.partner, c):
                continue
            if offers[s.partner] & {*p["covers"], FUNDING}:
                fit.append((i, j))
        if not fit:
            no_offer[j] = sorted(p["covers"])
        pairs += fit
    ends = [(projects[j]["community"], sponsors[i].partner) for i, j in pairs]
    if ends:
        engine = engine if engine is not None else SignalEngine(G)
        model = model if model is not None else fit_model(G, seed=0)
        scores = np.round(model.score(transform(engine.pair_features(ends))), DECIMALS)
        prob = model.probability(scores)
    else:
        prob = np.zeros(0)
    room = [s.capacity if s.capacity is not None else headroom(G, s.partner) for s in sponsors]
    return _Fair(
        G=G,
        projects=projects,
        sponsors=sponsors,
        cost=cost,
        closes=closes,
        pair_sponsor=np.array([i for i, _ in pairs], dtype=np.int64),
        pair_project=np.array([j for _, j in pairs], dtype=np.int64),
        prob=np.asarray(prob, dtype=float),
        uses_room=np.array([not G.has_edge(c, s) for c, s in ends], dtype=bool),
        room=room,
        uncovered=np.array([uncovered[key] for key in cell_keys]),
        cells=cells,
        cell_keys=cell_keys,
        no_offer=no_offer,
    )


# -- solvers ---------------------------------------------------------------------------------------------------------


class _Ledger:
    """Budgets and room left as pairs are taken."""

    def __init__(self, f: _Fair) -> None:
        self.f = f
        self.budget = np.array([s.budget for s in f.sponsors], dtype=float)
        self.room: list[float] = [math.inf if r is None else float(r) for r in f.room]
        self.taken: set[int] = set()

    def fits(self, i: int) -> bool:
        f, s = self.f, int(self.f.pair_sponsor[i])
        j = int(f.pair_project[i])
        if j in self.taken or f.prob[i] <= 0 or f.cost[j] > self.budget[s] + TINY:
            return False
        return not (f.uses_room[i] and self.room[s] < 1)

    def take(self, i: int) -> None:
        f, s = self.f, int(self.f.pair_sponsor[i])
        self.budget[s] -= f.cost[int(f.pair_project[i])]
        if f.uses_room[i]:
            self.room[s] -= 1
        self.taken.add(int(f.pair_project[i]))


def _first_come(f: _Fair) -> list[int]:
    """Projects in the order they were proposed; each goes to the likeliest sponsor that can still take it."""
    ledger = _Ledger(f)
    chosen = []
    by_project: dict[int, list[int]] = defaultdict(list)
    for i, j in enumerate(f.pair_project.tolist()):
        by_project[j].append(i)
    for j in range(len(f.projects)):
        open_pairs = [i for i in by_project[j] if ledger.fits(i)]
        if open_pairs:
            best = max(open_pairs, key=lambda i: (f.prob[i], -i))
            ledger.take(best)
            chosen.append(best)
    return chosen


def _greedy(f: _Fair) -> list[int]:
    """Take, one at a time, the pair adding most expected need per yuan (per pair where nothing is paid), until no
    pair adds any."""
    ledger = _Ledger(f)
    sums = np.zeros(len(f.uncovered))
    chosen: list[int] = []
    while True:
        best, best_key = -1, (0.0, 0.0)
        for i in range(len(f.pair_project)):
            if not ledger.fits(i):
                continue
            j = int(f.pair_project[i])
            gain = sum(
                min(f.uncovered[c], sums[c] + f.prob[i] * a) - min(f.uncovered[c], sums[c]) for c, a in f.cells[j]
            )
            if gain <= TINY:
                continue
            key = (gain / f.cost[j] if f.cost[j] > 0 else math.inf, gain)
            if key > best_key:
                best, best_key = i, key
        if best < 0:
            return chosen
        ledger.take(best)
        chosen.append(best)
        for c, a in f.cells[int(f.pair_project[best])]:
            sums[c] += f.prob[best] * a


def _milp(f: _Fair) -> list[int] | None:
    """The exact choice by ``scipy.optimize.milp``; ``None`` if it found no solution in time."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = len(f.pair_project), len(f.uncovered)
    if n == 0:
        return []
    # variables: x (n pairs, binary) then y (m cells); minimise -sum y + a tiny price per match (no useless matches)
    c = np.concatenate([np.full(n, 1e-6), -np.ones(m)])
    rows: list[sp.coo_array] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    # y_cell - sum p * share * x <= 0
    r, col, val = [], [], []
    for i in range(n):
        for cell, amount in f.cells[int(f.pair_project[i])]:
            r.append(cell)
            col.append(i)
            val.append(-f.prob[i] * amount)
    r += list(range(m))
    col += [n + k for k in range(m)]
    val += [1.0] * m
    rows.append(sp.coo_array((val, (r, col)), shape=(m, n + m)))
    lower.append(np.full(m, -np.inf))
    upper.append(np.zeros(m))
    # one sponsor per project
    pj = f.pair_project
    rows.append(sp.coo_array((np.ones(n), (pj, np.arange(n))), shape=(len(f.projects), n + m)))
    lower.append(np.full(len(f.projects), -np.inf))
    upper.append(np.ones(len(f.projects)))
    # budgets
    ps = f.pair_sponsor
    rows.append(sp.coo_array((f.cost[pj], (ps, np.arange(n))), shape=(len(f.sponsors), n + m)))
    lower.append(np.full(len(f.sponsors), -np.inf))
    upper.append(np.array([s.budget for s in f.sponsors], dtype=float))
    # room for new communities
    limited = [s for s, room in enumerate(f.room) if room is not None]
    if limited:
        at = {s: k for k, s in enumerate(limited)}
        use = [i for i in range(n) if f.uses_room[i] and int(ps[i]) in at]
        rows.append(
            sp.coo_array((np.ones(len(use)), ([at[int(ps[i])] for i in use], use)), shape=(len(limited), n + m))
        )
        lower.append(np.full(len(limited), -np.inf))
        upper.append(np.array([float(f.room[s]) for s in limited]))  # type: ignore[arg-type]
    A = sp.vstack(rows).tocsr()
    x_upper = np.where(f.prob > 0, 1.0, 0.0)
    bounds = Bounds(np.zeros(n + m), np.concatenate([x_upper, f.uncovered]))
    integrality = np.concatenate([np.ones(n), np.zeros(m)])
    res = milp(
        c,
        constraints=LinearConstraint(A, np.concatenate(lower), np.concatenate(upper)),
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": MILP_SECONDS, "mip_rel_gap": 1e-7},
    )
    if res.x is None:
        return None
    return [i for i in range(n) if res.x[i] > 0.5]


# -- the answer --------------------------------------------------------------------------------------------------


def _name(G: nx.Graph, node: Hashable) -> str | None:
    return G.nodes[node].get("name") if node in G else None


def _cats(codes: Iterable[str]) -> tuple[str, str]:
    labels = [category(c) for c in codes]
    return "、".join(c.zh for c in labels), ", ".join(c.en for c in labels)


def _yuan(amount: float) -> str:
    return f"¥{amount:,.0f}"


def _match_reasons(f: _Fair, i: int, budget: float) -> list[FairReason]:
    G, s = f.G, f.sponsors[int(f.pair_sponsor[i])]
    j = int(f.pair_project[i])
    p = f.projects[j]
    c = p["community"]
    covered = sorted(k for k in p["covers"] if residents_needs(G, c).get(k, 0.0) > 0)
    zh, en = _cats(covered or p["covers"])
    reasons = [
        FairReason(
            code="covers",
            text_zh=f"补上{_name(G, c) or c}尚缺的{zh}共 {f.closes[j]:.1f}",
            text_en=f"closes {f.closes[j]:.1f} of what {_name(G, c) or c} still lacks in {en}",
        ),
        FairReason(
            code="likely",
            text_zh=f"结成合作的可能性 {f.prob[i]:.0%}（合作预测模型）",
            text_en=f"{f.prob[i]:.0%} likely to form a partnership (the link model)",
        ),
    ]
    offered = set((G.nodes[s.partner].get("offers") or {}).keys())
    mine = sorted(offered & set(p["covers"]))
    if mine:
        ozh, oen = _cats(mine)
        reasons.append(FairReason(code="offers", text_zh=f"本身提供{ozh}", text_en=f"offers {oen} itself"))
    else:
        reasons.append(FairReason(code="funds", text_zh="以资金认购", text_en="funds it"))
    if G.has_edge(c, s.partner):
        reasons.append(
            FairReason(code="partner", text_zh="已在该社区合作", text_en="already works with this community")
        )
    elif G.nodes[s.partner].get("street") is not None:
        reasons.append(FairReason(code="street", text_zh="同一街道", text_en="of the same street"))
    reasons.append(
        FairReason(
            code="budget",
            text_zh=f"用去预算 {_yuan(f.cost[j])}（共 {_yuan(budget)}）",
            text_en=f"takes {_yuan(f.cost[j])} of its {_yuan(budget)} budget",
        )
    )
    return reasons


def _why_not(f: _Fair, j: int, ledger: _Ledger, chosen: dict[int, int], sums: np.ndarray) -> FairUnmatched:
    G, p = f.G, f.projects[j]
    mine = [i for i in range(len(f.pair_project)) if int(f.pair_project[i]) == j and f.prob[i] > 0]
    names: list[str] = []
    rivals: list[str] = []
    if f.closes[j] <= TINY:
        code = "need_met"
        zh, en = (
            "所覆盖的需求已被现有合作方或实施中的项目满足",
            "the needs it covers are already met by partners or running projects",
        )
    elif not mine:
        czh, cen = _cats(f.no_offer.get(j) or p["covers"])
        code = "no_sponsor_offers"
        zh, en = f"到场的认购方中没有提供{czh}或资金的", f"no sponsor present offers {cen} or funding"
    else:
        sponsors = {int(f.pair_sponsor[i]) for i in mine}
        affordable = {s for s in sponsors if f.sponsors[s].budget + TINY >= f.cost[j]}
        roomy = {
            int(f.pair_sponsor[i])
            for i in mine
            if int(f.pair_sponsor[i]) in affordable and (not f.uses_room[i] or f.room[int(f.pair_sponsor[i])] != 0)
        }
        names = [_name(G, f.sponsors[s].partner) or f.sponsors[s].partner for s in sorted(roomy)]
        available = [i for i in mine if ledger.fits(i)]
        if not affordable:
            code = "too_costly"
            zh = f"到场认购方的预算都不足 {_yuan(f.cost[j])}"
            en = f"no sponsor present has a budget of {_yuan(f.cost[j])}"
        elif not roomy:
            code = "no_room"
            zh, en = (
                "能认购它的认购方已无余力服务新的社区",
                "the sponsors who could take it have no room for another community",
            )
        elif not available:
            code = "budgets_taken"
            rivals = sorted({f.projects[k]["id"] for k, s in chosen.items() if s in roomy})
            shown = "、".join(names[:3]) + ("等" if len(names) > 3 else "")
            zh = f"能认购它的{shown}的预算或余力已给了覆盖更多需求的项目：{'、'.join(rivals[:5]) or '—'}"
            en = (
                f"the sponsors who could take it ({', '.join(names[:3])}{'…' if len(names) > 3 else ''}) spent "
                f"their budgets or room on projects that cover more: {', '.join(rivals[:5]) or '—'}"
            )
        else:
            gain = max(
                sum(min(f.uncovered[c], sums[c] + f.prob[i] * a) - min(f.uncovered[c], sums[c]) for c, a in f.cells[j])
                for i in available
            )
            if gain <= 1e-6:
                code = "covered_by_other"
                zh, en = (
                    "同社区已认购的项目已覆盖它的需求",
                    "a matched project of its community already covers its needs",
                )
            else:
                code = "budgets_taken"
                zh = "在这些预算下，其他组合覆盖的需求更多"
                en = "at these budgets, other matches cover more need"
    return FairUnmatched(
        project=p["id"],
        title=p["title"],
        community=p["community"],
        community_name=_name(G, p["community"]),
        street=G.nodes[p["community"]].get("street"),
        cost=round(float(f.cost[j]), 2),
        need_closed=round(float(f.closes[j]), 3),
        reason=code,
        text_zh=zh,
        text_en=en,
        rivals=rivals,
    )


def _answer(f: _Fair, chosen: list[int], solver: str, street: str | None) -> FairResult:
    G = f.G
    ledger = _Ledger(f)
    sums = np.zeros(len(f.uncovered))
    by_project: dict[int, int] = {}
    for i in chosen:
        ledger.take(i)
        by_project[int(f.pair_project[i])] = int(f.pair_sponsor[i])
        for c, a in f.cells[int(f.pair_project[i])]:
            sums[c] += f.prob[i] * a
    matches = []
    for i in sorted(chosen, key=lambda i: f.projects[int(f.pair_project[i])]["id"]):
        j, s = int(f.pair_project[i]), f.sponsors[int(f.pair_sponsor[i])]
        p = f.projects[j]
        matches.append(
            FairMatch(
                project=p["id"],
                title=p["title"],
                community=p["community"],
                community_name=_name(G, p["community"]),
                street=G.nodes[p["community"]].get("street"),
                sponsor=s.partner,
                sponsor_name=_name(G, s.partner),
                cost=round(float(f.cost[j]), 2),
                need_closed=round(float(f.closes[j]), 3),
                probability=round(float(f.prob[i]), 4),
                expected=round(float(f.prob[i] * f.closes[j]), 3),
                reasons=_match_reasons(f, i, s.budget),
            )
        )
    unmatched = [_why_not(f, j, ledger, by_project, sums) for j in range(len(f.projects)) if j not in by_project]
    unmatched.sort(key=lambda u: u.project)
    uses = []
    for k, s in enumerate(f.sponsors):
        taken = sorted(f.projects[j]["id"] for j, t in by_project.items() if t == k)
        if taken:
            uses.append(
                SponsorUse(
                    partner=s.partner,
                    name=_name(G, s.partner),
                    street=G.nodes[s.partner].get("street"),
                    budget=s.budget,
                    spent=round(s.budget - float(ledger.budget[k]), 2),
                    projects=taken,
                )
            )
    return FairResult(
        street=street,
        solver=solver,
        projects=len(f.projects),
        need_covered=round(f.value(chosen), 3),
        need_offered=round(float(f.closes.sum()), 3),
        matches=matches,
        unmatched=unmatched,
        sponsors=uses,
    )


def _prepare(
    G: nx.Graph,
    model: LinkModel | None,
    sponsors: Sequence[FairSponsor] | None,
    street: str | None,
    engine: SignalEngine | None,
) -> _Fair:
    check_graph(G)
    if street is not None and not any(G.nodes[n].get("street") == street for n in G if is_community(G, n)):
        raise NotFound(f"no community in street {street!r}")
    projects = proposed_projects(G, street=street)
    present = list(sponsors) if sponsors is not None else sponsors_present(G, street=street)
    return _setup(G, model, projects, present, engine)  # fits a model only if some sponsor may take some project


def fair(
    G: nx.Graph,
    *,
    model: LinkModel | None = None,
    sponsors: Sequence[FairSponsor] | None = None,
    street: str | None = None,
    solver: str = "auto",
    engine: SignalEngine | None = None,
) -> FairResult:
    """Match the proposed projects (of ``street``, or all) with the sponsors present, for the most expected need.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot, with its projects (not changed).
    model : LinkModel, optional
        The link model whose probabilities weigh each sponsorship (default: fitted on ``G`` with seed 0).
    sponsors : sequence of FairSponsor, optional
        Who is present with what budget (default: :func:`sponsors_present`).
    street : str, optional
        Only this street's projects (and sponsors of the street or of none, when ``sponsors`` is not given).
    solver : {"auto", "milp", "greedy"}
        ``auto``: the exact programme up to :data:`MILP_PAIRS` pairs, else the greedy.
    engine : SignalEngine, optional
        The snapshot's signal engine, when the caller has one (a fitted recommender's).

    Returns
    -------
    FairResult
        Matches with reasons, unmatched projects with why, and the expected need covered (see the module doc).
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; use one of {', '.join(SOLVERS)}")
    f = _prepare(G, model, sponsors, street, engine)
    chosen: list[int] | None = None
    used = "greedy"
    if solver == "milp" or (solver == "auto" and len(f.pair_project) <= MILP_PAIRS):
        chosen = _milp(f)
        used = "milp"
    greedy = _greedy(f) if chosen is None or solver == "greedy" else None
    if chosen is None or (greedy is not None and f.value(greedy) > f.value(chosen) + TINY):
        chosen, used = greedy if greedy is not None else _greedy(f), "greedy"
    return _answer(f, chosen, used, street)


def first_come(
    G: nx.Graph,
    *,
    model: LinkModel | None = None,
    sponsors: Sequence[FairSponsor] | None = None,
    street: str | None = None,
    engine: SignalEngine | None = None,
) -> FairResult:
    """The baseline a fair is compared with: projects in the order they were proposed, each taken by the likeliest
    sponsor who can still take it (same projects, sponsors, budgets and worth as :func:`fair`)."""
    f = _prepare(G, model, sponsors, street, engine)
    return _answer(f, _first_come(f), "first_come", street)
