"""Storefront API bodies for stock administration."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from shared.json_types import WholeNumbers

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$"
MAX_UNITS = 1_000_000_000


class SetStockRequest(WholeNumbers):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    on_hand: Annotated[StrictInt, Field(ge=0, le=MAX_UNITS, description="Units physically in stock.")]
    low_stock_threshold: Annotated[
        StrictInt,
        Field(ge=0, le=MAX_UNITS, description="Alert when `available` drops below this; 0 = no alerts."),
    ] = 0
    max_per_order: Annotated[
        StrictInt | None, Field(ge=1, le=MAX_UNITS, description="Orders above this quantity are held.")
    ] = None


class AdjustmentReason(StrEnum):
    RESTOCK = "restock"
    DAMAGE = "damage"
    COUNT_CORRECTION = "count_correction"
    RETURN = "return"


class AdjustStockRequest(WholeNumbers):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    delta: Annotated[
        StrictInt,
        Field(
            ge=-MAX_UNITS,
            le=MAX_UNITS,
            description="Signed change of `on_hand`; not zero.",
            json_schema_extra={"not": {"const": 0}},
        ),
    ]
    reason: AdjustmentReason
    note: Annotated[str | None, Field(max_length=500)] = None

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, delta: int) -> int:
        if delta == 0:
            raise ValueError("delta must not be zero")
        return delta


class StockLevel(BaseModel):
    model_config = ConfigDict(defer_build=True)
    sku: str
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int = 0
    max_per_order: int | None = None
    damaged_returns: int = 0  # units returned damaged: counted, never restocked (docs/returns.md)
    updated_at: str


class HistoryKind(StrEnum):
    SET = "set"
    ADJUST = "adjust"
    RESERVE = "reserve"
    RELEASE = "release"
    COMMIT = "commit"
    REPAIR = "repair"


class ReservedOrder(BaseModel):
    model_config = ConfigDict(defer_build=True)
    order_id: str
    quantity: int


class StockHistoryEntry(BaseModel):
    """One stock change, written in the same transaction as the change itself. A `reserve` record
    is one per SKU per group commit: `reserved_delta` is the group's total and `orders` lists each
    order and its quantity (`order_id` is set too when the group is one order)."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    sku: str
    at: str
    kind: HistoryKind
    on_hand_delta: int = 0
    reserved_delta: int = 0
    on_hand: int | None = None  # the value set, for `set`
    reason: str | None = None
    note: str | None = None
    not_restocked: int | None = None  # a `return` entry's damaged units: counted, not back on hand
    order_id: str | None = None
    orders: list[ReservedOrder] | None = Field(
        default=None, description="For `reserve`: the orders of the group commit, in message order."
    )
    by: str


class StockHistoryPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    sku: str
    entries: list[StockHistoryEntry]
    next_cursor: str | None = None


class AdjustmentResult(BaseModel):
    model_config = ConfigDict(defer_build=True)
    stock: StockLevel
    replayed: bool = False
