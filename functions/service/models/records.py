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
    OPEN = "open"
    RESOLVED = "resolved"


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


class ComplaintRecord(ComplaintFields):
    request_hash: str | None = None  # tells a retried creation from a reused Idempotency-Key


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
