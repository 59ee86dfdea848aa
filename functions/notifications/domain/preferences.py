"""A customer's notification preferences, and the quiet-hours arithmetic.

Preferences are stored per storefront customer id. Every field has a default, so a customer who
never set anything gets: both channels on, the order's locale, the policy's default time zone for
the shipping country, and the policy's default quiet hours (if any).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

PrefLocale = Literal["zh-CN", "en"]
_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class QuietHours(BaseModel):
    """A daily window in the customer's local time, e.g. 22:00-08:00 (crosses midnight)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    start: Annotated[str, Field(pattern=_HHMM, examples=["22:00"], description="Local time HH:MM.")]
    end: Annotated[str, Field(pattern=_HHMM, examples=["08:00"], description="Local time HH:MM.")]

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours need different start and end times")
        return self

    @staticmethod
    def _clock(value: str) -> time:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))

    def release_at(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """When a message due at `moment` may go out: None if `moment` is outside the window,
        else the end of the window (an aware datetime in `zone`)."""
        local = moment.astimezone(zone)
        start, end = self._clock(self.start), self._clock(self.end)
        now = local.time()
        if start < end:
            inside = start <= now < end
            end_day = local.date()
        else:  # crosses midnight: 22:00-08:00
            inside = now >= start or now < end
            end_day = local.date() + timedelta(days=1) if now >= start else local.date()
        if not inside:
            return None
        naive_end = datetime.combine(end_day, end)
        # fold=0 and a zone round trip: an end time that falls in a DST gap moves forward
        return naive_end.replace(tzinfo=zone).astimezone(zone)


class ChannelSwitches(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    email: StrictBool = True
    sms: StrictBool = True


class CustomerPreferences(BaseModel):
    """The body of `PUT /v1/customers/{customer_id}/preferences` (a whole replacement)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    channels: ChannelSwitches = Field(  # a plain default: the model is built on first use, not at import
        default={"email": True, "sms": True}, validate_default=True
    )
    locale: Annotated[PrefLocale | None, Field(description="Null: the order's locale.")] = None
    time_zone: Annotated[
        str | None,
        Field(
            max_length=64,
            examples=["Asia/Shanghai"],
            description="IANA time zone. Null: from the shipping country.",
            pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$",
        ),
    ] = None
    quiet_hours: Annotated[
        QuietHours | None, Field(description="Messages in this window are held until it ends. Null: none.")
    ] = None

    @field_validator("time_zone")
    @classmethod
    def _iana_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value not in _zones():
            raise ValueError("unknown IANA time zone")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone") from None
        return value


class StoredPreferences(CustomerPreferences):
    """What `GET` returns: the preferences plus when they were last changed (None: defaults)."""

    model_config = ConfigDict(defer_build=True, extra="ignore", frozen=True)

    customer_id: str
    updated_at: str | None = None


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES
