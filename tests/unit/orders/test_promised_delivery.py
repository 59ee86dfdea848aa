"""promised_delivery: accepted on an order and a shipment, stored on the shipment where the KPI
consumer reads it, and counted by the on-time KPI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from orders.domain.manage_orders import register_shipment
from orders.domain.place_order import place_order, request_fingerprint
from orders.models.api import CreateOrderRequest, ShipmentRequest, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from stats.domain.contributions import contribution_of
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders, InMemoryStock


class CapturedShipments:
    def __init__(self) -> None:
        self.written: list[dict[str, Any]] = []

    def shipment_items(self, order: OrderRecord, shipment: dict[str, Any]) -> list[dict[str, Any]]:
        self.written.append(shipment)
        return []


def shipped(promised_on_order: str | None, promised_on_shipment: str | None) -> dict[str, Any]:
    """Place an order (with its promise), confirm it, ship it: the shipment as written."""
    orders, clock = InMemoryOrders(), FrozenClock()
    body = order_body(**({"promised_delivery": promised_on_order} if promised_on_order else {}))
    placed = place_order(CreateOrderRequest.model_validate(body), "k-1", orders, clock).order
    stock = InMemoryStock(orders, on_hand={"TEA-OOLONG-250G": 5, "CUP-PORCELAIN": 5})
    stock.reserved = {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}
    reservation = {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}
    confirmed = TimelineEntry(status=OrderStatus.CONFIRMED, at="2026-11-24T10:01:00.000Z", by="test")
    assert orders.transition(placed, confirmed, {"reservation": reservation})
    writer = CapturedShipments()
    request = {"carrier": "sf-express", "tracking_number": "SF1001"}
    if promised_on_shipment:
        request["promised_delivery"] = promised_on_shipment
    register_shipment(placed.order_id, ShipmentRequest.model_validate(request), orders, stock, writer, clock)
    return writer.written[0]


def delivered(shipment: dict[str, Any], at: str) -> dict[str, Any]:
    return {
        **shipment,
        "entity": "shipment",
        "status": "delivered",
        "tracking_status": "delivered",
        "checkpoints": [{"status": "delivered", "occurred_at": at, "provider": "generic"}],
        "last_checkpoint_at": at,
    }


def test_the_orders_promise_goes_onto_its_shipment_and_counts_on_time() -> None:
    shipment = shipped("2026-11-26", None)
    assert shipment["promised_delivery"] == "2026-11-26"
    counts = contribution_of(
        {**shipment, "entity": "shipment"},
        delivered(shipment, "2026-11-26T14:30:00+08:00"),
        datetime(2026, 11, 27, tzinfo=UTC),
    ).compacted()[("2026-11-26", "SHIPMENTS")]
    assert counts["promised"] == 1 and counts["on_time"] == 1


def test_the_shipments_own_promise_wins_and_a_late_delivery_is_not_on_time() -> None:
    shipment = shipped("2026-11-30", "2026-11-25T18:00:00+08:00")
    assert shipment["promised_delivery"] == "2026-11-25T18:00:00+08:00"
    counts = contribution_of(
        {**shipment, "entity": "shipment"},
        delivered(shipment, "2026-11-26T09:00:00Z"),
        datetime(2026, 11, 27, tzinfo=UTC),
    ).compacted()[("2026-11-26", "SHIPMENTS")]
    assert counts["promised"] == 1 and "on_time" not in counts


def test_no_promise_stores_nothing() -> None:
    assert "promised_delivery" not in shipped(None, None)


@pytest.mark.parametrize("value", ["2026-11-26", "2026-11-26T18:00:00+08:00", "2026-11-26T10:00:00Z"])
def test_promised_delivery_accepts_a_date_or_a_time_with_its_offset(value: str) -> None:
    request = CreateOrderRequest.model_validate(order_body(promised_delivery=value))
    assert request.promised_delivery == value


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", "2026-11-26T18:00:00", "26/11/2026", 20261126])
def test_promised_delivery_refuses_anything_else(value: Any) -> None:
    with pytest.raises(ValidationError):
        CreateOrderRequest.model_validate(order_body(promised_delivery=value))
    with pytest.raises(ValidationError):
        ShipmentRequest.model_validate(
            {"carrier": "sf", "tracking_number": "SF1001", "promised_delivery": value}
        )


def test_an_order_without_a_promise_hashes_as_before_the_field_existed() -> None:
    request = CreateOrderRequest.model_validate(order_body())
    import hashlib
    import json

    before = json.dumps(
        request.model_dump(mode="json", exclude={"promised_delivery"}), sort_keys=True, separators=(",", ":")
    )
    assert request_fingerprint(request) == hashlib.sha256(before.encode()).hexdigest()
    promised = CreateOrderRequest.model_validate(order_body(promised_delivery="2026-11-26"))
    assert request_fingerprint(promised) != request_fingerprint(request)
