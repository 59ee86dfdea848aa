"""Each provider adapter against the local provider simulator over real HTTP (threads and timed
waits: a local-runtime test, outside `make test-later`): registration, the "already exists" answers, queries read like pushes, and the documented failure numbers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from carriers.adapters.providers.aftership import AfterShipTrackings
from carriers.adapters.providers.easypost import EasyPostTrackers
from carriers.adapters.providers.http import ProviderHttp
from carriers.adapters.providers.kuaidi100 import Kuaidi100Api
from carriers.adapters.providers.seventeentrack import SeventeenTrackApi
from carriers.adapters.providers.shippo import ShippoTracks
from carriers.domain.carrier_catalog import RegistrationProvider, codes_of
from carriers.domain.intake import parse_update
from carriers.domain.register_tracking import ProviderRejected, ProviderUnavailable, TrackingProvider
from carriers.models.registration import ProviderRequest
from carriers.models.tracking import Provider
from infra.local.providers import ProviderSimulator

pytestmark = pytest.mark.xdist_group("local_runtime_provider_simulator")
KEYS = {p.value: f"key-{p.value}" for p in RegistrationProvider} | {"kuaidi100_customer": "cust"}
CARRIER = {
    RegistrationProvider.EASYPOST: "usps",
    RegistrationProvider.AFTERSHIP: "royal-mail",
    RegistrationProvider.KUAIDI100: "yto",
    RegistrationProvider.SEVENTEENTRACK: "ups",
    RegistrationProvider.SHIPPO: "usps",
}


@pytest.fixture(scope="module")
def simulator() -> Iterator[ProviderSimulator]:
    # pushes go nowhere (port 9 discards): these tests only call the APIs, with numbers that get none
    sim = ProviderSimulator(
        webhook_url=lambda provider: "http://127.0.0.1:9/none",
        webhook_secrets={p.value: "s" for p in RegistrationProvider},
        api_keys=KEYS,
        speed=1000,
    )
    sim.start()
    yield sim
    sim.stop()


def adapter(
    sim: ProviderSimulator, provider: RegistrationProvider, key: str | None = None
) -> TrackingProvider:
    http = ProviderHttp(provider.value, sim.base_url(provider.value), timeout=5, backoff=0.01)
    secret = key or KEYS[provider.value]
    if provider is RegistrationProvider.EASYPOST:
        return EasyPostTrackers(http, lambda: secret)
    if provider is RegistrationProvider.AFTERSHIP:
        return AfterShipTrackings(http, lambda: secret)
    if provider is RegistrationProvider.KUAIDI100:
        return Kuaidi100Api(http, lambda: (secret, "cust"), "http://127.0.0.1:9/kd", lambda: "salt")
    if provider is RegistrationProvider.SEVENTEENTRACK:
        return SeventeenTrackApi(http, lambda: secret)
    return ShippoTracks(http, lambda: secret)


def request(provider: RegistrationProvider, number: str, reference: str | None = None) -> ProviderRequest:
    carrier = CARRIER[provider]
    return ProviderRequest(
        tracking_number=number,
        carrier=carrier,
        carrier_code=codes_of(carrier).code(provider),
        reference=reference,
    )


@pytest.mark.parametrize("provider", list(RegistrationProvider))
def test_registering_twice_is_registered_both_times(
    simulator: ProviderSimulator, provider: RegistrationProvider
) -> None:
    client = adapter(simulator, provider)
    number = f"PLAIN{provider.name[:4]}0001"
    first = client.register(request(provider, number))
    again = client.register(request(provider, number))
    assert not first.already_registered
    if provider in (
        RegistrationProvider.AFTERSHIP,
        RegistrationProvider.KUAIDI100,
        RegistrationProvider.SEVENTEENTRACK,
    ):
        assert again.already_registered  # 4003, 501, -18019901
    if provider is RegistrationProvider.EASYPOST:
        assert again.reference == first.reference  # EasyPost answers the existing tracker
    accepted = [r for r in simulator.registrations(provider.value) if r["tracking_number"] == number]
    assert len(accepted) == 2


@pytest.mark.parametrize("provider", list(RegistrationProvider))
def test_a_query_reads_like_a_push(simulator: ProviderSimulator, provider: RegistrationProvider) -> None:
    client = adapter(simulator, provider)
    number = f"SIM2Q{provider.name[:4]}01"
    answer = client.register(request(provider, number))
    deadline = time.monotonic() + 10
    while True:  # Kuaidi100 answers 500 查询无结果 until its first scan
        try:
            payload = client.query(request(provider, number, reference=answer.reference))
            break
        except ProviderRejected:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    update = parse_update(Provider(provider.value), payload, "2030-01-01T00:00:00Z")
    assert update.tracking_number == number


@pytest.mark.parametrize("provider", list(RegistrationProvider))
def test_failure_numbers_give_the_providers_documented_answers(
    simulator: ProviderSimulator, provider: RegistrationProvider
) -> None:
    client = adapter(simulator, provider)
    with pytest.raises(ProviderRejected):
        client.register(request(provider, "FAILCARRIER0001"))
    with pytest.raises(ProviderRejected):
        client.register(request(provider, "FAILKEY0001"))
    with pytest.raises(ProviderUnavailable):
        client.register(request(provider, "FAIL5030001"))
    if provider is not RegistrationProvider.KUAIDI100:  # Kuaidi100 documents no rate-limit answer
        with pytest.raises(ProviderUnavailable):
            client.register(request(provider, "FAIL4290001"))


@pytest.mark.parametrize("provider", list(RegistrationProvider))
def test_a_wrong_api_key_is_a_permanent_refusal(
    simulator: ProviderSimulator, provider: RegistrationProvider
) -> None:
    with pytest.raises(ProviderRejected):
        adapter(simulator, provider, key="not-the-key").register(request(provider, "PLAINKEY0001"))


def test_outages_are_unavailable_until_cleared(simulator: ProviderSimulator) -> None:
    client = adapter(simulator, RegistrationProvider.EASYPOST)
    simulator.set_faults("provider.easypost=5xx:1.0")
    try:
        with pytest.raises(ProviderUnavailable, match="503"):
            client.register(request(RegistrationProvider.EASYPOST, "PLAINOUT0001"))
    finally:
        simulator.set_faults("")
    assert client.register(request(RegistrationProvider.EASYPOST, "PLAINOUT0001")).reference
