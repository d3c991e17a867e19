"""graphsvc's data as an Open Referral HSDS 3.0 directory (CSV tables), so it can go back into a directory.

What is written (docs/hsds.md has the field list):

* ``organization.csv``: every partner, with its id and name, its alternate
  name when it has one, and ``kind`` and ``subtype`` columns (graphsvc
  extensions; the loader reads them back);
* ``service.csv``: the services an HSDS import recorded for each partner
  (same ids and names), keeping the categories the partner still offers; an
  offer no recorded service carries becomes a service of its own, with the id
  ``<partner>:<category>``;
* ``taxonomy.csv``, ``taxonomy_term.csv`` and ``attribute.csv``: the
  categories as the terms of one taxonomy, ``graphsvc``, whose term ids are the
  category codes, attached to the services;
* ``location.csv`` and ``address.csv``: a location for each partner whose
  street is known, with the street as the address ``region``;
* ``service_area.csv``: each service's areas are the communities its
  partner is linked to, named, with the ``uri`` ``urn:graphsvc:community:<id>``
  so a load gives back the same community ids.

Needs are not HSDS data and are not written (``graphsvc sample``'s CSV format keeps them).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

from graphsvc.loaders.hsds import COMMUNITY_URI
from graphsvc.model import Dataset, Entity
from graphsvc.vocabulary import categories

__all__ = ["HSDS_COLUMNS", "write_hsds"]

TAXONOMY_ID = "graphsvc"

HSDS_COLUMNS: dict[str, list[str]] = {
    "organization": ["id", "name", "alternate_name", "description", "kind", "subtype"],
    "service": ["id", "organization_id", "name", "alternate_name", "description", "status"],
    "taxonomy": ["id", "name", "description", "uri", "version"],
    "taxonomy_term": ["id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id"],
    "attribute": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label"],
    "location": ["id", "location_type", "organization_id", "name"],
    "address": [
        "id",
        "location_id",
        "address_1",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_area": ["id", "service_id", "name", "description", "extent_type", "uri"],
}
"""The tables written and their columns, in order."""


def _recorded_services(entity: Entity) -> list[dict[str, object]]:
    """The services an HSDS import kept on the entity (``hsds_services``), or none."""
    try:
        services = json.loads(entity.attributes.get("hsds_services", "[]"))
    except json.JSONDecodeError:
        return []
    return [s for s in services if isinstance(s, dict) and s.get("id")] if isinstance(services, list) else []


def _services(entity: Entity, offered: list[str]) -> list[tuple[str, str, list[str]]]:
    """``(id, name, categories)`` of each service of a partner, covering every category it offers."""
    out: list[tuple[str, str, list[str]]] = []
    carried: set[str] = set()
    for service in _recorded_services(entity):
        recorded = service.get("categories")
        cats = [str(c) for c in recorded if c in offered] if isinstance(recorded, list) else []
        if cats or not recorded:
            out.append((str(service["id"]), str(service.get("name") or service["id"]), cats))
            carried.update(cats)
    for cat in offered:
        if cat not in carried:
            out.append((f"{entity.id}:{cat}", f"{entity.name}: {categories()[cat].en}", [cat]))
    return out


def write_hsds(dataset: Dataset, outdir: Path | str) -> list[Path]:
    """Write ``dataset`` as HSDS 3.0 CSV tables in ``outdir``; return the files written."""
    entities = {e.id: e for e in dataset.entities}
    offered: dict[str, list[str]] = defaultdict(list)
    for offer in dataset.offers:
        offered[offer.partner].append(offer.category)
    served: dict[str, list[str]] = defaultdict(list)
    for link in dataset.links:
        for partner, community in ((link.source, link.target), (link.target, link.source)):
            if entities[partner].is_partner and not entities[community].is_partner and community not in served[partner]:
                served[partner].append(community)

    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    rows["taxonomy"].append(
        {"id": TAXONOMY_ID, "name": "graphsvc categories", "description": "graphsvc's need and resource categories"}
    )
    for cat in categories().values():
        rows["taxonomy_term"].append(
            {
                "id": cat.code,
                "code": cat.code,
                "name": cat.en,
                "description": f"{cat.zh} {cat.en}",
                "taxonomy": TAXONOMY_ID,
                "language": "en",
                "taxonomy_id": TAXONOMY_ID,
            }
        )
    for entity in dataset.entities:
        if not entity.is_partner:
            continue
        rows["organization"].append(
            {
                "id": entity.id,
                "name": entity.name,
                "alternate_name": entity.attributes.get("alternate_name"),
                "description": entity.attributes.get("description", ""),
                "kind": entity.kind.value,
                "subtype": entity.subtype.value if entity.subtype else None,
            }
        )
        if entity.street:
            location = f"{entity.id}:location"
            rows["location"].append(
                {"id": location, "location_type": "physical", "organization_id": entity.id, "name": entity.name}
            )
            rows["address"].append(
                {
                    "id": f"{location}:address",
                    "location_id": location,
                    "region": entity.street,
                    "address_type": "physical",
                }
            )
        for sid, name, codes in _services(entity, offered[entity.id]):
            rows["service"].append({"id": sid, "organization_id": entity.id, "name": name, "status": "active"})
            for code in codes:
                rows["attribute"].append(
                    {"id": f"{sid}:{code}", "link_id": sid, "taxonomy_term_id": code, "link_entity": "service"}
                )
            for community in served[entity.id]:
                rows["service_area"].append(
                    {
                        "id": f"{sid}:{community}",
                        "service_id": sid,
                        "name": entities[community].name,
                        "uri": COMMUNITY_URI + community,
                    }
                )

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table, columns in HSDS_COLUMNS.items():
        path = out / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            for row in rows[table]:
                writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
        written.append(path)
    return written
