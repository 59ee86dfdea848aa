"""Dates a carrier sends are believed only inside a window: from 2000-01-01 to a year after the
webhook was received. Outside it (a `9999-12-31` scan, an estimate that is not a date) a value is
never used for status, watches or KPIs.

- Our own `generic` format is refused with a 400 naming the field, before anything is queued: the
  sender is the merchant's own integration and can fix it.
- Third-party providers retry what we refuse and may disable an endpoint that keeps failing, so
  their webhook is accepted: an out-of-window estimate is ignored, an out-of-window checkpoint is
  kept out of the update, and each such value is listed in `TrackingUpdate.ignored` (field, the raw
  text) for the log line and the `CarrierValuesIgnored` metric.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from carriers.models.tracking import IgnoredValue, Provider, TrackingUpdate, parse_time
from shared.errors import InvalidRequest

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=365)


class DateOutOfBounds(InvalidRequest):
    code = "date_out_of_bounds"


def window(received_at: str) -> tuple[datetime, datetime]:
    return EARLIEST, parse_time(received_at).astimezone(UTC) + HORIZON


def _estimate_moment(value: str) -> datetime | None:
    """An estimate as the carrier gave it (ISO date or date-time) as a UTC moment, or None."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = parse_time(text)
    except (ValueError, OverflowError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _inside(moment: datetime | None, earliest: datetime, latest: datetime) -> bool:
    if moment is None:
        return False
    try:
        return earliest <= moment.astimezone(UTC) <= latest
    except OverflowError:  # 9999-12-31T23:59:59+14:00 has no UTC form in Python
        return False


def bound_dates(update: TrackingUpdate, received_at: str) -> TrackingUpdate:
    """`update` with only the dates inside the window; see the module docstring for who gets a 400."""
    earliest, latest = window(received_at)
    ignored: list[IgnoredValue] = []
    kept = []
    for index, checkpoint in enumerate(update.checkpoints):
        if _inside(checkpoint.occurred_at, earliest, latest):
            kept.append(checkpoint)
        else:
            ignored.append(
                IgnoredValue(
                    field=f"checkpoints.{index}.occurred_at",
                    value=checkpoint.occurred_at.isoformat(),
                    raw_code=checkpoint.raw_code,
                    message=checkpoint.message,
                )
            )
    estimate = update.estimated_delivery
    if estimate is not None and not _inside(_estimate_moment(estimate), earliest, latest):
        ignored.append(IgnoredValue(field="estimated_delivery", value=estimate[:64]))
        estimate = None
    if not ignored:
        return update
    if update.provider is Provider.GENERIC:
        raise DateOutOfBounds(
            "A date is outside the accepted window (2000-01-01 to a year from now).",
            details=[
                {"field": value.field, "issue": "not a date between 2000-01-01 and a year from now"}
                for value in ignored
            ],
        )
    return update.model_copy(
        update={"checkpoints": kept, "estimated_delivery": estimate, "ignored": [*update.ignored, *ignored]}
    )
