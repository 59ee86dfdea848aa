"""Ports of the carrier tracking capability (implemented in carriers.adapters)."""

from __future__ import annotations

from typing import Protocol

from carriers.models.shipment import OrderChange, ShipmentChange, ShipmentState, TrackingLink
from carriers.models.tracking import Checkpoint, TrackingUpdate, WebhookMessage
from orders.models.order import OrderRecord


class TrackingStore(Protocol):
    def events(self, tracking_number: str) -> dict[str, Checkpoint]:
        """Every stored checkpoint of a tracking number, by event key."""
        ...

    def save_events(self, update: TrackingUpdate, checkpoints: list[Checkpoint]) -> None: ...

    def link(self, tracking_number: str) -> TrackingLink | None: ...

    def shipments(self, order_id: str) -> list[ShipmentState]: ...

    def order(self, order_id: str) -> OrderRecord | None: ...

    def commit(self, shipment: ShipmentChange, order: OrderChange) -> None:
        """Shipment and order in one transaction, each conditional on the version it was read at;
        raises `RetryableError` when either changed meanwhile."""
        ...


class WebhookQueue(Protocol):
    def enqueue(self, message: WebhookMessage) -> None: ...
