"""The notification policy: which order and customer-service events reach the customer on which channels, what may
bypass quiet hours, and how long a burst of updates is collapsed into one message.

It is configuration (`notifications.policy` in the stage config, passed to the worker as the
`NOTIFICATION_POLICY` JSON environment variable); `DEFAULT_POLICY` is what a stage gets when it
says nothing.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from notifications.domain.model import KIND_BY_EVENT_TYPE, Channel
from notifications.domain.preferences import QuietHours

BOTH = (Channel.EMAIL, Channel.SMS)


class NotificationPolicy(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    events: Annotated[
        dict[str, tuple[Channel, ...]],
        Field(description="Event type -> channels. An event not listed reaches no one."),
    ] = {
        "order.confirmed": BOTH,
        "order.out_of_stock": BOTH,
        "order.shipped": BOTH,
        "order.partially_shipped": BOTH,
        "order.in_transit": (Channel.EMAIL,),  # intermediate scans: no SMS
        "order.out_for_delivery": BOTH,
        "order.delivered": BOTH,
        "order.delivery_exception": BOTH,
        "order.returned_to_sender": BOTH,
        "order.cancelled": BOTH,
        "order.expired": BOTH,
        "order.estimate_revised": BOTH,  # only when it slips by `estimate_slip_days` or more
        "feedback.invite": (Channel.EMAIL,),  # SMS only as the fallback when email is suppressed
        "return.requested": (Channel.EMAIL,),
        "return.approved": BOTH,
        "return.rejected": BOTH,
        "return.received": (Channel.EMAIL,),
        "return.refunded": BOTH,
        "complaint.resolved": BOTH,
        "complaint.opened": BOTH,
        "complaint.replied": BOTH,
        "order.on_hold": BOTH,  # no reasons: docs/exceptions.md
        "order.rejected": BOTH,
        "exception.customer_contacted": BOTH,
        "exception.refunded": BOTH,
        "reshipment.created": BOTH,
        "reshipment.shipped": BOTH,
        "order.updated": BOTH,
    }
    critical_events: Annotated[
        frozenset[str], Field(description="Sent even in the customer's quiet hours.")
    ] = frozenset({"order.delivery_exception"})
    collapse_window_seconds: Annotated[
        int,
        Field(
            ge=0,
            le=900,
            description="Updates of one order within this window become one message with the latest "
            "state (0: every update is sent at once). At most 900, the SQS delay limit.",
        ),
    ] = 120
    estimate_slip_days: Annotated[
        int,
        Field(
            ge=1,
            le=30,
            description="A revised carrier estimate is told when it moves the delivery date this many "
            "days later or more (in the customer's zone); an earlier or smaller move sends nothing.",
        ),
    ] = 1
    quiet_hours_channels: tuple[Channel, ...] = BOTH
    default_quiet_hours: Annotated[
        QuietHours | None, Field(description="For customers who set none (null: none).")
    ] = None
    default_time_zones: Annotated[
        dict[str, str],
        Field(
            description="Shipping country -> IANA zone, overriding the country's own zone (tzdata's "
            "zone.tab) for customers whose zone neither their preference, their address's region nor "
            "their phone tells (shared.customer_time). Empty: none overridden."
        ),
    ] = {}

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: dict[str, tuple[Channel, ...]]) -> dict[str, tuple[Channel, ...]]:
        unknown = sorted(set(value) - set(KIND_BY_EVENT_TYPE))
        if unknown:
            raise ValueError(f"no templates for event types: {', '.join(unknown)}")
        return value

    def channels_for(self, event_type: str) -> tuple[Channel, ...]:
        return self.events.get(event_type, ())

    def is_critical(self, event_type: str) -> bool:
        return event_type in self.critical_events

    def tells_estimate_revision(self, previous: date, revised: date) -> bool:
        """Whether a carrier's estimate moving from `previous` to `revised` is worth a message."""
        return (revised - previous).days >= self.estimate_slip_days


@cache
def default_policy() -> NotificationPolicy:
    """What a stage gets when it says nothing; built on first use, not when a handler is imported."""
    return NotificationPolicy()


def __getattr__(name: str) -> NotificationPolicy:
    if name == "DEFAULT_POLICY":  # `DEFAULT_POLICY` reads as a constant but is built on first use
        return default_policy()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
