"""The sample's answers -- every rank mode's lists (with their others), three explanations per mode, the district
plan and the evaluation -- as one JSON file, and a digest of each part on stdout: run it in two checkouts and
compare, to show a change that should change no answer (a redesign) changed none.

    PYTHONPATH=. python3 scripts/answers_digest.py /tmp/answers.json
"""

import hashlib
import json
import sys

from graphsvc.analysis import RANK_MODES, Recommender, district_plan, evaluate
from graphsvc.sample import sample_graph

G = sample_graph()
rec = Recommender.fit(G, seed=0)
out = {}
for mode in RANK_MODES:
    name = mode if isinstance(mode, str) else mode.name
    lists = rec.recommend_all(k=10, rank=name, others=True)
    out["lists_" + name] = {str(c): json.loads(r.model_dump_json()) for c, r in sorted(lists.items())}
    c = sorted(lists)[0]
    partners = [r.partner for r in lists[c].recommendations][:3]
    out["explain_" + name] = [json.loads(rec.explain(c, p, k=10, rank=name).model_dump_json()) for p in partners]
out["plan"] = json.loads(district_plan(G).model_dump_json())
ev = json.loads(evaluate(G, seed=0).model_dump_json())
ev.pop("seconds", None)
ev.pop("timings", None)
out["evaluate"] = ev
text = json.dumps(out, sort_keys=True, ensure_ascii=False, default=str)
with open(sys.argv[1], "w", encoding="utf-8") as file:
    file.write(text)
print({k: hashlib.sha256(json.dumps(v, sort_keys=True, default=str).encode()).hexdigest()[:12] for k, v in out.items()})
