"""The sample district's lists in a form that can be pinned in a file and compared (see
``scripts/pin_sample_lists.py`` and ``test_sample_lists_pinned.py``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from graphsvc.analysis import RANK_MODES, Recommender
from graphsvc.analysis.core.results import Recommendation
from graphsvc.sample import sample_graph

PINNED = Path(__file__).parent / "data" / "sample_lists.json"
DIGITS = 9
"""Decimals kept of each number: enough to see any change of the computation, not a last-bit difference of a
platform's floating point."""


def _number(x: float) -> float:
    return round(float(x), DIGITS)


def _pick(r: Recommendation) -> list[Any]:
    return [str(r.partner), _number(r.score), _number(r.gain), _number(r.probability), [x.code for x in r.reasons]]


def digest(entry: Any) -> str:
    """A short digest of an entry's canonical JSON."""
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def pinned_form(lists: dict[str, Any]) -> dict[str, Any]:
    """What the file keeps of :func:`sample_lists`: per rank mode and community, the listed partners in order and a
    digest of the whole entry (numbers, reasons, others) -- small enough to read in a diff."""
    return {
        mode: {c: [[pick[0] for pick in entry["list"]], digest(entry)] for c, entry in by_community.items()}
        if isinstance(by_community, dict)
        else by_community
        for mode, by_community in lists.items()
    }


def sample_lists() -> dict[str, Any]:
    """``{rank mode: {community: {"list", "others", "expected_gain", "coverage", "closing"}}}`` of
    ``recommend_all(k=10, others=True)`` on the sample district (seed 0), with the fitted model's name."""
    G = sample_graph()
    rec = Recommender.fit(G, seed=0)
    out: dict[str, Any] = {"model": rec.model.name}
    for mode in RANK_MODES:
        name = mode if isinstance(mode, str) else mode.name
        lists = rec.recommend_all(k=10, rank=name, others=True)
        out[name] = {
            str(c): {
                "list": [_pick(r) for r in answer.recommendations],
                "others": [_pick(r) for r in answer.others],
                "expected_gain": _number(answer.expected_gain),
                "coverage": _number(answer.coverage),
                "closing": answer.closing,
            }
            for c, answer in sorted(lists.items())
        }
    return out
