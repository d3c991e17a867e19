"""The matcher's labelled set (``matcher_labels.csv``) and how a matcher is scored on it.

Shared by ``bench/matcher.py`` and ``test_matcher.py``. Precision and recall are
micro-averaged over (service, category) pairs: a category given and expected is
a true positive, given and not expected a false positive, expected and not given
a false negative.

>>> score([Labelled("legal clinic", "en", ("legal_aid",), "x")], lambda text: ["legal_aid", "health"]).precision
0.5
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LABELS = Path(__file__).with_name("matcher_labels.csv")
HOLDOUT_EVERY = 5
"""Every fifth row (the 5th, 10th, …) is held out: not looked at while the matcher's rules were written."""

_LEGAL_CLINIC = re.compile(r"legal\s+clinic|法律诊所", re.IGNORECASE)


@dataclass(frozen=True)
class Labelled:
    text: str
    language: str
    expected: tuple[str, ...]
    source: str


def read_labels(path: Path = LABELS) -> list[Labelled]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Labelled(r["text"], r["language"], tuple(c for c in r["expected"].split(";") if c), r["source"])
            for r in csv.DictReader(f)
        ]


def holdout(rows: Sequence[Labelled]) -> list[Labelled]:
    return [r for i, r in enumerate(rows, 1) if i % HOLDOUT_EVERY == 0]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Score:
    services: int = 0
    overall: Counts = field(default_factory=Counts)
    per_category: dict[str, Counts] = field(default_factory=dict)
    legal_clinic_as_health: int = 0
    wrong: list[tuple[Labelled, list[str]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.overall.precision or 0.0

    @property
    def recall(self) -> float:
        return self.overall.recall or 0.0


def score(rows: Iterable[Labelled], match: Callable[[str], list[str]]) -> Score:
    out = Score()
    for row in rows:
        got = set(match(row.text))
        expected = set(row.expected)
        out.services += 1
        for cat, counts in ((c, out.per_category.setdefault(c, Counts())) for c in sorted(got | expected)):
            for c in (counts, out.overall):
                if cat in got and cat in expected:
                    c.tp += 1
                elif cat in got:
                    c.fp += 1
                else:
                    c.fn += 1
        if got != expected:
            out.wrong.append((row, sorted(got)))
        if "health" in got and _LEGAL_CLINIC.search(row.text):
            out.legal_clinic_as_health += 1
    return out
