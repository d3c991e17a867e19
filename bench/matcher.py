"""Precision and recall of the free-text category matcher on the hand-labelled set.

    python bench/matcher.py [--labels tests/loaders/matcher_labels.csv] [--errors]

Runs :func:`graphsvc.loaders.category_text.match_categories` on every row of the
labelled set (236 service texts, zh and en, labelled by hand before the matcher
was run on them: ``tests/loaders/matcher_labels.md``) and prints precision and
recall per category and overall, micro-averaged over (service, category) pairs,
for the whole set and for its held-out fifth (every fifth row, not looked at
while the rules were written). ``--errors`` lists the rows outside the held-out
fifth whose categories differ from the labels. The last line printed is one JSON
object: ``{"services", "precision", "recall", "per_category", "legal_clinic_as_health", "holdout"}``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.loaders.category_text import match_categories
from tests.loaders.matcher_set import LABELS, holdout, read_labels, score


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS, help="the labelled CSV (text,language,expected,source)")
    parser.add_argument("--errors", action="store_true", help="list the wrong rows (not the held-out ones)")
    args = parser.parse_args(argv)

    rows = read_labels(args.labels)
    result = score(rows, match_categories)
    held = score(holdout(rows), match_categories)
    held_texts = {r.text for r in holdout(rows)}

    print(f"{platform.python_implementation()} {platform.python_version()}, {len(rows)} services ({args.labels.name})")
    print(f"{'category':<18} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for cat, c in sorted(result.per_category.items()):
        print(f"{cat:<18} {_fmt(c.precision):>9} {_fmt(c.recall):>7} {c.tp:>4} {c.fp:>4} {c.fn:>4}")
    o = result.overall
    print(f"{'all (micro)':<18} {_fmt(o.precision):>9} {_fmt(o.recall):>7} {o.tp:>4} {o.fp:>4} {o.fn:>4}")
    print(f"held-out fifth: {held.services} services, precision {_fmt(held.precision)}, recall {_fmt(held.recall)}")
    if args.errors:
        for row, got in result.wrong:
            if row.text not in held_texts:
                print(f"  expected {';'.join(row.expected) or '-'}, got {';'.join(got) or '-'}: {row.text[:110]}")

    out: dict[str, object] = {
        "services": result.services,
        "precision": round(result.precision, 4),
        "recall": round(result.recall, 4),
        "per_category": {
            cat: {
                "precision": None if c.precision is None else round(c.precision, 4),
                "recall": None if c.recall is None else round(c.recall, 4),
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
            }
            for cat, c in sorted(result.per_category.items())
        },
        "legal_clinic_as_health": result.legal_clinic_as_health,
        "holdout": {"services": held.services, "precision": round(held.precision, 4), "recall": round(held.recall, 4)},
    }
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
