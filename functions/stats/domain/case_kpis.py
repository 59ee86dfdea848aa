"""The complaint and return figures of the report (see `stats.domain.case_contributions`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from stats.domain.case_contributions import (
    COMPLAINT_FIRST_RESPONSE,
    COMPLAINT_RESOLUTION,
    COMPLAINTS,
    RETURN_REASONS,
    RETURNS,
    SKU_FAMILY_PREFIX,
)
from stats.domain.contribution_parts import HISTOGRAM_PREFIX
from stats.domain.figures import duration_stats, ratio
from stats.models.api import ComplaintStats, ReturnRateStats, SkuReturnStats

MAX_SKUS = 100
"""`by_sku` lists at most this many SKUs: those with the most returns requested."""

Totals = Mapping[str, Mapping[str, int]]


def complaint_stats(totals: Totals) -> ComplaintStats:
    complaints = totals.get(COMPLAINTS, {})
    due, on_time = complaints.get("response_due", 0), complaints.get("responded_on_time", 0)
    return ComplaintStats(
        opened=complaints.get("opened", 0),
        resolved=complaints.get("resolved", 0),
        overdue=complaints.get("overdue", 0),
        by_category={
            name.removeprefix("category#"): value
            for name, value in sorted(complaints.items())
            if name.startswith("category#") and value
        },
        first_response=duration_stats(totals.get(HISTOGRAM_PREFIX + COMPLAINT_FIRST_RESPONSE, {})),
        resolution=duration_stats(totals.get(HISTOGRAM_PREFIX + COMPLAINT_RESOLUTION, {})),
        response_due=due,
        responded_on_time=on_time,
        on_time_response_rate=ratio(on_time, due),
    )


def _sku_counters(totals: Totals) -> dict[str, dict[str, int]]:
    """sku -> {"delivered", "requested", "reason#<code>"} summed over the SKU families."""
    skus: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for family, counters in totals.items():
        if not family.startswith(SKU_FAMILY_PREFIX):
            continue
        for name, value in counters.items():
            sku, separator, what = name.removeprefix("sku#").partition("#")
            if name.startswith("sku#") and separator:
                skus[sku][what] += value
    return skus


def return_rate_stats(totals: Totals) -> ReturnRateStats:
    requested = totals.get(RETURNS, {}).get("requested", 0)
    delivered = totals.get("ORDERS", {}).get("delivered", 0)
    skus = _sku_counters(totals)
    ranked = sorted(skus, key=lambda sku: (-skus[sku]["requested"], -skus[sku]["delivered"], sku))
    return ReturnRateStats(
        requested=requested,
        delivered_orders=delivered,
        return_rate=ratio(requested, delivered),
        reasons={code: value for code, value in sorted(totals.get(RETURN_REASONS, {}).items()) if value},
        by_sku={
            sku: SkuReturnStats(
                delivered=skus[sku]["delivered"],
                requested=skus[sku]["requested"],
                return_rate=ratio(skus[sku]["requested"], skus[sku]["delivered"]),
                reasons={
                    name.removeprefix("reason#"): value
                    for name, value in sorted(skus[sku].items())
                    if name.startswith("reason#") and value
                },
            )
            for sku in ranked[:MAX_SKUS]
        },
    )
