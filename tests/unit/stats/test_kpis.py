"""KPI math from merged daily aggregates, including empty ranges and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.errors import DomainError
from stats.domain.aggregate_batch import BatchOutcome, StreamChange, aggregate_batch
from stats.domain.histogram import RELATIVE_ERROR
from stats.domain.kpis import MAX_RANGE_DAYS, parse_day_range, stats_for
from tests.fakes.stats import (
    InMemoryAggregates,
    RecordingMetrics,
    complaint_image,
    feedback_image,
    notification_image,
    order_image,
    return_image,
    shipment_image,
)

OBSERVED = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def apply(store: InMemoryAggregates, source: str, old, new) -> BatchOutcome:  # type: ignore[no-untyped-def]
    """One change as a batch of its own."""
    change = StreamChange(source, str(store.attempts + 1), old, new, OBSERVED)
    return aggregate_batch([change], store, RecordingMetrics())


def test_an_empty_range_has_zero_counts_and_no_rates() -> None:
    report = stats_for("2026-01-01", "2026-12-31", InMemoryAggregates())
    assert report.days == 365
    assert report.orders.received == 0
    assert report.orders.received_to_confirmed.median_seconds is None
    assert report.delivery.exception_rate is None and report.delivery.on_time_rate is None
    assert report.feedback.csat is None and report.feedback.nps is None
    assert report.feedback.response_rate is None
    assert report.returns == {}


def test_figures_over_a_range_of_days() -> None:
    store = InMemoryAggregates()
    # Given four orders on the 24th, three confirmed after 60, 120 and 600 seconds, one held
    for n, seconds in enumerate([60, 120, 600, None]):
        placed = f"2026-11-24T10:0{n}:00Z"
        received = order_image(f"ord_{n}", "received", 1, placed, placed)
        apply(store, f"o{n}-1", None, received)
        if seconds is None:
            apply(store, f"o{n}-2", received, order_image(f"ord_{n}", "on_hold", 2, placed, placed))
        else:
            confirmed_at = datetime.fromisoformat(placed.replace("Z", "+00:00")).timestamp() + seconds
            at = datetime.fromtimestamp(confirmed_at, UTC).isoformat()
            apply(store, f"o{n}-2", received, order_image(f"ord_{n}", "confirmed", 2, placed, at))
    # and two shipments (sf-express, yto): one delivered on time, one stalled
    apply(store, "s1", None, shipment_image("ord_0"))
    apply(store, "s2", None, shipment_image("ord_1", carrier="yto"))
    apply(
        store,
        "s1-d",
        shipment_image("ord_0", "in_transit"),
        shipment_image(
            "ord_0", "delivered", delivered_at="2026-11-25T12:00:00Z", estimated_delivery="2026-11-25"
        ),
    )
    apply(
        store,
        "s2-x",
        shipment_image("ord_1", "in_transit", carrier="yto"),
        shipment_image("ord_1", "delivery_exception", carrier="yto", status_reason="stalled"),
    )
    # and notifications, two survey invitations and one answer (rating 5, NPS 10), an edited one
    apply(store, "n1", None, notification_image("ord_0", "sent"))
    apply(store, "n2", None, notification_image("ord_0", "sent", channel="sms"))
    apply(store, "n3", None, notification_image("ord_0", "sent", event_type="feedback.invite", version=9))
    apply(store, "n4", None, notification_image("ord_1", "sent", event_type="feedback.invite", version=9))
    apply(store, "f1", None, feedback_image("ord_0", rating=5, nps=10))
    first = feedback_image("ord_1", rating=5, nps=9)
    apply(store, "f2", None, first)
    apply(store, "f2-edit", first, feedback_image("ord_1", rating=3, nps=2))
    # and a complaint opened and resolved, and a return requested
    apply(store, "c1", None, complaint_image("cmp_1"))
    apply(
        store,
        "c1-r",
        complaint_image("cmp_1"),
        complaint_image("cmp_1", "resolved", resolved_at="2026-11-25T00:00:00Z"),
    )
    apply(store, "r1", None, return_image("ord_0", "ret_1", "requested", updated_at="2026-11-25T00:00:00Z"))

    # When the 24th to the 25th is read
    report = stats_for("2026-11-24", "2026-11-25", store)

    # Then
    assert (report.orders.received, report.orders.confirmed, report.orders.on_hold) == (4, 3, 1)
    durations = report.orders.received_to_confirmed
    assert durations.count == 3
    assert abs(durations.median_seconds - 120) / 120 <= RELATIVE_ERROR  # type: ignore[operator]
    assert abs(durations.p90_seconds - 600) / 600 <= RELATIVE_ERROR  # type: ignore[operator]
    delivery = report.delivery
    assert (delivery.shipped, delivery.delivered, delivery.exceptions) == (2, 1, 1)
    assert (delivery.with_promise, delivery.on_time, delivery.on_time_rate) == (1, 1, 1.0)
    assert delivery.exception_rate == 0.5
    assert delivery.exceptions_by_reason["stalled"].rate == 0.5
    assert delivery.by_carrier["yto"].exception_rate == 1.0
    assert delivery.by_carrier["sf-express"].exception_rate == 0.0
    assert delivery.shipped_to_delivered.count == 1
    assert report.notifications.sent == {"email": 3, "sms": 1}
    feedback = report.feedback
    assert (feedback.responses, feedback.invitations, feedback.response_rate) == (2, 2, 1.0)
    assert feedback.csat == 0.5
    assert (feedback.promoters, feedback.detractors, feedback.nps) == (1, 1, 0.0)
    complaints = report.complaints
    assert (complaints.opened, complaints.resolved, complaints.overdue) == (1, 1, 0)
    assert report.returns == {"requested": 1}
    # and a range that excludes the 25th does not see its figures
    assert stats_for("2026-11-24", "2026-11-24", store).delivery.delivered == 0


def test_nps_is_promoters_minus_detractors_over_responses() -> None:
    store = InMemoryAggregates()
    for n, score in enumerate([10, 9, 8, 2, 10]):
        apply(store, f"f{n}", None, feedback_image(f"ord_{n}", rating=4, nps=score))
    apply(store, "f9", None, feedback_image("ord_9", rating=1))  # no NPS asked
    feedback = stats_for("2026-11-25", "2026-11-25", store).feedback
    assert feedback.nps_responses == 5
    assert feedback.nps == 40.0  # (3 - 1) / 5
    assert feedback.csat == round(5 / 6, 4)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-11-3", "2026-11-04", "query.from"),
        ("2026-11-03", "yesterday", "query.to"),
        ("2026-02-30", "2026-03-01", "query.from"),
        ("2026-11-05", "2026-11-04", "query.to"),
        ("2025-01-01", "2026-01-02", "query.to"),
    ],
)
def test_bad_ranges_are_refused_with_the_field_named(first: str, last: str, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_day_range(first, last)
    assert refused.value.http_status == 422
    assert refused.value.details[0]["field"] == field


def test_the_longest_range_is_accepted() -> None:
    assert parse_day_range("2024-01-01", "2024-12-31").days == MAX_RANGE_DAYS
