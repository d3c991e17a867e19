"""An Open Referral HSDS directory -> graphsvc's tables, with a summary of everything not mapped.

The mapping (docs/hsds.md gives it field by field):

* each **organization** is a partner entity, with its HSDS id, name and
  alternate name, of kind ``organization`` unless the kinds table
  (``--kinds``) or a ``kind`` column says otherwise;
* each active **service** is an offer of its organization in every category
  its taxonomy terms map to (:mod:`graphsvc.loaders.hsds_terms`), or -- when no
  term maps -- every category its name, description and keywords mention
  (:mod:`graphsvc.loaders.category_text`). An organization's offer in a
  category has one unit of capacity per service in it;
* **areas** become communities, at the level the planner chooses: the city,
  county (``region``) or postal code of the organization's location addresses
  and of its services' service areas, or the service areas as named. Each
  organization gets a ``service`` link to each of its areas. An area's street
  (the level above it) is chosen too (``streets``: the addresses' city, county
  or state), never guessed: by default communities have none.

The rows are handed to the usual validation as :class:`RawTable` s that keep
the HSDS file and line they came from, so problems name them, and a load with
any problem writes nothing. What is read but not mapped is counted in a
:class:`HsdsSummary`; nothing is left out in silence.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graphsvc.errors import ConfigError, Problem
from graphsvc.loaders.category_text import match_categories
from graphsvc.loaders.hsds_read import HsdsTables, Row, read_hsds_tables
from graphsvc.loaders.hsds_terms import (
    KindMap,
    Term,
    TermMap,
    categories_of_term,
    default_term_map,
    read_kind_map,
    read_term_map,
)
from graphsvc.loaders.tables import RawTable, is_file_problem
from graphsvc.vocabulary import SERVES_ONLY, AreaLevel, StreetLevel

__all__ = [
    "COMMUNITY_URI",
    "AreaLevel",
    "HsdsOptions",
    "HsdsSummary",
    "StreetLevel",
    "area_id",
    "map_hsds",
    "read_hsds",
    "read_hsds_dirs",
    "street_levels_above",
]

COMMUNITY_URI = "urn:graphsvc:community:"
"""A service area whose ``uri`` starts with this names a graphsvc community id (graphsvc's export writes them)."""

INACTIVE = {"inactive", "defunct", "temporarily closed"}


_ADDRESS_FIELD = {AreaLevel.city: "city", AreaLevel.county: "region", AreaLevel.postal_code: "postal_code"}
_STREET_FIELD = {StreetLevel.city: "city", StreetLevel.county: "region", StreetLevel.state: "state_province"}
_AREA_RANK = {AreaLevel.postal_code: 0, AreaLevel.city: 1, AreaLevel.county: 2}
_STREET_RANK = {StreetLevel.city: 1, StreetLevel.county: 2, StreetLevel.state: 3}


def street_levels_above(areas: AreaLevel) -> list[StreetLevel]:
    """The street levels that may be chosen over ``areas`` (``none`` always; service areas have no address).

    >>> [s.value for s in street_levels_above(AreaLevel.city)]
    ['none', 'county', 'state']
    >>> [s.value for s in street_levels_above(AreaLevel.service_area)]
    ['none']
    """
    if areas not in _AREA_RANK:
        return [StreetLevel.none]
    return [StreetLevel.none, *(s for s, rank in _STREET_RANK.items() if rank > _AREA_RANK[areas])]


def area_id(level: AreaLevel, name: str) -> str:
    """The community id of an area: its level and name (a ``/``, which no id may hold, becomes ``-``).

    >>> area_id(AreaLevel.city, "Redwood City"), area_id(AreaLevel.postal_code, "94025-9881")
    ('city:Redwood City', 'postal_code:94025')
    >>> area_id(AreaLevel.service_area, "Belmont/San Carlos")
    'service_area:Belmont-San Carlos'
    """
    return f"{level.value}:{_area_name(level, name).replace('/', '-')}"


@dataclass(frozen=True)
class HsdsOptions:
    """How to map HSDS directories: the area level, the street level above it (none unless chosen), a taxonomy
    mapping table in front of the built-in one, and a table of organizations' kinds.

    A street level not above the area level is a :class:`~graphsvc.errors.ConfigError`.
    """

    areas: AreaLevel = AreaLevel.city
    categories: Path | None = None
    kinds: Path | None = None
    streets: StreetLevel = StreetLevel.none

    def __post_init__(self) -> None:
        allowed = street_levels_above(self.areas)
        if self.streets not in allowed:
            raise ConfigError(
                f"streets {self.streets.value!r} do not lie above areas {self.areas.value!r}: "
                f"choose streets among {', '.join(s.value for s in allowed)}"
            )


def _area_name(level: AreaLevel, name: str) -> str:
    name = " ".join(name.split())
    if level is AreaLevel.postal_code and re.fullmatch(r"\d{5}-\d{4}", name):
        return name[:5]  # a US ZIP+4 lies in its five-digit ZIP code
    return name


def _service_area_level(name: str) -> AreaLevel:
    """What kind of place a free-text service area names (``San Mateo County`` is a county)."""
    if re.search(r"\bcounty\b", name, re.IGNORECASE) or name.endswith("县"):
        return AreaLevel.county
    if name.endswith("区") and not name.endswith(("社区", "小区")):
        return AreaLevel.county
    if re.fullmatch(r"\d{4,6}(-\d{4})?", name):
        return AreaLevel.postal_code
    return AreaLevel.city


@dataclass
class HsdsSummary:
    """What an HSDS directory held and how it was mapped, with every record not mapped."""

    directory: str
    version: str
    areas: str
    streets: str = StreetLevel.none.value
    files: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    organizations: int = 0
    services: int = 0
    services_by_taxonomy: int = 0
    services_by_text: int = 0
    communities: int = 0
    links: int = 0
    offers: int = 0
    unmapped_terms: list[dict[str, object]] = field(default_factory=list)
    services_unmatched: list[dict[str, object]] = field(default_factory=list)
    services_inactive: list[dict[str, object]] = field(default_factory=list)
    services_without_organization: list[dict[str, object]] = field(default_factory=list)
    without_area: list[dict[str, object]] = field(default_factory=list)
    other_level_areas: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Out:
    """Rows for graphsvc's tables, grouped by the HSDS file they come from."""

    tables: dict[tuple[str, str], RawTable] = field(default_factory=dict)

    def add(self, table: str, source: Row, values: dict[str, object]) -> None:
        raw = self.tables.setdefault((table, source.file), RawTable(table=table, file=source.file))
        raw.rows.append((source.line, values))
        raw.columns = sorted(set(raw.columns) | values.keys())


@dataclass
class _Area:
    id: str
    name: str
    source: Row
    streets: Counter[str] = field(default_factory=Counter)


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


class _Mapper:
    def __init__(
        self, found: HsdsTables, level: AreaLevel, term_map: TermMap, kinds: KindMap, streets: StreetLevel
    ) -> None:
        self.found, self.level, self.term_map, self.kinds = found, level, term_map, kinds
        self.street_field = _STREET_FIELD.get(streets)
        self.problems: list[Problem] = []
        self.out = _Out()
        self.summary = HsdsSummary(
            directory=found.directory,
            version=found.version,
            areas=level.value,
            streets=streets.value,
            files=found.files,
            ignored_files=found.ignored,
        )
        self.orgs = {r.get("id"): r for r in found.rows("organization") if r.get("id")}
        self.locations = {r.get("id"): r for r in found.rows("location") if r.get("id")}
        self.services = {r.get("id"): r for r in found.rows("service") if r.get("id")}
        self.programs = {r.get("id"): r for r in found.rows("program") if r.get("id")}
        self.terms: dict[str, Term] = {
            str(r.get("id")): (r.get("code") or str(r.get("id")), r.get("name"), r.get("parent_id"))
            for r in found.rows("taxonomy_term")
            if r.get("id")
        }
        self.areas: dict[str, _Area] = {}
        self.links: dict[tuple[str, str], Row] = {}
        for table in ("service", "location", "program", "taxonomy_term"):
            self._unique_ids(table)

    def _unique_ids(self, table: str) -> None:
        """Report a second record of ``table`` with an id already used (organizations: by the usual validation)."""
        first: dict[str, Row] = {}
        for row in self.found.rows(table):
            if (key := row.get("id")) is None:
                continue
            if key in first:
                where = f"{Path(first[key].file).name}:{first[key].line}"
                self.problems.append(row.problem("id", f"duplicate of {where} (HSDS {table} id {key!r})"))
            first.setdefault(key, row)

    # references -------------------------------------------------------------------------------------------
    def _ref(self, row: Row, field_name: str, table: dict[str | None, Row], what: str) -> Row | None:
        ref = row.get(field_name)
        if ref is None:
            return None
        target = table.get(ref)
        if target is None:
            self.problems.append(row.problem(field_name, f"no HSDS {what} with id {ref!r} in this directory"))
        return target

    def _org_of_location(self, location: Row) -> str | None:
        org = self._ref(location, "organization_id", self.orgs, "organization")
        return org.get("id") if org else None

    def _org_of_service(self, service: Row) -> str | None:
        org = self._ref(service, "organization_id", self.orgs, "organization")
        if org is None and (program := self._ref(service, "program_id", self.programs, "program")):
            org = self.orgs.get(program.get("organization_id"))
        if org is None and (location := self._ref(service, "location_id", self.locations, "location")):
            org = self.orgs.get(location.get("organization_id"))
        if org is None:
            for sal in self.service_locations.get(service.get("id") or "", []):
                if (location := self.locations.get(sal.get("location_id"))) and location.get("organization_id"):
                    org = self.orgs.get(location.get("organization_id"))
                    break
        return org.get("id") if org else None

    # organizations and services -----------------------------------------------------------------------------
    def organizations(self) -> None:
        for row in self.found.rows("organization"):
            kind, subtype = self._kind(row)
            values: dict[str, object] = {"id": row.get("id"), "kind": kind, "name": row.get("name")}
            if subtype:
                values["subtype"] = subtype
            if row.get("alternate_name"):
                values["alternate_name"] = row.get("alternate_name")
            self.summary.organizations += 1
            # the same dict is completed later with the organization's services (``hsds_services``)
            self.org_values[row.get("id") or ""] = values
            self.out.add("entities", row, values)

    def _kind(self, row: Row) -> tuple[str, str | None]:
        """An organization's kind: the kinds table (by id, then name), else a ``kind`` column, else organization."""
        for key in (row.get("id"), row.get("name")):
            if key and (found := self.kinds.get(" ".join(key.casefold().split()))):
                return found
        return row.get("kind") or "organization", row.get("subtype")

    def service_terms(self) -> dict[str, list[tuple[Row, str]]]:
        """The taxonomy term ids of each service, with the row that lists each."""
        terms: dict[str, list[tuple[Row, str]]] = defaultdict(list)
        for row in self.found.rows("service"):
            for term in _split(row.get("taxonomy_ids")):  # the Ohana export lists them on the service
                terms[row.get("id") or ""].append((row, term))
        for row in self.found.rows("service_taxonomy"):
            if self._ref(row, "service_id", self.services, "service"):
                terms[row.get("service_id") or ""].append((row, row.get("taxonomy_id") or ""))
        for row in self.found.rows("attribute"):
            if (row.get("link_entity") or "service") == "service" and row.get("link_id") in self.services:
                terms[row.get("link_id") or ""].append((row, row.get("taxonomy_term_id") or ""))
        return terms

    def _term_label(self, term: str) -> str:
        code, name, _ = self.terms.get(term, (term, None, None))
        return f"{code} {name}" if name and name != code else code

    def services_to_offers(self) -> None:
        terms = self.service_terms()
        unmapped: Counter[str] = Counter()
        offers: dict[tuple[str, str], tuple[Row, int]] = {}
        for row in self.found.rows("service"):
            sid, name = row.get("id") or "", row.get("name")
            org = self._org_of_service(row)
            self.summary.services += 1
            if (row.get("status") or "active").lower() in INACTIVE:
                self.summary.services_inactive.append({"id": sid, "name": name, "status": row.get("status")})
                continue
            if org is None:
                self.summary.services_without_organization.append({"id": sid, "name": name})
                continue
            cats: list[str] = []
            for _, term in terms.get(sid, []):
                mapped = categories_of_term(term, self.terms, self.term_map)
                if not mapped:
                    unmapped[self._term_label(term)] += 1
                cats += [c for c in mapped if c not in cats]
            if cats:
                self.summary.services_by_taxonomy += 1
            else:
                cats = match_categories(name, row.get("alternate_name"), row.get("description"), row.get("keywords"))
                if cats:
                    self.summary.services_by_text += 1
                else:
                    self.summary.services_unmatched.append({"id": sid, "name": name, "organization": org})
            for cat in cats:
                first, n = offers.get((org, cat), (row, 0))
                offers[org, cat] = (first, n + 1)
            self.org_services[org].append({"id": sid, "name": name, "categories": cats})
            self.service_org[sid] = org
        for (org, cat), (first, n) in offers.items():
            self.out.add("offers", first, {"partner": org, "category": cat, "capacity": n})
        self.summary.offers = len(offers)
        self.summary.unmapped_terms = [{"term": t, "services": n} for t, n in unmapped.most_common()]

    # areas ----------------------------------------------------------------------------------------------------
    def _area(self, name: str, source: Row, street: str | None, uri: str | None = None) -> str:
        tagged = uri is not None and uri.startswith(COMMUNITY_URI)
        key = uri.removeprefix(COMMUNITY_URI) if uri and tagged else area_id(self.level, name)
        area = self.areas.setdefault(key, _Area(key, _area_name(self.level, name), source))
        if street:
            area.streets[street] += 1
        return key

    def _link(self, org: str, area: str, source: Row) -> None:
        self.links.setdefault((org, area), source)

    def location_areas(self) -> None:
        if self.level is AreaLevel.service_area:
            return
        addresses: dict[str, list[Row]] = defaultdict(list)
        for row in self.found.rows("address"):
            if self._ref(row, "location_id", self.locations, "location"):
                addresses[row.get("location_id") or ""].append(row)
        wanted = _ADDRESS_FIELD[self.level]
        for location in self.found.rows("location"):
            lid = location.get("id") or ""
            org = self._org_of_location(location)
            if org is None:
                orgs = {self.service_org.get(s.get("service_id") or "") for s in self.location_services.get(lid, [])}
                org = next(iter(sorted(o for o in orgs if o)), None)
            if org is None:
                self.summary.without_area.append(
                    {"table": "location", "id": lid, "name": location.get("name"), "why": "no organization"}
                )
                continue
            rows = addresses.get(lid, [])
            physical = [a for a in rows if (a.get("address_type") or "physical") == "physical"] or rows
            named = [a for a in physical if a.get(wanted)]
            if not named:
                why = "no address" if not rows else f"no {wanted} in its address"
                self.summary.without_area.append(
                    {"table": "location", "id": lid, "name": location.get("name"), "why": why}
                )
            for address in named:
                street = address.get(self.street_field) if self.street_field else None
                self._link(org, self._area(address.get(wanted) or "", address, street), address)

    def service_areas(self) -> None:
        other: Counter[str] = Counter()
        listed: list[tuple[Row, str, str, str | None]] = []
        for row in self.found.rows("service"):
            listed += [(row, row.get("id") or "", name, None) for name in _split(row.get("service_areas"))]
        for row in self.found.rows("service_area"):
            if not self._ref(row, "service_id", self.services, "service"):
                continue
            name = row.get("service_area") or row.get("name")
            if name:
                listed.append((row, row.get("service_id") or "", name, row.get("uri")))
            else:
                self.summary.without_area.append(
                    {"table": "service_area", "id": row.get("id"), "name": None, "why": "no name"}
                )
        served: dict[str, set[str]] = defaultdict(set)
        for row, sid, name, uri in listed:
            org = self.service_org.get(sid)
            if org is None:
                continue
            tagged = bool(uri and uri.startswith(COMMUNITY_URI))
            if not tagged and self.level is not AreaLevel.service_area and _service_area_level(name) is not self.level:
                other[name] += 1
                continue
            area = self._area(name, row, None, uri)
            self._link(org, area, row)
            served[org].add(area)
        for org, areas in served.items():  # the directory says where its services are offered: nowhere else
            if org in self.org_values:
                self.org_values[org][SERVES_ONLY] = ";".join(sorted(areas))
        self.summary.other_level_areas = [{"area": a, "services": n} for a, n in other.most_common()]

    def emit_areas(self) -> None:
        for area in self.areas.values():
            street = area.streets.most_common(1)[0][0] if area.streets else None
            values: dict[str, object] = {"id": area.id, "kind": "community", "name": area.name, "street": street}
            values["area_level"] = self.level.value
            self.out.add("entities", area.source, values)
        for (org, area_key), source in self.links.items():
            self.out.add("links", source, {"source": org, "target": area_key, "kind": "service"})
        linked = {org for org, _ in self.links}
        for org, values in self.org_values.items():
            if org not in linked:
                self.summary.without_area.append(
                    {"table": "organization", "id": org, "name": values["name"], "why": "no area at this level"}
                )
        self.summary.communities = len(self.areas)
        self.summary.links = len(self.links)

    def run(self) -> tuple[list[RawTable], list[Problem], HsdsSummary]:
        self.org_values: dict[str, dict[str, object]] = {}
        self.org_services: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.service_org: dict[str, str] = {}
        self.service_locations: dict[str, list[Row]] = defaultdict(list)
        self.location_services: dict[str, list[Row]] = defaultdict(list)
        for row in self.found.rows("service_at_location"):
            if self._ref(row, "service_id", self.services, "service") and self._ref(
                row, "location_id", self.locations, "location"
            ):
                self.service_locations[row.get("service_id") or ""].append(row)
                self.location_services[row.get("location_id") or ""].append(row)
        self.organizations()
        self.services_to_offers()
        for org, services in self.org_services.items():
            if org in self.org_values:
                self.org_values[org]["hsds_services"] = json.dumps(services, ensure_ascii=False)
        self.location_areas()
        self.service_areas()
        self.emit_areas()
        return list(self.out.tables.values()), self.problems, self.summary


def map_hsds(
    found: HsdsTables,
    *,
    areas: AreaLevel = AreaLevel.city,
    term_map: TermMap | None = None,
    kinds: KindMap | None = None,
    streets: StreetLevel = StreetLevel.none,
) -> tuple[list[RawTable], list[Problem], HsdsSummary]:
    """graphsvc's tables from HSDS tables, the problems found, and the summary of what was mapped
    (``streets``: which address field becomes a community's street; none by default)."""
    HsdsOptions(areas=areas, streets=streets)  # a street level not above the areas is refused here too
    terms = default_term_map() if term_map is None else term_map
    return _Mapper(found, areas, terms, kinds or {}, streets).run()


def read_hsds(
    directory: Path,
    *,
    areas: AreaLevel = AreaLevel.city,
    term_map: TermMap | None = None,
    kinds: KindMap | None = None,
    streets: StreetLevel = StreetLevel.none,
    max_bytes: int,
    max_rows: int,
    keep_going: bool = False,
) -> tuple[list[RawTable], list[Problem], HsdsSummary]:
    """Read and map an HSDS directory (see :func:`map_hsds`).

    With ``keep_going``, each HSDS row with a problem (a service or location naming an organization the
    directory does not hold, a duplicate id...) is left out and the rest mapped again, until no row has one;
    the problems returned are then those of every row left out (and of the files, which cannot be left out).
    """
    found, problems = read_hsds_tables(directory, max_bytes=max_bytes, max_rows=max_rows)

    def mapped(found: HsdsTables) -> tuple[list[RawTable], list[Problem], HsdsSummary]:
        return map_hsds(found, areas=areas, term_map=term_map, kinds=kinds, streets=streets)

    tables, found_problems, summary = mapped(found)
    left_out = list(problems)
    while keep_going and found_problems:
        if any(is_file_problem(p) for p in found_problems + problems):
            break  # not a row's problem: the load refuses it
        left_out += found_problems
        places = {(p.file, p.line) for p in found_problems}
        found = without_rows(found, places)
        tables, found_problems, summary = mapped(found)
    return tables, left_out + found_problems, summary


def without_rows(found: HsdsTables, places: set[tuple[str, int | None]]) -> HsdsTables:
    """``found`` without the rows at ``places`` (``(file, line)``)."""
    kept = {table: [r for r in rows if (r.file, r.line) not in places] for table, rows in found.tables.items()}
    return HsdsTables(directory=found.directory, tables=kept, files=found.files, ignored=found.ignored)


def read_hsds_dirs(
    directories: list[Path], options: HsdsOptions, *, max_bytes: int, max_rows: int, keep_going: bool = False
) -> tuple[list[RawTable], list[Problem], list[HsdsSummary]]:
    """Read and map several HSDS directories with the same options (the mapping table read once;
    ``keep_going``: see :func:`read_hsds`)."""
    term_map, problems = read_term_map(options.categories) if options.categories else (None, [])
    kinds, kind_problems = read_kind_map(options.kinds) if options.kinds else ({}, [])
    problems += kind_problems
    tables: list[RawTable] = []
    summaries: list[HsdsSummary] = []
    for directory in directories:
        found, found_problems, summary = read_hsds(
            directory,
            areas=options.areas,
            term_map=term_map,
            kinds=kinds,
            streets=options.streets,
            max_bytes=max_bytes,
            max_rows=max_rows,
            keep_going=keep_going,
        )
        tables += found
        problems += found_problems
        summaries.append(summary)
    return tables, problems, summaries
