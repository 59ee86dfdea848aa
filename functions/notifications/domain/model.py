"""What a notification is: its kind, the channels it goes out on, and what became of each delivery."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NotificationKind(StrEnum):
    """One per customer-facing order event; the value names the template folder."""

    ORDER_CONFIRMED = "order_confirmed"
    ORDER_OUT_OF_STOCK = "order_out_of_stock"


KIND_BY_EVENT_TYPE: dict[str, NotificationKind] = {
    "order.confirmed": NotificationKind.ORDER_CONFIRMED,
    "order.out_of_stock": NotificationKind.ORDER_OUT_OF_STOCK,
}


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    SUPPRESSED = "suppressed"  # the recipient opted out: nothing sent, nothing to retry
    REJECTED = "rejected"  # the provider refused this message for good: nothing to retry


@dataclass(frozen=True)
class EmailMessage:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class DeliveryKey:
    """At most one message goes out per key, however often the event is delivered."""

    event_id: str
    channel: Channel


@dataclass(frozen=True)
class DeliveryOutcome:
    channel: Channel
    status: DeliveryStatus
    message_id: str | None = None
    replayed: bool = False  # True when an earlier delivery of the same event already did the work
