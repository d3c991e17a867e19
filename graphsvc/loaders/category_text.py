"""Categories from free text: a service's name, description or keywords matched against the vocabulary.

A directory that says what a partner does only in words (an HSDS service
without taxonomy terms, a civil-affairs list's 业务范围, an ``offers`` row with a
``description`` instead of a ``category``) is mapped to categories by looking for
the zh/en labels and aliases of :file:`graphsvc/data/categories.csv`, and the
words of :file:`graphsvc/data/category_words.csv`, in the text:

* Chinese phrases match as plain substrings (``老年人`` in ``开展老年人日间照料``);
* English phrases match whole words, case-insensitively, with plurals folded
  (``seniors`` matches ``senior``, ``disabilities`` ``disability``), so ``arts``
  does not match inside ``parts``.

A word found does not always give its category: it depends on its *role*, which
``category_words.csv`` sets (a label or alias of the vocabulary is a ``service``
word unless that file says otherwise).

``service``
    names the service: gives its category (``legal aid``, ``助餐``, ``food pantry``).
``group``
    names who is served (``seniors``, ``儿童``, ``disabilities``, ``low income``):
    gives its category only next to a ``care`` (or ``service``) word of the same
    category -- ``lunch for seniors``, ``残疾人康复`` -- or when the text names no
    other category at all (``Teen drop-in``). Legal help for seniors is legal aid
    for a group, not elderly care. A group word just after ``at`` names a place
    (``legal clinic at the senior center``) and gives nothing.
``care``
    says the service is care for that group (``center``, ``meals``, ``照料``);
    never gives a category alone.
``weak``
    a word often met in passing (``clinic``, ``repair``, ``music``, ``money``):
    gives its category only when nothing else in the text gives one.
``topic``
    in a legal or mediation service (a ``service`` word of ``legal_aid`` or
    ``mediation`` found), names what the matter is about and gives nothing:
    ``health`` in ``health law clinic``, ``医疗`` in ``医疗纠纷调解``, ``纠纷`` in
    ``抚养费纠纷法律咨询``; elsewhere it is a ``service`` word.

"Next to" means in the same clause (text between punctuation), and for English
words at most five words apart. The texts given together (a service's name,
description and keywords) are read as one text whose parts are clauses. The
result keeps the vocabulary's order; :func:`matched_phrases` says which words gave
each category. To map more words, add them to ``category_words.csv``.

>>> match_categories("开展老年人日间照料、助餐服务")
['elderly_care']
>>> match_categories("Free legal clinic for seniors and people with disabilities")
['legal_aid']
>>> match_categories("Lunch for seniors at the senior center"), match_categories("Parts and accessories")
(['elderly_care'], [])
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast

from graphsvc.vocabulary import categories

__all__ = ["match_categories", "matched_phrases"]

Role = Literal["service", "group", "care", "weak", "topic"]
ROLES: tuple[Role, ...] = ("service", "group", "care", "weak", "topic")
MATTERS = frozenset({"legal_aid", "mediation"})
"""Categories whose service words make the text a legal or mediation matter (``topic`` words then give nothing)."""
WINDOW = 5
"""How many words apart an English group word and its care word may be."""
PLACE_WORDS = frozenset({"at"})

_WORD = re.compile(r"[0-9a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CLAUSE = re.compile(r"[\n.;:!?,()\[\]/>|，。；：、！？（）【】]+")


def _stem(word: str) -> str:
    """Fold an English plural: ``disabilities`` -> ``disability``, ``seniors`` -> ``senior``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]  # classes -> class, lunches -> lunch, boxes -> box
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.casefold().replace("'s", "")))


@dataclass(frozen=True)
class _Word:
    category: str
    role: Role
    phrase: str
    pattern: tuple[str, ...] | str  # English words, or a Chinese substring


@dataclass(frozen=True)
class _Hit:
    word: _Word
    clause: int
    start: int  # English: the first word's position in the clause; Chinese: -1
    end: int


def _pattern(phrase: str) -> tuple[str, ...] | str | None:
    if _CJK.search(phrase):
        return phrase
    return _words(phrase) or None


@cache
def _lexicon() -> tuple[_Word, ...]:
    """Every word the matcher looks for, with its category and role."""
    text = resources.files("graphsvc").joinpath("data/category_words.csv").read_text(encoding="utf-8")
    extra: list[tuple[str, Role, str]] = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        role = row["role"].strip()
        if role not in ROLES:
            raise ValueError(f"category_words.csv: unknown role {role!r}")
        for phrase in (p.strip() for p in row["words"].split(";")):
            if phrase:
                extra.append((row["category"].strip(), cast(Role, role), phrase))
    vocabulary = categories()
    roles = {(cat, _pattern(p)): role for cat, role, p in extra if role in ("group", "weak", "topic")}
    out: dict[tuple[str, tuple[str, ...] | str], _Word] = {}
    for cat in vocabulary.values():
        for phrase in (cat.zh, cat.en, *cat.aliases):
            if (pattern := _pattern(phrase)) is not None and (cat.code, pattern) not in out:
                out[cat.code, pattern] = _Word(cat.code, roles.get((cat.code, pattern), "service"), phrase, pattern)
    for code, role, phrase in extra:
        if code not in vocabulary:
            raise ValueError(f"category_words.csv: unknown category {code!r}")
        if (pattern := _pattern(phrase)) is not None and (code, pattern) not in out:
            out[code, pattern] = _Word(code, role, phrase, pattern)
    return tuple(out.values())


@cache
def _index() -> tuple[tuple[_Word, ...], dict[str, tuple[_Word, ...]]]:
    """The Chinese words, and the English ones by their first word."""
    chinese = tuple(w for w in _lexicon() if isinstance(w.pattern, str))
    english: dict[str, list[_Word]] = {}
    for w in _lexicon():
        if not isinstance(w.pattern, str):
            english.setdefault(w.pattern[0], []).append(w)
    return chinese, {first: tuple(ws) for first, ws in english.items()}


def _hits(text: str) -> Iterator[tuple[_Hit, tuple[str, ...]]]:
    chinese, english = _index()
    for c, clause in enumerate(_CLAUSE.split(text)):
        words = _words(clause)
        if _CJK.search(clause):
            for w in chinese:
                if isinstance(w.pattern, str) and w.pattern in clause:
                    yield _Hit(w, c, -1, -1), words
        for i, first in enumerate(words):
            for w in english.get(first, ()):
                n = len(w.pattern)
                if words[i : i + n] == w.pattern:
                    yield _Hit(w, c, i, i + n), words


def _near(group: _Hit, care: _Hit) -> bool:
    if group.clause != care.clause:
        return False
    if group.start < 0 or care.start < 0:
        return True
    gap = max(care.start - group.end, group.start - care.end)
    return gap < WINDOW and (care.start, care.end) != (group.start, group.end)


def matched_phrases(text: str) -> dict[str, list[str]]:
    """For each category the text gives, the words that gave it (``group (care)`` for a group with its care word).

    >>> matched_phrases("Meals on Wheels for older adults")
    {'elderly_care': ['meals on wheels', 'older adults (meals on wheels)']}
    >>> matched_phrases("Health law clinic: Medicaid appeals"), matched_phrases("Pediatric clinic")
    ({'legal_aid': ['law']}, {'health': ['clinic']})
    """
    hits = list(_hits(text))
    matter = any(h.word.role == "service" and h.word.category in MATTERS for h, _ in hits)
    found: dict[str, list[str]] = {}

    def give(code: str, phrase: str) -> None:
        if phrase not in found.setdefault(code, []):
            found[code].append(phrase)

    for h, _ in hits:
        if h.word.role == "service" or (h.word.role == "topic" and not matter):
            give(h.word.category, h.word.phrase)
    groups = [(h, words) for h, words in hits if h.word.role == "group"]
    for g, words in groups:
        if g.start >= 0 and PLACE_WORDS & set(words[max(0, g.start - 2) : g.start]):
            continue  # "at the senior center": where, not what
        for c, _ in hits:
            if c.word.category == g.word.category and c.word.role in ("care", "service") and _near(g, c):
                give(g.word.category, f"{g.word.phrase} ({c.word.phrase})")
                break
    if not found:
        for h, _ in hits:
            if h.word.role == "weak":
                give(h.word.category, h.word.phrase)
    if not found:
        for g, _ in groups:
            give(g.word.category, g.word.phrase)
    return {code: found[code] for code in categories() if code in found}


def match_categories(*texts: str | None) -> list[str]:
    """The category codes ``texts`` give, read together as one text (vocabulary order)."""
    return list(matched_phrases("\n".join(t for t in texts if t)))
