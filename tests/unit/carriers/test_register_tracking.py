"""Registration of tracking numbers: routing, codes, idempotency, failures, Kuaidi100 aborts."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from carriers.domain.carrier_catalog import CarrierRouting, RegistrationProvider, carrier_key, codes_of
from carriers.domain.intake import parse_update
from carriers.domain.register_tracking import (
    MAX_RESUBSCRIPTIONS,
    Deferred,
    Outcome,
    ProviderRejected,
    ProviderUnavailable,
    TrackingRegistrar,
    request_registration,
    resubscription_job,
)
from carriers.handlers.register_tracking import backoff_seconds
from carriers.models.registration import ProviderAnswer, ProviderRequest, RegistrationJob
from carriers.models.tracking import Provider
from orders.models.order import OrderRecord
from shared.clock import isoformat
from tests.unit.carriers.fakes import InMemoryTrackingStore, ListAlerts, ListRegistrationQueue

NOW = datetime(2030, 3, 4, 5, 6, 7, tzinfo=UTC)
Make = Callable[..., OrderRecord]


class FakeProvider:
    """Answers registrations from a script: an answer, or an exception to raise."""

    def __init__(self, *answers: ProviderAnswer | Exception) -> None:
        self.answers = list(answers) or [ProviderAnswer(reference="ref_1")]
        self.requests: list[ProviderRequest] = []

    def register(self, request: ProviderRequest) -> ProviderAnswer:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def query(self, request: ProviderRequest) -> str:  # pragma: no cover - not used here
        raise NotImplementedError


def registrar(
    store: InMemoryTrackingStore, **providers: FakeProvider
) -> tuple[TrackingRegistrar, ListAlerts]:
    alerts = ListAlerts()
    chosen = {
        RegistrationProvider(name.replace("seventeentrack", "17track")): p for name, p in providers.items()
    }
    return TrackingRegistrar(store, chosen, CarrierRouting(), alerts), alerts


def job_for(store: InMemoryTrackingStore, tracking_number: str) -> RegistrationJob:
    link = store.links[tracking_number]
    return RegistrationJob(
        tracking_number=tracking_number,
        order_id=link.order_id,
        shipment_id=link.shipment_id,
        requested_at=NOW.isoformat(),
    )


# -- routing and codes ---------------------------------------------------------------------------


def test_the_default_routing_sends_us_carriers_to_easypost_chinese_to_kuaidi100_the_rest_to_aftership() -> (
    None
):
    routing = CarrierRouting()
    assert routing.provider_for("USPS") is RegistrationProvider.EASYPOST
    assert routing.provider_for("fedex") is RegistrationProvider.EASYPOST
    assert routing.provider_for("sf-express") is RegistrationProvider.KUAIDI100
    assert routing.provider_for("shunfeng") is RegistrationProvider.KUAIDI100  # any spelling
    assert routing.provider_for("yuantong") is RegistrationProvider.KUAIDI100
    assert routing.provider_for("royal-mail") is RegistrationProvider.AFTERSHIP


def test_routing_is_stage_configuration_with_none_for_untracked_carriers() -> None:
    routing = CarrierRouting(routes={"ups": "17track", "dhl": "none"}, default="shippo")
    assert routing.provider_for("UPS") is RegistrationProvider.SEVENTEENTRACK
    assert routing.provider_for("dhl") is None
    assert routing.provider_for("usps") is RegistrationProvider.SHIPPO
    with pytest.raises(ValidationError, match="fedexx"):
        CarrierRouting(routes={"usps": "fedexx"})
    with pytest.raises(ValidationError):
        CarrierRouting(default="generic")  # push-only: nothing to register with


def test_each_provider_table_translates_our_slug() -> None:
    assert codes_of("sf-express").code(RegistrationProvider.KUAIDI100) == "shunfeng"
    assert codes_of("SF Express").needs_phone
    assert codes_of("fedex").code(RegistrationProvider.EASYPOST) == "FedEx"
    assert codes_of("dhl").code(RegistrationProvider.EASYPOST) == "DHLExpress"
    assert codes_of("ems").code(RegistrationProvider.AFTERSHIP) == "china-ems"
    assert codes_of("usps").code(RegistrationProvider.SEVENTEENTRACK) == 21051
    assert codes_of("dhl").code(RegistrationProvider.SHIPPO) == "dhl_express"
    assert codes_of("some-local-courier").code(RegistrationProvider.KUAIDI100) is None  # autoCom
    assert carrier_key("JD Logistics") == "jd"


# -- requesting ----------------------------------------------------------------------------------


def test_a_new_link_records_pending_and_queues_one_job(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "EZ4000000004"})
    store.links["EZ4000000004"] = store.links["EZ4000000004"].model_copy(update={"carrier": "usps"})
    store.shipment_states[(order.order_id, "shp_1")] = store.shipment(order.order_id, "shp_1").model_copy(
        update={"carrier": "usps"}
    )
    queue = ListRegistrationQueue()
    link = store.links["EZ4000000004"]
    assert request_registration(link, store, queue, CarrierRouting(), NOW)
    registration = store.shipment(order.order_id, "shp_1").tracking_registration
    assert registration is not None
    assert (registration.provider, registration.status) == ("easypost", "pending")
    assert [job.shipment_id for job, _ in queue.jobs] == ["shp_1"]


def test_a_replayed_link_of_a_registered_shipment_queues_nothing(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})  # ups -> easypost
    registrar_, _ = registrar(store, easypost=FakeProvider())
    queue = ListRegistrationQueue()
    request_registration(store.links["TN1"], store, queue, CarrierRouting(), NOW)
    assert registrar_.process(queue.jobs[0][0], NOW) is Outcome.REGISTERED
    assert not request_registration(store.links["TN1"], store, queue, CarrierRouting(), NOW)
    assert len(queue.jobs) == 1
    assert store.shipment(order.order_id, "shp_1").tracking_registration.status == "registered"  # type: ignore[union-attr]


def test_a_late_link_event_of_a_number_another_shipment_took_over_queues_nothing(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    # Given TN1 linked to shp_1, then taken over by shp_2 of another order
    first = shipped_order({"shp_1": "TN1"})
    old_link = store.links["TN1"]
    store.links["TN1"] = old_link.model_copy(
        update={"order_id": "ord_newer", "shipment_id": "shp_2", "previous_order_id": first.order_id}
    )
    queue = ListRegistrationQueue()
    # When the first owner's link event arrives after the takeover, then nothing is queued or recorded
    assert not request_registration(old_link, store, queue, CarrierRouting(), NOW)
    assert queue.jobs == []
    assert store.shipment(first.order_id, "shp_1").tracking_registration is None


def test_a_carrier_routed_to_nobody_is_not_registered(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    queue = ListRegistrationQueue()
    assert not request_registration(
        store.links["TN1"], store, queue, CarrierRouting(routes={"ups": "none"}), NOW
    )
    assert queue.jobs == [] and store.shipment(order.order_id, "shp_1").tracking_registration is None


# -- processing ----------------------------------------------------------------------------------


def test_registered_with_the_providers_code_and_reference(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    easypost = FakeProvider(ProviderAnswer(reference="trk_1"))
    worker, alerts = registrar(store, easypost=easypost)
    assert worker.process(job_for(store, "TN1"), NOW) is Outcome.REGISTERED
    assert easypost.requests[0].carrier_code == "UPS"
    assert easypost.requests[0].phone is None  # only Kuaidi100's SF Express needs it
    registration = store.shipment(order.order_id, "shp_1").tracking_registration
    assert registration is not None
    assert (registration.status, registration.reference) == ("registered", "trk_1")
    assert registration.registered_at == isoformat(NOW)
    assert registration.public() == {
        "provider": "easypost",
        "status": "registered",
        "registered_at": registration.registered_at,
        "error": None,
    }
    assert alerts.sent == []


def test_already_exists_answers_count_as_registered_and_redeliveries_call_nobody(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    shipped_order({"shp_1": "TN1"})
    easypost = FakeProvider(ProviderAnswer(already_registered=True))
    worker, _ = registrar(store, easypost=easypost)
    assert worker.process(job_for(store, "TN1"), NOW) is Outcome.ALREADY_REGISTERED
    assert worker.process(job_for(store, "TN1"), NOW) is Outcome.ALREADY_REGISTERED
    assert len(easypost.requests) == 1


def test_sf_express_subscriptions_carry_the_recipients_phone(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "SF1400000000015"})
    state = store.shipment(order.order_id, "shp_1")
    store.shipment_states[(order.order_id, "shp_1")] = state.model_copy(update={"carrier": "sf-express"})
    kuaidi100 = FakeProvider()
    worker, _ = registrar(store, kuaidi100=kuaidi100)
    worker.process(job_for(store, "SF1400000000015"), NOW)
    request = kuaidi100.requests[0]
    assert (request.carrier_code, request.phone) == ("shunfeng", order.customer.phone)
    assert request.destination and order.shipping_address.city in request.destination


def test_a_permanent_refusal_is_recorded_and_alerts_operations(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    worker, alerts = registrar(
        store, easypost=FakeProvider(ProviderRejected("easypost", "APIKEY.INACTIVE", "bad key"))
    )
    assert worker.process(job_for(store, "TN1"), NOW) is Outcome.FAILED
    registration = store.shipment(order.order_id, "shp_1").tracking_registration
    assert registration is not None
    assert (registration.status, registration.error) == ("failed", "APIKEY.INACTIVE: bad key")
    assert alerts.sent[0][0] == "ordertrack: tracking registration failed"
    assert alerts.sent[0][1]["tracking_number"] == "TN1"


def test_an_outage_raises_for_the_queue_to_retry_and_records_nothing(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order = shipped_order({"shp_1": "TN1"})
    worker, alerts = registrar(store, easypost=FakeProvider(ProviderUnavailable("easypost", "HTTP 503")))
    with pytest.raises(ProviderUnavailable):
        worker.process(job_for(store, "TN1"), NOW)
    assert store.shipment(order.order_id, "shp_1").tracking_registration is None
    assert alerts.sent == []


def test_a_job_for_a_number_another_shipment_took_over_is_superseded(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    shipped_order({"shp_1": "TN1"})
    old = job_for(store, "TN1").model_copy(update={"shipment_id": "shp_old"})
    easypost = FakeProvider()
    worker, _ = registrar(store, easypost=easypost)
    assert worker.process(old, NOW) is Outcome.SUPERSEDED
    assert easypost.requests == []


# -- Kuaidi100 aborts ----------------------------------------------------------------------------


def _kuaidi100_registered(
    store: InMemoryTrackingStore, make: Make
) -> tuple[OrderRecord, TrackingRegistrar, ListAlerts, FakeProvider]:
    order = make({"shp_1": "YT1"})
    state = store.shipment(order.order_id, "shp_1")
    store.shipment_states[(order.order_id, "shp_1")] = state.model_copy(update={"carrier": "yto"})
    kuaidi100 = FakeProvider()
    worker, alerts = registrar(store, kuaidi100=kuaidi100)
    worker.process(job_for(store, "YT1"), NOW)
    return order, worker, alerts, kuaidi100


def test_no_record_in_3_days_resubscribes_30_minutes_later(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order, worker, _, kuaidi100 = _kuaidi100_registered(store, shipped_order)
    job = resubscription_job("YT1", "3天查询无记录", NOW)
    with pytest.raises(Deferred) as deferred:
        worker.process(job, NOW + timedelta(minutes=10))
    assert deferred.value.until == NOW + timedelta(minutes=30)
    assert worker.process(job, NOW + timedelta(minutes=31)) is Outcome.RESUBSCRIBED
    assert len(kuaidi100.requests) == 2
    registration = store.shipment(order.order_id, "shp_1").tracking_registration
    assert registration is not None and (registration.status, registration.resubscriptions) == (
        "registered",
        1,
    )


def test_resubscriptions_are_bounded_then_the_registration_fails(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order, worker, alerts, _ = _kuaidi100_registered(store, shipped_order)
    later = NOW + timedelta(hours=1)
    for _ in range(MAX_RESUBSCRIPTIONS):
        assert worker.process(resubscription_job("YT1", "3天查询无记录", NOW), later) is Outcome.RESUBSCRIBED
    assert worker.process(resubscription_job("YT1", "3天查询无记录", NOW), later) is Outcome.GAVE_UP
    registration = store.shipment(order.order_id, "shp_1").tracking_registration
    assert registration is not None and registration.status == "failed"
    assert "3天查询无记录" in (registration.error or "")
    assert len(alerts.sent) == 1


def test_an_abort_kuaidi100_will_not_resume_fails_with_the_reason(
    store: InMemoryTrackingStore, shipped_order: Make
) -> None:
    order, worker, alerts, kuaidi100 = _kuaidi100_registered(store, shipped_order)
    assert worker.process(resubscription_job("YT1", "60天无变化", NOW), NOW) is Outcome.GAVE_UP
    registration = store.shipment(order.order_id, "shp_1").tracking_registration
    assert registration is not None and registration.error == "abort: 60天无变化"
    assert alerts.sent[0][1]["provider"] == "kuaidi100"
    assert len(kuaidi100.requests) == 1  # not subscribed again
    assert (
        worker.process(resubscription_job("YT1", "3天查询无记录", NOW), NOW) is Outcome.IGNORED
    )  # stays failed


def test_a_kuaidi100_abort_push_says_tracking_stopped_and_why() -> None:
    sample = (
        Path(__file__).resolve().parents[3] / "events" / "providers" / "kuaidi100" / "abort_push_param.json"
    )
    update = parse_update(Provider.KUAIDI100, sample.read_text(encoding="utf-8"), "2030-01-01T00:00:00Z")
    assert update.stopped == "3天查询无记录" and update.checkpoints == []
    polling = parse_update(
        Provider.KUAIDI100,
        sample.read_text(encoding="utf-8").replace('"abort"', '"polling"'),
        "2030-01-01T00:00:00Z",
    )
    assert polling.stopped is None


def test_outage_backoff_doubles_per_receive_with_jitter_up_to_a_ceiling() -> None:
    rng = random.Random(7)
    for receive, full in ((1, 30), (2, 60), (3, 120), (4, 240), (9, 900)):
        waits = {backoff_seconds(receive, 30, 900, rng) for _ in range(50)}
        assert min(waits) >= full // 2 and max(waits) <= full, receive
        assert len(waits) > 1  # jittered
