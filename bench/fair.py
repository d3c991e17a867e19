"""The subscription fair against first come: expected need covered on the same projects and budgets.

For each seed of the synthetic district it fits the link model once, then matches the proposed projects with
the sponsors present by default (every partner but hubs and self-organizations, budgets by kind) three ways:
the fair's exact programme (``scipy.optimize.milp``), its greedy fallback, and the first-come baseline
(projects in the order they were proposed, each to the likeliest sponsor that can still take it). All three
are valued by the same expected need covered (:mod:`graphsvc.analysis.fair.match`). The last line printed is one
JSON object: ``{"projects", "fair_need_covered", "first_come_need_covered", "fair_vs_first_come", ...}``,
summed over the seeds.

Run: ``python bench/fair.py [--communities 130] [--seeds 0 1 2]`` (``--tiny``: 13 communities, one seed)
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial

from graphsvc.analysis.fair.match import fair, first_come
from graphsvc.analysis.linkmodel.model_selection import fit_model
from graphsvc.sample import sample_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=130)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--tiny", action="store_true", help="13 communities, seed 0 (the smoke test)")
    args = parser.parse_args()
    if args.tiny:
        args.communities, args.seeds = 13, [0]
    totals = {"projects": 0, "matches": 0, "first_come_matches": 0}
    covered = {"fair": 0.0, "greedy": 0.0, "first_come": 0.0}
    seconds = {"fair": 0.0, "greedy": 0.0, "first_come": 0.0}
    unmatched_without_reason = 0
    per_seed = {}
    for seed in args.seeds:
        G = sample_graph(communities=args.communities, seed=seed)
        model = fit_model(G, seed=0)
        runs = {}
        for name, run in (
            ("fair", partial(fair, G, model=model, solver="milp")),
            ("greedy", partial(fair, G, model=model, solver="greedy")),
            ("first_come", partial(first_come, G, model=model)),
        ):
            t0 = time.perf_counter()
            runs[name] = run()
            seconds[name] += time.perf_counter() - t0
            covered[name] += runs[name].need_covered
        totals["projects"] += runs["fair"].projects
        totals["matches"] += len(runs["fair"].matches)
        totals["first_come_matches"] += len(runs["first_come"].matches)
        unmatched_without_reason += sum(not (u.reason and u.text_zh and u.text_en) for u in runs["fair"].unmatched)
        per_seed[str(seed)] = {
            "projects": runs["fair"].projects,
            "fair": runs["fair"].need_covered,
            "greedy": runs["greedy"].need_covered,
            "first_come": runs["first_come"].need_covered,
            "solver": runs["fair"].solver,
        }
        print(f"seed {seed}: {json.dumps(per_seed[str(seed)], ensure_ascii=False)}", flush=True)
    result = {
        "projects": totals["projects"],
        "fair_need_covered": round(covered["fair"], 3),
        "first_come_need_covered": round(covered["first_come"], 3),
        "fair_vs_first_come": round(covered["fair"] / covered["first_come"], 3) if covered["first_come"] else None,
        "greedy_need_covered": round(covered["greedy"], 3),
        "greedy_vs_first_come": round(covered["greedy"] / covered["first_come"], 3) if covered["first_come"] else None,
        "matches": totals["matches"],
        "first_come_matches": totals["first_come_matches"],
        "unmatched_without_reason": unmatched_without_reason,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "communities": args.communities,
        "seeds": args.seeds,
        "per_seed": per_seed,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
