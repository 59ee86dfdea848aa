"""A delivery exception as stored: one work item per (order, shipment, reason) episode."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class ExceptionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CARRIER = "waiting_carrier"
    RESOLVED = "resolved"


ACTIVE_STATUSES = frozenset(
    {ExceptionStatus.OPEN, ExceptionStatus.IN_PROGRESS, ExceptionStatus.WAITING_CARRIER}
)


class ExceptionReason(StrEnum):
    """What went wrong, grouped from the carriers' reason codes (docs/exceptions.md)."""

    STALLED = "stalled"
    LATE = "late"
    DELAYED = "delayed"
    FAILED_ATTEMPT = "failed_attempt"
    ADDRESS_PROBLEM = "address_problem"
    REFUSED = "refused"
    HELD = "held"
    DAMAGED = "damaged"
    LOST = "lost"
    RETURNED_TO_SENDER = "returned_to_sender"
    OTHER = "other"


class ExceptionEntry(BaseModel):
    """One line of the exception's timeline: what was done, by whom, when."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    action: str  # opened, assigned, contact_customer, wait_for_carrier, reship, refund, resolve, overdue
    by: str
    at: str
    details: dict[str, Any] = {}
    idempotency_key: str | None = None
    request_hash: str | None = None


class Refund(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    amount: str  # decimal string
    currency: str
    at: str
    by: str


class ExceptionRecord(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    exception_id: str
    order_id: str
    shipment_id: str
    tracking_number: str | None = None
    carrier: str | None = None
    reason: ExceptionReason
    carrier_reason: str | None = None  # the carrier's own reason code (or stalled / late)
    status: ExceptionStatus = ExceptionStatus.OPEN
    assignee: str
    opened_at: str
    due_at: str
    overdue_alerted_at: str | None = None
    resolved_at: str | None = None
    reshipment_ids: list[str] = []
    refunds: list[Refund] = []
    timeline: list[ExceptionEntry] = []
    version: int = 1

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES
