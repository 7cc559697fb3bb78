"""The base of every input schema: one text rule, unknown fields refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .text import first_text_problem


class Strict(BaseModel):
    """The base of every input shape: unknown fields refused, whitespace trimmed, and the one
    text rule (satupintu.text) applied to every field, with the field named in the error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        found = first_text_problem(value, info.field_name or "")
        if found:
            raise PydanticCustomError("control_character", "Isian '{field}' {problem}.",
                                      {"field": found[0], "problem": found[1]})
        return value
