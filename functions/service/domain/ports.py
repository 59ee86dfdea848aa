"""What customer service needs from storage and the outside world, as small interfaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from orders.models.order import OrderRecord
from service.models.records import CaseEntry, ComplaintRecord, FeedbackRecord, ReturnRecord
from shared.events import OrderEvent


@dataclass(frozen=True)
class ComplaintQuery:
    """A page of cases. `statuses` empty: any status (only with customer_id or order_id)."""

    statuses: tuple[str, ...] = ("open",)
    priority: str | None = None
    assignee: str | None = None
    order_id: str | None = None
    customer_id: str | None = None
    overdue_at: str | None = None  # only cases due before this time (and still active)
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True)
class NewCase:
    """Open a case: the case, its `opened` entry and the order's open-case lock, all or nothing."""

    case: ComplaintRecord
    entry: CaseEntry


@dataclass(frozen=True)
class MergeIntoCase:
    """Add a second complaint to the open case holding the order's and category's lock."""

    complaint_id: str
    order_id: str
    category: str
    entry: CaseEntry


LockMove = str | None
"""In a case change: "take" the order's open-case lock, "release" it, or None."""


class CaseAlreadyOpen(Exception):
    """Another case holds the order's and category's open-case lock."""

    def __init__(self, complaint_id: str | None) -> None:
        super().__init__("case already open")
        self.complaint_id = complaint_id


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
        self,
        feedback: FeedbackRecord,
        previous: FeedbackRecord | None,
        complaint: ComplaintRecord | NewCase | MergeIntoCase | None,
    ) -> None:
        """One transaction: the feedback (created, or replaced if still as `previous`) and the
        case it opens or adds to, if any. Raises StaleWrite when another submission won or the
        open-case lock moved."""
        ...


class ComplaintStore(Protocol):
    def complaint(self, complaint_id: str) -> ComplaintRecord | None: ...

    def case(self, complaint_id: str) -> tuple[ComplaintRecord, list[CaseEntry]] | None:
        """The case and its timeline (oldest first)."""
        ...

    def open_case_for(self, order_id: str, category: str) -> str | None:
        """The id of the case holding the order's open-case lock for the category, if any."""
        ...

    def open_case(self, new: NewCase) -> None:
        """The case, its first entry and the lock in one transaction. Raises AlreadyExists (with
        the stored case) if the id is taken, CaseAlreadyOpen if another case holds the lock."""
        ...

    def merge_into_case(self, merge: MergeIntoCase) -> None:
        """The entry, if the case still holds the lock; StaleWrite otherwise (or if the entry is
        there already)."""
        ...

    def change_case(
        self, case: ComplaintRecord, expected_version: int, entry: CaseEntry, lock: LockMove = None
    ) -> None:
        """The case (if still at `expected_version`), its new entry and the lock move in one
        transaction; StaleWrite if the case changed, CaseAlreadyOpen if another case holds the lock."""
        ...

    def complaints(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]: ...

    def complaints_of_customer(self, customer_id: str) -> list[ComplaintRecord]:
        """Every case of the customer, newest first."""
        ...

    def complaints_of_order(self, order_id: str) -> list[ComplaintRecord]:
        """Every case of the order, newest first."""
        ...

    def due_complaints(self, now: str, limit: int) -> list[ComplaintRecord]:
        """Active cases past their due time not flagged overdue yet (soonest first)."""
        ...

    def mark_overdue(self, complaint: ComplaintRecord) -> bool:
        """Flag once; False if no longer active or flagged meanwhile."""
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
