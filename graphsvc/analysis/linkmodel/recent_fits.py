"""Fits remembered by what they were fitted on: the same graph, seed and cut-off give the same model at once.

:func:`~graphsvc.analysis.fit_model` is deterministic: equal graphs (the same nodes, edges and attributes, in
the same order), the same seed, ``k`` and task give an equal model. A notebook that asks
:func:`~graphsvc.analysis.recommender.recommend` about one community after another (each call fits), an ``evaluate`` run
again with the same split, or an app whose write left the graph as it was would fit the same model again.
The last few fits of a process are kept here under a digest of their inputs and handed back instead.

The digest is a BLAKE2b hash of the inputs as pickled (streamed into the hash, never held whole); inputs that
cannot be pickled get no digest and are fitted every time. Equal inputs pickled differently (a dict's keys in
another order) only cost a fit. Models handed out are shared, so their arrays are made read-only.

>>> import networkx as nx
>>> recent = RecentResults[str](size=1)
>>> first, second = inputs_digest(nx.path_graph(3), 0), inputs_digest(nx.path_graph(4), 0)
>>> first == inputs_digest(nx.path_graph(3), 0) != second
True
>>> recent.put(first, "model of P3"); recent.get(first)
'model of P3'
>>> recent.put(second, "model of P4"); recent.get(first) is None     # only the last one is kept
True
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

T = TypeVar("T")


class _HashWriter:
    """A file-like sink for :class:`pickle.Pickler` that only hashes what it is given."""

    def __init__(self) -> None:
        self.hash = hashlib.blake2b(digest_size=20)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)


def inputs_digest(G: nx.Graph, *others: object) -> bytes | None:
    """A digest of ``G`` (its class, graph attributes, nodes and adjacency with their data, in order) and ``others``.

    ``None`` if something in them cannot be pickled.
    """
    sink = _HashWriter()
    pickler = pickle.Pickler(sink, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        pickler.dump((type(G).__module__, type(G).__qualname__, G.graph, others))
        # the node and adjacency views pickle the graph's own dicts whole: no list of tuples is built first, and
        # a link's attribute dict, reached from both ends, is pickled once (then referenced)
        pickler.dump(G.nodes)
        pickler.dump(G.adj)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return sink.hash.digest()


def constants(namespace: dict[str, Any]) -> tuple[tuple[str, object], ...]:
    """A module's constants (upper-case names of plain values) from its ``globals()``: what a fit also depends on."""
    kinds = (int, float, str, dict, tuple)
    return tuple((name, v) for name, v in sorted(namespace.items()) if name.isupper() and isinstance(v, kinds))


def read_only(*arrays: np.ndarray | None) -> None:
    """Make the arrays of a result that will be shared read-only (``None`` skipped)."""
    for array in arrays:
        if array is not None:
            array.flags.writeable = False


class RecentResults(Generic[T]):
    """The last ``size`` results put, by digest (least recently used dropped first); safe across threads."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._results: OrderedDict[bytes, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: bytes | None) -> T | None:
        if digest is None:
            return None
        with self._lock:
            found = self._results.get(digest)
            if found is not None:
                self._results.move_to_end(digest)
            return found

    def put(self, digest: bytes | None, result: T) -> None:
        if digest is None or self.size <= 0:
            return
        with self._lock:
            self._results[digest] = result
            self._results.move_to_end(digest)
            while len(self._results) > self.size:
                self._results.popitem(last=False)

    def clear(self) -> None:
        """Forget every result (the next fit of any inputs is computed)."""
        with self._lock:
            self._results.clear()
