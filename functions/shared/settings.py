"""Base for the per-function settings models (one pydantic model per function, validated at cold
start). Domain code never reads `os.environ`; handlers build their settings once and pass values in."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class FunctionSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)
