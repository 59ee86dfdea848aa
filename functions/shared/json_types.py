"""JSON numbers in request models.

JSON Schema counts `5.0` as an integer (a number with no fractional part), so a client generated
from our document may send it. Request models that declare `StrictInt` fields derive from
`WholeNumbers`: a whole-number float becomes that int before validation, while a string (`"5"`),
a boolean or `5.5` is still refused naming the field. (A `BeforeValidator` on the field type
would do the same but makes pydantic drop `minimum`/`maximum` from the JSON schema.)"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class WholeNumbers(BaseModel):
    model_config = ConfigDict(defer_build=True)  # validators are built on first use

    @field_validator("*", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, list):
            return [int(item) if isinstance(item, float) and item.is_integer() else item for item in value]
        return value
