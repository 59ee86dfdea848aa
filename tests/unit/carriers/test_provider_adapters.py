"""Provider adapters against the documented samples (events/providers): the request each sends,
how each answer reads, and that a query's payload goes through the push normalization."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from carriers.adapters.providers.aftership import AfterShipTrackings
from carriers.adapters.providers.easypost import EasyPostTrackers
from carriers.adapters.providers.http import ProviderHttp, Reply
from carriers.adapters.providers.kuaidi100 import Kuaidi100Api
from carriers.adapters.providers.seventeentrack import SeventeenTrackApi
from carriers.adapters.providers.shippo import ShippoTracks
from carriers.domain.intake import parse_update
from carriers.domain.register_tracking import ProviderRejected, ProviderUnavailable
from carriers.models.registration import ProviderRequest
from carriers.models.tracking import Provider, TrackingStatus

SAMPLES = Path(__file__).resolve().parents[3] / "events" / "providers"
RECEIVED = "2026-12-01T12:00:00Z"


def sample(provider: str, name: str) -> bytes:
    return (SAMPLES / provider / name).read_bytes()


class Transport:
    """Answers each request with the next scripted reply (or raises it) and keeps the requests."""

    def __init__(self, *replies: Reply | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[urllib.request.Request] = []

    def __call__(self, request: urllib.request.Request, timeout: float) -> Reply:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def body(self, index: int = 0) -> bytes:
        data = self.requests[index].data
        assert isinstance(data, bytes)
        return data


def http(provider: str, transport: Transport) -> ProviderHttp:
    return ProviderHttp(provider, "https://api.example.test", transport=transport, sleep=lambda _: None)


def request(number: str, carrier: str, code: str | int | None, **extra: object) -> ProviderRequest:
    return ProviderRequest(tracking_number=number, carrier=carrier, carrier_code=code, **extra)  # type: ignore[arg-type]


# -- the HTTP exchange ---------------------------------------------------------------------------


def test_429_5xx_and_timeouts_are_retried_then_reported_unavailable() -> None:
    transport = Transport(Reply(503, b""), TimeoutError(), Reply(429, b"", {"Retry-After": "2"}))
    slept: list[float] = []
    client = ProviderHttp("easypost", "https://api.example.test", transport=transport, sleep=slept.append)
    with pytest.raises(ProviderUnavailable) as raised:
        client.request("GET", "/x", headers={})
    assert len(transport.requests) == 3 and len(slept) == 2
    assert raised.value.retry_after == 2.0


def test_a_success_after_a_retry_is_returned_and_4xx_are_not_retried() -> None:
    transport = Transport(Reply(502, b""), Reply(200, b"{}"), Reply(401, b"{}"))
    client = http("x", transport)
    assert client.request("GET", "/a", headers={}).status == 200
    assert client.request("GET", "/b", headers={}).status == 401
    assert len(transport.requests) == 3


def test_only_https_or_loopback_http() -> None:
    with pytest.raises(ValueError, match="https"):
        ProviderHttp("x", "http://api.example.test")
    ProviderHttp("x", "http://127.0.0.1:9999/easypost")


# -- EasyPost ------------------------------------------------------------------------------------


def test_easypost_creates_a_tracker_as_documented() -> None:
    transport = Transport(Reply(200, sample("easypost", "tracker_response.json")))
    answer = EasyPostTrackers(http("easypost", transport), lambda: "EZTK123").register(
        request("EZ4000000004", "usps", "USPS")
    )
    assert answer.reference == "trk_6e1bd3b5c7d24a7f9a0e3c5b7d9f1a2b"
    sent = transport.requests[0]
    assert (sent.get_method(), sent.full_url) == ("POST", "https://api.example.test/v2/trackers")
    assert json.loads(transport.body()) == json.loads(sample("easypost", "create_tracker_request.json"))
    assert sent.get_header("Authorization") == "Basic " + base64.b64encode(b"EZTK123:").decode()


def test_easypost_without_a_carrier_code_lets_easypost_detect_it_and_errors_are_permanent() -> None:
    transport = Transport(Reply(401, sample("easypost", "error_invalid_key_response.json")))
    with pytest.raises(ProviderRejected) as rejected:
        EasyPostTrackers(http("easypost", transport), lambda: "k").register(request("X1", "acme", None))
    assert json.loads(transport.body()) == {"tracker": {"tracking_code": "X1"}}
    assert rejected.value.code == "APIKEY.INACTIVE"


def test_an_easypost_query_is_a_tracker_event_the_push_normalization_reads() -> None:
    transport = Transport(Reply(200, sample("easypost", "tracker_response.json")))
    payload = EasyPostTrackers(http("easypost", transport), lambda: "k").query(
        request("EZ4000000004", "usps", "USPS", reference="trk_1")
    )
    assert transport.requests[0].full_url.endswith("/v2/trackers/trk_1")
    update = parse_update(Provider.EASYPOST, payload, RECEIVED)
    assert update.tracking_number == "EZ4000000004"
    assert update.checkpoints[0].status is TrackingStatus.INFO_RECEIVED


# -- AfterShip -----------------------------------------------------------------------------------


def test_aftership_creates_a_tracking_on_the_pinned_version() -> None:
    transport = Transport(Reply(201, sample("aftership", "create_tracking_response.json")))
    answer = AfterShipTrackings(http("aftership", transport), lambda: "as-key").register(
        request("9400100000000000000015", "usps", "usps", order_id="ord_01JDX5R8K3")
    )
    assert answer.reference == "5b7d9f1a2c4e6a8b0d2f4a6c8e0b2d4f"
    sent = transport.requests[0]
    assert sent.full_url == "https://api.example.test/tracking/2025-01/trackings"
    assert sent.get_header("As-api-key") == "as-key"
    body = json.loads(transport.body())
    expected = json.loads(sample("aftership", "create_tracking_request.json"))
    assert {k: body[k] for k in ("tracking_number", "slug", "order_id")} == {
        k: expected[k] for k in ("tracking_number", "slug", "order_id")
    }


def test_aftership_4003_is_registered_and_401_is_permanent() -> None:
    exists = Transport(Reply(400, sample("aftership", "tracking_exists_response.json")))
    answer = AfterShipTrackings(http("aftership", exists), lambda: "k").register(
        request("9400", "usps", "usps")
    )
    assert answer.already_registered and answer.reference
    bad_key = Transport(Reply(401, sample("aftership", "invalid_key_response.json")))
    with pytest.raises(ProviderRejected, match="Invalid API key"):
        AfterShipTrackings(http("aftership", bad_key), lambda: "k").register(request("9400", "usps", "usps"))


def test_an_aftership_query_reads_like_a_push() -> None:
    transport = Transport(Reply(200, sample("aftership", "get_tracking_response.json")))
    payload = AfterShipTrackings(http("aftership", transport), lambda: "k", clock=lambda: 1.0e9).query(
        request("9400100000000000000015", "usps", "usps", reference="5b7d")
    )
    assert transport.requests[0].full_url.endswith("/tracking/2025-01/trackings/5b7d")
    update = parse_update(Provider.AFTERSHIP, payload, RECEIVED)
    assert [c.status for c in update.checkpoints] == [TrackingStatus.IN_TRANSIT]


# -- Kuaidi100 -----------------------------------------------------------------------------------


def _kuaidi100(transport: Transport) -> Kuaidi100Api:
    return Kuaidi100Api(
        http("kuaidi100", transport),
        lambda: ("KEY", "CUSTOMER"),
        "https://abc.example.test/v1/webhooks/kuaidi100",
        lambda: "our-salt",
    )


def test_kuaidi100_subscribes_with_our_callback_salt_and_the_sf_phone() -> None:
    transport = Transport(Reply(200, sample("kuaidi100", "subscribe_response.json")))
    answer = _kuaidi100(transport).register(
        request(
            "SF1400000000015", "sf-express", "shunfeng", phone="+8613800138000", destination="上海市 浦东新区"
        )
    )
    assert not answer.already_registered
    form = parse_qs(transport.body().decode())
    assert form["schema"] == ["json"]
    param = json.loads(form["param"][0])
    documented = json.loads(parse_qs(sample("kuaidi100", "subscribe_request.txt").decode())["param"][0])
    assert set(param) == set(documented) and set(param["parameters"]) == set(documented["parameters"])
    assert (param["company"], param["number"], param["key"]) == ("shunfeng", "SF1400000000015", "KEY")
    assert param["parameters"]["callbackurl"] == "https://abc.example.test/v1/webhooks/kuaidi100"
    assert param["parameters"]["salt"] == "our-salt"
    assert param["parameters"]["phone"] == "13800138000"  # national form
    assert param["parameters"]["autoCom"] == "0"


def test_kuaidi100_unknown_company_uses_autocom_and_501_is_registered() -> None:
    transport = Transport(Reply(200, sample("kuaidi100", "duplicate_subscription_response.json")))
    answer = _kuaidi100(transport).register(request("YT1", "acme", None))
    assert answer.already_registered
    param = json.loads(parse_qs(transport.body().decode())["param"][0])
    assert (param["company"], param["parameters"]["autoCom"]) == ("", "1")
    assert "phone" not in param["parameters"]


@pytest.mark.parametrize(
    ("name", "code"), [("invalid_key_response.json", "600"), ("unknown_company_response.json", "700")]
)
def test_kuaidi100_refusals_are_permanent(name: str, code: str) -> None:
    with pytest.raises(ProviderRejected) as rejected:
        _kuaidi100(Transport(Reply(200, sample("kuaidi100", name)))).register(
            request("YT1", "yto", "yuantong")
        )
    assert rejected.value.code == code


def test_kuaidi100_query_is_signed_and_reads_like_a_push() -> None:
    transport = Transport(Reply(200, sample("kuaidi100", "query_response.json")))
    payload = _kuaidi100(transport).query(
        request("SF1400000000015", "sf-express", "shunfeng", phone="+8613800138000")
    )
    form = parse_qs(transport.body().decode())
    assert transport.requests[0].full_url.endswith("/poll/query.do")
    expected = hashlib.md5((form["param"][0] + "KEY" + "CUSTOMER").encode()).hexdigest().upper()  # noqa: S324
    assert form["sign"] == [expected] and form["customer"] == ["CUSTOMER"]
    update = parse_update(Provider.KUAIDI100, payload, RECEIVED)
    assert update.tracking_number == "SF1400000000015" and len(update.checkpoints) == 2


# -- 17TRACK -------------------------------------------------------------------------------------


def test_17track_registers_an_array_with_its_carrier_key() -> None:
    transport = Transport(Reply(200, sample("17track", "register_response.json")))
    SeventeenTrackApi(http("17track", transport), lambda: "17-key").register(
        request("1Z0000000000000015", "ups", 100002, order_id="ord_01JDX5R8K3")
    )
    assert json.loads(transport.body()) == json.loads(sample("17track", "register_request.json"))
    assert transport.requests[0].get_header("17token") == "17-key"


def test_17track_already_registered_is_registered_other_rejections_are_permanent() -> None:
    answer = SeventeenTrackApi(
        http("17track", Transport(Reply(200, sample("17track", "register_rejected_response.json")))),
        lambda: "k",
    ).register(request("1Z0000000000000015", "ups", 100002))
    assert answer.already_registered
    undetectable = json.dumps(
        {
            "code": 0,
            "data": {
                "accepted": [],
                "rejected": [{"number": "X", "error": {"code": -18019903, "message": "x"}}],
            },
        }
    ).encode()
    with pytest.raises(ProviderRejected, match="-18019903"):
        SeventeenTrackApi(http("17track", Transport(Reply(200, undetectable))), lambda: "k").register(
            request("X1", "acme", None)
        )


def test_a_17track_query_reads_like_a_push() -> None:
    transport = Transport(Reply(200, sample("17track", "gettrackinfo_response.json")))
    payload = SeventeenTrackApi(http("17track", transport), lambda: "k").query(
        request("1Z999AA10000000031", "ups", 100002)
    )
    assert json.loads(transport.body()) == [{"number": "1Z999AA10000000031", "carrier": 100002}]
    assert parse_update(Provider.SEVENTEENTRACK, payload, RECEIVED).checkpoints


# -- Shippo --------------------------------------------------------------------------------------


def test_shippo_registers_with_its_carrier_token() -> None:
    transport = Transport(Reply(201, sample("shippo", "track_response.json")))
    ShippoTracks(http("shippo", transport), lambda: "shippo_live_x").register(
        request("9205500000000000000015", "usps", "usps", order_id="ord_01JDX5R8K3")
    )
    assert transport.requests[0].full_url == "https://api.example.test/tracks/"
    assert transport.requests[0].get_header("Authorization") == "ShippoToken shippo_live_x"
    assert json.loads(transport.body()) == json.loads(sample("shippo", "register_request.json"))


def test_shippo_needs_a_carrier_token_and_401_is_permanent() -> None:
    transport = Transport(Reply(401, sample("shippo", "invalid_token_response.json")))
    with pytest.raises(ProviderRejected, match="carrier_not_supported"):
        ShippoTracks(http("shippo", transport), lambda: "k").register(request("X1", "acme", None))
    assert transport.requests == []
    with pytest.raises(ProviderRejected, match="Invalid token"):
        ShippoTracks(http("shippo", transport), lambda: "k").register(request("X1", "usps", "usps"))
