"""A revised carrier estimate as the customer reads it: the date they were told before and the new
one, both in their zone (`formatting.local_date`), for the `estimate_revised` templates.

The event (`order.estimate_revised`, from the dispatcher when a shipment's estimate changes) carries
both estimates as the carrier gave them (`previous_estimated_delivery`, `estimated_delivery`) and
the shipment's id; whether the move is worth a message is the policy's (`estimate_slip_days`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifications.domain.formatting import format_date, local_date

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date


def _date(details: Mapping[str, str], key: str, time_zone: str) -> date | None:
    value = (details.get(key) or "").strip()
    if not value:
        return None
    try:
        return local_date(value, time_zone)
    except ValueError:
        return None


def estimate_revision(
    details: Mapping[str, str], time_zone: str, locale: str, this_year: int
) -> dict[str, Any] | None:
    """`{"previous", "revised", "sms_previous", "sms_revised", "days"}` (dates formatted for
    `locale`, the year shown when it is not `this_year`), or None when the event carries no
    readable pair of estimates."""
    previous = _date(details, "previous_estimated_delivery", time_zone)
    revised = _date(details, "estimated_delivery", time_zone)
    if previous is None or revised is None:
        return None

    def told(day: date, **options: bool) -> str:
        return format_date(day, locale, with_year=day.year != this_year, **options)

    return {
        "previous": told(previous),
        "revised": told(revised),
        "sms_previous": told(previous, weekday=False),
        "sms_revised": told(revised, weekday=False),
        "days": (revised - previous).days,
    }
