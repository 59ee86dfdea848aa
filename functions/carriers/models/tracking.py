"""Canonical tracking statuses and the normalized form every provider's webhook is turned into.

The status set and the per-provider mapping tables are documented in docs/tracking-statuses.md.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class TrackingStatus(StrEnum):
    PENDING = "pending"
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ATTEMPT_FAIL = "attempt_fail"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    EXPIRED = "expired"
    DELIVERY_DELAYED = "delivery_delayed"
    ON_HOLD = "on_hold"
    RETURN_TO_SENDER = "return_to_sender"
    CANCELLED = "cancelled"
    DELIVERY_EXCEPTION = "delivery_exception"  # raised by ordertrack itself (stalled / late)
    UNKNOWN = "unknown"


class Provider(StrEnum):
    EASYPOST = "easypost"
    AFTERSHIP = "aftership"
    KUAIDI100 = "kuaidi100"
    GENERIC = "generic"
    SEVENTEENTRACK = "17track"
    SHIPPO = "shippo"


class Checkpoint(BaseModel):
    """One carrier scan: its own time (with zone), place, message (original language) and raw code."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    status: TrackingStatus
    reason: str | None = None
    occurred_at: AwareDatetime
    location: str | None = None
    message: str | None = None
    raw_code: str
    provider: Provider
    # when stored: the carrier code the provider gave and when its webhook arrived (who owns the
    # event when a tracking number is recycled: carriers.domain.ownership); not part of its identity
    carrier: str | None = None
    received_at: str | None = None

    @property
    def utc_time(self) -> str:
        return self.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def event_key(self) -> str:
        """Deduplication key under the tracking number: the checkpoint time plus a hash of the
        carrier's own text and place (stable across pushes, even when a provider derives the status
        of older checkpoints differently), or of the status and raw code when there is no text.

        Sorts by checkpoint time, so a query over a tracking number's events returns them in order.
        """
        identity = (
            f"{self.message}|{self.location or ''}" if self.message else f"{self.status}|{self.raw_code}"
        )
        digest = hashlib.sha256(f"{self.utc_time}|{identity}".encode()).hexdigest()
        return f"{self.utc_time}#{digest[:16]}"

    def as_record(self) -> dict[str, object]:
        return {
            "status": self.status.value,
            "reason": self.reason,
            "occurred_at": self.occurred_at.isoformat(),
            "location": self.location,
            "message": self.message,
            "raw_code": self.raw_code,
            "provider": self.provider.value,
            "carrier": self.carrier,
            "received_at": self.received_at,
        }


class IgnoredValue(BaseModel):
    """A value of a provider's webhook that is not used (a date outside the believable window),
    kept as the text it came as: for the log line and the metric, never for status or watches."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    field: str
    value: str
    raw_code: str | None = None
    message: str | None = None


class TrackingUpdate(BaseModel):
    model_config = ConfigDict(defer_build=True)

    """What one webhook says about one tracking number, in canonical form."""

    provider: Provider
    provider_event_id: str | None = None
    tracking_number: str
    carrier: str | None = None
    checkpoints: list[Checkpoint]
    estimated_delivery: str | None = None  # ISO date or datetime, as the carrier gave it
    ignored: list[IgnoredValue] = []  # see carriers.domain.date_bounds
    stopped: str | None = None  # the provider stopped tracking the number (Kuaidi100 `abort`): its reason


class TrackingEstimate(BaseModel):
    """The carrier's newest delivery estimate for a tracking number, kept with its checkpoints so
    whoever applies them (webhook worker or tracking-link consumer) sets it on the shipment.

    `as_of` is when the webhook that gave it was received (UTC, `shared.clock.isoformat`, sortable
    as a string): an estimate never replaces one from a later webhook.
    """

    model_config = ConfigDict(defer_build=True, frozen=True)

    tracking_number: str
    estimated_delivery: str  # as the carrier gave it: ISO date or datetime
    as_of: str


def normalize_tracking_number(value: str) -> str:
    """Upper case without spaces: the form the shipment's tracking link is keyed by."""
    return "".join(value.split()).upper()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class WebhookMessage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    """What the webhook function enqueues: the verified, validated payload for the worker."""

    provider: Provider
    received_at: str
    payload: str  # the JSON document as received (Kuaidi100: the `param` field)
