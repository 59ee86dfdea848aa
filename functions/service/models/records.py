"""What the orders table holds for customer service: feedback, complaints and returns.

Field names are a contract: the KPI consumer aggregates these items from the table stream by
`entity` (see docs/customer-service.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

FeedbackSource = Literal["customer_link", "storefront"]
ComplaintSource = Literal["storefront", "customer_link", "feedback"]


class FeedbackCategory(StrEnum):
    LATE = "late"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    COURIER_BEHAVIOUR = "courier_behaviour"
    OTHER = "other"


class ComplaintCategory(StrEnum):
    DELIVERY_DELAY = "delivery_delay"
    DAMAGE = "damage"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    SERVICE_ATTITUDE = "service_attitude"
    OTHER = "other"


class Priority(StrEnum):
    """p1 answers first; the response due time per priority is configuration."""

    P1 = "p1"
    P2 = "p2"
    P3 = "p3"


class ComplaintStatus(StrEnum):
    """A case's status; the moves between them are `service.domain.case_states.TRANSITIONS`."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


ACTIVE_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS, ComplaintStatus.REOPENED)
"""A case in one of these holds its order's and category's open-case lock."""

CaseEntryType = Literal["opened", "merged", "assigned", "note", "reply", "resolved", "closed", "reopened"]


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"


class ReturnReasonCode(StrEnum):
    """Why a customer returns (docs/returns.md); the KPI consumer counts returns per SKU by it."""

    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING_PARTS = "missing_parts"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"


ReturnResolution = Literal["refund", "exchange"]
ItemCondition = Literal["resellable", "damaged"]


class _Record(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")


class FeedbackRecord(_Record):
    order_id: str
    rating: int
    nps: int | None = None
    comment: str = ""
    categories: list[FeedbackCategory] = []
    source: FeedbackSource
    submitted_at: str
    updated_at: str
    complaint_id: str | None = None  # the complaint this feedback opened, if any (opened once)


class ComplaintFields(_Record):
    """What a complaint says: stored as a `ComplaintRecord`, answered as a `ComplaintView`."""

    complaint_id: str
    order_id: str
    customer_id: str
    category: ComplaintCategory
    description: str
    priority: Priority
    priority_reasons: list[str] = []
    status: ComplaintStatus
    opened_at: str
    due_at: str
    resolved_at: str | None = None
    resolution: str | None = None
    resolved_by: str | None = None
    overdue: bool = False
    source: ComplaintSource
    assignee: str | None = None
    first_response_at: str | None = None  # first reply to the customer, else the resolution
    closed_at: str | None = None


class ComplaintRecord(ComplaintFields):
    request_hash: str | None = None  # tells a retried creation from a reused Idempotency-Key
    version: int = 1  # every change is conditional on it
    reopen_count: int = 0
    answered_resolution: str | None = None  # resolved_at of the resolution the customer answered


class CaseEntryFields(_Record):
    """One line of a case's timeline (who did what, when). Notes are internal: never sent."""

    type: CaseEntryType
    at: str
    by: str
    text: str | None = None
    status: ComplaintStatus | None = None


class CaseEntry(CaseEntryFields):
    entry_id: str
    seq: int = 0  # the case's version after the change (orders entries written at the same time)
    request_hash: str | None = None  # replies and merged complaints: tells a retry from a reused key

    def order_key(self) -> tuple[str, bool, int]:
        """Timeline order: by time, the `opened` entry first, then by the case version."""
        return (self.at, self.type != "opened", self.seq)


class ReturnLine(BaseModel):
    model_config = ConfigDict(defer_build=True)
    sku: str
    quantity: int
    condition: ItemCondition | None = None
    """Set on receipt: the lines then hold one entry per SKU and condition (same units per SKU)."""


class Money(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)
    amount: str  # decimal string in the currency's minor units
    currency: str


class ReturnHistoryEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)
    status: ReturnStatus
    at: str
    by: str
    note: str | None = None


class ReturnRecord(_Record):
    return_id: str
    order_id: str
    status: ReturnStatus
    lines: list[ReturnLine]
    reason: str = ""  # free text; returns stored before `reason_code` have only this
    reason_code: ReturnReasonCode | None = None  # required for new requests (None: stored before it)
    resolution: ReturnResolution = "refund"
    expected_refund: Money | None = None  # computed on request, for the customer
    refund: Money | None = None  # computed on approval: what the refund action pays at most
    refunded: Money | None = None  # what was refunded (the refund action)
    refund_reason: str | None = None  # why a partial refund is below `refund`
    reshipment_id: str | None = None  # the exchange's replacement shipment (Replacements port)
    requested_at: str
    updated_at: str
    tracking_number: str | None = None
    carrier: str | None = None
    history: list[ReturnHistoryEntry] = []
    version: int = 1
    request_hash: str | None = None
    last_request_key: str | None = None  # Idempotency-Key of the last status change (for retries)
