"""What order logic needs from storage, as small interfaces (implemented by adapters and fakes)."""

from __future__ import annotations

from typing import Protocol

from orders.models.order import OrderRecord


class OrderAlreadyExists(Exception):
    def __init__(self, existing: OrderRecord) -> None:
        super().__init__(existing.order_id)
        self.existing = existing


class OrderReader(Protocol):
    def get(self, order_id: str) -> OrderRecord | None: ...


class OrderRepository(OrderReader, Protocol):
    def create(self, order: OrderRecord) -> None:
        """Store a new order; raise OrderAlreadyExists (with the stored order) if the id is taken."""
        ...
