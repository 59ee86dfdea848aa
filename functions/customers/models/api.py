"""Storefront API answers about a customer (docs/customer-data.md). Stored items are shown as they
are kept, without their storage keys and bookkeeping, so their fields are open objects here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orders.models.api import OrderSummary, OrderView


class _Answer(BaseModel):
    model_config = ConfigDict(defer_build=True)


class MessageSummary(_Answer):
    total: int = Field(description="Notification log entries of the listed orders.")
    by_channel: dict[str, dict[str, int]] = Field(description="channel -> status -> count.")
    last_sent_at: str | None = None


class ErasureCounts(_Answer):
    orders: int
    returns: int
    feedback: int
    complaints: int
    notification_entries: int
    preferences: int
    contact_lookups: int
    suppressions: int


class ErasureRecord(_Answer):
    customer_id: str
    status: Literal["in_progress", "completed"]
    requested_by: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    counts: ErasureCounts | None = None


class CustomerView(_Answer):
    customer_id: str
    orders: list[OrderSummary] = Field(description="The newest 50 orders, newest first.")
    orders_truncated: bool = Field(description="True when the customer has more than 50 orders.")
    cases: list[dict[str, Any]] = Field(description="Complaints (cases), newest first, at most 50.")
    returns: list[dict[str, Any]] = Field(description="Returns of the listed orders.")
    preferences: dict[str, Any] | None = Field(description="Null when never set (defaults apply).")
    messages: MessageSummary
    erasure: ErasureRecord | None = Field(description="Set once the customer's data was erased.")


class ExportedOrder(_Answer):
    order: OrderView
    returns: list[dict[str, Any]]
    feedback: dict[str, Any] | None
    notifications: list[dict[str, Any]]


class CustomerExport(_Answer):
    customer_id: str
    exported_at: str
    orders: list[ExportedOrder]
    complaints: list[dict[str, Any]]
    preferences: dict[str, Any] | None
    suppressions: list[dict[str, Any]]
    erasure: ErasureRecord | None
