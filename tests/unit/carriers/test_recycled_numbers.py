"""Carriers recycle tracking numbers: every event belongs to one shipment's life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from carriers.domain.apply_tracking import apply_stored_events, apply_tracking_update
from carriers.domain.delays import DelayPolicy
from carriers.domain.ownership import same_carrier
from carriers.models.shipment import ShipmentState, TrackingLink
from carriers.models.tracking import Checkpoint, Provider, TrackingStatus, TrackingUpdate
from orders.models.order import OrderRecord, OrderStatus
from shared.clock import isoformat
from tests.factories import order_body
from tests.unit.carriers.fakes import InMemoryTrackingStore

NUMBER = "YT1234567890"
REGISTERED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # when the new order's shipment takes the number


def order(store: InMemoryTrackingStore, order_id: str) -> OrderRecord:
    record = OrderRecord.model_validate(
        {
            **order_body(),
            "order_id": order_id,
            "status": OrderStatus.SHIPPED,
            "version": 4,
            "request_hash": "x",
            "total": "176.00",
            "created_at": "2025-01-01T00:00:00.000Z",
            "updated_at": "2025-01-01T00:00:00.000Z",
            "timeline": [{"status": "shipped", "at": "2025-01-01T00:00:00.000Z", "by": "storefront"}],
        }
    )
    store.add_order(record)
    return record


def register(store: InMemoryTrackingStore, order_id: str, at: datetime, carrier: str = "yuantong") -> None:
    """What the shipments endpoint writes: the shipment, and the link taken over from the last owner."""
    store.shipment_states[(order_id, "shp_1")] = ShipmentState(
        order_id=order_id,
        shipment_id="shp_1",
        carrier=carrier,
        tracking_number=NUMBER,
        status="shipped",
        created_at=isoformat(at),
    )
    previous = store.links.get(NUMBER)
    store.links[NUMBER] = TrackingLink(
        tracking_number=NUMBER,
        order_id=order_id,
        shipment_id="shp_1",
        carrier=carrier,
        created_at=isoformat(at),
        previous_order_id=previous.order_id if previous else None,
        previous_shipment_id=previous.shipment_id if previous else None,
    )


def scan(
    status: TrackingStatus, at: datetime, carrier: str | None = "yuantong", text: str = ""
) -> TrackingUpdate:
    return TrackingUpdate(
        provider=Provider.KUAIDI100,
        tracking_number=NUMBER,
        carrier=carrier,
        checkpoints=[
            Checkpoint(
                status=status,
                occurred_at=at,
                raw_code=status.value,
                provider=Provider.KUAIDI100,
                message=f"{status.value} {text}".strip(),
            )
        ],
    )


def receive(store: InMemoryTrackingStore, update: TrackingUpdate, received: datetime) -> None:
    apply_tracking_update(update, store, isoformat(received), DelayPolicy(), received_at=isoformat(received))


def test_an_old_parcels_delivery_stays_with_it_when_a_new_order_takes_the_number() -> None:
    store = InMemoryTrackingStore()
    order(store, "ord_old")
    register(store, "ord_old", REGISTERED - timedelta(days=20))
    receive(
        store,
        scan(TrackingStatus.DELIVERED, REGISTERED - timedelta(days=10)),
        REGISTERED - timedelta(days=10),
    )
    assert store.shipment("ord_old", "shp_1").status == "delivered"

    order(store, "ord_new")
    register(store, "ord_new", REGISTERED)
    apply_stored_events(NUMBER, store, isoformat(REGISTERED))  # the link consumer on the takeover

    new = store.shipment("ord_new", "shp_1")
    assert (new.status, new.applied_events) == ("shipped", [])
    assert store.orders["ord_new"].status is OrderStatus.SHIPPED
    # its own first scan does not bring the old delivery along
    receive(
        store,
        scan(TrackingStatus.IN_TRANSIT, REGISTERED + timedelta(hours=5)),
        REGISTERED + timedelta(hours=6),
    )
    new = store.shipment("ord_new", "shp_1")
    assert new.status == "in_transit" and len(new.applied_events) == 1
    assert store.orders["ord_new"].status is OrderStatus.IN_TRANSIT
    assert store.shipment("ord_old", "shp_1").status == "delivered"  # and the old one keeps its life


def test_from_its_registration_on_the_newest_shipment_owns_new_events() -> None:
    store = InMemoryTrackingStore()
    order(store, "ord_old")
    register(store, "ord_old", REGISTERED - timedelta(days=40))
    order(store, "ord_new")
    register(store, "ord_new", REGISTERED)
    receive(
        store, scan(TrackingStatus.DELIVERED, REGISTERED + timedelta(days=2)), REGISTERED + timedelta(days=2)
    )
    assert store.shipment("ord_new", "shp_1").status == "delivered"
    assert store.shipment("ord_old", "shp_1").applied_events == []


def test_events_that_waited_for_a_shipment_apply_only_when_recent_and_of_its_carrier() -> None:
    store = InMemoryTrackingStore()
    before = REGISTERED - timedelta(days=3)
    receive(store, scan(TrackingStatus.INFO_RECEIVED, before, text="recent"), before)
    receive(store, scan(TrackingStatus.DELIVERED, REGISTERED - timedelta(days=45), text="old"), before)
    receive(store, scan(TrackingStatus.OUT_FOR_DELIVERY, before, carrier="zhongtong", text="other"), before)

    order(store, "ord_new")
    register(store, "ord_new", REGISTERED)
    apply_stored_events(NUMBER, store, isoformat(REGISTERED))

    shipment = store.shipment("ord_new", "shp_1")
    assert [cp["message"] for cp in shipment.checkpoints] == ["info_received recent"]
    assert shipment.status == "shipped"


def test_the_window_is_a_setting() -> None:
    store = InMemoryTrackingStore()
    before = REGISTERED - timedelta(days=45)
    receive(store, scan(TrackingStatus.IN_TRANSIT, before), before)
    order(store, "ord_new")
    register(store, "ord_new", REGISTERED)
    apply_stored_events(
        NUMBER, store, isoformat(REGISTERED), DelayPolicy(pre_registration_window=timedelta(days=60))
    )
    assert store.shipment("ord_new", "shp_1").status == "in_transit"


def test_provider_codes_of_the_same_carrier_match_and_unknown_ones_do_not_exclude() -> None:
    assert same_carrier("shunfeng", "sf-express")  # Kuaidi100's code for SF Express
    assert same_carrier("FedEx", "fedex")  # EasyPost's
    assert same_carrier("sf-express", "SF Express")
    assert same_carrier(None, "ups") and same_carrier("100003", "fedex")  # 17TRACK's numeric keys
    assert not same_carrier("zhongtong", "yuantong")
