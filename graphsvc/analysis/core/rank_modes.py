"""Rank modes: how a community's list is ranked. Each mode is one entry of :data:`RANK_MODES`; the recommender,
the explanation, the evaluation, the CLI (``--rank``), the API (``rank=``) and the research frames read what a
mode does and how it is described from its entry, never from its name.

A mode ranks either **by need** (``by_need``: the list is chosen greedily, each next partner the one that
closes the most need once those above it join, and holds only partners that close some gap) or by the link
model's score alone. A mode by need weighs the need a partner closes by the probability that the partnership
forms (``with_probability``: expected need closed) or not (need closed alone). Reasons follow: the gap terms
of a mode by need (split with the plausibility terms when weighed by probability), the link model's terms
otherwise (:mod:`graphsvc.analysis.recommender.reasons`).

Adding a mode is one entry here (``register(RankModeSpec(...))``) and its tests; nothing else names modes.
This module imports nothing heavy: ``graphsvc --help`` reads the help texts from it.

>>> rank_mode("gain").by_need, rank_mode("gain").with_probability, rank_mode("likelihood").by_need
(True, True, False)
>>> rank_mode("gap").weigh(4.0, 0.5), rank_mode("gain").weigh(4.0, 0.5)
(4.0, 2.0)
>>> rank_mode("best")
Traceback (most recent call last):
...
ValueError: rank must be one of gain, likelihood, gap, got 'best'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

RankMode = str
"""The name of a rank mode of :data:`RANK_MODES` (what options, results and the API carry)."""


@dataclass(frozen=True)
class RankModeSpec:
    """One rank mode: its name, what it does and how it is described.

    ``by_need``: the list is chosen by need closed (set-wise, partners that close nothing left out);
    otherwise by the link model's score. ``with_probability``: a mode by need weighs the need closed by the
    probability that the partnership forms. ``help_en``: one sentence for ``--help``, the OpenAPI docs and the
    docstrings; ``use``: when a planner would pick it.
    """

    name: str
    by_need: bool
    with_probability: bool
    help_en: str
    use: str

    def weigh(self, gain: T, probability: T) -> T:
        """What a partner's place is decided by, in a mode by need: its gain, times its probability if the
        mode weighs it (works elementwise on arrays)."""
        return gain * probability if self.with_probability else gain  # type: ignore[operator]

    def __str__(self) -> str:
        return self.name


RANK_MODES: dict[str, RankModeSpec] = {}
"""Every rank mode by name, in the order they are offered (the first is the default)."""


def register(mode: RankModeSpec) -> RankModeSpec:
    """Add ``mode`` to :data:`RANK_MODES` (a name already there is replaced) and return it."""
    RANK_MODES[mode.name] = mode
    return mode


def unregister(name: str) -> None:
    """Remove a mode added by :func:`register` (the built-in ones stay)."""
    if name in BUILT_IN:
        raise ValueError(f"{name!r} is a built-in rank mode")
    RANK_MODES.pop(name, None)


GAIN = register(
    RankModeSpec(
        "gain",
        by_need=True,
        with_probability=True,
        help_en="expected need closed: who would fill the gaps and is likely to join",
        use="the planner's question, who could fill this community's gap (default)",
    )
)
LIKELIHOOD = register(
    RankModeSpec(
        "likelihood",
        by_need=False,
        with_probability=False,
        help_en="how likely the link is, whatever the community needs",
        use="forecasting the network, and comparison with the link-prediction literature",
    )
)
GAP = register(
    RankModeSpec(
        "gap",
        by_need=True,
        with_probability=False,
        help_en="need closed alone, ignoring plausibility",
        use="searching beyond the usual circles (a call for partners, a new programme)",
    )
)
BUILT_IN = frozenset(RANK_MODES)
DEFAULT_RANK = GAIN.name
"""The name of the mode a list is ranked by unless asked otherwise."""


def rank_mode(name: str | RankModeSpec) -> RankModeSpec:
    """The mode of this name (or the mode itself); ``ValueError`` naming the choices for any other."""
    if isinstance(name, RankModeSpec):
        return name
    found = RANK_MODES.get(name)
    if found is None:
        raise ValueError(f"rank must be one of {', '.join(RANK_MODES)}, got {name!r}")
    return found


def check_rank(name: str) -> str:
    """``name`` if it names a rank mode, else ``ValueError`` naming the choices."""
    return rank_mode(name).name


def rank_help(sep: str = "; ") -> str:
    """Every mode's name and help sentence, the default first: the text of ``--rank`` and of ``rank=``."""
    return sep.join(
        f"{m.name}: {m.help_en}" + (" (default)" if m.name == DEFAULT_RANK else "") for m in RANK_MODES.values()
    )
