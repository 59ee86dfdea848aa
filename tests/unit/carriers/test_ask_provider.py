"""The delay check asks a registered shipment's provider once before flagging it stalled."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from carriers.domain.apply_tracking import apply_tracking_update
from carriers.domain.ask_provider import ProviderCheck
from carriers.domain.carrier_catalog import RegistrationProvider
from carriers.domain.delays import DelayPolicy
from carriers.domain.flag_delays import flag_delayed_shipments
from carriers.domain.intake import parse_update
from carriers.domain.register_tracking import ProviderUnavailable
from carriers.models.registration import ProviderAnswer, ProviderRequest, TrackingRegistration
from carriers.models.tracking import TrackingStatus
from orders.models.order import OrderRecord, OrderStatus
from tests.unit.carriers.fakes import InMemoryTrackingStore, ListAlerts, ListQueue
from tests.unit.carriers.test_apply_tracking import NOW, T0, update

Make = Callable[..., OrderRecord]


class QueriedProvider:
    def __init__(self, scans_at: list[datetime] | Exception) -> None:
        self.scans_at = scans_at
        self.queries: list[ProviderRequest] = []

    def register(self, request: ProviderRequest) -> ProviderAnswer:  # pragma: no cover
        raise NotImplementedError

    def query(self, request: ProviderRequest) -> str:
        self.queries.append(request)
        if isinstance(self.scans_at, Exception):
            raise self.scans_at
        details = [
            {"message": f"scan {i}", "status": "in_transit", "datetime": at.isoformat()}
            for i, at in enumerate(self.scans_at)
        ]
        tracker = {
            "tracking_code": request.tracking_number,
            "status": "in_transit",
            "tracking_details": details,
        }
        return json.dumps({"id": "evt_q", "description": "tracker.updated", "result": tracker})


def _registered(store: InMemoryTrackingStore, make: Make) -> OrderRecord:
    order = make({"shp_1": "TN1"})
    store.save_registration(
        order.order_id,
        "shp_1",
        TrackingRegistration(provider="easypost", status="registered", reference="trk_1"),
    )
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)
    return order


def _check(store: InMemoryTrackingStore, provider: QueriedProvider, queue: ListQueue, at: datetime) -> int:
    check = ProviderCheck({RegistrationProvider.EASYPOST: provider}, queue)
    return flag_delayed_shipments(store, ListAlerts(), at, at.isoformat(), DelayPolicy(), check)


def test_newer_checkpoints_from_the_provider_hold_the_flag_and_go_the_way_of_a_push(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = _registered(store, shipped_order)
    provider = QueriedProvider([T0, T0 + timedelta(hours=30)])
    queue = ListQueue()
    assert _check(store, provider, queue, T0 + timedelta(hours=49)) == 0
    assert provider.queries[0].reference == "trk_1"
    (message,) = queue.messages
    assert message.provider.value == "easypost"
    # the worker applies the queued update like a push, which re-arms the watch
    apply_tracking_update(parse_update(message.provider, message.payload, message.received_at), store, NOW)
    assert store.orders[order.order_id].status is not OrderStatus.DELIVERY_EXCEPTION
    assert _check(store, provider, queue, T0 + timedelta(hours=60)) == 0  # new deadline: +78 h


def test_the_provider_is_asked_once_per_deadline(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    order = _registered(store, shipped_order)
    provider = QueriedProvider([T0 + timedelta(hours=30)])
    queue = ListQueue()
    assert _check(store, provider, queue, T0 + timedelta(hours=49)) == 0
    # the queued update was never applied (say the worker is behind): the next run flags
    assert _check(store, provider, queue, T0 + timedelta(hours=50)) == 1
    assert len(provider.queries) == 1
    assert store.orders[order.order_id].status is OrderStatus.DELIVERY_EXCEPTION


def test_nothing_newer_or_an_outage_flags_as_before(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = _registered(store, shipped_order)
    queue = ListQueue()
    assert _check(store, QueriedProvider([T0]), queue, T0 + timedelta(hours=49)) == 1
    assert queue.messages == []
    assert store.orders[order.order_id].status is OrderStatus.DELIVERY_EXCEPTION


def test_an_outage_does_not_hold_the_flag(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    _registered(store, shipped_order)
    down = QueriedProvider(ProviderUnavailable("easypost", "HTTP 503"))
    assert _check(store, down, ListQueue(), T0 + timedelta(hours=49)) == 1


def test_unregistered_shipments_are_not_queried(store: InMemoryTrackingStore, shipped_order: Make) -> None:
    shipped_order({"shp_1": "TN1"})
    apply_tracking_update(update("TN1", (0, TrackingStatus.IN_TRANSIT)), store, NOW)
    provider = QueriedProvider([T0 + timedelta(hours=30)])
    assert _check(store, provider, ListQueue(), T0 + timedelta(hours=49)) == 1
    assert provider.queries == []
