"""The provider simulator speaks each provider's registration API and plays the provider: every push
it sends verifies with the product's own webhook verifier and parses to the journey it scripts.

One simulator and one receiving server (standing in for our API) serve the module; the journeys the
tests check are all registered at once by the `journeys` fixture, so they play side by side.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from carriers.domain.apply_tracking import tracking_state
from carriers.domain.intake import WebhookRequest, check_media_type, parse_update, verify
from carriers.models.tracking import Provider, TrackingStatus, TrackingUpdate
from infra.local.providers import (
    ProviderSimulator,
    aftership,
    easypost,
    kuaidi100,
    parse_faults,
    seventeentrack,
)
from shared.clock import SystemClock, isoformat

from .conftest import eventually

pytestmark = pytest.mark.xdist_group("local_runtime_provider_simulator")

PROVIDERS = ("easypost", "aftership", "kuaidi100", "17track", "shippo")
SECRETS = {
    "easypost": "wh-sécret",  # é is U+00E9: the NFKD step matters
    "aftership": "aftership-secret",
    "kuaidi100": "unused: Kuaidi100 signs with the subscription's salt",
    "17track": "seventeen-key",
    "shippo": "shippo-url-token",
}
KEYS = {
    "easypost": "EZTK-test-key",
    "aftership": "as-key",
    "kuaidi100": "kd-key",
    "kuaidi100_customer": "KD-CUSTOMER",
    "17track": "seventeen-key",
    "shippo": "shippo_test_key",
}
SALT = "kd100-salt"
SIM4 = {provider: f"SIM4 {provider.upper()} 01" for provider in PROVIDERS}


# -- our API, played by a tiny server --------------------------------------------------------
@dataclass(frozen=True)
class Received:
    provider: str
    request: WebhookRequest
    received_at: str


class Receiver:
    """Records every push; answers what the real webhook answers (Kuaidi100's exact acknowledgement),
    or 500 for bodies containing a number listed in `failures` (as many times as listed)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Received] = []
        self.failures: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                provider = parts.path.rstrip("/").rsplit("/", 1)[-1]
                request = WebhookRequest(
                    provider=provider,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body,
                    query=dict(parse_qsl(parts.query)),
                )
                status, answer = receiver.answer(provider, request)
                payload = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                pass

        self.clock = SystemClock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, provider: str, request: WebhookRequest) -> tuple[int, dict[str, Any]]:
        with self.lock:
            for marker, remaining in self.failures.items():
                if remaining and marker.encode() in request.body:
                    self.failures[marker] = remaining - 1
                    return 500, {"message": "Internal Server Error"}
            # the receipt time, as our API stamps it (its wired clock; only parse_update's received_at):
            # the simulator stamps checkpoints with the same real clock, so the date bounds hold
            received_at = isoformat(self.clock.now())
            self.requests.append(Received(provider, request, received_at))
        if provider == "kuaidi100":
            return 200, {"result": True, "returnCode": "200", "message": "成功"}
        return 200, {"received": True}

    def updates(self, provider: str, number: str) -> list[tuple[Received, str, TrackingUpdate]]:
        """Every push of `provider` about `number`: verified with the product's verifier, parsed."""
        wanted = "".join(number.split()).upper()
        with self.lock:
            received = [r for r in self.requests if r.provider == provider]
        found = []
        for push in received:
            kind = Provider(provider)
            check_media_type(kind, push.request.headers.get("content-type"))
            secret = SALT if provider == "kuaidi100" else SECRETS[provider]
            payload = verify(push.request, kind, secret, now=0.0)
            update = parse_update(kind, payload, push.received_at)
            if update.tracking_number == wanted:
                found.append((push, payload, update))
        return found


# -- talking to the simulator --------------------------------------------------------------
def call(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as refused:
        status, text = refused.code, refused.read()
    return status, json.loads(text) if text else None


def as_json(document: Any) -> bytes:
    return json.dumps(document).encode()


JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def register(
    sim: ProviderSimulator, provider: str, number: str, key: str | None = None, **fields: Any
) -> tuple[int, Any]:
    """One registration through the provider's real endpoint, the way our adapters send it."""
    key = KEYS[provider] if key is None else key
    base = sim.base_url(provider)
    if provider == "easypost":
        auth = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
        tracker = {"tracking_code": number, **fields}
        return call("POST", f"{base}/v2/trackers", as_json({"tracker": tracker}), {**JSON, **auth})
    if provider == "aftership":
        body = as_json({"tracking_number": number, "order_id": "ord_1", **fields})
        return call("POST", f"{base}/tracking/2025-01/trackings", body, {**JSON, "as-api-key": key})
    if provider == "kuaidi100":
        parameters = {
            # our webhook URL, with a query of our own (Kuaidi100 keeps it on every push)
            "callbackurl": sim.webhook_url("kuaidi100") + "?shop=local",
            "salt": SALT,
            "resultv2": "1",
            "autoCom": fields.pop("autoCom", "1"),
        }
        parameters.update(fields.pop("parameters", {}))
        param = {"company": "", "number": number, "key": key, "from": "", "to": "", **fields}
        param["parameters"] = parameters
        body = urlencode({"schema": "json", "param": json.dumps(param, ensure_ascii=False)}).encode()
        return call("POST", f"{base}/poll", body, FORM)
    if provider == "17track":
        body = as_json([{"number": number, "tag": "ord_1", **fields}])
        return call("POST", f"{base}/track/v2.2/register", body, {**JSON, "17token": key})
    body = as_json({"carrier": fields.pop("carrier", "usps"), "tracking_number": number, "metadata": "ord_1"})
    return call("POST", f"{base}/tracks/", body, {**JSON, "Authorization": f"ShippoToken {key}"})


def query(sim: ProviderSimulator, provider: str, number: str, registered: Any = None) -> tuple[int, Any]:
    """The provider's query endpoint (what the delay check calls)."""
    base = sim.base_url(provider)
    if provider == "easypost":
        auth = {"Authorization": "Basic " + base64.b64encode(f"{KEYS[provider]}:".encode()).decode()}
        return call("GET", f"{base}/v2/trackers/{registered['id']}", headers=auth)
    if provider == "aftership":
        url = f"{base}/tracking/2025-01/trackings/{registered['data']['id']}"
        return call("GET", url, headers={"as-api-key": KEYS[provider]})
    if provider == "kuaidi100":
        param = json.dumps({"com": "", "num": number, "resultv2": "1"})
        sign = hashlib.md5(param_key_customer(param).encode(), usedforsecurity=False).hexdigest().upper()
        body = urlencode({"customer": KEYS["kuaidi100_customer"], "sign": sign, "param": param}).encode()
        return call("POST", f"{base}/poll/query.do", body, FORM)
    if provider == "17track":
        body = as_json([{"number": number}])
        return call("POST", f"{base}/track/v2.2/gettrackinfo", body, {**JSON, "17token": KEYS[provider]})
    url = f"{base}/tracks/usps/{number.replace(' ', '%20')}"
    return call("GET", url, headers={"Authorization": f"ShippoToken {KEYS[provider]}"})


def param_key_customer(param: str) -> str:
    """What Kuaidi100's query `sign` is the MD5 of: param + key + customer."""
    return param + KEYS["kuaidi100"] + KEYS["kuaidi100_customer"]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(scope="module")
def sim(receiver: Receiver) -> Iterator[ProviderSimulator]:
    simulator = ProviderSimulator(
        webhook_url=lambda provider: f"{receiver.url}/v1/webhooks/{provider}",
        webhook_secrets=SECRETS,
        api_keys=KEYS,
        speed=30,
        timeout_seconds=0.3,
        seed=1,
    )
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def journeys(sim: ProviderSimulator) -> dict[str, Any]:
    """The journeys the module checks, registered together so that they play side by side."""
    answers: dict[str, Any] = {provider: register(sim, provider, SIM4[provider]) for provider in PROVIDERS}
    answers["EZ4000000004"] = register(sim, "easypost", "EZ4000000004", carrier="USPS")
    answers["EZ5000000005"] = register(sim, "easypost", "EZ5000000005", carrier="USPS")
    answers["SIM7"] = register(sim, "kuaidi100", "SIM7 KD 01", company="yuantong", autoCom="0")
    return answers


def wait_for(
    receiver: Receiver, provider: str, number: str, count: int
) -> list[tuple[Received, str, TrackingUpdate]]:
    return eventually(lambda: (found := receiver.updates(provider, number)) and len(found) >= count and found)


def pushes_of(sim: ProviderSimulator, number: str) -> list[dict[str, Any]]:
    """The simulator's records of the pushes about `number` (they follow our API's answer)."""
    return [push for push in sim.pushes() if push["tracking_number"] == "".join(number.split()).upper()]


def newest(update: TrackingUpdate) -> datetime:
    return max(checkpoint.occurred_at for checkpoint in update.checkpoints)


# -- journeys -------------------------------------------------------------------------------
@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_sim4_number_plays_a_delivered_journey_every_push_verified_and_parsed(
    sim: ProviderSimulator, receiver: Receiver, journeys: dict[str, Any], provider: str
) -> None:
    # Given a SIM4 number registered through the provider's endpoint (by the `journeys` fixture)
    status, registered = journeys[provider]
    assert status in (200, 201)
    # When the journey has played
    pushes = wait_for(receiver, provider, SIM4[provider], 6)
    # Then all 6 pushes verified with our own verifier and parsed; each adds one later checkpoint
    assert len(pushes) == 6
    assert [len(update.checkpoints) for _, _, update in pushes] == [1, 2, 3, 4, 5, 6]
    stamps = [newest(update) for _, _, update in pushes]
    assert stamps == sorted(stamps) and len(set(stamps)) == 6
    final = pushes[-1][2]
    ordered = sorted(final.checkpoints, key=lambda checkpoint: checkpoint.occurred_at)
    assert [checkpoint.occurred_at for checkpoint in ordered] == stamps
    assert tracking_state(list(final.checkpoints))[0] is TrackingStatus.DELIVERED
    assert ordered[-1].status is TrackingStatus.DELIVERED
    # and the simulator recorded them as acknowledged, each sent after the checkpoint it carries
    records = eventually(lambda: len(found := pushes_of(sim, SIM4[provider])) == 6 and found)
    assert [p["acknowledged"] for p in records] == [True] * 6
    assert [p["stage"] for p in records][-1] == "delivered"
    for record, stamp in zip(records, stamps, strict=True):
        assert datetime.fromisoformat(record["at"].replace("Z", "+00:00")) >= stamp
    # and the query endpoint answers the state as it is now
    answered, current = query(sim, provider, SIM4[provider], registered)
    assert answered == 200
    assert _queried_status(provider, current) == DELIVERED_STATUS[provider]


DELIVERED_STATUS = {
    "easypost": ("delivered", 6),
    "aftership": ("Delivered", 6),
    "kuaidi100": ("3", 6),
    "17track": ("Delivered", 6),
    "shippo": ("DELIVERED", 6),
}


def _queried_status(provider: str, answer: Any) -> tuple[str, int]:
    if provider == "easypost":
        return answer["status"], len(answer["tracking_details"])
    if provider == "aftership":
        return answer["data"]["tag"], len(answer["data"]["checkpoints"])
    if provider == "kuaidi100":
        return answer["state"], len(answer["data"])
    if provider == "17track":
        info = answer["data"]["accepted"][0]["track_info"]
        return info["latest_status"]["status"], len(info["tracking"]["providers"][0]["events"])
    return answer["tracking_status"]["status"], len(answer["tracking_history"])


def test_provider_specific_push_details(receiver: Receiver, journeys: dict[str, Any]) -> None:
    # EasyPost: tracker.created, then tracker.updated with the previous status, in test mode
    events = [json.loads(payload) for _, payload, _ in wait_for(receiver, "easypost", SIM4["easypost"], 6)]
    assert [e["description"] for e in events] == ["tracker.created"] + ["tracker.updated"] * 5
    assert {e["mode"] for e in events} == {"test"}
    assert events[-1]["previous_attributes"] == {"status": "out_for_delivery"}
    # AfterShip: webhook version 2025-01 headers and body
    pushes = wait_for(receiver, "aftership", SIM4["aftership"], 6)
    assert {push.request.headers["as-webhook-version"] for push, _, _ in pushes} == {"2025-01"}
    body = json.loads(pushes[-1][1])
    assert body["event"] == "tracking_update" and body["msg"]["tag"] == "Delivered"
    assert "country_region" in body["msg"]["checkpoints"][0] and body["msg"]["active"] is False
    # Kuaidi100: polling then shutdown, data newest first, China time without a zone
    kuaidi100 = wait_for(receiver, "kuaidi100", SIM4["kuaidi100"], 6)
    assert {push.request.query["shop"] for push, _, _ in kuaidi100} == {"local"}  # callbackurl kept as given
    params = [json.loads(payload) for _, payload, _ in kuaidi100]
    assert [p["status"] for p in params] == ["polling"] * 5 + ["shutdown"]
    last = params[-1]["lastResult"]
    assert (last["state"], last["ischeck"], last["com"]) == ("3", "1", "yuantong")
    assert [d["status"] for d in last["data"]] == ["签收", "派件", "在途", "在途", "揽收", "揽收"]
    assert last["data"][0]["ftime"] > last["data"][-1]["ftime"]
    assert len(last["data"][0]["ftime"]) == len("2026-12-01 17:32:09")
    # Shippo: the secret comes back as the URL's token
    shippo = wait_for(receiver, "shippo", SIM4["shippo"], 6)
    assert {push.request.query["token"] for push, _, _ in shippo} == {SECRETS["shippo"]}


def test_easypost_test_codes_end_as_easypost_documents(receiver: Receiver, journeys: dict[str, Any]) -> None:
    delivered = wait_for(receiver, "easypost", "EZ4000000004", 7)
    tracker = json.loads(delivered[-1][1])["result"]
    assert [d["message"] for d in tracker["tracking_details"]] == [
        "Pre-Shipment Info Sent to USPS",
        "Shipping Label Created",
        "Arrived at Facility",
        "Departed Facility",
        "Arrived at Post Office",
        "Out for Delivery",
        "Delivered",
    ]
    assert (tracker["status"], tracker["signed_by"], tracker["mode"]) == ("delivered", "John Tester", "test")
    created = datetime.fromisoformat(tracker["created_at"].replace("Z", "+00:00"))
    estimate = datetime.fromisoformat(tracker["est_delivery_date"].replace("Z", "+00:00"))
    assert (estimate - created).days == 3
    assert tracking_state(list(delivered[-1][2].checkpoints))[0] is TrackingStatus.DELIVERED
    returned = wait_for(receiver, "easypost", "EZ5000000005", 6)
    assert json.loads(returned[-1][1])["result"]["status"] == "return_to_sender"
    assert tracking_state(list(returned[-1][2].checkpoints))[0] is TrackingStatus.RETURN_TO_SENDER


def test_kuaidi100_sim7_is_aborted_then_a_resubscription_plays_a_journey(
    sim: ProviderSimulator, receiver: Receiver, journeys: dict[str, Any]
) -> None:
    assert journeys["SIM7"][1]["returnCode"] == "200"
    # Given the first subscription ended by an abort "3天查询无记录" with no data
    abort = json.loads(wait_for(receiver, "kuaidi100", "SIM7 KD 01", 1)[0][1])
    assert (abort["status"], abort["message"], abort["lastResult"]["data"]) == ("abort", "3天查询无记录", [])
    # When the number is subscribed again
    status, answer = register(sim, "kuaidi100", "SIM7 KD 01", company="yuantong", autoCom="0")
    # Then it is accepted (not 501) and plays the delivered journey
    assert (status, answer["returnCode"]) == (200, "200")
    pushes = wait_for(receiver, "kuaidi100", "SIM7 KD 01", 7)
    assert json.loads(pushes[-1][1])["status"] == "shutdown"
    assert tracking_state(list(pushes[-1][2].checkpoints))[0] is TrackingStatus.DELIVERED


def test_a_refused_push_is_retried_and_recorded(sim: ProviderSimulator, receiver: Receiver) -> None:
    # Given our API answers 500 twice for this number
    with receiver.lock:
        receiver.failures["SIM1RETRY"] = 2
    # When its one-push journey plays
    assert register(sim, "shippo", "SIM1RETRY")[0] == 201
    wait_for(receiver, "shippo", "SIM1RETRY", 1)
    # Then the third attempt got through, and every attempt is recorded
    attempts = eventually(lambda: len(found := pushes_of(sim, "SIM1RETRY")) == 3 and found)
    assert [(p["attempt"], p["answer"], p["acknowledged"]) for p in attempts] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]


def test_the_simulators_own_signing_gives_the_documented_known_answers() -> None:
    """The simulator signs independently of functions/; the READMEs' sample values pin it."""
    carriers = Path(__file__).resolve().parents[2] / "events" / "carriers"
    easypost_body = (carriers / "easypost" / "01_in_transit.json").read_bytes()
    assert easypost.signature(easypost_body, "sample-wh-sécret") == (
        "hmac-sha256-hex=6a558b1b0808845005def794de0e42139ae4855e5f8e6235790dd11c2eba8b19"
    )
    aftership_body = (carriers / "aftership" / "01_in_transit.json").read_bytes()
    assert (
        aftership.signature(aftership_body, "sample-aftership-secret")
        == "ez8s+UWinioGwWaXXropC+223wRewsTMkLhNUQULOHw="
    )
    seventeen_body = (carriers / "17track" / "01_in_transit.json").read_bytes()
    assert seventeentrack.signature(seventeen_body, "sample-17track-key") == (
        "5a3634f6d6b31848c28878ea72a0dbb0bdb43a547921ebe20b18be1b0155769f"
    )
    form = dict(parse_qsl((carriers / "kuaidi100" / "01_in_transit.txt").read_text()))
    assert kuaidi100.md5_sign(form["param"] + "sample-kd100-salt") == form["sign"]


# -- registration answers ---------------------------------------------------------------------
def test_a_repeated_registration_gets_each_providers_documented_answer(sim: ProviderSimulator) -> None:
    # EasyPost de-duplicates: the same tracker again
    first, again = (
        register(sim, "easypost", "9400 1000 0000 0000 0000 01"),
        register(sim, "easypost", "9400100000000000000001"),
    )
    assert (first[0], again[0]) == (200, 200) and first[1]["id"] == again[1]["id"]
    assert first[1]["id"].startswith("trk_") and len(first[1]["id"]) == 36
    # AfterShip: 400 meta.code 4003 naming the existing tracking
    created = register(sim, "aftership", "9400100000000000000002", slug="usps")
    exists = register(sim, "aftership", "9400100000000000000002", slug="usps")
    assert (created[0], created[1]["meta"]["code"]) == (201, 201)
    assert (exists[0], exists[1]["meta"]["code"]) == (400, 4003)
    assert exists[1]["data"]["tracking"]["id"] == created[1]["data"]["id"]
    # Kuaidi100: 501 重复订阅 while the first subscription is still polling
    assert register(sim, "kuaidi100", "YT9990000000003")[1]["returnCode"] == "200"
    assert register(sim, "kuaidi100", "YT9990000000003")[1] == {
        "result": False,
        "returnCode": "501",
        "message": "重复订阅",
    }
    # 17TRACK: rejected -18019901
    accepted = register(sim, "17track", "1Z0000000000000004")[1]["data"]
    rejected = register(sim, "17track", "1Z0000000000000004")[1]["data"]
    assert accepted["accepted"][0]["carrier"] == 100002
    assert rejected["accepted"] == [] and rejected["rejected"][0]["error"]["code"] == -18019901
    # Shippo: 201, then 200 with the same track
    assert register(sim, "shippo", "9205500000000000000005")[0] == 201
    assert register(sim, "shippo", "9205500000000000000005")[0] == 200
    # and the registrations are recorded, the repeats as duplicates
    duplicates = [r for r in sim.registrations() if r["duplicate"]]
    assert sorted(r["provider"] for r in duplicates) == sorted(PROVIDERS)
    assert all(r["accepted"] for r in duplicates)


FAILURES = {
    # provider: FAIL429, FAIL503, FAILKEY, FAILCARRIER -> (HTTP status, the provider's own code)
    "easypost": [
        (429, "RATE_LIMITED"),
        (503, "SERVICE.UNAVAILABLE"),
        (401, "APIKEY.INACTIVE"),
        (422, "TRACKER.CREATE.ERROR"),
    ],
    "aftership": [(429, 429), (503, 503), (401, 401), (400, 4012)],
    "kuaidi100": [(200, "500"), (503, "500"), (200, "600"), (200, "702")],
    "17track": [(429, 429), (503, 503), (401, -18010002), (200, -18019903)],
    "shippo": [(429, None), (503, None), (401, None), (400, None)],
}


def _code(provider: str, answer: Any) -> Any:
    if provider == "easypost":
        return answer["error"]["code"]
    if provider == "aftership":
        return answer["meta"]["code"]
    if provider == "kuaidi100":
        return answer["returnCode"]
    if provider == "17track":
        return answer["data"]["rejected"][0]["error"]["code"] if answer["code"] == 0 else answer["code"]
    return None


@pytest.mark.parametrize("provider", PROVIDERS)
def test_documented_failure_numbers_get_the_providers_failure_answers(
    sim: ProviderSimulator, provider: str
) -> None:
    for prefix, expected in zip(
        ("FAIL429", "FAIL503", "FAILKEY", "FAILCARRIER"), FAILURES[provider], strict=True
    ):
        status, answer = register(sim, provider, f"{prefix}0001")
        assert (status, _code(provider, answer)) == expected, prefix
    if provider == "kuaidi100":  # a company given that does not have the number: 700
        assert (
            register(sim, provider, "FAILCARRIER0002", company="yuantong", autoCom="0")[1]["returnCode"]
            == "700"
        )
    # the query endpoints that take a number answer them too (EasyPost and AfterShip query by id)
    status, answer = query(sim, provider, "FAIL503 0003", {"id": "trk_x", "data": {"id": "x"}})
    assert status == (404 if provider in ("easypost", "aftership") else 503)
    refused = [r for r in sim.registrations(provider) if r["tracking_number"].startswith("FAIL")]
    assert refused and not any(r["accepted"] for r in refused)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_bad_key_gets_the_providers_bad_key_answer(sim: ProviderSimulator, provider: str) -> None:
    status, answer = register(sim, provider, "9400100000000000000006", key="not-the-key")
    expected = {
        "easypost": (401, "APIKEY.INACTIVE"),
        "aftership": (401, 401),
        "kuaidi100": (200, "600"),
        "17track": (401, -18010002),
        "shippo": (401, None),
    }[provider]
    assert (status, _code(provider, answer)) == expected
    if provider == "shippo":
        assert answer == {"detail": "Invalid token."}
    record = sim.registrations(provider)[-1]
    assert (record["tracking_number"], record["accepted"]) == ("9400100000000000000006", False)
    assert (record["status"], record["code"]) == expected


def test_kuaidi100_checks_the_phone_for_shunfeng_and_the_query_sign(sim: ProviderSimulator) -> None:
    status, answer = register(sim, "kuaidi100", "SF1400000000007", company="shunfeng", autoCom="0")
    assert (status, answer["returnCode"]) == (200, "700")
    phone = {"parameters": {"phone": "13800138000"}}
    assert (
        register(sim, "kuaidi100", "SF1400000000007", company="shunfeng", autoCom="0", **phone)[1][
            "returnCode"
        ]
        == "200"
    )
    param = json.dumps({"com": "shunfeng", "num": "SF1400000000007"})
    forged = urlencode({"customer": KEYS["kuaidi100_customer"], "sign": "0" * 32, "param": param}).encode()
    status, answer = call("POST", f"{sim.base_url('kuaidi100')}/poll/query.do", forged, FORM)
    assert (status, answer["returnCode"]) == (200, "503")
    # a registered number without a journey has no record yet
    assert query(sim, "kuaidi100", "SF1400000000007")[1]["returnCode"] == "500"


def test_an_unknown_number_is_registered_and_gets_no_push(sim: ProviderSimulator, receiver: Receiver) -> None:
    status, tracker = register(sim, "easypost", "9400100000000000000008")
    assert (status, tracker["status"], tracker["tracking_details"]) == (200, "unknown", [])
    assert not pushes_of(sim, "9400100000000000000008")
    assert query(sim, "easypost", "9400100000000000000008", tracker)[1]["id"] == tracker["id"]


# -- faults and control ------------------------------------------------------------------------
def test_faults_make_registrations_fail_and_an_empty_spec_clears_them(sim: ProviderSimulator) -> None:
    try:
        # 5xx:1.0 answers 503 in the provider's format; entries for other fakes are ignored
        sim.set_faults("ses.SendEmail=throttle:0.3, provider.aftership=5xx:1.0")
        status, answer = register(sim, "aftership", "9400100000000000000009")
        assert (status, answer["meta"]["code"]) == (503, 503)
        assert register(sim, "shippo", "9400100000000000000009")[0] == 201
        # timeout holds the request `timeout_seconds`, then answers 504
        sim.set_faults("provider.17track=timeout:1.0")
        status, answer = register(sim, "17track", "9400100000000000000009")
        assert (status, answer["code"]) == (504, 504)
        # a rate draws per request from the seeded RNG
        sim.set_faults("provider.easypost=5xx:0.5")
        sim.rng = random.Random(7)
        draws = random.Random(7)
        expected = [503 if draws.random() < 0.5 else 200 for _ in range(12)]
        assert [register(sim, "easypost", f"94001000000000000001{i:02d}")[0] for i in range(12)] == expected
        # "" clears
        sim.set_faults("")
        assert register(sim, "aftership", "9400100000000000000009")[0] == 201
    finally:
        sim.set_faults("")
    refused = [r for r in sim.registrations("aftership") if r["tracking_number"] == "9400100000000000000009"]
    assert [(r["status"], r["accepted"]) for r in refused] == [(503, False), (201, True)]


def test_fault_specs_are_validated() -> None:
    assert parse_faults("") == {}
    assert parse_faults("provider.shippo=timeout:0.25,ses.SendEmail=throttle:1") == {
        "shippo": [("timeout", 0.25)]
    }
    for spec in (
        "provider.shippo=boom:1",
        "provider.fedex=5xx:1",
        "provider.shippo=5xx:2",
        "provider.shippo=5xx:x",
    ):
        with pytest.raises(ValueError):
            parse_faults(spec)


def test_the_control_endpoints(sim: ProviderSimulator) -> None:
    control = f"{sim.url}/_simulator"
    try:
        assert (
            call("POST", f"{control}/faults", as_json({"faults": "provider.shippo=5xx:1.0"}), JSON)[0] == 200
        )
        assert register(sim, "shippo", "9205500000000000000010")[0] == 503
        assert call("POST", f"{control}/faults", as_json({"faults": "provider.shippo=nope"}), JSON)[0] == 400
        assert call("POST", f"{control}/faults", as_json({"faults": ""}), JSON) == (200, {"faults": ""})
        assert register(sim, "shippo", "9205500000000000000010")[0] == 201
    finally:
        sim.set_faults("")
    status, registrations = call("GET", f"{control}/registrations?provider=shippo")
    assert status == 200 and {r["provider"] for r in registrations} == {"shippo"}
    assert [r["status"] for r in registrations if r["tracking_number"] == "9205500000000000000010"] == [
        503,
        201,
    ]
    status, pushes = call("GET", f"{control}/pushes")
    assert status == 200 and pushes == sim.pushes()[: len(pushes)]
    assert call("GET", f"{control}/idle")[1].keys() == {"idle"}
    assert call("GET", f"{control}/nothing")[0] == 404
    assert sim.base_url("17track") == f"{sim.url}/17track"


def test_the_simulator_goes_idle_once_the_journeys_have_played(
    sim: ProviderSimulator, journeys: dict[str, Any]
) -> None:
    assert eventually(sim.idle)
    assert sim.interval == pytest.approx(0.1)
