"""`configs.validation_problems`: the one-line form of pydantic's errors every command and store prints."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from configs import validation_problems


class _Inner(BaseModel):
    api_key: str = Field(min_length=16)
    port: int


def _error(raw: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Inner.model_validate(raw)
    return caught.value


def test_every_problem_is_on_one_line_with_its_dotted_place_in_the_whole() -> None:
    problems = validation_problems(_error({"api_key": "short", "port": "x"}), at=("auth",))
    assert "\n" not in problems
    assert problems.startswith("auth.api_key: String should have at least 16 characters; auth.port: ")


def test_a_value_that_is_not_a_mapping_is_named_as_the_root() -> None:
    assert validation_problems(_error("text")).startswith("<root>: Input should be a valid dictionary")


def test_the_note_says_what_set_each_value() -> None:
    problems = validation_problems(_error({"api_key": "0123456789abcdef", "port": "x"}),
                                   note=lambda location: f" (set by {'.'.join(location)})")
    assert problems.endswith("(set by port)")
