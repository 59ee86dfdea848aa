"""The books always balance, whatever the sequence of reserve / pay / cancel / expire / ship /
adjust and replays, on the in-memory ledger (same rules as DynamoStock; the moto-backed run is in
tests/integration/inventory/test_ledger_properties_dynamo.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings

from orders.models.order import OrderRecord, OrderStatus
from tests.fakes.orders import InMemoryOrders, InMemoryStock
from tests.fakes.stock_ledger_machine import LedgerMachine, place_one_line_per_sku, stored_order


class InMemoryWorld:
    def __init__(self) -> None:
        self.orders = InMemoryOrders()
        self.stock = InMemoryStock(self.orders)

    def place(self, key: str, quantities: dict[str, int]) -> str:
        return place_one_line_per_sku(self.orders, key, quantities)

    def order(self, order_id: str) -> OrderRecord:
        return stored_order(self.orders, order_id)

    def mark_paid(self, order: OrderRecord) -> None:
        stored = self.orders.orders[order.order_id]
        self.orders.orders[order.order_id] = stored.model_copy(
            update={"status": OrderStatus.CONFIRMED, "version": stored.version + 1}
        )

    def books(self) -> dict[str, tuple[int, int, int]]:
        return {
            sku: (level.on_hand, level.reserved, level.available)
            for sku in self.stock.on_hand
            if (level := self.stock.get(sku)) is not None
        }

    def history_totals(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, Any] = {}
        for record in self.stock.history:
            on_hand, reserved = totals.get(record.sku, (0, 0))
            totals[record.sku] = (on_hand + record.on_hand_delta, reserved + record.reserved_delta)
        return totals


class InMemoryLedger(LedgerMachine):
    def make_world(self) -> InMemoryWorld:  # type: ignore[override]
        return InMemoryWorld()


InMemoryLedger.TestCase.settings = settings(
    max_examples=150, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestBooksBalanceInMemory = InMemoryLedger.TestCase
