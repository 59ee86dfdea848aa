"""Aggregation rules: what each change of an order, shipment, notification, feedback, complaint or
return adds to which day's counters."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.checkpoint_records import compact_checkpoints
from stats.domain.contributions import contribution_of
from stats.domain.histogram import bucket_name, bucket_of
from tests.fakes.stats import (
    complaint_image,
    feedback_image,
    notification_image,
    order_image,
    return_image,
    shipment_image,
)

OBSERVED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PLACED = "2026-11-24T23:59:00.000Z"


def counters(old, new):  # type: ignore[no-untyped-def]
    return contribution_of(old, new, OBSERVED).compacted()


def test_a_new_order_counts_as_received_on_its_creation_day() -> None:
    new = order_image("ord_1", "received", 1, PLACED, PLACED)
    assert counters(None, new) == {("2026-11-24", "ORDERS"): {"received": 1}}


def test_a_confirmation_counts_on_its_day_with_the_time_since_placement() -> None:
    # Given an order placed just before midnight and confirmed 3 minutes later
    old = order_image("ord_1", "received", 1, PLACED, PLACED)
    new = order_image("ord_1", "confirmed", 2, PLACED, "2026-11-25T00:02:00.000Z")
    # Then the confirmation and its 180 s duration belong to the next day
    assert counters(old, new) == {
        ("2026-11-25", "ORDERS"): {"confirmed": 1},
        ("2026-11-25", "HIST#received_to_confirmed"): {
            bucket_name(bucket_of(180)): 1,
            "count": 1,
            "sum_seconds": 180,
        },
    }


def test_holds_and_out_of_stock_count_as_moves_and_same_status_writes_count_nothing() -> None:
    received = order_image("ord_1", "received", 1, PLACED, PLACED)
    held = order_image("ord_1", "on_hold", 2, PLACED, "2026-11-25T01:00:00.000Z")
    short = order_image("ord_1", "out_of_stock", 2, PLACED, "2026-11-25T01:00:00.000Z")
    assert counters(received, held) == {("2026-11-25", "ORDERS"): {"on_hold": 1}}
    assert counters(received, short) == {("2026-11-25", "ORDERS"): {"out_of_stock": 1}}
    assert counters(held, {**held, "version": 3}) == {}


def test_an_approved_order_back_in_received_is_not_received_twice() -> None:
    held = order_image("ord_1", "on_hold", 2, PLACED, PLACED)
    approved = order_image("ord_1", "received", 3, PLACED, "2026-11-25T01:00:00.000Z")
    assert counters(held, approved) == {("2026-11-25", "ORDERS"): {"review_approved": 1}}


def test_a_registered_shipment_counts_as_shipped_for_its_carrier() -> None:
    assert counters(None, shipment_image("ord_1")) == {
        ("2026-11-24", "SHIPMENTS"): {"shipped": 1, "carrier#sf-express#shipped": 1}
    }


def test_a_delivery_counts_on_the_carriers_delivery_day_against_its_promise() -> None:
    # Given a shipment registered at noon and promised for the 26th
    old = shipment_image("ord_1", "in_transit", estimated_delivery="2026-11-26")
    # When the carrier reports it delivered on the 26th (China time, still the 26th in UTC)
    new = shipment_image(
        "ord_1", "delivered", delivered_at="2026-11-26T14:30:00+08:00", estimated_delivery="2026-11-26"
    )
    seconds = 2 * 86400 - 5.5 * 3600
    # Then it is delivered on time, with its shipped-to-delivered duration
    assert counters(old, new) == {
        ("2026-11-26", "SHIPMENTS"): {
            "delivered": 1,
            "carrier#sf-express#delivered": 1,
            "promised": 1,
            "on_time": 1,
        },
        ("2026-11-26", "HIST#shipped_to_delivered"): {
            bucket_name(bucket_of(seconds)): 1,
            "count": 1,
            "sum_seconds": round(seconds),
        },
    }


def test_a_shipment_stored_compactly_counts_the_same_as_one_stored_in_full() -> None:
    old = shipment_image("ord_1", "in_transit", estimated_delivery="2026-11-26")
    full = shipment_image(
        "ord_1", "delivered", delivered_at="2026-11-26T14:30:00+08:00", estimated_delivery="2026-11-26"
    )
    compact = {key: value for key, value in full.items() if key != "last_checkpoint_at"}
    compact["checkpoints"] = compact_checkpoints(full["checkpoints"], full["carrier"])
    assert counters(old, compact) == counters(old, full)
    # a delivered shipment whose carrier never said "delivered": its last checkpoint's time counts
    scanned = {**compact, "checkpoints": compact["checkpoints"][:1]}
    assert ("2026-11-24", "SHIPMENTS") in counters(old, scanned)


def test_a_late_delivery_and_one_without_promise() -> None:
    old = shipment_image("ord_1", "in_transit", estimated_delivery="2026-11-25")
    late = shipment_image(
        "ord_1", "delivered", delivered_at="2026-11-26T01:00:00Z", estimated_delivery="2026-11-25"
    )
    unpromised = shipment_image("ord_1", "delivered", delivered_at="2026-11-26T01:00:00Z")
    late_counts = counters(old, late)[("2026-11-26", "SHIPMENTS")]
    assert late_counts["promised"] == 1 and "on_time" not in late_counts
    assert (
        "promised"
        not in counters(shipment_image("ord_1", "in_transit"), unpromised)[("2026-11-26", "SHIPMENTS")]
    )


def test_a_slipped_estimate_does_not_make_a_late_delivery_on_time() -> None:
    # Given the carrier first said the 25th, then revised its estimate to the 26th
    old = shipment_image("ord_1", "in_transit", estimated_delivery="2026-11-26")
    old["first_estimated_delivery"] = "2026-11-25"
    new = shipment_image(
        "ord_1", "delivered", delivered_at="2026-11-26T01:00:00Z", estimated_delivery="2026-11-26"
    )
    new["first_estimated_delivery"] = "2026-11-25"
    # Then a delivery on the 26th is late against the first estimate, the one the customer was told
    counts = counters(old, new)[("2026-11-26", "SHIPMENTS")]
    assert counts["promised"] == 1 and "on_time" not in counts


def test_a_delivery_exception_counts_by_reason_and_carrier_on_the_day_it_was_recorded() -> None:
    old = shipment_image("ord_1", "in_transit", carrier="YTO")
    new = shipment_image("ord_1", "delivery_exception", carrier="YTO", status_reason="stalled")
    contribution = contribution_of(old, new, OBSERVED)
    assert contribution.compacted() == {
        ("2026-11-27", "SHIPMENTS"): {"exceptions": 1, "carrier#yto#exceptions": 1, "reason#stalled": 1}
    }
    dimensioned = [p for p in contribution.metrics if p.dimensions]
    assert dimensioned[0].dimensions == (("Carrier", "yto"), ("Reason", "stalled"))


def test_unbounded_carriers_and_reasons_are_published_as_other() -> None:
    old = shipment_image("ord_1", "in_transit", carrier="tiny-local-courier")
    new = shipment_image(
        "ord_1", "delivery_exception", carrier="tiny-local-courier", status_reason="gremlins"
    )
    [point] = [p for p in contribution_of(old, new, OBSERVED).metrics if p.dimensions]
    assert point.dimensions == (("Carrier", "other"), ("Reason", "other"))


def test_notifications_count_per_status_and_channel_and_invitations_when_sent() -> None:
    held = notification_image("ord_1", "held", channel="sms", event_type="feedback.invite")
    sent = notification_image("ord_1", "sent", channel="sms", event_type="feedback.invite")
    assert counters(None, held) == {("2026-11-24", "NOTIFICATIONS"): {"held#sms": 1}}
    assert counters(held, sent) == {("2026-11-24", "NOTIFICATIONS"): {"sent#sms": 1, "invitations": 1}}
    assert counters(sent, sent) == {}


def test_feedback_counts_once_and_an_edit_replaces_its_contribution() -> None:
    first = feedback_image("ord_1", rating=5, nps=10)
    edited = {**feedback_image("ord_1", rating=2, nps=3), "updated_at": "2026-11-26T00:00:00Z"}
    assert counters(None, first) == {
        ("2026-11-25", "FEEDBACK"): {
            "responses": 1,
            "rating#5": 1,
            "satisfied": 1,
            "nps_responses": 1,
            "promoters": 1,
        }
    }
    assert counters(first, edited) == {
        ("2026-11-25", "FEEDBACK"): {
            "rating#5": -1,
            "rating#2": 1,
            "satisfied": -1,
            "promoters": -1,
            "detractors": 1,
        }
    }


def test_feedback_without_nps_and_with_an_invalid_rating() -> None:
    assert counters(None, feedback_image("ord_1", rating=4)) == {
        ("2026-11-25", "FEEDBACK"): {"responses": 1, "rating#4": 1, "satisfied": 1}
    }
    assert counters(None, feedback_image("ord_1", rating=9)) == {}


def test_complaints_open_resolve_and_become_overdue_on_their_own_days() -> None:
    opened = complaint_image("cmp_1")
    overdue = complaint_image("cmp_1", overdue=True, updated_at="2026-11-25T11:00:00Z")
    resolved = complaint_image("cmp_1", "resolved", overdue=True, resolved_at="2026-11-26T09:00:00Z")
    assert counters(None, opened) == {("2026-11-24", "COMPLAINTS"): {"opened": 1, "category#delivery": 1}}
    assert counters(opened, overdue) == {("2026-11-25", "COMPLAINTS"): {"overdue": 1}}
    # an item without `first_response_at`: its resolution is its first response too
    took = bucket_name(bucket_of(46 * 3600))
    assert counters(overdue, resolved) == {
        ("2026-11-26", "COMPLAINTS"): {"resolved": 1},
        ("2026-11-26", "HIST#complaint_resolution"): {took: 1, "count": 1, "sum_seconds": 46 * 3600},
        ("2026-11-26", "HIST#complaint_first_response"): {took: 1, "count": 1, "sum_seconds": 46 * 3600},
    }


def test_returns_count_per_status_moved_into() -> None:
    requested = return_image("ord_1", "ret_1", "requested")
    approved = {**requested, "status": "approved", "updated_at": "2026-11-27T08:00:00Z"}
    assert counters(None, requested) == {
        ("2026-11-26", "RETURNS"): {"requested": 1},
        ("2026-11-26", "RETURN_REASONS"): {"other": 1},  # a free-text reason only
    }
    assert counters(requested, approved) == {("2026-11-27", "RETURNS"): {"approved": 1}}


def test_other_entities_and_deletions_add_nothing() -> None:
    stock = {"pk": "SKU#A", "sk": "STOCK", "entity": "stock", "on_hand": 3}
    assert counters(None, stock) == {}
    assert counters(order_image("ord_1", "received", 1, PLACED, PLACED), None) == {}


def test_a_scheduled_notification_is_no_outcome_and_counts_nothing() -> None:
    scheduled = {
        "entity": "notification",
        "channel": "email",
        "status": "scheduled",
        "at": "2026-11-24T10:00:00.000Z",
    }
    sent = {**scheduled, "status": "sent", "at": "2026-11-24T10:02:00.000Z"}
    assert counters(None, scheduled) == {}
    assert counters(scheduled, sent) == {("2026-11-24", "NOTIFICATIONS"): {"sent#email": 1}}
