from __future__ import annotations

from typing import Any

import pytest

from orders.domain.dispatch import Destination, events_for_change


def image(status: str, version: int, entity: str = "order") -> dict[str, Any]:
    return {"entity": entity, "order_id": "ord_1", "status": status, "version": version, "updated_at": "t"}


def test_new_order_asks_for_a_reservation() -> None:
    [outgoing] = events_for_change(None, image("received", 1))
    assert outgoing.destination == Destination.RESERVATION
    assert outgoing.event.event_id == "ord_1:v1"


def test_confirmation_and_out_of_stock_ask_for_a_notification() -> None:
    for status in ("confirmed", "out_of_stock"):
        [outgoing] = events_for_change(image("received", 1), image(status, 2))
        assert outgoing.destination == Destination.NOTIFICATION
        assert outgoing.event.event_type == f"order.{status}"
        assert outgoing.event.event_id == "ord_1:v2"


def test_replayed_record_yields_the_same_event_id() -> None:
    first = events_for_change(image("received", 1), image("confirmed", 2))
    replay = events_for_change(image("received", 1), image("confirmed", 2))
    assert first == replay


def test_changes_without_a_status_change_and_other_entities_are_ignored() -> None:
    assert events_for_change(image("confirmed", 2), image("confirmed", 3)) == []
    assert events_for_change(None, image("received", 1, entity="stock")) == []
    assert events_for_change(image("received", 1), None) == []


def test_an_order_approved_after_review_asks_for_a_reservation_again() -> None:
    [outgoing] = events_for_change(image("on_hold", 2), image("received", 3))
    assert outgoing.destination == Destination.RESERVATION
    assert outgoing.event.event_id == "ord_1:v3"


@pytest.mark.parametrize(
    "status",
    ["shipped", "in_transit", "out_for_delivery", "delivered", "delivery_exception", "cancelled", "expired"],
)
def test_tracking_and_ending_changes_are_domain_events_for_the_notification_worker(status: str) -> None:
    [outgoing] = events_for_change(image("confirmed", 4), image(status, 5))
    assert outgoing.destination == Destination.NOTIFICATION
    assert outgoing.event.event_type == f"order.{status}"


def test_internal_moves_are_not_customer_events() -> None:
    assert events_for_change(image("received", 1), image("reserved", 2)) == []


def test_a_hold_for_review_is_told_without_its_reasons() -> None:
    held = {**image("on_hold", 2), "hold_reasons": ["order_value_above_limit"]}
    [outgoing] = events_for_change(image("received", 1), held)
    assert outgoing.destination == Destination.NOTIFICATION
    assert outgoing.event.event_type == "order.on_hold"
    assert outgoing.event.details == {}


@pytest.mark.parametrize(
    ("reasons", "category"),
    [
        (["address_incomplete:postal_code"], "address_unverified"),
        (["order_value_above_limit"], "payment_unverified"),
        (["duplicate_order", "address_incomplete:city"], "address_unverified"),
        (["quantity_above_max_per_order:TEA"], "other"),
        ([], "other"),
    ],
)
def test_a_rejection_is_told_by_a_customer_safe_category(reasons: list[str], category: str) -> None:
    held = {**image("on_hold", 2), "hold_reasons": reasons}
    rejected = {**image("rejected", 3), "hold_reasons": reasons}
    [outgoing] = events_for_change(held, rejected)
    assert outgoing.event.event_type == "order.rejected"
    assert outgoing.event.details == {"category": category}


def test_delivery_also_sends_one_survey_invitation_after_the_delay() -> None:
    from datetime import timedelta

    from orders.domain.dispatch import FeedbackInvitations
    from shared.links import FEEDBACK, verify

    invitations = FeedbackInvitations(
        delay=timedelta(hours=24),
        link_days=30,
        sign=lambda order_id, expires: sign_with("k", order_id, expires),
    )
    old = image("in_transit", 6)
    new = {**image("delivered", 7), "updated_at": "2026-11-20T08:00:00.000Z"}
    status, invite = events_for_change(old, new, invitations)
    assert status.event.event_type == "order.delivered"
    assert invite.destination == Destination.NOTIFICATION
    event = invite.event
    assert (event.event_id, event.event_type) == ("ord_1:feedback", "feedback.invite")
    assert event.not_before == "2026-11-21T08:00:00Z"
    token = verify(["k"], event.details["feedback_token"], FEEDBACK)
    assert token is not None and token.order_id == "ord_1"
    assert event.details["feedback_expires_at"] == "2026-12-20T08:00:00Z"
    # a replay yields the same invitation id (the worker sends it once); other moves yield none
    assert events_for_change(old, new, invitations)[1].event.event_id == "ord_1:feedback"
    assert all(
        o.event.event_type != "feedback.invite"
        for o in events_for_change(new, image("returned_to_sender", 8), invitations)
    )


def sign_with(key: str, order_id: str, expires: int) -> str:
    from shared.links import FEEDBACK, sign

    return sign(key, order_id, FEEDBACK, expires_at=expires)


def shipment(estimate: str | None, status: str = "in_transit") -> dict[str, Any]:
    item: dict[str, Any] = {
        "entity": "shipment",
        "order_id": "ord_1",
        "shipment_id": "shp_1",
        "status": status,
    }
    if estimate is not None:
        item["estimated_delivery"] = estimate
    return item


def test_a_shipments_moved_estimate_asks_for_one_estimate_revised_notification() -> None:
    at = "2026-11-24T12:00:00.000Z"
    [outgoing] = events_for_change(shipment("2026-11-26"), shipment("2026-11-28"), None, at)
    assert outgoing.destination == Destination.NOTIFICATION
    event = outgoing.event
    assert (event.event_type, event.event_id, event.occurred_at) == (
        "order.estimate_revised",
        "ord_1:estimate:shp_1:2026-11-28",
        at,
    )
    assert event.details == {
        "shipment_id": "shp_1",
        "previous_estimated_delivery": "2026-11-26",
        "estimated_delivery": "2026-11-28",
    }
    assert event.version == 0  # never collapsed with the order's status messages
    # a replayed record asks for the same event: the notifier sends it once
    assert events_for_change(shipment("2026-11-26"), shipment("2026-11-28"), None, at) == [outgoing]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (shipment(None), shipment("2026-11-28")),  # the first estimate is not a revision
        (shipment("2026-11-28"), shipment("2026-11-28")),  # a checkpoint, same estimate
        (shipment("2026-11-28"), shipment(None)),  # withdrawn: nothing to tell
        (shipment("2026-11-26"), shipment("2026-11-28", status="delivered")),
        (None, shipment("2026-11-28")),
    ],
)
def test_no_revision_without_two_different_estimates_before_delivery(
    old: dict[str, Any] | None, new: dict[str, Any]
) -> None:
    assert events_for_change(old, new, None, "2026-11-24T12:00:00.000Z") == []
