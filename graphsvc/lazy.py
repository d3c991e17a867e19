"""Names a package loads on first use (PEP 562), so that importing the package stays cheap.

>>> namespace = {"__name__": "pkg"}
>>> find, names = lazy_names(namespace, {"sqrt": "math"}, ["sqrt"])
>>> find("sqrt")(9.0), "sqrt" in namespace   # loaded, and kept where the next look-up finds it first
(3.0, True)
>>> names()
['__name__', 'sqrt']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    namespace: dict[str, Any], exports: Mapping[str, str], public: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__``: ``exports`` maps each name to the module that defines it;
    ``namespace`` is the package's ``globals()``, where each name is kept once loaded."""

    def find(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        namespace[name] = value  # later look-ups skip this function
        return value

    def names() -> list[str]:
        return sorted({*namespace, *public})

    return find, names
