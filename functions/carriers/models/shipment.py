"""The shipment and tracking-link records (written by the storefront's shipments endpoint) as the
carrier worker reads them, and the changes it writes back."""

from __future__ import annotations

import zlib

from pydantic import BaseModel, ConfigDict, Field

from carriers.models.registration import TrackingRegistration
from orders.models.api import TimelineEntry
from orders.models.order import OrderStatus


class TrackingLink(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    tracking_number: str
    order_id: str
    shipment_id: str
    carrier: str
    created_at: str | None = None  # when this shipment registered the number
    previous_order_id: str | None = None  # the shipment that had the number before (recycled numbers)
    previous_shipment_id: str | None = None


class ShipmentState(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

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
    estimated_delivery: str | None = None  # the carrier's latest estimate
    first_estimated_delivery: str | None = None  # its first: what the customer was told first
    tracking_version: int = 0
    watch_key: str | None = None  # the delay watch its last write armed or kept (carriers.domain.delays)
    tracking_registration: TrackingRegistration | None = None  # carriers.domain.register_tracking
    purpose: str = "order"  # "replacement": a reshipment's parcel (docs/reshipments.md)


WATCH_SHARDS = 16
"""Watches of one day are spread over this many partitions (`WATCH#<day>#<shard>`, the shard a
stable hash of the order id): one partition per day would take every shipment's watch writes (when
every checkpoint moved its watch: 8 write units per order, a ceiling of about 125 orders/s, measured
by `make bench` section 7). The delay job reads one query per shard."""


def watch_partition(day: str, order_id: str) -> str:
    """The partition of a watch due on `day` (YYYY-MM-DD) of order `order_id`."""
    return f"WATCH#{day}#{zlib.crc32(order_id.encode()) % WATCH_SHARDS}"


def watch_wakes_at(key: str) -> str:
    """The wake-up time (UTC ISO 8601) of the watch with key `key` (`Watch.key`)."""
    return key.partition("|")[2].partition("#")[0]


def watch_partitions(day: str) -> list[str]:
    """Every partition a watch due on `day` may be in: each shard, then the single per-day key that
    watches written before shards existed have (so none of them is missed after an upgrade)."""
    return [*(f"WATCH#{day}#{shard}" for shard in range(WATCH_SHARDS)), f"WATCH#{day}"]


class Watch(BaseModel):
    model_config = ConfigDict(defer_build=True)

    order_id: str
    shipment_id: str
    tracking_number: str
    deadline: str  # when it wakes (UTC ISO 8601): never later than the shipment's own deadline
    kind: str  # "stalled" or "late": the deadline's kind when armed (the delay job recomputes it)
    queried: bool = False  # the delay check asked the provider about this deadline already
    follows: str | None = None  # re-armed by the delay job: the shipment's `watch_key` it stands for
    partition: str | None = Field(default=None, exclude=True)  # as read (`WATCH#<day>` before shards)

    @property
    def pk(self) -> str:
        return self.partition or watch_partition(self.deadline[:10], self.order_id)

    @property
    def sk(self) -> str:
        return f"{self.deadline}#{self.order_id}#{self.shipment_id}"

    @property
    def key(self) -> str:
        return f"{self.pk}|{self.sk}"


class ShipmentChange(BaseModel):
    model_config = ConfigDict(defer_build=True)

    shipment: ShipmentState  # the new state; written if the stored version is still `expected_version`
    expected_version: int
    watch: Watch | None = None  # a watch to arm (the armed one would wake too late), written before
    previous_watch_key: str | None = None  # the superseded watch, deleted after the shipment


class OrderChange(BaseModel):
    model_config = ConfigDict(defer_build=True)

    order_id: str
    from_status: OrderStatus
    to_status: OrderStatus
    expected_version: int
    entries: list[TimelineEntry]
    at: str
