"""Turns changes of stored orders (DynamoDB stream images) into work for other functions.

A new order asks for stock reservation; a status change the customer must hear about asks for a
notification. Event ids come from the order's version, so a replayed stream record produces the
same event id and the consumers apply it once.

An order that becomes `delivered` also gets its survey invitation (`feedback.invite`, event id
`<order_id>:feedback`: one per order, whatever replays or later moves happen), to be delivered no
earlier than the configured delay after delivery, carrying a signed feedback link token.

A shipment whose carrier estimate changes (from one estimate to another, before it is delivered or
returned) asks for `order.estimate_revised`, event id
`<order_id>:estimate:<shipment_id>:<new estimate>`: one per revision, whatever replays happen. Its
details carry both estimates as the carrier gave them; the notification policy decides whether the
move is worth a message (`estimate_slip_days`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from orders.domain.review_notices import review_details
from orders.models.order import OrderStatus
from shared.events import OrderEvent


class Destination(StrEnum):
    RESERVATION = "reservation"
    NOTIFICATION = "notification"


CUSTOMER_FACING_STATUSES = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.OUT_OF_STOCK,
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.IN_TRANSIT,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERED,
        OrderStatus.DELIVERY_EXCEPTION,
        OrderStatus.RETURNED_TO_SENDER,
        OrderStatus.ON_HOLD,  # "we are checking your order" (orders.domain.review_notices)
        OrderStatus.REJECTED,  # and why it was rejected, by category
    }
)
"""Status changes sent to the notification worker as domain events; its policy decides which
reach the customer on which channel."""


@dataclass(frozen=True)
class Outgoing:
    destination: Destination
    event: OrderEvent


@dataclass(frozen=True)
class FeedbackInvitations:
    """When and how the survey invitation goes out: `sign(order_id, expires_at)` makes the
    feedback link token (purpose `feedback`), valid `link_days` after delivery."""

    delay: timedelta
    link_days: int
    sign: Callable[[str, int], str]


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feedback_invitation(image: dict[str, Any], invitations: FeedbackInvitations) -> OrderEvent:
    order_id = str(image["order_id"])
    delivered = str(image.get("updated_at") or image.get("created_at"))
    delivered_at = datetime.fromisoformat(delivered.replace("Z", "+00:00"))
    expires_at = int((delivered_at + timedelta(days=invitations.link_days)).timestamp())
    return OrderEvent(
        event_id=f"{order_id}:feedback",
        event_type="feedback.invite",
        order_id=order_id,
        status=str(image["status"]),
        occurred_at=delivered,
        not_before=_utc_iso(delivered_at + invitations.delay),
        details={
            "feedback_token": invitations.sign(order_id, expires_at),
            "feedback_expires_at": _utc_iso(datetime.fromtimestamp(expires_at, UTC)),
        },
    )


def _event(image: dict[str, Any]) -> OrderEvent:
    order_id = str(image["order_id"])
    status = str(image["status"])
    return OrderEvent(
        event_id=f"{order_id}:v{int(image['version'])}",
        event_type=f"order.{status}",
        order_id=order_id,
        status=status,
        occurred_at=str(image.get("updated_at") or image.get("created_at")),
        details=review_details(image),
    )


FINAL_SHIPMENT_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED_TO_SENDER})


def estimate_revision(old: dict[str, Any] | None, new: dict[str, Any], at: str) -> OrderEvent | None:
    """`order.estimate_revised` for a shipment item whose carrier estimate moved, else None (a
    first estimate, an unchanged one, or a shipment already delivered or returned)."""
    previous = str((old or {}).get("estimated_delivery") or "")
    revised = str(new.get("estimated_delivery") or "")
    if not previous or not revised or previous == revised or new.get("status") in FINAL_SHIPMENT_STATUSES:
        return None
    order_id, shipment_id = str(new["order_id"]), str(new["shipment_id"])
    return OrderEvent(
        event_id=f"{order_id}:estimate:{shipment_id}:{revised}",
        event_type="order.estimate_revised",
        order_id=order_id,
        status=str(new.get("status") or ""),
        occurred_at=at,
        details={
            "shipment_id": shipment_id,
            "previous_estimated_delivery": previous,
            "estimated_delivery": revised,
        },
    )


EDITED_FIELDS = ("items", "shipping_address", "customer")


def _edited(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """An edit of a received order: the reservation worker may have read it before the edit (and its
    write was then refused on the version), so the edited order asks for its reservation again."""
    return any(old.get(name) != new.get(name) for name in EDITED_FIELDS)


def events_for_change(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    invitations: FeedbackInvitations | None = None,
    at: str = "",
) -> list[Outgoing]:
    """The jobs of one stored change (`at`: when it was recorded, for items without a time of
    their own): an order's reservation or notification, a shipment's revised estimate."""
    if new and new.get("entity") == "shipment":
        revision = estimate_revision(old, new, at)
        return [Outgoing(Destination.NOTIFICATION, revision)] if revision else []
    if not new or new.get("entity") != "order":
        return []
    status = new.get("status")
    if old is None:
        if status == OrderStatus.RECEIVED:
            return [Outgoing(Destination.RESERVATION, _event(new))]
        return []
    if old.get("status") == status:
        if status == OrderStatus.RECEIVED and _edited(old, new):  # docs/reshipments.md
            return [Outgoing(Destination.RESERVATION, _event(new))]
        return []
    if status == OrderStatus.RECEIVED:  # approved after review: reserve now
        return [Outgoing(Destination.RESERVATION, _event(new))]
    if status in CUSTOMER_FACING_STATUSES:
        outgoing = [Outgoing(Destination.NOTIFICATION, _event(new))]
        if status == OrderStatus.DELIVERED and invitations is not None:
            outgoing.append(Outgoing(Destination.NOTIFICATION, feedback_invitation(new, invitations)))
        return outgoing
    return []
