"""Base for the per-function settings models (one pydantic model per function, validated at cold
start). Domain code never reads `os.environ`; handlers build their settings once and pass values in.

A field `orders_table_name` is read from the environment variable `ORDERS_TABLE_NAME`. This is a
plain pydantic model rather than pydantic-settings: the same behaviour for what we need, without
~15 ms of extra import on every cold start.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class FunctionSettings(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        if data:
            return data
        return {name: os.environ[name.upper()] for name in cls.model_fields if name.upper() in os.environ}
