"""Storefront API bodies for stock administration."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$"


class SetStockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_hand: Annotated[StrictInt, Field(ge=0, le=1_000_000_000, description="Units physically in stock.")]


class StockLevel(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int
    updated_at: str
