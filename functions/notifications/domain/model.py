"""What a notification is: its kind, the channels it goes out on, and what became of each delivery."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class NotificationKind(StrEnum):
    """One per customer-facing event (order status, survey, return, complaint); the value names the
    template folder."""

    ORDER_CONFIRMED = "order_confirmed"
    ORDER_OUT_OF_STOCK = "order_out_of_stock"
    ORDER_SHIPPED = "order_shipped"
    ORDER_PARTIALLY_SHIPPED = "order_partially_shipped"
    ORDER_IN_TRANSIT = "order_in_transit"
    ORDER_OUT_FOR_DELIVERY = "order_out_for_delivery"
    ORDER_DELIVERED = "order_delivered"
    ORDER_DELIVERY_EXCEPTION = "order_delivery_exception"
    ORDER_RETURNED_TO_SENDER = "order_returned_to_sender"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_EXPIRED = "order_expired"
    # review (docs/exceptions.md): "we are checking your order", and a rejection's category
    ORDER_ON_HOLD = "order_on_hold"
    ORDER_REJECTED = "order_rejected"
    # the carrier's delivery estimate slipped (not a status: the event carries both estimates)
    ESTIMATE_REVISED = "estimate_revised"
    # customer service (docs/customer-service.md): the event's facts are in `OrderEvent.details`
    FEEDBACK_INVITE = "feedback_invite"
    RETURN_REQUESTED = "return_requested"
    RETURN_APPROVED = "return_approved"
    RETURN_REJECTED = "return_rejected"
    RETURN_RECEIVED = "return_received"
    RETURN_REFUNDED = "return_refunded"
    COMPLAINT_RESOLVED = "complaint_resolved"
    COMPLAINT_OPENED = "complaint_opened"  # with its due time (docs/cases.md)
    COMPLAINT_REPLIED = "complaint_replied"  # the operator's reply, quoted
    # delivery exceptions (docs/exceptions.md): an operator's message, a refund
    EXCEPTION_CONTACT = "exception_contact"
    EXCEPTION_REFUNDED = "exception_refunded"
    # reshipments and order edits (docs/reshipments.md)
    RESHIPMENT_CREATED = "reshipment_created"
    ORDER_UPDATED = "order_updated"


ORDER_KINDS = tuple(
    kind
    for kind in NotificationKind
    if kind.value.startswith("order_") and kind is not NotificationKind.ORDER_UPDATED
)
"""The kinds of an order status (`order.<status>`); `order_updated` is an edit, not a status."""
RETURN_KINDS = frozenset(kind for kind in NotificationKind if kind.value.startswith("return_"))

KIND_BY_EVENT_TYPE: dict[str, NotificationKind] = {
    **{"order." + kind.value.removeprefix("order_"): kind for kind in ORDER_KINDS},
    "order.estimate_revised": NotificationKind.ESTIMATE_REVISED,
    "feedback.invite": NotificationKind.FEEDBACK_INVITE,
    "return.requested": NotificationKind.RETURN_REQUESTED,
    "return.approved": NotificationKind.RETURN_APPROVED,
    "return.rejected": NotificationKind.RETURN_REJECTED,
    "return.received": NotificationKind.RETURN_RECEIVED,
    "return.refunded": NotificationKind.RETURN_REFUNDED,
    "complaint.resolved": NotificationKind.COMPLAINT_RESOLVED,
    "complaint.opened": NotificationKind.COMPLAINT_OPENED,
    "complaint.replied": NotificationKind.COMPLAINT_REPLIED,
    "exception.customer_contacted": NotificationKind.EXCEPTION_CONTACT,
    "exception.refunded": NotificationKind.EXCEPTION_REFUNDED,
    "reshipment.created": NotificationKind.RESHIPMENT_CREATED,
    "reshipment.shipped": NotificationKind.RESHIPMENT_CREATED,  # the same words, with its parcel
    "order.updated": NotificationKind.ORDER_UPDATED,
}

# Kinds about a shipment: their messages carry the carrier, tracking number and tracking link.
SHIPMENT_KINDS = frozenset(
    {
        NotificationKind.ORDER_SHIPPED,
        NotificationKind.ORDER_PARTIALLY_SHIPPED,
        NotificationKind.ORDER_IN_TRANSIT,
        NotificationKind.ORDER_OUT_FOR_DELIVERY,
        NotificationKind.ORDER_DELIVERED,
        NotificationKind.ORDER_DELIVERY_EXCEPTION,
        NotificationKind.ORDER_RETURNED_TO_SENDER,
        NotificationKind.ESTIMATE_REVISED,
    }
)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    """What the provider call did (stored by the delivery ledger)."""

    SENT = "sent"
    SUPPRESSED = "suppressed"  # the recipient opted out: nothing sent, nothing to retry
    REJECTED = "rejected"  # the provider refused this message for good: nothing to retry


class NotificationStatus(StrEnum):
    """A notification's state on the order's notification log."""

    SCHEDULED = "scheduled"  # waiting out the burst window (or the event's not_before): due at release_at
    HELD = "held"  # in the customer's quiet hours: sent when they end
    SENT = "sent"
    SUPPRESSED = "suppressed"  # opted out, bounced, complained, or the channel is switched off
    FAILED = "failed"  # refused by the provider, or retries exhausted (then in the dead-letter queue)
    COLLAPSED = "collapsed"  # a later update of the same order replaced it within the burst window


@dataclass(frozen=True)
class EmailMessage:
    subject: str
    html: str
    text: str
    unsubscribe_url: str | None = None  # the signed settings link: List-Unsubscribe (RFC 8058)


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
    reason: str | None = None  # the provider's error code when rejected
    segments: int | None = None  # SMS parts billed


def notification_id(event_id: str, channel: Channel | str) -> str:
    """Deterministic: one per (order, event, channel). `ord_x:v7:sms`."""
    return f"{event_id}:{Channel(channel).value}"


@dataclass(frozen=True)
class NotificationEntry:
    """One line of an order's notification log. `recipient` is always masked."""

    order_id: str
    event_id: str
    event_type: str
    channel: Channel
    status: NotificationStatus
    at: str  # when this status was recorded (UTC ISO 8601)
    template: str | None = None
    locale: str | None = None
    recipient: str | None = None
    reason: str | None = None  # why suppressed / failed / collapsed / held
    message_id: str | None = None
    segments: int | None = None
    release_at: str | None = None  # scheduled: when it is due; held: when the quiet hours end
    fallback_for: Channel | None = None  # sent on this channel because the other one was suppressed

    @property
    def notification_id(self) -> str:
        return notification_id(self.event_id, self.channel)

    @property
    def delivery_key(self) -> DeliveryKey:
        return DeliveryKey(self.event_id, Channel(self.channel))

    def delivered(self, outcome: DeliveryOutcome) -> NotificationEntry:
        """This entry once the provider answered: `sent` with the message id (and the SMS parts
        billed), or `failed` with the provider's code when it refused the message for good."""
        if outcome.status is DeliveryStatus.REJECTED:
            status, reason = NotificationStatus.FAILED, outcome.reason or "rejected"
        else:
            status, reason = NotificationStatus.SENT, None
        return replace(
            self, status=status, reason=reason, message_id=outcome.message_id, segments=outcome.segments
        )


@dataclass(frozen=True)
class Suppression:
    """A recipient we must not message on one channel, and why."""

    channel: Channel
    reason: str  # "sms_stop", "bounce", "complaint", "provider_opt_out", ...
    source: str  # what told us: "sns_inbound", "ses_feedback", "sns_opt_out_list", ...
    at: str
