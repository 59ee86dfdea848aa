"""JSON number types for request models.

JSON Schema counts `5.0` as an integer (a number with no fractional part), so a client generated
from our document may send it; `JsonInt` accepts it as 5. A string (`"5"`), a boolean or `5.5` is
still refused with the field's name, as `StrictInt` refuses them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StrictInt


def _whole_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[StrictInt, BeforeValidator(_whole_number)]
