"""In-memory TrackingStore with the same semantics as the DynamoDB adapter (versions, one commit)."""

from __future__ import annotations

from carriers.models.registration import RegistrationJob, TrackingRegistration
from carriers.models.shipment import (
    OrderChange,
    ShipmentChange,
    ShipmentState,
    TrackingLink,
    Watch,
    watch_partitions,
)
from carriers.models.tracking import Checkpoint, TrackingEstimate, TrackingUpdate, WebhookMessage
from orders.models.order import OrderRecord, OrderStatus
from shared.errors import RetryableError


class Crash(Exception):
    """A process stopping between two writes (`InMemoryTrackingStore.crash_after`)."""


class InMemoryTrackingStore:
    def __init__(self) -> None:
        self.stored: dict[str, dict[str, Checkpoint]] = {}
        self.estimates: dict[str, TrackingEstimate] = {}
        self.links: dict[str, TrackingLink] = {}
        self.shipment_states: dict[tuple[str, str], ShipmentState] = {}
        self.orders: dict[str, OrderRecord] = {}
        self.watches: dict[str, Watch] = {}
        self.commits = 0
        self.order_commits = 0
        self.watch_writes = 0  # puts and deletes of delay watches (one write unit each)
        self.crash_after: str | None = None  # "watch" or "shipment": the next commit stops there

    # -- test setup ----------------------------------------------------------------------------
    def add_order(self, order: OrderRecord) -> None:
        self.orders[order.order_id] = order

    def add_shipment(
        self, order_id: str, shipment_id: str, tracking_number: str, carrier: str = "ups"
    ) -> None:
        self.shipment_states[(order_id, shipment_id)] = ShipmentState(
            order_id=order_id,
            shipment_id=shipment_id,
            carrier=carrier,
            tracking_number=tracking_number,
            status="shipped",
            created_at="2025-01-01T00:00:00.000Z",
        )
        self.links[tracking_number] = TrackingLink(
            tracking_number=tracking_number, order_id=order_id, shipment_id=shipment_id, carrier=carrier
        )

    def shipment(self, order_id: str, shipment_id: str) -> ShipmentState:
        return self.shipment_states[(order_id, shipment_id)]

    # -- TrackingStore ---------------------------------------------------------------------------
    def events(self, tracking_number: str) -> dict[str, Checkpoint]:
        return dict(self.stored.get(tracking_number, {}))

    def save_events(self, update: TrackingUpdate, checkpoints: list[Checkpoint]) -> None:
        bucket = self.stored.setdefault(update.tracking_number, {})
        for checkpoint in checkpoints:
            bucket[checkpoint.event_key] = checkpoint

    def estimate(self, tracking_number: str) -> TrackingEstimate | None:
        return self.estimates.get(tracking_number)

    def save_estimate(self, estimate: TrackingEstimate) -> bool:
        current = self.estimates.get(estimate.tracking_number)
        if current is not None and current.as_of > estimate.as_of:
            return False
        self.estimates[estimate.tracking_number] = estimate
        return True

    def link(self, tracking_number: str) -> TrackingLink | None:
        return self.links.get(tracking_number)

    def shipments(self, order_id: str) -> list[ShipmentState]:
        return [state for (oid, _), state in sorted(self.shipment_states.items()) if oid == order_id]

    def order(self, order_id: str) -> OrderRecord | None:
        return self.orders.get(order_id)

    def commit(self, shipment: ShipmentChange, order: OrderChange | None) -> None:
        """In the adapter's order: the new watch, the shipment (and order), the superseded watch."""
        watch, previous = shipment.watch, shipment.previous_watch_key
        if watch is not None:
            self.put_watch(watch)
        self._crash("watch")
        key = (shipment.shipment.order_id, shipment.shipment.shipment_id)
        if self.shipment_states[key].tracking_version != shipment.expected_version:
            raise RetryableError("version conflict")
        if order is not None:
            current = self.orders[order.order_id]
            if current.status != order.from_status or current.version != order.expected_version:
                raise RetryableError("version conflict")
        self.shipment_states[key] = shipment.shipment
        self.commits += 1
        if order is not None:
            self._apply_order(order)
        self._crash("shipment")
        if previous and (watch is None or watch.key != previous):
            self.delete_watch(previous)

    def _crash(self, step: str) -> None:
        if self.crash_after == step:
            self.crash_after = None
            raise Crash(f"crashed after the {step} write")

    def commit_order(self, order: OrderChange) -> None:
        current = self.orders[order.order_id]
        if current.status != order.from_status or current.version != order.expected_version:
            raise RetryableError("version conflict")
        self.order_commits += 1
        self._apply_order(order)

    def _apply_order(self, order: OrderChange) -> None:
        current_order = self.orders[order.order_id]
        self.orders[order.order_id] = current_order.model_copy(
            update={
                "status": OrderStatus(order.to_status),
                "version": current_order.version + 1,
                "timeline": [*current_order.timeline, *order.entries],
                "updated_at": order.at,
            }
        )

    def due_watches(self, day: str, until: str) -> list[Watch]:
        return sorted(
            (w for w in self.watches.values() if w.pk in watch_partitions(day) and w.deadline <= until),
            key=lambda w: w.sk,
        )

    def put_watch(self, watch: Watch) -> None:
        self.watch_writes += 1
        self.watches[watch.key] = watch

    def delete_watch(self, key: str) -> None:
        self.watch_writes += 1
        self.watches.pop(key, None)

    def mark_watch_queried(self, watch: Watch) -> None:
        if watch.key in self.watches:
            self.watches[watch.key] = self.watches[watch.key].model_copy(update={"queried": True})

    # -- RegistrationStore -------------------------------------------------------------------------
    def save_registration(
        self,
        order_id: str,
        shipment_id: str,
        registration: TrackingRegistration,
        *,
        unless_registered: bool = False,
    ) -> bool:
        key = (order_id, shipment_id)
        if key not in self.shipment_states:
            return False
        current = self.shipment_states[key].tracking_registration
        if (
            unless_registered
            and current is not None
            and current.status == "registered"
            and current.provider == registration.provider
        ):
            return False
        self.shipment_states[key] = self.shipment_states[key].model_copy(
            update={"tracking_registration": registration}
        )
        return True


class ListAlerts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []

    def alert(self, subject: str, details: dict[str, object]) -> None:
        self.sent.append((subject, details))


class ListQueue:
    def __init__(self) -> None:
        self.messages: list[WebhookMessage] = []

    def enqueue(self, message: WebhookMessage) -> None:
        self.messages.append(message)


class ListRegistrationQueue:
    def __init__(self) -> None:
        self.jobs: list[tuple[RegistrationJob, int]] = []

    def request(self, job: RegistrationJob, delay_seconds: int = 0) -> None:
        self.jobs.append((job, delay_seconds))
