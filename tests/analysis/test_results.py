"""``built`` makes what pydantic's ``model_construct`` makes, for every result model it could be given."""

from __future__ import annotations

import pydantic
import pytest

import graphsvc.analysis.core.results as results
from graphsvc.analysis.core.results import Result, built


def every_result_model() -> list[type[Result]]:
    found: list[type[Result]] = []
    todo = [Result]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def sample_value(name: str) -> object:
    return f"value of {name}"


@pytest.mark.parametrize("cls", every_result_model(), ids=lambda c: c.__qualname__)
def test_built_is_model_construct(cls: type[Result]) -> None:
    fields = {name: sample_value(name) for name in cls.model_fields}
    ours, theirs = built(cls, dict(fields)), cls.model_construct(**fields)
    assert ours == theirs
    assert ours.model_fields_set == theirs.model_fields_set == set(fields)
    assert ours.__pydantic_extra__ == theirs.__pydantic_extra__
    assert ours.__pydantic_private__ == theirs.__pydantic_private__
    assert ours.model_dump() == theirs.model_dump() and list(ours.model_dump()) == list(cls.model_fields)


def test_the_models_checked_include_the_lists_and_pydantic_is_2() -> None:
    names = {cls.__qualname__ for cls in every_result_model()}
    assert {"Recommendation", "Reason", "CommunityRecommendations"} <= names
    assert results.Recommendation in every_result_model()
    assert pydantic.VERSION.startswith("2.")
