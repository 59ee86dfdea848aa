"""The ports the return actions need beyond the return store: the receipt (restock) transaction,
the queue across orders, and the Replacements port of exchanges (interfaces agreed with `reship`)."""

from __future__ import annotations

from typing import Protocol

from service.models.records import ReturnRecord


class Replacements(Protocol):
    def replace(
        self,
        order_id: str,
        lines: list[tuple[str, int]] | None,
        *,
        reason: str,
        by: str,
        idempotency_key: str,
    ) -> str:
        """Open a reshipment (replacement) of these (sku, quantity) lines on the order — every line
        when None — reserving the stock again all-or-nothing (never overselling); idempotent by key;
        returns the reshipment id ("rsp_..."). reason is one of "exception", "case", "exchange".
        Raises the same typed domain errors as POST /v1/orders/{id}/reshipments."""
        ...


class ReturnReceipts(Protocol):
    def receive(
        self,
        record: ReturnRecord,
        expected_version: int,
        restock: dict[str, int],
        damaged: dict[str, int],
        *,
        at: str,
        by: str,
        note: str | None,
    ) -> None:
        """One transaction: the return (received, if still at `expected_version`), and per SKU
        `on_hand` up by its `restock` units with a stock-ledger entry of reason `return`, and its
        `damaged` units counted on the stock item (`damaged_returns`) and in that entry as not
        restocked. StaleWrite if the return changed (a retry finds it received: nothing twice);
        ReturnStockMissing if a SKU has no stock item."""
        ...


class ReturnQueue(Protocol):
    def queue(self, status: str, limit: int, cursor: str | None) -> tuple[list[ReturnRecord], str | None]:
        """Returns in `status` across orders, oldest first (by the time they entered it)."""
        ...
