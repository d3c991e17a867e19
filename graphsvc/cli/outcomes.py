"""Commands that record what became of a suggestion: ``graphsvc outcome`` (one) and ``graphsvc outcomes`` (a list).

A table of outcomes is loaded like the other tables (``graphsvc load DIR`` with an ``outcomes.csv``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from graphsvc.cli.app import JsonOption, StoreOption, _rank_mode, app, console, print_json, store_from, table

if TYPE_CHECKING:
    from graphsvc.model import Outcome
    from graphsvc.store.base import GraphStore

STATUS_HELP = "proposed, contacted, accepted, declined, formed or lapsed (zh or en labels: 已婉拒, formed...)."
REASON_HELP = "Why a partner declined: no_capacity, not_our_field, too_far or other (zh or en labels)."


def _optional_rank(value: str | None) -> str | None:
    return None if value is None else _rank_mode(value)


@app.command()
def outcome(
    community: Annotated[str, typer.Argument(help="The community the partner was suggested to.")],
    partner: Annotated[str, typer.Argument(help="The partner suggested.")],
    status: Annotated[str, typer.Argument(help="What became of it: " + STATUS_HELP)],
    reason: Annotated[str | None, typer.Option("--reason", help=REASON_HELP + " Required with declined.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who records it (a planner, a hub).")] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="When it happened: 2026-03-05, 2026/3/5 or 2026年3月5日. Default: today.")
    ] = None,
    rank: Annotated[
        str | None,
        typer.Option("--rank", callback=_optional_rank, help="The rank mode of the list the partner was suggested in."),
    ] = None,
    probability: Annotated[
        float | None,
        typer.Option(
            "--probability",
            min=0.0,
            max=1.0,
            help="The probability the list showed (0 to 1). Default, with --rank: the one the community's default "
            "list kept by `graphsvc fit` for the current data shows, if the partner is on it.",
        ),
    ] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record what became of a suggested partnership: proposed, contacted, accepted, declined, formed or lapsed.

    For example `graphsvc outcome c1 e1 declined --reason too_far --by 拱北星辰`. A partner that declined a
    community is left out of its lists from then on (`recommend --include-declined` shows it), and the link
    model's probabilities learn from accepted, formed and declined outcomes.
    """
    import datetime as dt

    from pydantic import ValidationError

    from graphsvc.errors import Problem, ValidationFailed
    from graphsvc.loaders.outcomes import SOURCE, record_outcomes
    from graphsvc.loaders.validate import parse_date
    from graphsvc.model import Outcome

    fields: dict[str, Any] = {"community": community, "partner": partner, "status": status, "reason": reason}
    fields |= {"by": by, "at": dt.date.today() if at is None else parse_date(at), "rank": rank}
    fields["probability"] = probability
    try:
        recorded = Outcome.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        problems = [
            Problem(
                SOURCE, None, ".".join(str(x) for x in e["loc"]) or None, str(e["msg"]).removeprefix("Value error, ")
            )
            for e in error.errors()
        ]
        raise ValidationFailed(problems) from None
    with store_from(store, quiet=as_json) as graph_store:
        if recorded.probability is None and recorded.rank is None:
            recorded = recorded.model_copy(update=_as_listed(graph_store, recorded.community, recorded.partner))
        record_outcomes(graph_store, [recorded])
        if as_json:
            print_json(recorded.plain())
            return
        names = _names(graph_store, [recorded])
    console().print(f"已记录 recorded: {_line(recorded, names)}")


@app.command(name="outcomes")
def list_outcomes(
    community: Annotated[str | None, typer.Option("--community", help="Only this community's outcomes.")] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Only this partner's outcomes.")] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """List recorded outcomes (what became of suggestions), by community, partner and date."""
    with store_from(store, quiet=as_json) as graph_store:
        found = graph_store.list_outcomes(community=community, partner=partner)
        if as_json:
            print_json({"data": [o.plain() for o in found], "count": len(found)})
            return
        names = _names(graph_store, found)
    rows = [
        [
            o.at.isoformat(),
            _named(names, o.community),
            _named(names, o.partner),
            o.status.label,
            o.reason.label if o.reason else "",
            o.by or "",
            o.rank or "",
            "" if o.probability is None else f"{o.probability:.0%}",
        ]
        for o in found
    ]
    columns = ["日期 at", "社区 community", "合作方 partner", "结果 status", "原因 reason", "记录人 by", "排序 rank"]
    console().print(table(f"建议结果 Outcomes ({len(found)})", [*columns, "当时可能性 shown"], rows))


def _as_listed(graph_store: GraphStore, community: str, partner: str) -> dict[str, Any]:
    """The rank mode and probability the community's kept default list (``graphsvc fit``, current data) shows for
    ``partner``; nothing if no list is kept for this data or the partner is not on it."""
    from graphsvc.answers import kept_answer

    kept = kept_answer(graph_store, community)
    if kept is None:
        return {}
    for r in [*kept.get("recommendations", []), *kept.get("others", [])]:
        if r.get("partner") == partner:
            return {"rank": kept.get("rank"), "probability": r.get("probability")}
    return {}


def _names(graph_store: GraphStore, outcomes: list[Outcome]) -> dict[str, str | None]:
    ids = {o.community for o in outcomes} | {o.partner for o in outcomes}
    return {e.id: e.name for e in graph_store.get_entities(ids)}


def _named(names: dict[str, str | None], node: str) -> str:
    from graphsvc.labels import named

    return named(names.get(node), node)


def _line(o: Outcome, names: dict[str, str | None]) -> str:
    parts = [_named(names, o.community), _named(names, o.partner), o.status.label]
    if o.reason is not None:
        parts.append(o.reason.label)
    parts.append(o.at.isoformat())
    if o.by:
        parts.append(f"by {o.by}")
    return " · ".join(parts)
