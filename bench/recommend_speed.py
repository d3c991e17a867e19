"""All-communities recommendations: the scipy.sparse fast path against the NetworkX reference.

For each district size it fits one model (so both paths use the same weights), runs the fast path for
every community, and the pair-by-pair NetworkX reference on a subset (all communities when small),
checks the top-k agree on that subset, and compares time per community. The last line printed is one
JSON object: ``{"speedup": {size: ratio}, "topk_identical": bool, ...}``.

Run: ``python bench/recommend_speed.py [--sizes 130 2000 20000] [--reference-max 40]``
"""

from __future__ import annotations

import argparse
import json
import time

from graphsvc.analysis import Recommender
from graphsvc.analysis.recommender.reference import recommend_reference
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[130, 2000, 20000])
    parser.add_argument("--reference-max", type=int, default=40, help="communities run through the reference")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    speedup: dict[str, float] = {}
    detail: dict[str, dict[str, float]] = {}
    identical = True
    for size in args.sizes:
        t0 = time.perf_counter()
        G = build_graph(generate_district(communities=size, seed=0))
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        rec = Recommender.fit(G, seed=0, k=args.k)
        t_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        fast = rec.recommend_all(k=args.k)
        t_fast = time.perf_counter() - t0
        comms = sorted(fast)
        n_ref = args.reference_max if size <= 2000 else max(5, args.reference_max // 4)  # the reference is slow
        step = max(1, len(comms) // n_ref)
        subset = comms[::step][:n_ref]
        t0 = time.perf_counter()
        same = all(recommend_reference(G, c, rec.model, k=args.k) == fast[c] for c in subset)
        t_ref = time.perf_counter() - t0
        identical &= same
        fast_per = t_fast / len(comms)
        ref_per = t_ref / len(subset)
        speedup[str(size)] = round(ref_per / fast_per, 1)
        detail[str(size)] = {
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "build_s": round(t_build, 2),
            "fit_s": round(t_fit, 2),
            "fast_all_s": round(t_fast, 2),
            "fast_ms_per_community": round(1000 * fast_per, 3),
            "reference_communities": len(subset),
            "reference_ms_per_community": round(1000 * ref_per, 1),
        }
        print(
            f"{size:>6} communities ({G.number_of_nodes()} nodes, {G.number_of_edges()} edges): "
            f"fast {1000 * fast_per:.3f} ms/community ({t_fast:.1f} s for all), "
            f"reference {1000 * ref_per:.1f} ms/community on {len(subset)}; "
            f"speed-up {speedup[str(size)]}x; top-{args.k} identical: {same}",
            flush=True,
        )
    print(json.dumps({"speedup": speedup, "topk_identical": identical, "detail": detail}))


if __name__ == "__main__":
    main()
