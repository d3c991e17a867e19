"""Recording outcomes one at a time (the CLI's ``graphsvc outcome``, the API's ``POST /outcomes``).

A table of outcomes arrives through the usual load (``outcomes.csv``, see :mod:`graphsvc.loaders.tables`); this
module checks single outcomes the same way -- the community is a community, the partner a partner, both in the
store -- before writing them.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphsvc.errors import Problem, ValidationFailed
from graphsvc.model import Dataset, Outcome
from graphsvc.store.base import GraphStore
from graphsvc.vocabulary import EntityKind

SOURCE = "outcome"
"""What a problem of a single outcome names as its file."""


def outcome_problems(store: GraphStore, outcomes: Sequence[Outcome]) -> list[Problem]:
    """Problems of outcomes whose community is not a community of ``store`` or whose partner is not a partner."""
    kinds = store.existing_kinds({o.community for o in outcomes} | {o.partner for o in outcomes})
    problems = []
    for o in outcomes:
        community, partner = kinds.get(o.community), kinds.get(o.partner)
        if community is None:
            problems.append(Problem(SOURCE, None, "community", f"no entity with id {o.community!r}"))
        elif community is not EntityKind.COMMUNITY:
            problems.append(
                Problem(SOURCE, None, "community", f"{o.community!r} is a {community.value}, not a community")
            )
        if partner is None:
            problems.append(Problem(SOURCE, None, "partner", f"no entity with id {o.partner!r}"))
        elif partner is EntityKind.COMMUNITY:
            problems.append(Problem(SOURCE, None, "partner", f"{o.partner!r} is a community, not a partner"))
    return problems


def record_outcomes(store: GraphStore, outcomes: Sequence[Outcome]) -> None:
    """Write ``outcomes`` into ``store`` in one step, after checking what they name (``ValidationFailed``: nothing
    is written). Recording the same pair, status and date again updates it."""
    problems = outcome_problems(store, outcomes)
    if problems:
        raise ValidationFailed(problems)
    store.upsert(Dataset(outcomes=list(outcomes)))
