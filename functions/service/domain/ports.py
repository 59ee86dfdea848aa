"""What customer service needs from storage and the outside world, as small interfaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from orders.models.order import OrderRecord
from service.models.records import ComplaintRecord, FeedbackRecord, ReturnRecord
from shared.events import OrderEvent


@dataclass(frozen=True)
class ComplaintQuery:
    status: str
    priority: str | None = None
    limit: int = 50
    cursor: str | None = None


class AlreadyExists(Exception):
    """A conditional create found the item already there (carries the stored item)."""

    def __init__(self, existing: object) -> None:
        super().__init__("already exists")
        self.existing = existing


class StaleWrite(Exception):
    """A conditional update lost to a concurrent change."""


class OrderLookup(Protocol):
    def get(self, order_id: str) -> OrderRecord | None: ...


class TimeZonePreferences(Protocol):
    def time_zone(self, customer_id: str) -> str | None:
        """The IANA zone the customer chose in their notification preferences, or None."""
        ...


class FeedbackStore(Protocol):
    def feedback(self, order_id: str) -> FeedbackRecord | None: ...

    def save_feedback(
        self, feedback: FeedbackRecord, previous: FeedbackRecord | None, complaint: ComplaintRecord | None
    ) -> None:
        """One transaction: the feedback (created, or replaced if still as `previous`) and the
        complaint it opens, if any. Raises StaleWrite when another submission won."""
        ...


class ComplaintStore(Protocol):
    def complaint(self, complaint_id: str) -> ComplaintRecord | None: ...

    def create_complaint(self, complaint: ComplaintRecord) -> None:
        """Raises AlreadyExists (with the stored complaint) if the id is taken."""
        ...

    def resolve_complaint(self, complaint: ComplaintRecord) -> bool:
        """Store the resolution if the complaint is still open; False otherwise."""
        ...

    def complaints(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]: ...

    def recent_complaint_count(self, customer_id: str, since: str) -> int: ...

    def due_complaints(self, now: str, limit: int) -> list[ComplaintRecord]:
        """Open complaints past their due time not flagged overdue yet (soonest first)."""
        ...

    def mark_overdue(self, complaint: ComplaintRecord) -> bool:
        """Flag once; False if resolved or flagged meanwhile."""
        ...

    def unmark_overdue(self, complaint: ComplaintRecord) -> None: ...


class ReturnStore(Protocol):
    def returns(self, order_id: str) -> list[ReturnRecord]: ...

    def returned_quantities(self, order_id: str) -> tuple[dict[str, int], int]:
        """Units in non-rejected returns per SKU, and the version of that tally (0: none yet)."""
        ...

    def create_return(self, record: ReturnRecord, tally: dict[str, int], tally_version: int) -> None:
        """The return and the order's new tally in one transaction. Raises AlreadyExists if the
        return id is taken, StaleWrite if the tally changed since it was read."""
        ...

    def update_return(
        self, record: ReturnRecord, expected_version: int, tally: tuple[dict[str, int], int] | None = None
    ) -> None:
        """Replace the return if still at `expected_version` (and the tally, when given, at its
        version); StaleWrite otherwise."""
        ...

    def link_return_shipment(
        self, record: ReturnRecord, expected_version: int, shipment: dict[str, object]
    ) -> None:
        """The return's tracking number, a `direction: return` shipment and its tracking link in one
        transaction; StaleWrite if the return changed or the tracking number is taken."""
        ...


class CustomerEvents(Protocol):
    """Events for the notification worker (it decides whether and how the customer hears)."""

    def publish(self, event: OrderEvent) -> None: ...


class OperationsAlerts(Protocol):
    def alert(self, subject: str, details: dict[str, object]) -> None: ...


class LinkVerifier(Protocol):
    def verify(self, token: str) -> tuple[str, str]:
        """(order_id, purpose) of a valid token; raises LinkNotFound or LinkExpired."""
        ...
