"""Stock administration: set levels, adjust them with a reason, read the audit trail."""

from __future__ import annotations

import re
from typing import Protocol

from inventory.models.api import (
    AdjustmentResult,
    AdjustStockRequest,
    SetStockRequest,
    StockHistoryPage,
    StockLevel,
)
from shared.clock import Clock, isoformat
from shared.errors import InvalidRequest

STOREFRONT_ACTOR = "storefront"
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class StockLedger(Protocol):
    def set_on_hand(
        self,
        sku: str,
        on_hand: int,
        now: str,
        *,
        low_stock_threshold: int | None = None,
        max_per_order: int | None = None,
    ) -> StockLevel: ...

    def adjust(
        self,
        sku: str,
        delta: int,
        reason: str,
        now: str,
        *,
        idempotency_key: str,
        note: str | None = None,
        by: str = STOREFRONT_ACTOR,
    ) -> AdjustmentResult: ...

    def history(self, sku: str, limit: int, cursor: str | None = None) -> StockHistoryPage: ...


def set_stock(sku: str, request: SetStockRequest, ledger: StockLedger, clock: Clock) -> StockLevel:
    return ledger.set_on_hand(
        sku,
        request.on_hand,
        isoformat(clock.now()),
        low_stock_threshold=request.low_stock_threshold,
        max_per_order=request.max_per_order,
    )


def adjust_stock(
    sku: str,
    request: AdjustStockRequest,
    idempotency_key: str | None,
    ledger: StockLedger,
    clock: Clock,
    by: str = STOREFRONT_ACTOR,
) -> AdjustmentResult:
    """Apply a signed adjustment once per Idempotency-Key; refused (nothing written) if it would
    leave `on_hand` below zero or below the units reserved. `by`: who adjusted (the audit record's;
    an operator's name from the console)."""
    if not idempotency_key or not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise InvalidRequest(
            "An Idempotency-Key header (1-255 visible ASCII characters) is required.",
            details=[{"field": "header.idempotency-key", "issue": "missing or malformed"}],
        )
    return ledger.adjust(
        sku,
        request.delta,
        request.reason.value,
        isoformat(clock.now()),
        idempotency_key=idempotency_key,
        note=request.note,
        by=by,
    )
