"""How ``graphsvc load`` shows what an HSDS directory held and what was not mapped."""

from __future__ import annotations

from collections import defaultdict

from graphsvc.cli.app import console, table
from graphsvc.loaders.hsds import HsdsSummary


def _ids(records: list[dict[str, object]]) -> str:
    return ", ".join(f"{r['id']} {r['name']}" if r.get("name") else str(r["id"]) for r in records)


def print_hsds_summary(summary: HsdsSummary) -> None:
    """The mapping of one HSDS directory: counts, then every record left unmapped, with counts."""
    console().print(
        f"HSDS {summary.version} directory {summary.directory}: {summary.organizations} organizations, "
        f"{summary.services} services -> {summary.communities} communities ({summary.areas}; streets: "
        f"{summary.streets}), "
        f"{summary.links} service links, {summary.offers} offers. "
        f"Services given categories by their taxonomy terms: {summary.services_by_taxonomy}, "
        f"by their text: {summary.services_by_text}."
    )
    rows: list[list[object]] = []
    for term in summary.unmapped_terms:
        rows.append(["taxonomy term with no category", term["term"], term["services"]])
    if summary.services_unmatched:
        rows.append(["service matching no category", _ids(summary.services_unmatched), len(summary.services_unmatched)])
    if summary.services_inactive:
        rows.append(
            ["service inactive or defunct (skipped)", _ids(summary.services_inactive), len(summary.services_inactive)]
        )
    if summary.services_without_organization:
        rows.append(
            [
                "service without an organization",
                _ids(summary.services_without_organization),
                len(summary.services_without_organization),
            ]
        )
    without: dict[str, list[dict[str, object]]] = defaultdict(list)
    for record in summary.without_area:
        without[f"{record['table']} without an area: {record['why']}"].append(record)
    rows += [[what, _ids(records), len(records)] for what, records in without.items()]
    for area in summary.other_level_areas:
        rows.append([f"service area not a {summary.areas}", area["area"], area["services"]])
    if rows:
        console().print(table("Not mapped (count = services, or records)", ["what", "which", "count"], rows))
    if summary.ignored_files:
        console().print(f"Files not read (not used by the mapping): {', '.join(summary.ignored_files)}")
