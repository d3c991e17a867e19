"""The two axes of a list before and after a revision: Hits@10 and MRR (does the list hold the partners
communities link to?) against gap_closed@5 and gap_fit@5 (does it close their gaps?), per rank mode.

Runs ``graphsvc.analysis.evaluation.evaluate`` on the sample district and on generated districts (``--districts``,
``communities:seed`` each), each over ``--seeds`` evaluation seeds (the held-out split), once with this
checkout's committed code (HEAD) and once with ``--before``'s (clones made for the run), alternating, in
separate processes. Prints a table of means with their spread (the sample standard deviation over seeds)
and, last, one JSON object::

    {"before": rev, "after": rev, "seeds": [...],
     "districts": {name: {"before"|"after": {mode: {metric: {"mean": x, "sd": x}}}}},
     "gain_vs_likelihood_hits": {name: {"before": x, "after": x}}}

    python bench/one_story.py [--before 8236893] [--seeds 0,1,2] [--districts 500:11,520:23]
    python bench/one_story.py --tiny      # a smoke run: one small district, one seed, this checkout only
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
METRICS = ("hits@10", "mrr", "gap_closed@5", "gap_fit@5")

CHILD = """
import json, sys
from graphsvc.analysis.evaluation.evaluate import evaluate
from graphsvc.graph import build_graph
from graphsvc.sample import generate_district
communities, district_seed, seed = (int(x) for x in sys.argv[1:4])
G = build_graph(generate_district(communities=communities, seed=district_seed))
modes = evaluate(G, holdout=0.2, seed=seed).modes
print(json.dumps({mode: {m: values[m] for m in sys.argv[4].split(",")} for mode, values in modes.items()}))
"""


def run(source: Path, communities: int, district_seed: int, seed: int) -> dict[str, dict[str, float]]:
    """One evaluation with the code of ``source`` (a checkout), in its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env["PYTHONPATH"] = str(source)
    args = [sys.executable, "-c", CHILD, str(communities), str(district_seed), str(seed), ",".join(METRICS)]
    done = subprocess.run(args, cwd=source, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{source}: evaluate failed:\n{done.stderr[-3000:]}")
    result: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summary(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
    """Per mode and metric, the mean and the spread (sample standard deviation) over the runs."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for mode in runs[0]:
        out[mode] = {}
        for metric in METRICS:
            values = [r[mode][metric] for r in runs]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            out[mode][metric] = {"mean": round(statistics.fmean(values), 4), "sd": round(sd, 4)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="8236893", help="the revision to compare with (default: 8236893)")
    parser.add_argument("--seeds", default="0,1,2", help="evaluation seeds (default: 0,1,2)")
    parser.add_argument("--districts", default="500:11,520:23", help="generated districts, communities:seed")
    parser.add_argument("--tiny", action="store_true", help="smoke run: 40 communities, seed 0, this checkout")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    districts = {"sample": (130, 0)}
    districts.update({f"{c}:{s}": (int(c), int(s)) for c, s in (d.split(":") for d in args.districts.split(","))})
    if args.tiny:
        seeds, districts = [0], {"tiny": (40, 0)}
    rev = lambda r: subprocess.run(  # noqa: E731
        ["git", "rev-parse", "--short", r], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    after = rev("HEAD")
    with tempfile.TemporaryDirectory() as tmp:
        sources = {"after": REPO}
        if not args.tiny:  # both sides from clones: the checkout's files may change while the bench runs
            for side, revision in (("before", args.before), ("after", "HEAD")):
                clone = Path(tmp) / side
                subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
                subprocess.run(["git", "checkout", "-q", revision], cwd=clone, check=True)
                sources[side] = clone
        results: dict[str, dict[str, object]] = {}
        for name, (communities, district_seed) in districts.items():
            per: dict[str, list[dict[str, dict[str, float]]]] = {side: [] for side in sources}
            for seed in seeds:
                for side, source in sources.items():  # alternating, so load on the machine falls on both
                    per[side].append(run(source, communities, district_seed, seed))
            results[name] = {side: summary(runs) for side, runs in per.items()}
    ratios: dict[str, dict[str, float]] = {}
    for name, sides in results.items():
        ratios[name] = {}
        for side, modes in sides.items():
            assert isinstance(modes, dict)
            likely = modes["likelihood"]["hits@10"]["mean"]
            ratios[name][side] = round(modes["gain"]["hits@10"]["mean"] / likely, 3) if likely else 0.0
            print(f"\n{name} ({side}, seeds {seeds})")
            print(f"{'mode':<11}" + "".join(f"{m:>18}" for m in METRICS))
            for mode, values in modes.items():
                cells = "".join(f"{values[m]['mean']:>11.3f} ± {values[m]['sd']:<4.3f}" for m in METRICS)
                print(f"{mode:<11}{cells}")
    before = rev(args.before) if not args.tiny else None
    print(
        json.dumps(
            {
                "before": before,
                "after": after,
                "seeds": seeds,
                "districts": results,
                "gain_vs_likelihood_hits": ratios,
            }
        )
    )


if __name__ == "__main__":
    main()
