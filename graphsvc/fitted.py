"""The fitted recommender kept next to the data: fit once per data version, reuse it in every process.

Fitting the recommender's weighting (:func:`graphsvc.analysis.fit_model`) costs seconds to minutes on a
large district, and every ``graphsvc recommend``, API start and notebook would otherwise do it again. The
fitted :class:`~graphsvc.analysis.LinkModel` is kept in the store as an *artifact*
(:meth:`GraphStore.put_artifact <graphsvc.store.base.GraphStore.put_artifact>`: a SQLite table, a Neo4j node)
under the store's data version (:meth:`~graphsvc.store.base.GraphStore.data_version`). Every write moves that
version, so a load, an import or a delete makes the kept model stale and the next user fits again.

The model is written as a small JSON document of its fields (arrays as lists with their dtype), not as a
pickle: reading it executes nothing. A document written by a graphsvc whose model has other fields (an
upgrade) is not read back; the model is fitted again.

>>> import numpy as np
>>> from graphsvc.analysis import LinkModel
>>> model = decode_model(encode_model(LinkModel("learned", np.array([0.5, 1.0]), np.zeros(2))))
>>> model.name, model.weights.tolist()
('learned', [0.5, 1.0])
>>> decode_model(b'{"format": 0}') is None
True
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from graphsvc.analysis import LinkModel
from graphsvc.analysis.linkmodel.model_selection import fit_model

if TYPE_CHECKING:
    import networkx as nx

    from graphsvc.progress import Progress
    from graphsvc.store.base import GraphStore

FORMAT = 1
"""Version of the document layout below; a document of another format is not read."""


def artifact_name(seed: int | None) -> str:
    """The artifact a model fitted with ``seed`` is kept under (one per seed)."""
    return f"link_model/seed={seed}"


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": {str(k): _encode(v) for k, v in value.items()}}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in a stored model")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "ndarray" in value:
            return np.asarray(value["ndarray"], dtype=value["dtype"])
        if "tuple" in value:
            return tuple(_decode(v) for v in value["tuple"])
        if "dict" in value:
            return {k: _decode(v) for k, v in value["dict"].items()}
        raise ValueError("unknown value in a stored model")
    return value


def _field_names() -> list[str]:
    return sorted(f.name for f in dataclasses.fields(LinkModel))


def encode_model(model: LinkModel) -> bytes:
    """The model as a JSON document of its fields (floats written exactly)."""
    fields = {f.name: _encode(getattr(model, f.name)) for f in dataclasses.fields(model)}
    return json.dumps({"format": FORMAT, "type": "LinkModel", "fields": fields}).encode()


def decode_model(data: bytes) -> LinkModel | None:
    """The model of :func:`encode_model`, or ``None`` if the document is of another format or model layout."""
    try:
        doc = json.loads(data)
        if doc.get("format") != FORMAT or doc.get("type") != "LinkModel" or sorted(doc["fields"]) != _field_names():
            return None
        return LinkModel(**{name: _decode(value) for name, value in doc["fields"].items()})
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def load_model(store: GraphStore, *, seed: int | None = 0, version: int | None = None) -> LinkModel | None:
    """The model kept in ``store`` if it was fitted on the data at ``version`` (default: the store's current
    data version), else ``None``."""
    kept = store.get_artifact(artifact_name(seed))
    if kept is None or kept[0] != (store.data_version() if version is None else version):
        return None
    return decode_model(kept[1])


def stored_model(
    store: GraphStore,
    G: nx.Graph | None = None,
    *,
    seed: int | None = 0,
    version: int | None = None,
    refit: bool = False,
    progress: Progress | None = None,
) -> tuple[LinkModel, bool]:
    """The recommender's model for the store's data: the kept one if current, else fitted now and kept.

    Parameters
    ----------
    store : GraphStore
        Where the data and the kept model live.
    G : networkx.Graph, optional
        The store's snapshot, if the caller has it (else taken here when a fit is needed).
    seed : int or None
        Seed of the fit (each seed keeps its own model).
    version : int, optional
        The data version ``G`` was taken at (read it before taking the snapshot). Without it, the version is
        read now and the model is kept only if no write happened while fitting.
    refit : bool
        Fit even if a current model is kept (``graphsvc fit --force``).
    progress : callable, optional
        A :data:`graphsvc.progress.Progress` hook for the fit (:func:`~graphsvc.analysis.fit_model`); not
        called when the kept model is reused.

    Returns
    -------
    (LinkModel, bool)
        The model, and whether it was reused (``False``: fitted now).
    """
    if not refit:
        kept = load_model(store, seed=seed, version=version)
        if kept is not None:
            return kept, True
    before = store.data_version() if version is None else version
    graph = store.snapshot() if G is None else G
    model = fit_model(graph, seed=seed, progress=progress)
    if version is not None or store.data_version() == before:
        store.put_artifact(artifact_name(seed), before, encode_model(model))
    return model, False
