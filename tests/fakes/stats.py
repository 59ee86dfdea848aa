"""In-memory stand-ins for the statistics ports, and DynamoDB stream records built around images
(the envelope is copied from the canonical sample in events/dynamodb/)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.dynamo import to_attributes
from shared.errors import RetryableError
from stats.domain.contributions import MetricPoint
from stats.domain.ports import Counters, DayAggregate

EVENTS = Path(__file__).resolve().parents[2] / "events" / "dynamodb"


@dataclass
class InMemoryAggregates:
    """The aggregate store's contract in memory: one atomic write per group, its checkpoint kept.
    `fail_writes` lists write attempts (1-based) refused as transient; `lost_answers` lists writes
    that commit and still report a transient failure (the answer was lost)."""

    items: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    checkpoints: dict[str, str] = field(default_factory=dict)
    writes: list[dict[tuple[str, str], dict[str, int]]] = field(default_factory=list)
    max_aggregates_per_group: int = 99
    fail_writes: set[int] = field(default_factory=set)
    lost_answers: set[int] = field(default_factory=set)
    attempts: int = 0

    def apply_group(self, group_id: str, last_sequence: str, counters: Counters) -> str | None:
        self.attempts += 1
        if self.attempts in self.fail_writes:
            raise RetryableError("refused")
        if group_id in self.checkpoints:
            return self.checkpoints[group_id]
        assert len(counters) <= self.max_aggregates_per_group
        self.checkpoints[group_id] = last_sequence
        self.writes.append({key: dict(deltas) for key, deltas in counters.items()})
        for key, deltas in counters.items():
            item = self.items.setdefault(key, {})
            for name, delta in deltas.items():
                item[name] = item.get(name, 0) + delta
        if self.attempts in self.lost_answers:
            raise RetryableError("answer lost")
        return None

    def read(self, first_day: str, last_day: str) -> Sequence[DayAggregate]:
        return [
            DayAggregate(day=day, family=family, counters=dict(counters))
            for (day, family), counters in sorted(self.items.items())
            if first_day <= day <= last_day
        ]


@dataclass
class RecordingMetrics:
    points: list[MetricPoint] = field(default_factory=list)

    def publish(self, points: Sequence[MetricPoint]) -> None:
        self.points.extend(points)

    def names(self) -> list[str]:
        return [point.name for point in self.points]


def stream_record(
    event_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    approximate_time: int = 1795515300,
    sequence: int | None = None,
) -> dict[str, Any]:
    """One DynamoDB stream record (NEW_AND_OLD_IMAGES) for the change `old` -> `new`."""
    sample = json.loads((EVENTS / "order_status_changed.json").read_text())["Records"][1]
    record = copy.deepcopy(sample)
    record["eventID"] = event_id
    record["eventName"] = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    image = new or old or {}
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": approximate_time,
        "Keys": to_attributes({"pk": image["pk"], "sk": image["sk"]}),
        "SequenceNumber": str(sequence if sequence is not None else abs(hash(event_id)) % 10**20).zfill(21),
        "SizeBytes": 300,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = to_attributes(dict(old))
    if new is not None:
        change["NewImage"] = to_attributes(dict(new))
    record["dynamodb"] = change
    return record


# -- item images as the orders table stores them ---------------------------------------------------


def order_image(order_id: str, status: str, version: int, created_at: str, updated_at: str) -> dict[str, Any]:
    return {
        "pk": f"ORDER#{order_id}",
        "sk": "ORDER",
        "entity": "order",
        "order_id": order_id,
        "status": status,
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
        "timeline": [{"status": "received", "at": created_at, "by": "storefront"}],
    }


def shipment_image(
    order_id: str,
    status: str = "shipped",
    *,
    carrier: str = "sf-express",
    created_at: str = "2026-11-24T12:00:00.000Z",
    delivered_at: str | None = None,
    estimated_delivery: str | None = None,
    status_reason: str | None = None,
    tracking_version: int = 0,
) -> dict[str, Any]:
    image: dict[str, Any] = {
        "pk": f"ORDER#{order_id}",
        "sk": "SHIPMENT#shp_1",
        "entity": "shipment",
        "order_id": order_id,
        "shipment_id": "shp_1",
        "carrier": carrier,
        "tracking_number": "SF1234567890123",
        "lines": [{"sku": "TEA-OOLONG-250G", "quantity": 1}],
        "status": status,
        "created_at": created_at,
        "tracking_version": tracking_version,
    }
    if delivered_at:
        image["tracking_status"] = "delivered"
        image["checkpoints"] = [
            {"status": "in_transit", "occurred_at": created_at, "provider": "generic"},
            {"status": "delivered", "occurred_at": delivered_at, "provider": "generic"},
        ]
        image["last_checkpoint_at"] = delivered_at
    if estimated_delivery:
        image["estimated_delivery"] = estimated_delivery
    if status_reason:
        image["tracking_status"] = "delivery_exception"
        image["status_reason"] = status_reason
    return image


def notification_image(
    order_id: str,
    status: str,
    *,
    channel: str = "email",
    event_type: str = "order.confirmed",
    version: int = 2,
    at: str = "2026-11-24T10:16:00.000Z",
) -> dict[str, Any]:
    return {
        "pk": f"NOTIFY#{order_id}",
        "sk": f"ENTRY#{version:010d}#{channel}",
        "entity": "notification",
        "order_id": order_id,
        "event_id": f"{order_id}:v{version}",
        "event_type": event_type,
        "channel": channel,
        "status": status,
        "at": at,
    }


def feedback_image(
    order_id: str, rating: int, nps: int | None = None, submitted_at: str = "2026-11-25T09:00:00.000Z"
) -> dict[str, Any]:
    return {
        "pk": f"FEEDBACK#{order_id}",
        "sk": "FEEDBACK",
        "entity": "feedback",
        "order_id": order_id,
        "rating": rating,
        "nps": nps,
        "submitted_at": submitted_at,
        "updated_at": submitted_at,
    }


def complaint_image(
    complaint_id: str,
    status: str = "open",
    *,
    overdue: bool = False,
    opened_at: str = "2026-11-24T11:00:00.000Z",
    resolved_at: str | None = None,
    updated_at: str | None = None,
) -> dict[str, Any]:
    image: dict[str, Any] = {
        "pk": f"COMPLAINT#{complaint_id}",
        "sk": "COMPLAINT",
        "entity": "complaint",
        "complaint_id": complaint_id,
        "order_id": "ord_1",
        "status": status,
        "overdue": overdue,
        "priority": "high",
        "category": "delivery",
        "opened_at": opened_at,
        "updated_at": updated_at or resolved_at or opened_at,
    }
    if resolved_at:
        image["resolved_at"] = resolved_at
    return image


def return_image(
    order_id: str, return_id: str, status: str, updated_at: str = "2026-11-26T08:00:00.000Z"
) -> dict[str, Any]:
    return {
        "pk": f"ORDER#{order_id}",
        "sk": f"RETURN#{return_id}",
        "entity": "return",
        "order_id": order_id,
        "return_id": return_id,
        "status": status,
        "created_at": updated_at,
        "updated_at": updated_at,
    }
