from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.analysis import community_gaps, district_gaps, policy_checks, street_gaps
from graphsvc.errors import EntityNotFound, NotFound, UnsupportedGraph


def test_capacity_shared_in_proportion_to_need(one_street_graph: nx.Graph) -> None:
    # o's 3 units of elderly care go 3*4/6 = 2 to c1 and 3*2/6 = 1 to c2
    c1 = {c.category: c for c in community_gaps(one_street_graph, "c1").categories}
    c2 = {c.category: c for c in community_gaps(one_street_graph, "c2").categories}
    assert (c1["elderly_care"].covered, c1["elderly_care"].uncovered) == (2.0, 2.0)
    assert (c2["elderly_care"].covered, c2["elderly_care"].uncovered) == (1.0, 1.0)
    # health: e gives its 1 unit to c1 alone (u offers health but works with c2, which does not need it)
    assert (c1["health"].covered, c1["health"].uncovered) == (1.0, 1.0)


def test_share_capped_at_need() -> None:
    G = nx.Graph()
    G.add_node("c", kind="community", needs={"health": 1.0})
    G.add_node("p", kind="enterprise", offers={"health": 10.0})
    G.add_node("q", kind="enterprise", offers={"health": 10.0})
    G.add_edges_from([("c", "p"), ("c", "q")])
    g = community_gaps(G, "c")
    assert g.covered == 1.0 and g.uncovered == 0.0 and g.covered_categories == ["health"]
    # two partners each cover all of it: losing either uncovers nothing
    assert g.critical_partners == [] and g.single_partner_needs == []


def test_totals_and_order(one_street_graph: nx.Graph) -> None:
    g = community_gaps(one_street_graph, "c1")
    assert (g.need, g.covered, g.uncovered) == (6.0, 3.0, 3.0)
    assert g.coverage == 0.5
    # largest uncovered first: elderly care 2 > health 1
    assert [c.category for c in g.categories] == ["elderly_care", "health"]


def test_five_society_roles(one_street_graph: nx.Graph) -> None:
    assert [r.role for r in community_gaps(one_street_graph, "c1").roles_missing] == [
        "social_worker",
        "university_society",
    ]
    assert [r.role for r in community_gaps(one_street_graph, "c2").roles_missing] == ["social_worker", "social_forces"]


def test_fragility(one_street_graph: nx.Graph) -> None:
    g = community_gaps(one_street_graph, "c1")
    assert g.single_partner_needs == ["elderly_care", "health"]
    # losing o uncovers 2 (elderly care), losing e uncovers 1 (health); the hub covers nothing
    assert [(p.partner, p.need_lost) for p in g.critical_partners] == [("o", 2.0), ("e", 1.0)]
    assert not g.one_partner
    G = nx.Graph()
    G.add_node("c", kind="community")
    G.add_node("p", kind="media")
    G.add_edge("c", "p")
    assert community_gaps(G, "c").one_partner


def test_hub_reach(one_street_graph: nx.Graph) -> None:
    assert community_gaps(one_street_graph, "c1").reached_by_hub
    c2 = community_gaps(one_street_graph, "c2")
    assert c2.street_hub == "h" and not c2.reached_by_hub


def test_street_rollup(one_street_graph: nx.Graph) -> None:
    s = street_gaps(one_street_graph, "S")
    assert (s.need, s.covered, s.uncovered) == (8.0, 4.0, 4.0)
    assert s.communities_not_reached == ["c2"]
    assert s.communities_without_university == ["c1"]
    assert s.service_organization
    elderly = next(c for c in s.categories if c.category == "elderly_care")
    assert (elderly.need, elderly.covered, elderly.communities_uncovered) == (6.0, 3.0, 2)


def test_policy_checks(one_street_graph: nx.Graph) -> None:
    report = policy_checks(one_street_graph)
    checks = {c.code: c for c in report.checks}
    assert checks["street_service_organization"].passed
    assert checks["community_university_link"].failing == ["c1"]
    assert not report.passed
    # remove the service links: street S no longer has a social organization delivering services
    H = one_street_graph.copy()
    H.edges["o", "c1"]["kinds"] = ("volunteering",)
    H.edges["o", "c2"]["kinds"] = ("volunteering",)
    assert {c.code: c for c in policy_checks(H).checks}["street_service_organization"].failing == ["S"]


def test_district(one_street_graph: nx.Graph) -> None:
    d = district_gaps(one_street_graph)
    assert (d.communities, d.need, d.covered) == (2, 8.0, 4.0)
    assert d.roles_missing == {
        "social_organization": 0,
        "social_worker": 2,
        "university_society": 1,
        "social_forces": 1,
    }
    assert d.critical_partners[0].partner == "o" and d.critical_partners[0].need_lost == 3.0


def test_unknown_ids(one_street_graph: nx.Graph) -> None:
    with pytest.raises(EntityNotFound):
        community_gaps(one_street_graph, "nope")
    with pytest.raises(EntityNotFound):
        community_gaps(one_street_graph, "o")  # a partner, not a community
    with pytest.raises(NotFound, match="no street named"):
        street_gaps(one_street_graph, "Nowhere")


@pytest.mark.parametrize("bad", [nx.DiGraph([(1, 2)]), nx.MultiGraph([(1, 2)]), nx.Graph([(1, 1)])])
def test_unsupported_graphs(bad: nx.Graph) -> None:
    with pytest.raises(UnsupportedGraph):
        district_gaps(bad)


def test_caller_graph_not_changed(one_street_graph: nx.Graph) -> None:
    before = nx.node_link_data(one_street_graph, edges="edges")
    district_gaps(one_street_graph)
    assert nx.node_link_data(one_street_graph, edges="edges") == before


def test_sample_district_runs(sample_district_graph: nx.Graph) -> None:
    d = district_gaps(sample_district_graph)
    assert d.communities == 130
    assert 0 < d.coverage < 1
    assert sum(s.communities for s in d.streets) == 130


def test_street_facts_once_give_the_same_gaps(sample_district_graph: nx.Graph) -> None:
    from graphsvc.analysis.core.policy import street_facts
    from graphsvc.analysis.gaps.find import all_community_gaps

    facts = street_facts(sample_district_graph)
    some = sorted(n for n, kind in sample_district_graph.nodes(data="kind") if kind == "community")[:10]
    for c in some:
        assert community_gaps(sample_district_graph, c, facts=facts) == community_gaps(sample_district_graph, c)
    street = next(iter(facts.communities))
    assert street_gaps(sample_district_graph, street, facts=facts) == street_gaps(sample_district_graph, street)
    gaps = all_community_gaps(sample_district_graph, facts=facts)
    assert district_gaps(sample_district_graph, gaps=gaps, facts=facts) == district_gaps(sample_district_graph)


def test_street_hub_is_the_first_by_id() -> None:
    from graphsvc.analysis.core.common import street_hubs

    G = nx.Graph()
    for hub in ("hub-b", "hub-a", "hub-c"):
        G.add_node(hub, kind="organization", subtype="street_hub", street="S")
    G.add_node("other", kind="organization", subtype="street_hub", street="T")
    G.add_node("nowhere", kind="organization", subtype="street_hub")
    assert street_hubs(G) == {"S": "hub-a", "T": "other"}


def test_no_needs_recorded_is_said_never_full_coverage(one_street_graph: nx.Graph) -> None:
    H = one_street_graph.copy()
    H.add_node("c3", kind="community", street="T", needs={}, offers={})
    c3 = community_gaps(H, "c3")
    assert not c3.needs_recorded and c3.coverage is None and c3.need == 0.0
    assert community_gaps(H, "c1").needs_recorded
    d = district_gaps(H)
    assert d.needs_recorded and d.communities_without_needs == ["c3"]
    t = next(s for s in d.streets if s.street == "T")
    assert not t.needs_recorded and t.coverage is None
    # a directory alone: offers, links, and no need anywhere
    for c in ("c1", "c2"):
        H.nodes[c]["needs"] = {}
    d = district_gaps(H)
    assert not d.needs_recorded and d.coverage is None and d.need == 0.0
    assert d.communities_without_needs == ["c1", "c2", "c3"]
    s = street_gaps(H, "S")
    assert not s.needs_recorded and s.coverage is None


def test_generic_profile_checks_no_roles_hub_or_targets(one_street_graph: nx.Graph) -> None:
    hub = community_gaps(one_street_graph, "c2")
    assert hub.profile == "hub" and hub.roles_missing and hub.reached_by_hub is False
    g = community_gaps(one_street_graph, "c2", policy="generic")
    assert g.profile == "generic" and g.roles_missing == []
    assert g.reached_by_hub is None and g.university_link is None
    # what the profile does not touch stays the same
    assert (g.need, g.covered, g.categories) == (hub.need, hub.covered, hub.categories)
    s = street_gaps(one_street_graph, "S", policy="generic")
    assert s.service_organization is None
    assert s.communities_not_reached == [] and s.communities_without_university == []
    d = district_gaps(one_street_graph, policy="generic")
    assert d.profile == "generic" and d.policy.profile == "generic" and d.policy.checks == []
    assert d.roles_missing == {} and d.communities_not_reached == []
    assert d.streets[0].not_reached is None and d.streets[0].service_organization is None


def test_default_profile_follows_the_data(one_street_graph: nx.Graph) -> None:
    from graphsvc.analysis.core.policy import GENERIC, HUB, PROFILES, default_profile, roles_expected

    assert default_profile(one_street_graph) is HUB
    H = one_street_graph.copy()
    H.nodes["c1"]["attributes"] = {"area_level": "city"}  # made from a directory's areas (HSDS import)
    assert default_profile(H) is GENERIC
    assert community_gaps(H, "c2").profile == "generic"
    assert community_gaps(H, "c2", policy="hub").roles_missing  # asked for, the hub profile still applies
    assert roles_expected(H) == () and len(roles_expected(H, "hub")) == 4
    assert set(PROFILES) == {"hub", "generic"} and PROFILES["hub"].role_checks and not GENERIC.role_checks


def test_unknown_profile_names_the_known_ones(one_street_graph: nx.Graph) -> None:
    with pytest.raises(NotFound, match="hub, generic"):
        community_gaps(one_street_graph, "c1", policy="xiangzhou")


def test_service_deserts_are_the_supply_a_community_has_no_link_to() -> None:
    from graphsvc.analysis.core.policy import service_deserts

    G = nx.Graph()
    G.add_node("a", kind="community", street="S")
    G.add_node("b", kind="community", street="S", needs={"health": 1.0})
    G.add_node("p", kind="organization", offers={"legal_aid": 1.0, "health": 2.0})
    G.add_node("q", kind="enterprise", offers={"funding": 3.0, "youth": 0.0})  # no capacity: youth is not offered
    G.add_edges_from([("a", "p"), ("b", "q")])
    # a lacks funding (q's), b lacks legal aid and health (p's); youth is offered by nobody, so no desert
    assert [c.category for c in community_gaps(G, "a").service_deserts] == ["funding"]
    assert [c.category for c in community_gaps(G, "b").service_deserts] == ["legal_aid", "health"]
    d = district_gaps(G)
    assert [(s.community, [c.category for c in s.categories]) for s in d.service_deserts] == [
        ("a", ["funding"]),
        ("b", ["legal_aid", "health"]),
    ]
    assert d.service_deserts == service_deserts(G)
    # a desert is supply, not need: b's uncovered health need is counted once, as need
    assert community_gaps(G, "b").uncovered == 1.0
