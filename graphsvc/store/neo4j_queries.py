"""Every Cypher statement the Neo4j store runs, as named constants (and builders for the ones that name a label).

Labels and relationship types come only from :data:`KIND_LABELS` and :data:`LINK_TYPES`, built from graphsvc's
fixed vocabulary; every value is a ``$parameter``. The graph model is described in :mod:`graphsvc.store.neo4j`.
"""

from __future__ import annotations

from graphsvc.vocabulary import AREA_NODE_LABEL, AREA_PARENT_TYPE, OUTCOME_RELATIONSHIP, EntityKind, LinkKind

KIND_LABELS: dict[EntityKind, str] = {
    EntityKind.COMMUNITY: "Community",
    EntityKind.ORGANIZATION: "Organization",
    EntityKind.ENTERPRISE: "Enterprise",
    EntityKind.SCHOOL: "School",
    EntityKind.MEDIA: "Media",
}
LINK_TYPES: dict[LinkKind, str] = {kind: kind.value.upper() for kind in LinkKind}
TYPE_KINDS: dict[str, LinkKind] = {rel_type: kind for kind, rel_type in LINK_TYPES.items()}
ALL_KIND_LABELS = ":".join(KIND_LABELS.values())
LINK_TYPE_ALTERNATIVES = "|".join(LINK_TYPES.values())

CONSTRAINTS = [
    "CREATE CONSTRAINT graphsvc_entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    "CREATE CONSTRAINT graphsvc_category_code IF NOT EXISTS FOR (c:Category) REQUIRE c.code IS UNIQUE",
    "CREATE INDEX graphsvc_entity_street IF NOT EXISTS FOR (e:Entity) ON (e.street)",
    "CREATE INDEX graphsvc_entity_kind IF NOT EXISTS FOR (e:Entity) ON (e.kind)",
    "CREATE CONSTRAINT graphsvc_data_version IF NOT EXISTS FOR (v:DataVersion) REQUIRE v.key IS UNIQUE",
    "CREATE CONSTRAINT graphsvc_artifact_name IF NOT EXISTS FOR (a:Artifact) REQUIRE a.name IS UNIQUE",
    "CREATE CONSTRAINT graphsvc_project_id IF NOT EXISTS FOR (p:Project) REQUIRE p.id IS UNIQUE",
    f"CREATE CONSTRAINT graphsvc_area_key IF NOT EXISTS FOR (a:{AREA_NODE_LABEL}) REQUIRE (a.level, a.name) IS UNIQUE",
]
BUMP_VERSION = """
MERGE (v:DataVersion {key: 'data'})
ON CREATE SET v.version = 0
SET v.version = v.version + 1
"""
PUT_ARTIFACT = "MERGE (a:Artifact {name: $name}) SET a.version = $version, a.data = $data"
GET_ARTIFACT = "MATCH (a:Artifact {name: $name}) RETURN a.version AS version, a.data AS data"
READ_VERSION = """
OPTIONAL MATCH (v:DataVersion {key: 'data'})
OPTIONAL MATCH (i:StoreIdentity {key: 'store'})
RETURN coalesce(v.version, 0) AS version, i.id AS identity
"""
# The database's identity: a random id made once, kept by every clear. A store remembers the one it first met,
# so a database wiped or replaced under a running process (it answers with another id, or none) is noticed.
MERGE_IDENTITY = """
MERGE (i:StoreIdentity {key: 'store'})
ON CREATE SET i.id = $id
RETURN i.id AS identity
"""
READ_IDENTITY = "OPTIONAL MATCH (i:StoreIdentity {key: 'store'}) RETURN i.id AS identity"
MERGE_CATEGORIES = """
UNWIND $rows AS row
MERGE (c:Category {code: row.code})
SET c.zh = row.zh, c.en = row.en, c.group = row.group
"""
ATTRIBUTE_CHARS = "MATCH (e:Entity) RETURN coalesce(sum(size(e.attributes_json)), 0) AS chars"
ATTRIBUTE_CHARS_OF = (
    "UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN coalesce(sum(size(e.attributes_json)), 0) AS chars"
)
ENTITY_IDS = "MATCH (e:Entity) RETURN e.id AS id"
EXISTING_KINDS = "UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN e.id AS id, e.kind AS kind"


def merge_entities_query(kind: EntityKind) -> str:
    """The upsert of entities of one kind; the label comes from :data:`KIND_LABELS`."""
    return f"""
UNWIND $rows AS row
MERGE (e:Entity {{id: row.id}})
ON CREATE SET e._load = $load
SET e += row.props
REMOVE e:{ALL_KIND_LABELS}
SET e:{KIND_LABELS[kind]}
"""


def merge_links_query(kind: LinkKind) -> str:
    """The upsert of links of one kind; the relationship type comes from :data:`LINK_TYPES`. A link whose reverse
    is stored (and not itself) updates the reverse: one link per pair, in the direction first written."""
    return f"""
UNWIND $rows AS row
MATCH (a:Entity {{id: row.source}})
MATCH (b:Entity {{id: row.target}})
OPTIONAL MATCH (b)-[back:{LINK_TYPES[kind]}]->(a)
OPTIONAL MATCH (a)-[ahead:{LINK_TYPES[kind]}]->(b)
WITH row, CASE WHEN back IS NOT NULL AND ahead IS NULL THEN [b, a] ELSE [a, b] END AS ends
WITH row, ends[0] AS s, ends[1] AS t
MERGE (s)-[r:{LINK_TYPES[kind]}]->(t)
ON CREATE SET r._load = $load
SET r.since = row.since, r.until = row.until, r.weight = row.weight, r.project = row.project
"""


def create_entities_query(kind: EntityKind) -> str:
    """A first load's entities of one kind, into a store holding none: ``CREATE``, no lookup (see
    ``Neo4jStore._first_load``); the label comes from :data:`KIND_LABELS`."""
    return f"""
UNWIND $rows AS row
CREATE (e:Entity:{KIND_LABELS[kind]} {{id: row.id}})
SET e += row.props
"""


def create_links_query(kind: LinkKind) -> str:
    """A first load's links of one kind (one per pair already): ``CREATE`` between the two entities' index
    seeks; the relationship type comes from :data:`LINK_TYPES`."""
    return f"""
UNWIND $rows AS row
MATCH (a:Entity {{id: row.source}})
MATCH (b:Entity {{id: row.target}})
CREATE (a)-[r:{LINK_TYPES[kind]}]->(b)
SET r.since = row.since, r.until = row.until, r.weight = row.weight, r.project = row.project
"""


def amounts_query(relationship: str, owner: str, amount: str, *, first_load: bool) -> str:
    """A load's needs or offers: ``(owner)-[relationship {amount}]->(category)`` per row, between the entity's and
    the category's index seeks. A first load into an empty store ``CREATE``s; otherwise ``MERGE``, marking what it
    created with ``$load`` (undone if the load fails). ``relationship`` is ``NEEDS`` or ``OFFERS`` (fixed here)."""
    write = "CREATE (e)-[r:{0}]->(c)" if first_load else "MERGE (e)-[r:{0}]->(c)\nON CREATE SET r._load = $load"
    return f"""
UNWIND $rows AS row
MATCH (e:Entity {{id: row.{owner}}})
MATCH (c:Category {{code: row.category}})
{write.format(relationship)}
SET r.{amount} = row.{amount}
"""


CREATE_NEEDS = amounts_query("NEEDS", "community", "weight", first_load=True)
CREATE_OFFERS = amounts_query("OFFERS", "partner", "capacity", first_load=True)
MERGE_NEEDS = amounts_query("NEEDS", "community", "weight", first_load=False)
MERGE_OFFERS = amounts_query("OFFERS", "partner", "capacity", first_load=False)
# -- the area hierarchy: one node per area, linked to the area one level up by IN ---------------------------
# Areas are few (a street each at most); a load writes them in one transaction. The label and the relationship
# type are the vocabulary's constants; level, name and parent are parameters.
MERGE_AREAS = f"""
UNWIND $rows AS row
MERGE (a:{AREA_NODE_LABEL} {{level: row.level, name: row.name}})
WITH a, row
OPTIONAL MATCH (a)-[old:{AREA_PARENT_TYPE}]->(:{AREA_NODE_LABEL})
DELETE old
WITH DISTINCT a, row
FOREACH (_ IN CASE WHEN row.parent IS NULL THEN [] ELSE [1] END |
  MERGE (p:{AREA_NODE_LABEL} {{level: row.parent_level, name: row.parent}})
  MERGE (a)-[:{AREA_PARENT_TYPE}]->(p)
)
"""
"""Areas the load lists: each one's parent is the one it names now (its ``IN`` replaced), created if absent."""
LIST_AREAS = f"""
MATCH (a:{AREA_NODE_LABEL})
OPTIONAL MATCH (a)-[:{AREA_PARENT_TYPE}]->(p:{AREA_NODE_LABEL})
RETURN a.level AS level, a.name AS name, p.name AS parent
"""
DELETE_AREAS = f"MATCH (a:{AREA_NODE_LABEL}) DETACH DELETE a"
ENTITY_FIELDS = (
    "e.id AS id, e.kind AS kind, e.name AS name, e.name_en AS name_en, e.street AS street, "
    "e.subtype AS subtype, e.capacity AS capacity, e.attributes_json AS attributes_json"
)
LIST_ENTITIES = f"""
MATCH (e:Entity)
WHERE ($kind IS NULL OR e.kind = $kind) AND ($street IS NULL OR e.street = $street)
RETURN {ENTITY_FIELDS}
ORDER BY e.id SKIP $offset LIMIT $limit
"""
COUNT_ENTITIES = """
MATCH (e:Entity)
WHERE ($kind IS NULL OR e.kind = $kind) AND ($street IS NULL OR e.street = $street)
RETURN count(e) AS n
"""
GET_ENTITY = f"MATCH (e:Entity {{id: $id}}) RETURN {ENTITY_FIELDS}"
GET_ENTITIES = f"UNWIND $ids AS id MATCH (e:Entity {{id: id}}) RETURN {ENTITY_FIELDS} ORDER BY e.id"
LINK_FIELDS = (
    "s.id AS source, t.id AS target, type(r) AS type, r.since AS since, r.until AS until, "
    "r.weight AS weight, r.project AS project"
)
LIST_LINKS = f"""
MATCH (s:Entity)-[r:{LINK_TYPE_ALTERNATIVES}]->(t:Entity)
WHERE $id IS NULL OR s.id = $id OR t.id = $id
RETURN {LINK_FIELDS}
ORDER BY source, target, type
"""
LIST_NEEDS = """
MATCH (e:Entity)-[r:NEEDS]->(c:Category)
WHERE $id IS NULL OR e.id = $id
RETURN e.id AS community, c.code AS category, r.weight AS weight
ORDER BY community, category
"""
LIST_OFFERS = """
MATCH (e:Entity)-[r:OFFERS]->(c:Category)
WHERE $id IS NULL OR e.id = $id
RETURN e.id AS partner, c.code AS category, r.capacity AS capacity
ORDER BY partner, category
"""
# The snapshot reads every entity with its needs, offers and outgoing links in pages of ``$page`` entities, each
# page one record of lists (one Bolt message, not one per row: the driver's per-record cost dominated). Pages
# follow the unique index on ``id``: the next page starts at the smallest id after the last one, ``last + "\0"``
# (in any lexicographic order, ``s + "\0"`` is the first string after ``s``).
SNAPSHOT_PAGE = f"""
MATCH (e:Entity) WHERE e.id >= $from
WITH e ORDER BY e.id LIMIT $page
RETURN collect([
  e.id, e.kind, e.name, e.name_en, e.street, e.subtype, e.capacity, e.attributes_json,
  [(e)-[r:NEEDS]->(c:Category) | [c.code, r.weight]],
  [(e)-[r:OFFERS]->(c:Category) | [c.code, r.capacity]],
  [(e)-[r:{LINK_TYPE_ALTERNATIVES}]->(t:Entity) | [t.id, type(r), toString(r.since), r.weight, r.project]]
]) AS rows, max(e.id) AS last
"""
# Counted from Neo4j's count store (one label, or one relationship type, per count: constant time, however large
# the district), which holds because labels follow the entities' kinds and the link types join entities only.
_KIND_COUNTS = "\n".join(
    f"CALL () {{ MATCH (e:{label}) RETURN count(e) AS k{i} }}" for i, label in enumerate(KIND_LABELS.values())
)
_LINK_COUNTS = "\n".join(
    f"CALL () {{ MATCH ()-[r:{rel_type}]->() RETURN count(r) AS l{i} }}"
    for i, rel_type in enumerate(LINK_TYPES.values())
)
COUNTS = f"""
{_KIND_COUNTS}
{_LINK_COUNTS}
CALL () {{ MATCH ()-[r:NEEDS]->() RETURN count(r) AS needs }}
CALL () {{ MATCH ()-[r:OFFERS]->() RETURN count(r) AS offers }}
CALL () {{ MATCH ()-[r:{OUTCOME_RELATIONSHIP}]->() RETURN count(r) AS outcomes }}
CALL () {{ MATCH (p:Project) RETURN count(p) AS projects }}
RETURN [{", ".join(f"['{kind.value}', k{i}]" for i, kind in enumerate(KIND_LABELS))}] AS kinds,
       {" + ".join(f"l{i}" for i in range(len(LINK_TYPES)))} AS links, needs, offers, outcomes, projects
"""
DELETE_ENTITY = "MATCH (e:Entity {id: $id}) DETACH DELETE e RETURN count(*) AS n"


def delete_link_query(kind: LinkKind) -> str:
    rel_type = LINK_TYPES[kind]
    return f"MATCH (:Entity {{id: $source}})-[r:{rel_type}]-(:Entity {{id: $target}}) DELETE r RETURN count(*) AS n"


CLEAR = "MATCH (n:Entity) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
# A load with ``replace`` empties the store inside its own transaction (``CALL ... IN TRANSACTIONS`` cannot run
# there); one too large for the transaction's memory goes in batches instead (``Neo4jStore._replace_in_batches``).
DELETE_ENTITIES = "MATCH (n:Entity) DETACH DELETE n"
DELETE_ARTIFACTS = "MATCH (a:Artifact) DELETE a"
CLEAR_ARTIFACTS = "MATCH (a:Artifact) CALL (a) { DELETE a } IN TRANSACTIONS OF 100 ROWS"
"""Kept artifacts (a fitted model, parts of kept lists) are large: a hundred per transaction."""


# -- loads too large for one transaction: batches, with what they change kept to undo them ---------------------
# New nodes and relationships carry ``_load`` (the load's id) until the load is complete; ``$load`` is null for
# a load in one transaction, so nothing is marked. Entities and relationships the load changes are read first.
PRIOR_ENTITIES = "UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN e.id AS id, e.kind AS kind, properties(e) AS props"
PRIOR_LINKS = f"""
UNWIND $rows AS row
MATCH (s:Entity {{id: row.source}})-[r:{LINK_TYPE_ALTERNATIVES}]-(t:Entity {{id: row.target}})
WHERE type(r) = row.type
RETURN row.source AS source, row.target AS target, row.type AS type, properties(r) AS props
"""
PRIOR_NEEDS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.community})-[r:NEEDS]->(:Category {code: row.category})
RETURN row.community AS community, row.category AS category, properties(r) AS props
"""
PRIOR_OFFERS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.partner})-[r:OFFERS]->(:Category {code: row.category})
RETURN row.partner AS partner, row.category AS category, properties(r) AS props
"""
UNDO_CREATED_RELATIONSHIPS = """
MATCH ()-[r]->() WHERE r._load = $load
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""
UNDO_CREATED_ENTITIES = """
MATCH (e:Entity) WHERE e._load = $load
CALL (e) { DETACH DELETE e } IN TRANSACTIONS OF 10000 ROWS
"""
RESTORE_NEEDS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.community})-[r:NEEDS]->(:Category {code: row.category})
SET r = row.props
"""
RESTORE_OFFERS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.partner})-[r:OFFERS]->(:Category {code: row.category})
SET r = row.props
"""
RESTORE_LINKS = f"""
UNWIND $rows AS row
MATCH (s:Entity {{id: row.source}})-[r:{LINK_TYPE_ALTERNATIVES}]-(t:Entity {{id: row.target}})
WHERE type(r) = row.type
SET r = row.props
"""
COMPLETE_RELATIONSHIPS = """
MATCH ()-[r]->() WHERE r._load = $load
CALL (r) { REMOVE r._load } IN TRANSACTIONS OF 10000 ROWS
"""
COMPLETE_ENTITIES = """
MATCH (e:Entity) WHERE e._load = $load
CALL (e) { REMOVE e._load } IN TRANSACTIONS OF 10000 ROWS
"""


def restore_entities_query(kind: EntityKind) -> str:
    """Put entities of one kind back as they were before a load that failed (label from :data:`KIND_LABELS`)."""
    return f"""
UNWIND $rows AS row
MATCH (e:Entity {{id: row.id}})
SET e = row.props
REMOVE e:{ALL_KIND_LABELS}
SET e:{KIND_LABELS[kind]}
"""


# -- outcomes: (:Community)-[:OUTCOME {status, at, reason, by, rank, probability}]->(partner) ---------------------
# The relationship type is the vocabulary's (OUTCOME_RELATIONSHIP); (community, partner, status, at) identifies one.
MERGE_OUTCOMES = f"""
UNWIND $rows AS row
MATCH (c:Entity {{id: row.community}})
MATCH (p:Entity {{id: row.partner}})
MERGE (c)-[r:{OUTCOME_RELATIONSHIP} {{status: row.status, at: row.at}}]->(p)
ON CREATE SET r._load = $load
SET r.reason = row.reason, r.by = row.by, r.rank = row.rank, r.probability = row.probability
"""
OUTCOME_FIELDS = (
    "c.id AS community, p.id AS partner, r.status AS status, r.at AS at, r.reason AS reason, r.by AS by, "
    "r.rank AS rank, r.probability AS probability"
)
LIST_OUTCOMES = f"""
MATCH (c:Entity)-[r:{OUTCOME_RELATIONSHIP}]->(p:Entity)
WHERE ($community IS NULL OR c.id = $community) AND ($partner IS NULL OR p.id = $partner)
RETURN {OUTCOME_FIELDS}
ORDER BY community, partner, at, status
"""
COUNT_OUTCOMES = f"MATCH (:Entity)-[r:{OUTCOME_RELATIONSHIP}]->(:Entity) RETURN count(r) AS outcomes"


# -- projects -------------------------------------------------------------------------------------------------------
# ``(:Project {id, title, covers_json, budget, status, proposed_on, start, end})-[:PROJECT_OF]->(:Community)`` and
# ``(partner)-[:SPONSORS {amount}]->(:Project)``: fixed names, never from input. An upsert replaces a project's
# community and sponsors; a project goes with its community (``DELETE_PROJECTS_OF``) and with ``clear``.
PROJECT_LABEL = "Project"
PROJECT_OF = "PROJECT_OF"
SPONSORS = "SPONSORS"
_PROJECT_OF_AND_SPONSORS = f"""CREATE (p)-[:{PROJECT_OF}]->(c)
WITH p, row
CALL (p, row) {{
  UNWIND row.sponsors AS sponsor
  MATCH (e:Entity {{id: sponsor.partner}})
  CREATE (e)-[:{SPONSORS} {{amount: sponsor.amount}}]->(p)
}}
"""
"""A project's community and sponsors, created: how every write of a project ends."""
_PROJECT_LINKS = f"""WITH p, c, row
CALL (p) {{ MATCH (p)-[old:{PROJECT_OF}|{SPONSORS}]-() DELETE old }}
{_PROJECT_OF_AND_SPONSORS}"""
"""A project's community and sponsors, replaced: how writing a project and restoring one both end."""
MERGE_PROJECTS = f"""
UNWIND $rows AS row
MATCH (c:Entity {{id: row.community}})
MERGE (p:{PROJECT_LABEL} {{id: row.id}})
ON CREATE SET p._load = $load
SET p += row.props
{_PROJECT_LINKS}"""
LIST_PROJECTS = f"""
MATCH (p:{PROJECT_LABEL})-[:{PROJECT_OF}]->(c:Entity)
WHERE ($community IS NULL OR c.id = $community) AND ($id IS NULL OR p.id = $id)
OPTIONAL MATCH (s:Entity)-[r:{SPONSORS}]->(p)
WITH p, c, s, r ORDER BY s.id
WITH p, c, collect(CASE WHEN s IS NULL THEN null ELSE [s.id, r.amount] END) AS sponsors
RETURN p.id AS id, c.id AS community, p.title AS title, p.covers_json AS covers_json, p.budget AS budget,
       p.status AS status, p.proposed_on AS proposed_on, p.start AS start, p.end AS end, sponsors
ORDER BY id
"""
DELETE_PROJECT = f"MATCH (p:{PROJECT_LABEL} {{id: $id}}) DETACH DELETE p RETURN count(*) AS n"
DELETE_PROJECTS_OF = f"MATCH (p:{PROJECT_LABEL})-[:{PROJECT_OF}]->(:Entity {{id: $id}}) DETACH DELETE p"
DELETE_PROJECTS = f"MATCH (p:{PROJECT_LABEL}) DETACH DELETE p"
CLEAR_PROJECTS = f"MATCH (p:{PROJECT_LABEL}) CALL (p) {{ DETACH DELETE p }} IN TRANSACTIONS OF 10000 ROWS"
UNDO_CREATED_PROJECTS = f"""
MATCH (p:{PROJECT_LABEL}) WHERE p._load = $load
CALL (p) {{ DETACH DELETE p }} IN TRANSACTIONS OF 10000 ROWS
"""
CREATE_PROJECTS = f"""
UNWIND $rows AS row
MATCH (c:Entity {{id: row.community}})
CREATE (p:{PROJECT_LABEL} {{id: row.id}})
SET p += row.props
{_PROJECT_OF_AND_SPONSORS}"""
"""A first load's projects (see ``create_entities_query``), with their community and sponsors."""
UNDO_FIRST_PROJECTS = f"UNWIND $ids AS id MATCH (p:{PROJECT_LABEL} {{id: id}}) DETACH DELETE p"
# A first load into an empty store (no entity, project or area) needs no marks: if it fails, what it wrote is
# found again by the keys it holds and deleted.
IS_EMPTY = f"""
RETURN NOT EXISTS {{ MATCH (:Entity) }} AND NOT EXISTS {{ MATCH (:{AREA_NODE_LABEL}) }}
   AND NOT EXISTS {{ MATCH (:{PROJECT_LABEL}) }} AS empty
"""
UNDO_FIRST_ENTITIES = "UNWIND $ids AS id MATCH (e:Entity {id: id}) DETACH DELETE e"
UNDO_FIRST_AREAS = f"""
UNWIND $rows AS row
MATCH (a:{AREA_NODE_LABEL} {{level: row.level, name: row.name}})
DETACH DELETE a
"""
COMPLETE_PROJECTS = f"""
MATCH (p:{PROJECT_LABEL}) WHERE p._load = $load
CALL (p) {{ REMOVE p._load }} IN TRANSACTIONS OF 10000 ROWS
"""
PRIOR_PROJECTS = f"""
UNWIND $ids AS id
MATCH (p:{PROJECT_LABEL} {{id: id}})-[:{PROJECT_OF}]->(c:Entity)
OPTIONAL MATCH (s:Entity)-[r:{SPONSORS}]->(p)
WITH p, c, collect(CASE WHEN s IS NULL THEN null ELSE {{partner: s.id, amount: r.amount}} END) AS sponsors
RETURN p.id AS id, c.id AS community, properties(p) AS props, sponsors
"""
RESTORE_PROJECTS = f"""
UNWIND $rows AS row
MATCH (c:Entity {{id: row.community}})
MERGE (p:{PROJECT_LABEL} {{id: row.id}})
SET p = row.props
{_PROJECT_LINKS}"""
