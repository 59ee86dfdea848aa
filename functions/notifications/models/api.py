"""Storefront API bodies for notifications. The request body of the preferences route is the
domain's `CustomerPreferences` (and `StoredPreferences` its answer); these are the read models of
an order's notification log, in the OpenAPI document through the route's return type."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from notifications.domain.model import Channel, NotificationEntry, NotificationStatus


class NotificationView(BaseModel):
    model_config = ConfigDict(defer_build=True)
    notification_id: Annotated[
        str, Field(description="One per order event and channel.", examples=["ord_x:v3:email"])
    ]
    event_id: str
    event_type: Annotated[str, Field(examples=["order.shipped"])]
    channel: Channel
    template: str | None = None
    locale: str | None = None
    status: Annotated[
        NotificationStatus,
        Field(
            description="`scheduled`: waiting out the burst window (or a later start, such as a "
            "survey's delay), due at `release_at`; `held`: in the customer's quiet hours, due at "
            "`release_at`; `sent`, `suppressed`, `failed`, or `collapsed` into a later update."
        ),
    ]
    reason: Annotated[
        str | None,
        Field(
            description="Why it is scheduled (`burst_window`, `not_before`), held (`quiet_hours`), "
            "suppressed, collapsed or failed."
        ),
    ] = None
    recipient: Annotated[
        str | None, Field(description="Masked address.", examples=["l***@example.com", "+86*******8000"])
    ] = None
    message_id: Annotated[str | None, Field(description="The provider's message id when sent.")] = None
    segments: Annotated[int | None, Field(description="SMS parts billed.")] = None
    release_at: Annotated[
        str | None,
        Field(description="Scheduled or held: when it is due to go out (UTC ISO 8601)."),
    ] = None
    fallback_for: Annotated[
        Channel | None, Field(description="Sent on this channel because the other one was suppressed.")
    ] = None
    at: Annotated[str, Field(description="When this status was recorded (UTC ISO 8601).")]

    @classmethod
    def of(cls, entry: NotificationEntry) -> NotificationView:
        return cls(
            notification_id=entry.notification_id,
            event_id=entry.event_id,
            event_type=entry.event_type,
            channel=entry.channel,
            template=entry.template,
            locale=entry.locale,
            status=entry.status,
            reason=entry.reason,
            recipient=entry.recipient,
            message_id=entry.message_id,
            segments=entry.segments,
            release_at=entry.release_at,
            fallback_for=entry.fallback_for,
            at=entry.at,
        )


class OrderNotifications(BaseModel):
    model_config = ConfigDict(defer_build=True)
    order_id: str
    notifications: Annotated[
        list[NotificationView],
        Field(
            description="In time order: by `at` (when each entry's status was recorded), oldest "
            "first; messages still to go out (`scheduled`, `held`) are listed with their `release_at`."
        ),
    ]

    @classmethod
    def of(cls, order_id: str, entries: list[NotificationEntry]) -> OrderNotifications:
        """The order's log entries in time order (ties: by event, then channel, as stored)."""
        ordered = sorted(entries, key=lambda entry: entry.at)  # stable: the log's own order breaks ties
        return cls(order_id=order_id, notifications=[NotificationView.of(entry) for entry in ordered])
