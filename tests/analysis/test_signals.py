from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.core.common import headroom as headroom_of
from graphsvc.analysis.core.coverage import partner_offers
from graphsvc.analysis.linkmodel.signals import (
    SIGNALS,
    SignalEngine,
    _DomainData,
    adjacency,
    l3_index,
    reference_features,
)
from graphsvc.vocabulary import PARTNER_ROLES

F = {name: i for i, name in enumerate(SIGNALS)}


def test_l3_by_hand() -> None:
    # c1 - p1 - c2 - p2 and c1 - p3 - c3 - p2: two length-3 paths from c1 to p2
    G = nx.Graph([("c1", "p1"), ("p1", "c2"), ("c2", "p2"), ("c1", "p3"), ("p3", "c3"), ("c3", "p2"), ("c3", "x")])
    # path via p1 (deg 2), c2 (deg 2): 1/2; via p3 (deg 2), c3 (deg 3): 1/sqrt(6)
    expected = 0.5 + 1 / math.sqrt(6)
    [(_, _, p)] = list(l3_index(G, [("c1", "p2")]))
    assert p == pytest.approx(expected)
    assert SignalEngine(G).pair_features([("c1", "p2")])[0, F["l3"]] == pytest.approx(expected)


def test_two_hop_zero_on_bipartite_pairs_but_l3_not() -> None:
    G = nx.Graph([("c1", "p1"), ("c2", "p1"), ("c2", "p2")])
    x = SignalEngine(G).pair_features([("c1", "p2")])[0]
    assert x[F["common_neighbors"]] == x[F["adamic_adar"]] == x[F["resource_allocation"]] == 0
    assert x[F["l3"]] == pytest.approx(0.5)
    assert x[F["preferential_attachment"]] == 1 * 1


def test_two_hop_by_hand() -> None:
    G = nx.Graph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c"), ("d", "e")])
    x = SignalEngine(G).pair_features([("a", "c")])[0]
    assert x[F["common_neighbors"]] == 2
    assert x[F["adamic_adar"]] == pytest.approx(1 / math.log(2) + 1 / math.log(3))
    assert x[F["resource_allocation"]] == pytest.approx(1 / 2 + 1 / 3)
    assert x[F["preferential_attachment"]] == 4


def test_domain_signals_by_hand(one_street_graph: nx.Graph) -> None:
    eng = SignalEngine(one_street_graph)
    x = dict(zip(SIGNALS, eng.pair_features([("c2", "e")])[0], strict=True))
    # e offers health, which c2 does not need
    assert x["gap_fit"] == 0
    assert x["fills_role"] == 1  # c2 has no social force
    assert x["same_street"] == 0  # e works in T
    assert x["headroom_share"] == pytest.approx((2 - 1) / 2)
    y = dict(zip(SIGNALS, eng.pair_features([("c2", "h")])[0], strict=True))
    assert y["street_hub"] == 1 and y["same_street"] == 1 and y["fills_role"] == 0
    assert y["headroom_share"] == pytest.approx((10 - 1) / 10)
    # u (at capacity: 1 of 1) offers health 5 to c1, which lacks 1 of its 2: share min(5*2/(0+2), 1) = 1 of need 6
    z = dict(zip(SIGNALS, eng.pair_features([("c1", "u")])[0], strict=True))
    assert z["gap_fit"] == pytest.approx(1 / 6)
    assert z["headroom_share"] == 0


def test_fast_matches_reference_on_tiny(one_street_graph: nx.Graph) -> None:
    pairs = [(u, v) for u in one_street_graph for v in one_street_graph if u != v]
    np.testing.assert_allclose(
        SignalEngine(one_street_graph).pair_features(pairs), reference_features(one_street_graph, pairs), atol=1e-12
    )


def test_fast_matches_reference_on_district(sample_district_graph: nx.Graph) -> None:
    rng = random.Random(7)
    nodes = sorted(sample_district_graph)
    pairs = [tuple(rng.sample(nodes, 2)) for _ in range(1500)]
    fast = SignalEngine(sample_district_graph).pair_features(pairs)
    np.testing.assert_allclose(fast, reference_features(sample_district_graph, pairs), rtol=1e-10, atol=1e-12)


def test_generic_graph_has_no_domain_signals() -> None:
    G = nx.karate_club_graph()
    x = SignalEngine(G).pair_features([(0, 33)])
    assert not x[0, len(SIGNALS) - 5 :].any()
    np.testing.assert_allclose(x, reference_features(G, [(0, 33)]))


def paths_graph(name: str, district: nx.Graph) -> nx.Graph:
    """The graphs rows are checked on: the sample district, karate, or one with a hub linked to most nodes."""
    if name == "district":
        return district
    if name == "karate":
        return nx.karate_club_graph()
    G = nx.gnm_random_graph(80, 160, seed=3)  # a node linked to most others: paths through it fan out
    G.add_edges_from((0, n) for n in range(1, 70))
    return G


@pytest.mark.parametrize("graph", ["district", "karate", "hub"])
def test_one_row_by_its_paths_equals_the_sparse_block(sample_district_graph: nx.Graph, graph: str) -> None:
    G = paths_graph(graph, sample_district_graph)
    eng = SignalEngine(G)
    rng = np.random.default_rng(5)
    for query in rng.choice(len(eng.nodes), size=min(40, len(eng.nodes)), replace=False).tolist():
        cols = np.sort(rng.choice(len(eng.nodes), size=len(eng.nodes) // 2, replace=False))
        np.testing.assert_allclose(eng.row(query, cols), eng.block([query], cols)[:, 0, :], rtol=1e-12, atol=1e-14)
    assert eng.row(0, np.zeros(0, dtype=np.int64)).shape == (len(SIGNALS), 0)


@pytest.mark.parametrize("graph", ["district", "karate", "hub"])
def test_many_rows_at_once_equal_each_row_to_the_last_bit(sample_district_graph: nx.Graph, graph: str) -> None:
    G = paths_graph(graph, sample_district_graph)
    eng = SignalEngine(G)
    rng = np.random.default_rng(7)
    queries = rng.choice(len(eng.nodes), size=min(30, len(eng.nodes)), replace=False)
    n = len(eng.nodes)
    chosen = [np.sort(rng.choice(n, size=int(rng.integers(0, n)), replace=False)) for _ in queries]
    starts = np.cumsum([0, *(len(c) for c in chosen)])
    both = eng.rows(queries, np.concatenate(chosen).astype(np.int64), starts)
    assert both.shape == (len(SIGNALS), starts[-1])
    for i, (query, cols) in enumerate(zip(queries.tolist(), chosen, strict=True)):
        np.testing.assert_array_equal(both[:, starts[i] : starts[i + 1]], eng.row(query, cols))


@pytest.mark.parametrize("graph", ["district", "karate", "hub"])
def test_pair_features_are_the_dense_blocks_to_the_last_bit(sample_district_graph: nx.Graph, graph: str) -> None:
    """The domain signals of the pairs alone (not of every cell of their block) are the block's, bit for bit."""
    G = paths_graph(graph, sample_district_graph)
    eng = SignalEngine(G)
    rng = np.random.default_rng(11)
    n = len(eng.nodes)
    us, vs = rng.integers(0, n, size=3000), rng.integers(0, n, size=3000)
    features = eng.index_features(us, vs)
    dense = eng.block(np.arange(n), np.arange(n))  # every pair, the domain signals cell by cell
    np.testing.assert_array_equal(features, dense[:, us, vs].T)
    pairs = [(eng.nodes[u], eng.nodes[v]) for u, v in zip(us.tolist(), vs.tolist(), strict=True)]
    np.testing.assert_array_equal(eng.pair_features(pairs), features)
    assert graph != "district" or features[:, len(SIGNALS) - 5 :].any()  # the district has domain signals to check


@pytest.mark.parametrize("graph", ["district", "karate", "hub"])
def test_adjacency_is_networkx_matrix_to_the_index_arrays(sample_district_graph: nx.Graph, graph: str) -> None:
    G = paths_graph(graph, sample_district_graph)
    eng = SignalEngine(G)
    plain = nx.to_scipy_sparse_array(G, nodelist=eng.nodes, weight=None, format="csr", dtype=float)
    fast = adjacency(G, eng.index)
    assert fast.shape == plain.shape and fast.has_sorted_indices
    for a, b in ((fast.indptr, plain.indptr), (fast.indices, plain.indices), (fast.data, plain.data)):
        np.testing.assert_array_equal(a, b)
    assert adjacency(nx.empty_graph(2), {0: 0, 1: 1}).nnz == 0


def domain_variants(district: nx.Graph, tiny: nx.Graph) -> dict[str, nx.Graph]:
    """Snapshots whose domain tables are checked: the sample district under both policies, with and without the
    running projects' cover, with numbers for ids (sorted as strings by the dicts, 10 before 9, and as numbers by the
    engine), a community whose shares add up differently in another order, and the tiny street."""
    generic = district.copy()
    generic.graph["policy"] = "generic"
    bare = district.copy()
    bare.graph.pop("project_cover", None)
    numbered = nx.relabel_nodes(district, {n: i for i, n in enumerate(sorted(district, key=hash))})
    crowded = nx.Graph(policy="hub")  # three shares whose sum depends on its order: 0.1 + 0.2 + 0.3
    crowded.add_node(1, kind="community", street="S", needs={"health": 5.0})
    for partner, amount in ((9, 0.1), (10, 0.2), (100, 0.3)):  # as strings: 10, 100, 9
        crowded.add_node(partner, kind="enterprise", street="S", capacity=4, offers={"health": amount})
        crowded.add_edge(1, partner)
    return {
        "district": district,
        "generic": generic,
        "no_projects": bare,
        "numbered": numbered,
        "crowded": crowded,
        "tiny": tiny,
    }


@pytest.mark.parametrize("variant", ["district", "generic", "no_projects", "numbered", "crowded", "tiny"])
def test_domain_tables_are_the_reference_dicts_to_the_last_bit(
    sample_district_graph: nx.Graph, one_street_graph: nx.Graph, variant: str
) -> None:
    """The engine's needs, offers, served need, shares, uncovered need, roles and headroom are what the plain
    dicts of the reference (:class:`_DomainData`) hold, bit for bit: the lists are pinned on them."""
    G = domain_variants(sample_district_graph, one_street_graph)[variant]
    eng, data = SignalEngine(G), _DomainData(G)
    col = {k: j for j, k in enumerate(eng.cats)}
    assert eng.cats == sorted({k for need in data.need.values() for k in need})
    N, U, S = np.zeros_like(eng.N), np.zeros_like(eng.U), np.zeros_like(eng.S)
    offered, W = np.zeros_like(eng.O), np.zeros_like(eng.W)
    roles = [r.value for r in PARTNER_ROLES]
    has_role = np.zeros_like(eng.has_role)
    headroom = np.full(len(eng.nodes), -1)
    for node, i in eng.index.items():
        if node in data.need:
            for k, w in data.need[node].items():
                N[i, col[k]], U[i, col[k]], S[i, col[k]] = w, data.uncovered[node][k], data.shared[node][k]
            for r in data.roles[node]:
                has_role[i, roles.index(r)] = True
        elif node in data.served_need:
            for k, amount in partner_offers(G, node).items():
                if k in col:
                    offered[i, col[k]], W[i, col[k]] = amount, data.served_need[node].get(k, 0.0)
            room = headroom_of(G, node)
            headroom[i] = -1 if room is None else room
            assert eng.role[i] == roles.index(data.role_value[node])
    tables = {"N": N, "U": U, "S": S, "O": offered, "W": W, "has_role": has_role, "headroom": headroom}
    for name, expected in tables.items():
        np.testing.assert_array_equal(getattr(eng, name), expected, err_msg=name)
    assert S.any() and W.any() and has_role.any()  # something to compare
    assert np.array_equal(eng.is_community, np.array([n in data.need for n in eng.nodes]))
