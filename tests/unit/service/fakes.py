"""In-memory customer-service store, events and alerts, with the adapter's conditional rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord
from service.domain.ports import (
    AlreadyExists,
    CaseAlreadyOpen,
    ComplaintQuery,
    MergeIntoCase,
    NewCase,
    StaleWrite,
)
from service.models.records import (
    ACTIVE_STATUSES,
    CaseEntry,
    ComplaintRecord,
    FeedbackRecord,
    ReturnRecord,
)
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
        self.entries: dict[str, list[CaseEntry]] = {}
        self.locks: dict[tuple[str, str], str] = {}  # (order, category) -> the open case
        self.writes = 0

    # feedback
    def feedback(self, order_id: str) -> FeedbackRecord | None:
        return self.feedbacks.get(order_id)

    def save_feedback(
        self, feedback: FeedbackRecord, previous: FeedbackRecord | None, complaint: Any = None
    ) -> None:
        stored = self.feedbacks.get(feedback.order_id)
        if (previous is None and stored is not None) or (
            previous is not None and (stored is None or stored.updated_at != previous.updated_at)
        ):
            raise StaleWrite
        if complaint is not None:
            try:
                self._case_write(complaint)
            except (AlreadyExists, CaseAlreadyOpen):
                raise StaleWrite from None
        self.feedbacks[feedback.order_id] = feedback
        self.writes += 1

    # complaints (cases)
    def _case_write(self, write: Any) -> None:
        """The adapter's rules for opening a case or adding to one (all or nothing)."""
        if isinstance(write, ComplaintRecord):
            from service.domain.complaints import opened_entry

            write = NewCase(write, opened_entry(write))
        if isinstance(write, NewCase):
            case = write.case
            if case.complaint_id in self.complaints_by_id:
                raise AlreadyExists(self.complaints_by_id[case.complaint_id])
            lock = (case.order_id, case.category.value)
            if lock in self.locks:
                raise CaseAlreadyOpen(self.locks[lock])
            self.complaints_by_id[case.complaint_id] = case
            self.entries[case.complaint_id] = [write.entry]
            self.locks[lock] = case.complaint_id
            return
        if self.locks.get((write.order_id, write.category)) != write.complaint_id:
            raise StaleWrite
        if any(e.entry_id == write.entry.entry_id for e in self.entries[write.complaint_id]):
            raise StaleWrite
        self.entries[write.complaint_id].append(write.entry)

    def complaint(self, complaint_id: str) -> ComplaintRecord | None:
        return self.complaints_by_id.get(complaint_id)

    def case(self, complaint_id: str) -> tuple[ComplaintRecord, list[CaseEntry]] | None:
        found = self.complaints_by_id.get(complaint_id)
        if found is None:
            return None
        return found, sorted(self.entries.get(complaint_id, []), key=CaseEntry.order_key)

    def open_case_for(self, order_id: str, category: str) -> str | None:
        self.before_lock_read()
        return self.locks.get((order_id, category))

    def before_lock_read(self) -> None:
        """A hook for tests: what another request does just before this one looks at the lock."""

    def open_case(self, new: NewCase) -> None:
        self._case_write(new)
        self.writes += 1

    def merge_into_case(self, merge: MergeIntoCase) -> None:
        self._case_write(merge)
        self.writes += 1

    def change_case(
        self, case: ComplaintRecord, expected_version: int, entry: CaseEntry, lock: str | None = None
    ) -> None:
        stored = self.complaints_by_id[case.complaint_id]
        if stored.version != expected_version:
            raise StaleWrite
        if any(e.entry_id == entry.entry_id for e in self.entries.get(case.complaint_id, [])):
            raise StaleWrite
        key = (case.order_id, case.category.value)
        holder = self.locks.get(key)
        if holder not in (None, case.complaint_id):
            if lock == "take":
                raise CaseAlreadyOpen(holder)
            raise StaleWrite
        if lock == "take":
            self.locks[key] = case.complaint_id
        elif lock == "release":
            self.locks.pop(key, None)
        self.complaints_by_id[case.complaint_id] = case
        self.entries.setdefault(case.complaint_id, []).append(entry)
        self.writes += 1

    def complaints(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]:
        found = [
            c
            for c in self.complaints_by_id.values()
            if (not query.statuses or c.status.value in query.statuses)
            and (query.priority is None or c.priority.value == query.priority)
            and (query.assignee is None or c.assignee == query.assignee)
            and (query.order_id is None or c.order_id == query.order_id)
            and (query.customer_id is None or c.customer_id == query.customer_id)
            and (query.overdue_at is None or c.due_at <= query.overdue_at)
        ]
        return sorted(found, key=lambda c: (c.priority.value, c.due_at))[: query.limit], None

    def complaints_of_customer(self, customer_id: str) -> list[ComplaintRecord]:
        found = [c for c in self.complaints_by_id.values() if c.customer_id == customer_id]
        return sorted(found, key=lambda c: c.opened_at, reverse=True)

    def complaints_of_order(self, order_id: str) -> list[ComplaintRecord]:
        found = [c for c in self.complaints_by_id.values() if c.order_id == order_id]
        return sorted(found, key=lambda c: c.opened_at, reverse=True)

    def due_complaints(self, now: str, limit: int) -> list[ComplaintRecord]:
        due = [
            c
            for c in self.complaints_by_id.values()
            if c.status in ACTIVE_STATUSES and not c.overdue and c.due_at <= now
        ]
        return sorted(due, key=lambda c: c.due_at)[:limit]

    def mark_overdue(self, complaint: ComplaintRecord) -> bool:
        stored = self.complaints_by_id[complaint.complaint_id]
        if stored.status not in ACTIVE_STATUSES or stored.overdue:
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
