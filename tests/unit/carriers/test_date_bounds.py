"""Dates a carrier sends are used only between 2000-01-01 and a year after the webhook arrived."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from carriers.domain.date_bounds import DateOutOfBounds
from carriers.domain.delays import DelayPolicy, next_watch
from carriers.domain.intake import parse_update
from carriers.models.shipment import ShipmentState
from carriers.models.tracking import Provider
from tests.unit.carriers.samples import RECEIVED, sample_bytes


def generic(**changes: object) -> dict:
    document = json.loads(sample_bytes("generic", "02_in_transit.json"))
    checkpoint = changes.pop("checkpoint", None)
    if checkpoint:
        document["checkpoints"][1].update(checkpoint)
    document.update(changes)
    return document


def aftership(expected_delivery: str, checkpoint_time: str) -> dict:
    document = json.loads(sample_bytes("aftership", "01_in_transit.json"))
    document["msg"]["expected_delivery"] = expected_delivery
    document["msg"]["checkpoints"][1]["checkpoint_time"] = checkpoint_time
    return document


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"checkpoint": {"occurred_at": "9999-12-31T23:59:59+14:00"}}, "checkpoints.1.occurred_at"),
        ({"checkpoint": {"occurred_at": "1999-12-31T23:59:59Z"}}, "checkpoints.1.occurred_at"),
        ({"checkpoint": {"occurred_at": "2027-12-01T00:00:00Z"}}, "checkpoints.1.occurred_at"),
        ({"estimated_delivery": "not-a-date"}, "estimated_delivery"),
        ({"estimated_delivery": "0001-01-01"}, "estimated_delivery"),
        ({"estimated_delivery": "9999-12-31T23:59:59+14:00"}, "estimated_delivery"),
    ],
)
def test_our_generic_format_refuses_a_date_outside_the_window_naming_the_field(
    changes: dict, field: str
) -> None:
    with pytest.raises(DateOutOfBounds) as refused:
        parse_update(Provider.GENERIC, json.dumps(generic(**changes)), RECEIVED)
    assert refused.value.http_status == 400
    assert [detail["field"] for detail in refused.value.details] == [field]


def test_dates_inside_the_window_are_kept_up_to_a_year_after_receipt() -> None:
    document = generic(estimated_delivery="2027-11-20", checkpoint={"occurred_at": "2026-11-24T11:59:00Z"})
    update = parse_update(Provider.GENERIC, json.dumps(document), RECEIVED)
    assert update.estimated_delivery == "2027-11-20"
    assert len(update.checkpoints) == 2
    assert update.ignored == []


def test_a_third_party_webhook_is_accepted_with_the_bad_values_set_aside() -> None:
    document = aftership(expected_delivery="not-a-date", checkpoint_time="9999-12-31T23:59:59+14:00")
    update = parse_update(Provider.AFTERSHIP, json.dumps(document), RECEIVED)
    assert update.estimated_delivery is None
    assert all(cp.occurred_at.year == 2025 for cp in update.checkpoints)
    assert len(update.checkpoints) == len(document["msg"]["checkpoints"]) - 1
    assert {value.field: value.value for value in update.ignored} == {
        "checkpoints.1.occurred_at": "9999-12-31T23:59:59+14:00",
        "estimated_delivery": "not-a-date",
    }
    assert update.ignored[0].message == document["msg"]["checkpoints"][1]["message"]  # kept as text


def test_the_delay_watch_saturates_instead_of_overflowing_at_the_end_of_time() -> None:
    shipment = ShipmentState(
        order_id="ord_1",
        shipment_id="shp_1",
        carrier="ups",
        tracking_number="TN1",
        status="in_transit",
        created_at="2026-11-24T10:00:00.000Z",
        last_checkpoint_at="9999-12-31T23:59:59+14:00",
        estimated_delivery="9999-12-31",
    )
    watch = next_watch(shipment, DelayPolicy(stalled_after=timedelta(hours=48)), "2026-11-24T10:00:00.000Z")
    assert watch is not None
    assert watch.deadline.startswith("9999-12-31")
