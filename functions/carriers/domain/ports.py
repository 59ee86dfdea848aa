"""Ports of the carrier tracking capability (implemented in carriers.adapters)."""

from __future__ import annotations

from typing import Protocol

from carriers.models.shipment import OrderChange, ShipmentChange, ShipmentState, TrackingLink, Watch
from carriers.models.tracking import Checkpoint, TrackingEstimate, TrackingUpdate, WebhookMessage
from orders.models.order import OrderRecord


class TrackingStore(Protocol):
    def events(self, tracking_number: str) -> dict[str, Checkpoint]:
        """Every stored checkpoint of a tracking number, by event key."""
        ...

    def save_events(self, update: TrackingUpdate, checkpoints: list[Checkpoint]) -> None: ...

    def estimate(self, tracking_number: str) -> TrackingEstimate | None:
        """The newest delivery estimate stored for a tracking number, if the carrier gave one."""
        ...

    def save_estimate(self, estimate: TrackingEstimate) -> bool:
        """Store `estimate` unless one received later (`as_of`) is stored already; True when stored."""
        ...

    def link(self, tracking_number: str) -> TrackingLink | None: ...

    def shipments(self, order_id: str) -> list[ShipmentState]: ...

    def order(self, order_id: str) -> OrderRecord | None: ...

    def commit(self, shipment: ShipmentChange, order: OrderChange | None) -> None:
        """The shipment, and the order if given, in one transaction, each conditional on the version
        it was read at (the shipment alone: one conditional write); raises `RetryableError` when
        either changed meanwhile. A delay watch to arm is written before and the superseded one
        deleted after, outside the transaction: a crash leaves an extra watch, never a missing one."""
        ...

    def commit_order(self, order: OrderChange) -> None:
        """The order alone, conditional on the status and version it was read at; raises
        `RetryableError` when it changed meanwhile."""
        ...

    def due_watches(self, day: str, until: str) -> list[Watch]:
        """Watches filed under `day` whose deadline is at or before `until` (one Query)."""
        ...

    def put_watch(self, watch: Watch) -> None:
        """Write a watch (the delay job re-arming one; the shipment is not written)."""
        ...

    def delete_watch(self, key: str) -> None: ...

    def mark_watch_queried(self, watch: Watch) -> None:
        """Remember that the provider was asked about this watch's deadline (ask once)."""
        ...


class OperationsAlerts(Protocol):
    def alert(self, subject: str, details: dict[str, object]) -> None: ...


class WebhookQueue(Protocol):
    def enqueue(self, message: WebhookMessage) -> None: ...
