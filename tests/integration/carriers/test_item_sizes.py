"""What a whole journey's writes cost: the order and shipment items stay within 2 KB and 1 KB.

DynamoDB bills a write by the size of the item it leaves (or found, if larger), in 1 KB steps, and
every write of an order or a shipment rewrites the whole item. A journey is run through the real
adapters against moto (placed -> confirmed -> shipped with its tracking registered -> five carrier
checkpoints -> delivered) and each item's size is taken after every write by DynamoDB's own rules
(`infra.local.write_units`). Carrier entries on the order are references to the shipment's
checkpoints, and the shipment keeps its checkpoints compactly (docs/data-model.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.domain.apply_tracking import apply_tracking_update
from carriers.domain.intake import parse_update
from carriers.models.registration import TrackingRegistration
from carriers.models.tracking import Provider
from infra.local.write_units import item_size, units_for
from inventory.adapters.dynamo_stock import DynamoStock
from inventory.domain.reserve_stock import reserve_orders
from orders.adapters.dynamo_orders import DynamoOrderRepository, order_key, shipment_key
from orders.adapters.dynamo_shipments import DynamoShipments
from orders.domain.manage_orders import register_shipment
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest, ShipmentRequest
from shared.clock import isoformat
from tests.factories import order_body
from tests.fakes.orders import FrozenClock
from tests.unit.carriers.samples import sample_bytes

TRACKING_NUMBER = "SF1234567890123"
PLACED = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)
SAMPLES = ("01_info_received.json", "02_in_transit.json", "03_out_for_delivery.json", "04_delivered.json")
"""The generic provider's samples, as `make bench` posts them: four checkpoints of SF Express."""
HUB_SCAN = {  # between the samples' pick-up and out-for-delivery: a fifth checkpoint
    "event_id": "gen-evt-0002b",
    "tracking_number": TRACKING_NUMBER,
    "carrier": "sf-express",
    "checkpoints": [
        {
            "occurred_at": "2025-07-02T02:10:00+08:00",
            "status": "in_transit",
            "message": "快件已到达【上海浦东转运中心】",
            "location": "上海市浦东新区",
        }
    ],
}


class Sizes:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb, self._table = dynamodb, table
        self.order: list[tuple[str, int]] = []
        self.shipment: list[tuple[str, int]] = []

    def take(self, step: str, order_id: str, shipment_id: str | None = None) -> None:
        get = self._dynamodb.get_item
        order = get(TableName=self._table, Key=order_key(order_id), ConsistentRead=True)["Item"]
        self.order.append((step, item_size(order)))
        if shipment_id is not None:
            key = shipment_key(order_id, shipment_id)
            shipment = get(TableName=self._table, Key=key, ConsistentRead=True)["Item"]
            self.shipment.append((step, item_size(shipment)))


def journey(dynamodb: Any, table: str, *, registered: bool, hub_scan: bool) -> tuple[Sizes, str]:
    orders, stock = DynamoOrderRepository(table, dynamodb), DynamoStock(table, dynamodb)
    tracking = DynamoTrackingStore(table, dynamodb)
    sizes = Sizes(dynamodb, table)
    for line in order_body()["items"]:
        stock.set_on_hand(line["sku"], 10, "t")
    # Given an order placed, confirmed and shipped
    request = CreateOrderRequest.model_validate(order_body())
    order = place_order(request, "checkout-journey-1", orders, FrozenClock(PLACED)).order
    sizes.take("placed", order.order_id)
    reserve_orders([order.order_id], orders, stock, FrozenClock(PLACED + timedelta(seconds=2)))
    sizes.take("confirmed", order.order_id)
    shipped = register_shipment(
        order.order_id,
        ShipmentRequest(carrier="sf-express", tracking_number=TRACKING_NUMBER),
        orders,
        stock,
        DynamoShipments(table),
        FrozenClock(PLACED + timedelta(hours=20)),
    )
    [shipment] = shipped.shipments
    sizes.take("shipped", order.order_id, shipment.shipment_id)
    # and its tracking number registered with the provider that tracks the carrier
    requested = isoformat(PLACED + timedelta(hours=20, seconds=1))
    registrations = (
        TrackingRegistration(provider="kuaidi100", status="pending", requested_at=requested),
        TrackingRegistration(
            provider="kuaidi100",
            status="registered",
            requested_at=requested,
            registered_at=isoformat(PLACED + timedelta(hours=20, seconds=2)),
        ),
    )
    for registration in registrations if registered else ():
        tracking.save_registration(order.order_id, shipment.shipment_id, registration)
        sizes.take(f"registration {registration.status}", order.order_id, shipment.shipment_id)
    # When the carrier's webhooks come in, each a few minutes after its checkpoint
    payloads = [sample_bytes("generic", name).decode() for name in SAMPLES[:2]]
    if hub_scan:
        payloads.append(json.dumps(HUB_SCAN, ensure_ascii=False))
    payloads += [sample_bytes("generic", name).decode() for name in SAMPLES[2:]]
    for payload in payloads:
        latest = max(point["occurred_at"] for point in json.loads(payload)["checkpoints"])
        now = isoformat(datetime.fromisoformat(latest) + timedelta(minutes=3))
        update = parse_update(Provider.GENERIC, payload, now)
        apply_tracking_update(update, tracking, now)
        sizes.take(f"checkpoint {update.checkpoints[-1].status.value}", order.order_id, shipment.shipment_id)
    return sizes, order.order_id


@pytest.mark.parametrize(
    ("registered", "hub_scan"),
    [
        pytest.param(True, False, id="make-bench-journey-4-checkpoints-registered"),
        pytest.param(False, True, id="5-checkpoints-webhooks-only"),
    ],
)
def test_a_journeys_order_stays_within_two_write_units_and_its_shipment_within_one(
    dynamodb: Any, orders_table: str, registered: bool, hub_scan: bool
) -> None:
    sizes, order_id = journey(dynamodb, orders_table, registered=registered, hub_scan=hub_scan)

    # Then the journey went all the way, with every checkpoint on the order's timeline
    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert order is not None and order.status.value == "delivered"
    carrier_entries = [entry for entry in order.timeline if entry.by == "carrier:generic"]
    assert len(carrier_entries) == (5 if hub_scan else 4)
    assert carrier_entries[-1].details is not None
    delivered = json.loads(sample_bytes("generic", SAMPLES[-1]))["checkpoints"][0]
    assert carrier_entries[-1].details["message"] == delivered["message"]  # read from the shipment
    # and no write of the order was billed more than 2 units, none of the shipment more than 1
    assert [(step, size) for step, size in sizes.order if units_for(size) > 2] == []
    assert [(step, size) for step, size in sizes.shipment if units_for(size) > 1] == []
    # (stored in full, the same journeys ended at 2,779 and 1,749 bytes, 3,062 and 1,874 bytes)
