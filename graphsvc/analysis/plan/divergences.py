"""Where the plan and the lists part ways: for every community whose planned partner is not its list's #1, why,
in the plan's terms (that partner is planned where it closes more, or the list weighs the partnership's
likelihood)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx

from graphsvc.analysis.core.common import headroom, rounded
from graphsvc.analysis.core.coverage import (
    coverage_shares,
    link_gain,
)
from graphsvc.analysis.core.results import CommunityRecommendations
from graphsvc.analysis.plan.answers import DistrictPlan, DivergenceCode, PlanDivergence, PlannedLink, PlanPlace
from graphsvc.analysis.recommender.reasons import fmt


def _named(name: str | None, node: str) -> str:
    return f"{node} ({name})" if name and name != node else node


def plan_divergences(
    G: nx.Graph, plan: DistrictPlan, lists: Iterable[CommunityRecommendations]
) -> list[PlanDivergence]:
    """Why the plan gives a community another partner than its list's #1, for every such community.

    The plan weighs a link by the need it closes alone (:func:`link_gain`), within every partner's room
    (:func:`~graphsvc.analysis.core.common.headroom`, the statement of capacity the list uses too); a ``gain`` list
    weighs it by how likely the partnership is as well. For each community of ``lists`` (the lists of
    :class:`~graphsvc.analysis.recommender.recommend.Recommender`, any ``k``; only their #1 is read) whose #1 ``top`` is
    not among its planned partners, one of:

    ``planned_elsewhere``
        ``top`` has no room left once the plan is applied: the plan gives it to other communities
        (``planned_for``), where it closes ``gain_there``; here it would close ``gain_here``.
    ``weighs_likelihood``
        ``top`` has room left, but the planned partner closes at least as much here (``gain_planned`` >=
        ``gain_here``): the plan weighs need closed alone, the list weighs it by ``probability``.
    ``not_weighed``
        ``top`` has room and would close more here than the planned partner, but was not among the links the
        plan weighed for this community (the best ``candidates``, or the scalable method's ``reach``).
    ``no_room``
        ``top`` has no room on the snapshot itself, so the plan could not weigh it: the list and the plan
        disagree on capacity (not expected: both read :func:`~graphsvc.analysis.core.common.headroom`).

    A community with an empty list, or whose #1 is planned for it, has no divergence. The plan needs no link
    model; the lists bring the probabilities.

    Examples
    --------
    ``big`` (room for one) closes 3 at ``c1`` and 4 at ``c2``: the plan sends it to ``c2``. A list of ``c1``
    that puts ``big`` first hears why it got ``small``:

    >>> from graphsvc.analysis.core.results import Recommendation
    >>> from graphsvc.analysis.plan.district import district_plan
    >>> G = nx.Graph()
    >>> G.add_node("c1", kind="community", needs={"health": 3.0})
    >>> G.add_node("c2", kind="community", needs={"health": 4.0})
    >>> G.add_node("big", kind="organization", capacity=1, offers={"health": 4.0})
    >>> G.add_node("small", kind="organization", capacity=1, offers={"health": 2.0})
    >>> plan = district_plan(G)
    >>> [(x.community, x.partner, x.gain) for x in plan.links]
    [('c1', 'small', 2.0), ('c2', 'big', 4.0)]
    >>> top = Recommendation(partner="big", kind="organization", score=2.4, gain=3.0, probability=0.8, reasons=[])
    >>> [why] = plan_divergences(G, plan, [CommunityRecommendations(community="c1", recommendations=[top])])
    >>> why.code, why.gain_here, why.gain_there, why.gain_planned
    ('planned_elsewhere', 3.0, 4.0, 2.0)
    >>> why.text_en
    'big is planned for c2, where it closes 4; here it would close 3'
    """
    planned: dict[str, list[PlannedLink]] = {}
    sent: dict[str, list[PlannedLink]] = {}
    for link in plan.links:
        planned.setdefault(link.community, []).append(link)
        sent.setdefault(link.partner, []).append(link)
    nodes = {str(n): n for n in G}
    shares = coverage_shares(G)
    out = []
    for recs in lists:
        if not recs.recommendations:
            continue
        community, first = str(recs.community), recs.recommendations[0]
        top = str(first.partner)
        here = planned.get(community, [])
        if any(link.partner == top for link in here):
            continue
        c, p = nodes[community], nodes[top]
        gain_here = rounded(link_gain(G, c, p, shares=shares))
        weakest = min(here, key=lambda link: (link.gain, link.partner)) if here else None
        gain_planned = weakest.gain if weakest is not None else 0.0
        room = headroom(G, p)
        there = sorted(sent.get(top, []), key=lambda link: (link.gain, link.community))
        if room is not None and room <= len(there):
            code: DivergenceCode = "planned_elsewhere" if there else "no_room"
        elif gain_planned >= gain_here:
            code = "weighs_likelihood"
        else:
            code = "not_weighed"
        out.append(_divergence(G, code, c, p, gain_here, first.probability, weakest, there))
    return out


def _divergence(
    G: nx.Graph,
    code: DivergenceCode,
    community: Hashable,
    top: Hashable,
    gain_here: float,
    probability: float,
    weakest: PlannedLink | None,
    there: list[PlannedLink],
) -> PlanDivergence:
    """A :class:`PlanDivergence` with its sentences (see :func:`plan_divergences` for the codes)."""
    top_name = G.nodes[top].get("name")
    who = _named(top_name, str(top))
    gain_planned = weakest.gain if weakest is not None else 0.0
    here = fmt(gain_here)
    if code == "planned_elsewhere":
        first = there[0]
        where = _named(first.community_name, first.community)
        more = len(there) - 1
        zh = f"{who}已安排给{where}，在那里可补 {fmt(first.gain)}"
        en = f"{who} is planned for {where}, where it closes {fmt(first.gain)}"
        if more:
            zh += f"（另有 {more} 个社区，各补不少于此）"
            en += f" (and for {more} more {'community' if more == 1 else 'communities'}, closing at least as much)"
        zh += f"；在本社区可补 {here}"
        en += f"; here it would close {here}"
        if gain_here > first.gain:
            zh += "，但这样安排全区总共补上的需求更多"
            en += ", but the district closes more in all this way"
    elif code == "weighs_likelihood":
        if weakest is None:  # not expected: a partner with room closing something is planned somewhere here
            zh = f"{who}在本社区可补 {here}"
            en = f"{who} would close {here} here"
        else:
            planned = _named(weakest.name, weakest.partner)
            zh = f"{who}在本社区可补 {here}，方案中的{planned}可补 {fmt(gain_planned)}"
            en = f"{who} would close {here} here, the planned {planned} {fmt(gain_planned)}"
        zh += f"：方案只看补上的需求；推荐列表还看合作的可能性（{probability:.0%}）"
        en += (
            ": the plan weighs need closed alone; the list weighs it by how likely the partnership is "
            f"({probability:.0%})"
        )
    elif code == "not_weighed":
        zh = f"{who}在本社区可补 {here}，多于方案所选的 {fmt(gain_planned)}，但不在方案为本社区权衡的候选之中"
        en = (
            f"{who} would close {here} here, more than the plan's choice ({fmt(gain_planned)}), but was not "
            "among the links the plan weighed for this community"
        )
    else:
        zh = f"{who}已无服务余量，方案无法安排"
        en = f"{who} has no room for another community, so the plan could not give it one"
    return PlanDivergence(
        community=str(community),
        community_name=G.nodes[community].get("name"),
        code=code,
        top=str(top),
        top_name=top_name,
        gain_here=gain_here,
        probability=round(probability, 6),
        planned=weakest.partner if weakest is not None else None,
        planned_name=weakest.name if weakest is not None else None,
        gain_planned=gain_planned,
        planned_for=[PlanPlace(community=x.community, community_name=x.community_name, gain=x.gain) for x in there],
        gain_there=there[0].gain if there else None,
        text_zh=zh,
        text_en=en,
    )


def with_divergences(G: nx.Graph, plan: DistrictPlan, lists: Iterable[CommunityRecommendations]) -> DistrictPlan:
    """``plan`` with its :attr:`~DistrictPlan.divergences` from ``lists`` (:func:`plan_divergences`)."""
    return plan.model_copy(update={"divergences": plan_divergences(G, plan, lists)})
