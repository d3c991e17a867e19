"""Categories from free text: a service's name, description or keywords matched against the vocabulary.

A directory that says what a partner does only in words (an HSDS service
without taxonomy terms, a civil-affairs list's 业务范围, an ``offers`` row with a
``description`` instead of a ``category``) is mapped to categories by looking for
the zh/en labels and aliases of :file:`graphsvc/data/categories.csv` in the text:

* Chinese phrases match as plain substrings (``老年人`` in ``开展老年人日间照料``);
* English phrases match whole words, case-insensitively, with plurals folded
  (``seniors`` matches the alias ``senior``, ``disabilities`` the alias
  ``disability``), so ``arts`` does not match inside ``parts``.

A text may match several categories; the result keeps the vocabulary's order.
To map more words, add aliases to the vocabulary file: the matcher reads them.

>>> match_categories("开展老年人日间照料、助餐服务")
['elderly_care']
>>> match_categories("Free legal clinic for seniors and people with disabilities")
['elderly_care', 'disability', 'legal_aid', 'health']
>>> match_categories("Parts and accessories")
[]
"""

from __future__ import annotations

import re
from functools import cache

from graphsvc.vocabulary import categories

__all__ = ["match_categories", "matched_phrases"]

_WORD = re.compile(r"[0-9a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _stem(word: str) -> str:
    """Fold an English plural: ``disabilities`` -> ``disability``, ``seniors`` -> ``senior``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.casefold().replace("'s", "")))


@cache
def _phrases() -> tuple[tuple[str, str, tuple[str, ...] | str], ...]:
    """``(category, phrase, words or Chinese text)`` for every label and alias of the vocabulary."""
    out: list[tuple[str, str, tuple[str, ...] | str]] = []
    for cat in categories().values():
        for phrase in (cat.zh, cat.en, *cat.aliases):
            if _CJK.search(phrase):
                out.append((cat.code, phrase, phrase))
            elif words := _words(phrase):
                out.append((cat.code, phrase, words))
    return tuple(out)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def matched_phrases(text: str) -> dict[str, list[str]]:
    """For each category the text matches, the vocabulary phrases found in it.

    >>> matched_phrases("Meals on Wheels for older adults")
    {'elderly_care': ['older adults', 'meals on wheels']}
    """
    words = _words(text)
    found: dict[str, list[str]] = {}
    for code, phrase, pattern in _phrases():
        hit = pattern in text if isinstance(pattern, str) else _contains(words, pattern)
        if hit:
            found.setdefault(code, []).append(phrase)
    return found


def match_categories(*texts: str | None) -> list[str]:
    """The category codes whose labels or aliases occur in any of ``texts`` (vocabulary order)."""
    found: set[str] = set()
    for text in texts:
        if text:
            found |= matched_phrases(text).keys()
    return [code for code in categories() if code in found]
