"""KPIs for a range of UTC days, computed from the daily aggregates only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from stats.domain.case_contributions import CONFIRMED_TO_SHIPPED, RETURNS
from stats.domain.case_kpis import complaint_stats, return_rate_stats
from stats.domain.contribution_parts import HISTOGRAM_PREFIX
from stats.domain.contributions import (
    FEEDBACK,
    NOTIFICATIONS,
    ORDERS,
    RECEIVED_TO_CONFIRMED,
    SHIPMENTS,
    SHIPPED_TO_DELIVERED,
)
from stats.domain.errors import InvalidStatsRange
from stats.domain.figures import duration_stats, ratio
from stats.domain.ports import AggregateStore, DayAggregate
from stats.models.api import (
    CarrierStats,
    DeliveryStats,
    FeedbackStats,
    NotificationStats,
    OrderStats,
    RateCount,
    StatsReport,
)

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def parse_day_range(first: str, last: str, max_days: int = MAX_RANGE_DAYS) -> DayRange:
    """`from` and `to` as YYYY-MM-DD (both included), at most `max_days` days."""
    days = {}
    for field, value in (("query.from", first), ("query.to", last)):
        try:
            if len(value) != 10:
                raise ValueError(value)
            days[field] = date.fromisoformat(value)
        except ValueError:
            raise InvalidStatsRange(field, "must be a date as YYYY-MM-DD") from None
    span = DayRange(days["query.from"], days["query.to"])
    if span.last < span.first:
        raise InvalidStatsRange("query.to", "must not be before `from`")
    if span.days > max_days:
        raise InvalidStatsRange("query.to", f"the range may span at most {max_days} days")
    return span


def merge(aggregates: Iterable[DayAggregate], span: DayRange) -> dict[str, dict[str, int]]:
    """Counters summed per family over the days of `span`."""
    first, last = span.first.isoformat(), span.last.isoformat()
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for aggregate in aggregates:
        if first <= aggregate.day <= last:
            for name, value in aggregate.counters.items():
                totals[aggregate.family][name] += int(value)
    return totals


def _delivery(shipments: Mapping[str, int], durations: Mapping[str, int]) -> DeliveryStats:
    shipped = shipments.get("shipped", 0)
    exceptions = shipments.get("exceptions", 0)
    carriers: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reasons: dict[str, int] = {}
    for name, value in shipments.items():
        if name.startswith("carrier#"):
            carrier, _, what = name.removeprefix("carrier#").rpartition("#")
            carriers[carrier][what] += value
        elif name.startswith("reason#") and value:
            reasons[name.removeprefix("reason#")] = value
    promised = shipments.get("promised", 0)
    on_time = shipments.get("on_time", 0)
    return DeliveryStats(
        shipped=shipped,
        delivered=shipments.get("delivered", 0),
        shipped_to_delivered=duration_stats(durations),
        with_promise=promised,
        on_time=on_time,
        on_time_rate=ratio(on_time, promised),
        exceptions=exceptions,
        exception_rate=ratio(exceptions, shipped),
        exceptions_by_reason={
            reason: RateCount(count=count, rate=ratio(count, shipped))
            for reason, count in sorted(reasons.items())
        },
        by_carrier={
            carrier: CarrierStats(
                shipped=counts["shipped"],
                delivered=counts["delivered"],
                exceptions=counts["exceptions"],
                exception_rate=ratio(counts["exceptions"], counts["shipped"]),
            )
            for carrier, counts in sorted(carriers.items())
        },
    )


def _notifications(counters: Mapping[str, int]) -> NotificationStats:
    by_status: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value in sorted(counters.items()):
        status, separator, channel = name.partition("#")
        if separator and value:
            by_status[status][channel] = value
    return NotificationStats(sent=dict(by_status.get("sent", {})), by_status=dict(by_status))


def _feedback(counters: Mapping[str, int], invitations: int) -> FeedbackStats:
    responses = counters.get("responses", 0)
    nps_responses = counters.get("nps_responses", 0)
    promoters, detractors = counters.get("promoters", 0), counters.get("detractors", 0)
    nps = ratio(promoters - detractors, nps_responses)
    return FeedbackStats(
        responses=responses,
        invitations=invitations,
        response_rate=ratio(responses, invitations),
        csat=ratio(counters.get("satisfied", 0), responses),
        ratings={str(r): counters.get(f"rating#{r}", 0) for r in range(1, 6)},
        nps_responses=nps_responses,
        nps=round(nps * 100, 1) if nps is not None else None,
        promoters=promoters,
        passives=counters.get("passives", 0),
        detractors=detractors,
    )


def compute_kpis(aggregates: Iterable[DayAggregate], span: DayRange) -> StatsReport:
    totals = merge(aggregates, span)
    orders = totals.get(ORDERS, {})
    notifications = totals.get(NOTIFICATIONS, {})
    return StatsReport(
        from_=span.first.isoformat(),
        to=span.last.isoformat(),
        days=span.days,
        orders=OrderStats(
            received=orders.get("received", 0),
            confirmed=orders.get("confirmed", 0),
            on_hold=orders.get("on_hold", 0),
            out_of_stock=orders.get("out_of_stock", 0),
            by_status={name: value for name, value in sorted(orders.items()) if value},
            received_to_confirmed=duration_stats(totals.get(HISTOGRAM_PREFIX + RECEIVED_TO_CONFIRMED, {})),
            confirmed_to_shipped=duration_stats(totals.get(HISTOGRAM_PREFIX + CONFIRMED_TO_SHIPPED, {})),
        ),
        delivery=_delivery(
            totals.get(SHIPMENTS, {}), totals.get(HISTOGRAM_PREFIX + SHIPPED_TO_DELIVERED, {})
        ),
        notifications=_notifications({k: v for k, v in notifications.items() if k != "invitations"}),
        feedback=_feedback(totals.get(FEEDBACK, {}), notifications.get("invitations", 0)),
        complaints=complaint_stats(totals),
        returns={name: value for name, value in sorted(totals.get(RETURNS, {}).items()) if value},
        return_rates=return_rate_stats(totals),
    )


def stats_for(first: str, last: str, store: AggregateStore) -> StatsReport:
    span = parse_day_range(first, last)
    return compute_kpis(store.read(span.first.isoformat(), span.last.isoformat()), span)
