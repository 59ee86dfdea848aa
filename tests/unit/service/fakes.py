"""In-memory customer-service store, events and alerts, with the adapter's conditional rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord
from service.domain.ports import AlreadyExists, ComplaintQuery, StaleWrite
from service.models.records import ComplaintRecord, ComplaintStatus, FeedbackRecord, ReturnRecord
from shared.clock import isoformat
from shared.events import OrderEvent
from tests.factories import order_body

DELIVERED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def delivered_order(
    order_id: str = "ord_" + "a" * 24,
    *,
    status: str = "delivered",
    total: str = "176.00",
    items: list[dict[str, Any]] | None = None,
    customer_id: str = "cust-1",
    delivered_at: datetime = DELIVERED_AT,
) -> OrderRecord:
    body = order_body()
    body["customer"]["id"] = customer_id
    lines = items or [
        {"sku": "TEA-OOLONG-250G", "name": "Tieguanyin oolong, 250 g", "quantity": 2, "unit_price": "88.00"}
    ]
    at = isoformat(delivered_at)
    return OrderRecord.model_validate(
        {
            **body,
            "items": lines,
            "order_id": order_id,
            "status": status,
            "total": total,
            "created_at": isoformat(delivered_at - timedelta(days=3)),
            "updated_at": at,
            "version": 7,
            "request_hash": "x",
            "timeline": [
                TimelineEntry(
                    status="delivered", at="2026-11-20T15:55:00+08:00", by="carrier:generic"
                ).model_dump(),
                TimelineEntry(status="delivered", at=at, by="system:carrier-tracking").model_dump(),
            ],
        }
    )


class Orders:
    def __init__(self, *orders: OrderRecord) -> None:
        self.orders = {order.order_id: order for order in orders}

    def get(self, order_id: str) -> OrderRecord | None:
        return self.orders.get(order_id)


class InMemoryService:
    def __init__(self) -> None:
        self.feedbacks: dict[str, FeedbackRecord] = {}
        self.complaints_by_id: dict[str, ComplaintRecord] = {}
        self.returns_by_id: dict[str, ReturnRecord] = {}
        self.tally: dict[str, tuple[dict[str, int], int]] = {}
        self.writes = 0

    # feedback
    def feedback(self, order_id: str) -> FeedbackRecord | None:
        return self.feedbacks.get(order_id)

    def save_feedback(
        self, feedback: FeedbackRecord, previous: FeedbackRecord | None, complaint: ComplaintRecord | None
    ) -> None:
        stored = self.feedbacks.get(feedback.order_id)
        if (previous is None and stored is not None) or (
            previous is not None and (stored is None or stored.updated_at != previous.updated_at)
        ):
            raise StaleWrite
        if complaint is not None and complaint.complaint_id in self.complaints_by_id:
            raise StaleWrite
        self.feedbacks[feedback.order_id] = feedback
        if complaint is not None:
            self.complaints_by_id[complaint.complaint_id] = complaint
        self.writes += 1

    # complaints
    def complaint(self, complaint_id: str) -> ComplaintRecord | None:
        return self.complaints_by_id.get(complaint_id)

    def create_complaint(self, complaint: ComplaintRecord) -> None:
        if complaint.complaint_id in self.complaints_by_id:
            raise AlreadyExists(self.complaints_by_id[complaint.complaint_id])
        self.complaints_by_id[complaint.complaint_id] = complaint
        self.writes += 1

    def resolve_complaint(self, complaint: ComplaintRecord) -> bool:
        stored = self.complaints_by_id[complaint.complaint_id]
        if stored.status != ComplaintStatus.OPEN:
            return False
        self.complaints_by_id[complaint.complaint_id] = complaint
        self.writes += 1
        return True

    def complaints(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]:
        found = [
            c
            for c in self.complaints_by_id.values()
            if c.status.value == query.status
            and (query.priority is None or c.priority.value == query.priority)
        ]
        return sorted(found, key=lambda c: (c.priority.value, c.due_at))[: query.limit], None

    def recent_complaint_count(self, customer_id: str, since: str) -> int:
        return sum(
            1 for c in self.complaints_by_id.values() if c.customer_id == customer_id and c.opened_at >= since
        )

    def due_complaints(self, now: str, limit: int) -> list[ComplaintRecord]:
        due = [
            c
            for c in self.complaints_by_id.values()
            if c.status == ComplaintStatus.OPEN and not c.overdue and c.due_at <= now
        ]
        return sorted(due, key=lambda c: c.due_at)[:limit]

    def mark_overdue(self, complaint: ComplaintRecord) -> bool:
        stored = self.complaints_by_id[complaint.complaint_id]
        if stored.status != ComplaintStatus.OPEN or stored.overdue:
            return False
        self.complaints_by_id[complaint.complaint_id] = stored.model_copy(update={"overdue": True})
        return True

    def unmark_overdue(self, complaint: ComplaintRecord) -> None:
        stored = self.complaints_by_id[complaint.complaint_id]
        self.complaints_by_id[complaint.complaint_id] = stored.model_copy(update={"overdue": False})

    # returns
    def returns(self, order_id: str) -> list[ReturnRecord]:
        return sorted(
            (r for r in self.returns_by_id.values() if r.order_id == order_id), key=lambda r: r.requested_at
        )

    def returned_quantities(self, order_id: str) -> tuple[dict[str, int], int]:
        counts, version = self.tally.get(order_id, ({}, 0))
        return dict(counts), version

    def create_return(self, record: ReturnRecord, tally: dict[str, int], tally_version: int) -> None:
        if record.return_id in self.returns_by_id:
            raise AlreadyExists(self.returns_by_id[record.return_id])
        if self.tally.get(record.order_id, ({}, 0))[1] != tally_version:
            raise StaleWrite
        self.returns_by_id[record.return_id] = record
        self.tally[record.order_id] = (dict(tally), tally_version + 1)
        self.writes += 1

    def update_return(
        self, record: ReturnRecord, expected_version: int, tally: tuple[dict[str, int], int] | None = None
    ) -> None:
        if self.returns_by_id[record.return_id].version != expected_version:
            raise StaleWrite
        if tally is not None:
            if self.tally.get(record.order_id, ({}, 0))[1] != tally[1]:
                raise StaleWrite
            self.tally[record.order_id] = (dict(tally[0]), tally[1] + 1)
        self.returns_by_id[record.return_id] = record
        self.writes += 1

    def link_return_shipment(
        self, record: ReturnRecord, expected_version: int, shipment: dict[str, object]
    ) -> None:
        self.update_return(record, expected_version)


class RecordingEvents:
    def __init__(self) -> None:
        self.sent: list[OrderEvent] = []

    def publish(self, event: OrderEvent) -> None:
        self.sent.append(event)


class RecordingAlerts:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []
        self.fail = fail

    def alert(self, subject: str, details: dict[str, object]) -> None:
        if self.fail:
            raise ConnectionError("sns down")
        self.sent.append((subject, details))
