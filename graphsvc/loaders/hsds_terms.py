"""Taxonomy terms -> graphsvc categories: the mapping table and how a service's terms are resolved.

A mapping table is a CSV with the columns ``term`` and ``category``: ``term``
is a taxonomy term's id, code or name, ``category`` a category (code or label,
several separated by ``;``). graphsvc ships one for the common top-level terms
of the Open Eligibility and 211/AIRS taxonomies
(:file:`graphsvc/data/hsds_terms.csv`); ``graphsvc load --categories FILE``
puts a planner's own table in front of it.

A term maps through, in order: the table (by id, code, then name); its own
name or code when that is already a category label or alias (``Health``,
``养老服务``, ``elderly_care`` -- so graphsvc's own export loads back); then the
same for its parent, up to the top of the taxonomy.

>>> table = default_term_map()
>>> terms = {"108-03-03": ("108-03-03", "Childcare", "108-03"), "108-03": ("108-03", "Daytime Care", "108")}
>>> categories_of_term("108-03-03", terms, table), categories_of_term("105", {}, table)
(['children'], [])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from graphsvc.errors import Problem
from graphsvc.loaders.readers import decode_text
from graphsvc.vocabulary import parse_category, parse_entity_kind, parse_subtype

__all__ = ["KindMap", "TermMap", "categories_of_term", "default_term_map", "read_kind_map", "read_term_map"]

TermMap = dict[str, tuple[str, ...]]
"""Normalised term (id, code or name) -> category codes."""

KindMap = dict[str, tuple[str, str | None]]
"""Normalised organization id or name -> (kind, subtype or ``None``)."""

Term = tuple[str, str | None, str | None]
"""A taxonomy term as ``(id or code, name, parent id)``."""


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _parse(text: str, file: str, problems: list[Problem] | None = None) -> TermMap:
    out: TermMap = {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
    missing = [c for c in ("term", "category") if c not in fields]
    if missing:
        if problems is not None:
            problems += [
                Problem(file, 1, c, "a category mapping needs the columns 'term' and 'category'") for c in missing
            ]
        return out
    for row in reader:
        line = reader.line_num
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        term, cats = values.get("term", ""), values.get("category", "")
        if not term:
            continue
        codes: list[str] = []
        for name in (c.strip() for c in cats.split(";")):
            if not name:
                continue
            try:
                codes.append(parse_category(name))
            except ValueError as exc:
                if problems is not None:
                    problems.append(Problem(file, line, "category", str(exc)))
        out[_key(term)] = tuple(dict.fromkeys(codes))
    return out


@cache
def default_term_map() -> TermMap:
    """The built-in mapping of common top-level taxonomy terms."""
    text = resources.files("graphsvc").joinpath("data/hsds_terms.csv").read_text(encoding="utf-8")
    return _parse(text, "hsds_terms.csv")


def read_term_map(path: Path) -> tuple[TermMap, list[Problem]]:
    """A planner's mapping table, in front of the built-in one; problems name file, line and field."""
    problems: list[Problem] = []
    if not path.is_file():
        return dict(default_term_map()), [Problem(str(path), None, None, "no such file")]
    text, problem = decode_text(path.read_bytes(), str(path))
    if text is None:
        return dict(default_term_map()), [problem] if problem else []
    own = _parse(text, str(path), problems)
    return {**default_term_map(), **own}, problems


def _as_category(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return parse_category(text)
    except ValueError:
        return None


def categories_of_term(term_id: str, terms: Mapping[str, Term], table: TermMap) -> list[str]:
    """The categories a term maps to, walking up its parents until one maps; ``[]`` if none does."""
    seen: set[str] = set()
    current: str | None = term_id
    while current and current not in seen:
        seen.add(current)
        code, name, parent = terms.get(current, (current, None, None))
        keys = [k for k in dict.fromkeys((current, code, name)) if k]
        for key in keys:
            if _key(key) in table:
                return list(table[_key(key)])
        for key in keys:
            if category := _as_category(key):
                return [category]
        current = parent
    return []


def read_kind_map(path: Path) -> tuple[KindMap, list[Problem]]:
    """Which HSDS organizations are not plain social organizations: a CSV ``organization,kind[,subtype]``.

    ``organization`` is an HSDS organization id or name; ``kind`` and ``subtype`` take graphsvc's codes or
    labels in either language (``school``, ``高校社团``). Problems name the file, line and field.
    """
    if not path.is_file():
        return {}, [Problem(str(path), None, None, "no such file")]
    text, problem = decode_text(path.read_bytes(), str(path))
    if text is None:
        return {}, [problem] if problem else []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
    missing = [c for c in ("organization", "kind") if c not in fields]
    if missing:
        reason = "a kind mapping needs the columns 'organization' and 'kind' (and may have 'subtype')"
        return {}, [Problem(str(path), 1, c, reason) for c in missing]
    out: KindMap = {}
    problems: list[Problem] = []
    for row in reader:
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not values.get("organization"):
            continue
        try:
            kind = parse_entity_kind(values.get("kind", "")).value
            subtype = parse_subtype(values["subtype"]).value if values.get("subtype") else None
        except ValueError as exc:
            field = "subtype" if values.get("kind") and "subtype" in str(exc) else "kind"
            problems.append(Problem(str(path), reader.line_num, field, str(exc)))
            continue
        out[_key(values["organization"])] = (kind, subtype)
    return out, problems
