"""What the tracking page reads: an order, its shipments and each shipment's carrier checkpoints.

`TrackingReadModel` is the port; `tracking_page.dynamo_read_model` implements it with one query of
the order's partition and one query per shipment's checkpoints, reads only.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from carriers.models.tracking import Checkpoint
from orders.models.api import ShipmentLine
from orders.models.order import OrderRecord


class TrackedShipment(BaseModel):
    """A shipment as the page shows it (the fields of the shipment item it needs)."""

    model_config = ConfigDict(extra="ignore")

    shipment_id: str
    carrier: str
    tracking_number: str
    status: str  # order vocabulary: shipped, in_transit, ..., delivery_exception
    created_at: str
    lines: list[ShipmentLine] = []
    tracking_status: str | None = None  # canonical carrier status (docs/tracking-statuses.md)
    status_reason: str | None = None
    estimated_delivery: str | None = None  # ISO date or datetime, as the carrier gave it
    checkpoints: list[Checkpoint] = []  # every stored checkpoint of the tracking number, any order


class TrackedOrder(BaseModel):
    order: OrderRecord
    shipments: list[TrackedShipment]


class TrackingReadModel(Protocol):
    def tracked_order(self, order_id: str) -> TrackedOrder | None:
        """The order with its shipments and their checkpoints, or None when there is no such order."""
        ...
