"""The shipment and tracking-link records (written by the storefront's shipments endpoint) as the
carrier worker reads them, and the changes it writes back."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus


class TrackingLink(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tracking_number: str
    order_id: str
    shipment_id: str
    carrier: str


class ShipmentState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str
    shipment_id: str
    carrier: str
    tracking_number: str
    status: str  # order vocabulary: shipped, in_transit, out_for_delivery, delivered, ...
    created_at: str
    tracking_status: str | None = None  # canonical carrier status (docs/tracking-statuses.md)
    status_reason: str | None = None
    checkpoints: list[dict[str, object]] = []  # sorted by their own time
    applied_events: list[str] = []
    last_checkpoint_at: str | None = None
    estimated_delivery: str | None = None
    tracking_version: int = 0


class ShipmentChange(BaseModel):
    shipment: ShipmentState  # the new state; written if the stored version is still `expected_version`
    expected_version: int


class OrderChange(BaseModel):
    order_id: str
    from_status: OrderStatus
    to_status: OrderStatus
    expected_version: int
    entries: list[TimelineEntry]
    at: str
