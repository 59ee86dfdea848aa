"""Carrier webhooks on the local runtime: a full journey posted over HTTP, read back from the order."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import requests

from carriers.domain.signatures import (
    aftership_signature,
    easypost_signature,
    generic_signature,
    kuaidi100_signature,
    seventeentrack_signature,
)
from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
GENERIC = Path(__file__).resolve().parents[2] / "events" / "carriers" / "generic"
EASYPOST = GENERIC.parent / "easypost"
SKU = "TEA-CARRIER-E2E"


def secret(stack: Any, provider: str) -> str:
    return stack.settings.get(f"ORDERTRACK_{provider.upper()}_WEBHOOK_SECRET", f"local-{provider}-secret")


def redated(document: dict[str, Any], shift: timedelta) -> dict[str, Any]:
    """A fixed-date sample moved by `shift` (each time keeps its own offset), so that rules that
    depend on time (who owns an event, delays) see it relative to the shipment; it is signed when posted."""
    moved = json.loads(json.dumps(document))
    for checkpoint in moved["checkpoints"]:
        checkpoint["occurred_at"] = (datetime.fromisoformat(checkpoint["occurred_at"]) + shift).isoformat()
    return moved


def post_generic(storefront: Storefront, document: dict[str, Any], key: str) -> requests.Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    signature = generic_signature(body, key, int(time.time()))
    return requests.post(
        f"{storefront.url}/v1/webhooks/generic",
        data=body,
        headers={"content-type": "application/json", "ordertrack-signature": signature},
        timeout=10,
    )


def confirmed_order(storefront: Storefront, new_customer: Callable[..., dict[str, Any]]) -> str:
    storefront.put_stock(SKU, 1000)
    placed = storefront.place(
        body_for(new_customer(), [{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "88.00"}])
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    return order_id


def ship(storefront: Storefront, order_id: str, carrier: str, tracking_number: str) -> None:
    response = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/shipments",
        json={"carrier": carrier, "tracking_number": tracking_number},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text


def test_a_generic_journey_reaches_the_order_timeline_in_checkpoint_order(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    # the samples' journey (29 hours), moved to end an hour ago: its first scan is before the shipment
    last = datetime.fromisoformat("2025-07-02T14:30:00+08:00")
    shift = datetime.now(UTC) - timedelta(hours=1) - last
    samples = []
    for name in [
        "01_info_received.json",
        "02_in_transit.json",
        "03_out_for_delivery.json",
        "04_delivered.json",
    ]:
        document = json.loads((GENERIC / name).read_text(encoding="utf-8"))
        document["tracking_number"] = tracking_number
        samples.append(redated(document, shift))
    key = secret(stack, "generic")
    order_id = confirmed_order(storefront, new_customer)

    # Given the carrier reports before the merchant registers the shipment
    assert post_generic(storefront, samples[0], key).status_code == 200
    ship(storefront, order_id, "sf-express", tracking_number)
    # When the rest arrives out of order, with a replay and a forged request
    for document in (samples[2], samples[1], samples[3], samples[3]):
        response = post_generic(storefront, document, key)
        assert response.status_code == 200, response.text
    forged = post_generic(storefront, {**samples[3], "tracking_number": tracking_number}, "wrong-secret")
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "invalid_signature"

    # Then the order is delivered and its timeline shows every checkpoint once, with its own time
    order = storefront.wait_for_status(order_id, {"delivered"}, timeout=30)
    carrier = [entry for entry in order["timeline"] if entry["by"] == "carrier:generic"]
    assert sorted(entry["status"] for entry in carrier) == sorted(
        ["info_received", "in_transit", "out_for_delivery", "delivered"]
    )
    delivered = next(entry for entry in carrier if entry["status"] == "delivered")
    assert delivered["at"] == samples[3]["checkpoints"][0]["occurred_at"]  # the carrier's own time
    assert delivered["details"]["message"] == samples[3]["checkpoints"][0]["message"]  # UTF-8 kept
    moves = [entry["status"] for entry in order["timeline"] if entry["by"] == "system:carrier-tracking"]
    assert moves[-1] == "delivered"


def test_easypost_samples_and_an_unknown_provider(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = confirmed_order(storefront, new_customer)
    ship(storefront, order_id, "fedex", "700000000015")
    key = secret(stack, "easypost")
    for name in ["03_delivered.json", "01_in_transit.json", "02_out_for_delivery.json"]:
        body = (EASYPOST / name).read_bytes()
        response = requests.post(
            f"{storefront.url}/v1/webhooks/easypost",
            data=body,
            headers={"content-type": "application/json", "X-Hmac-Signature": easypost_signature(body, key)},
            timeout=10,
        )
        assert response.status_code == 200, response.text
    order = storefront.wait_for_status(order_id, {"delivered"}, timeout=30)
    assert any(entry["by"] == "carrier:easypost" for entry in order["timeline"])
    missing = requests.post(f"{storefront.url}/v1/webhooks/nobody", data=b"{}", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_provider"


def _signed(provider: str, raw: bytes, key: str) -> tuple[bytes, dict[str, str]]:
    """The sample re-signed with the local secret, as the provider would send it."""
    if provider == "kuaidi100":
        param = parse_qs(raw.decode())["param"][0]
        body = urlencode({"param": param, "sign": kuaidi100_signature(param, key)}).encode()
        return body, {"content-type": "application/x-www-form-urlencoded"}
    if provider == "aftership":
        return raw, {
            "content-type": "application/json",
            "aftership-hmac-sha256": aftership_signature(raw, key),
        }
    if provider == "shippo":  # Shippo signs nothing: our token rides in the URL (see the post below)
        return raw, {"content-type": "application/json"}
    return raw, {"content-type": "application/json", "sign": seventeentrack_signature(raw, key)}


@pytest.mark.parametrize(
    ("provider", "tracking_number"),
    [
        ("aftership", "9400100000000000000015"),
        ("kuaidi100", "YT9990000000015"),
        ("17track", "1Z999AA10000000031"),
        ("shippo", "9400100000000000000022"),
    ],
)
def test_provider_samples_over_http_end_delivered(
    provider: str,
    tracking_number: str,
    stack: Any,
    storefront: Storefront,
    new_customer: Callable[..., dict[str, Any]],
) -> None:
    order_id = confirmed_order(storefront, new_customer)
    ship(storefront, order_id, "yto" if provider == "kuaidi100" else "ups", tracking_number)
    key = secret(stack, provider)
    for path in sorted((GENERIC.parent / provider).glob("0*")):
        body, headers = _signed(provider, path.read_bytes(), key)
        response = requests.post(
            f"{storefront.url}/v1/webhooks/{provider}",
            data=body,
            headers=headers,
            params={"token": key} if provider == "shippo" else None,
            timeout=10,
        )
        assert response.status_code == 200, response.text
    order = storefront.wait_for_status(order_id, {"delivered"}, timeout=30)
    assert any(entry["by"] == f"carrier:{provider}" for entry in order["timeline"])


def test_the_delay_check_flags_a_shipment_past_its_delivery_date(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    order_id = confirmed_order(storefront, new_customer)
    ship(storefront, order_id, "sf-express", tracking_number)
    document = json.loads((GENERIC / "02_in_transit.json").read_text(encoding="utf-8"))
    document.update(tracking_number=tracking_number, estimated_delivery="2025-07-03")  # long past
    document["checkpoints"] = document["checkpoints"][-1:]
    document["checkpoints"][0]["occurred_at"] = datetime.now(UTC).isoformat()  # not stalled: news just now
    assert post_generic(storefront, document, secret(stack, "generic")).status_code == 200
    storefront.wait_for_status(order_id, {"in_transit"})

    run = requests.post(f"{storefront.url}/_local/schedules/FlagDelayedShipmentsSchedule", timeout=30)
    assert run.status_code == 200, run.text

    order = storefront.wait_for_status(order_id, {"delivery_exception"})
    flagged = [entry for entry in order["timeline"] if entry["by"] == "system:delay-detection"]
    assert flagged and flagged[0]["details"]["reason"] == "late"


def test_an_easypost_batch_event_is_acknowledged_and_changes_nothing(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    order_id = confirmed_order(storefront, new_customer)
    ship(storefront, order_id, "fedex", f"7000{uuid.uuid4().int % 10**8:08d}")
    before = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}", timeout=10).json()
    body = (EASYPOST / "04_batch_updated.json").read_bytes()
    response = requests.post(
        f"{storefront.url}/v1/webhooks/easypost",
        data=body,
        headers={
            "content-type": "application/json",
            "X-Hmac-Signature": easypost_signature(body, secret(stack, "easypost")),
        },
        timeout=10,
    )
    assert response.status_code == 200 and response.json() == {"received": True}
    stack.wait_idle(30)
    after = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}", timeout=10).json()
    assert (after["status"], after["timeline"]) == (before["status"], before["timeline"])


def test_a_recycled_tracking_number_starts_a_new_life_with_the_new_order(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    key = secret(stack, "generic")
    number = f"YT{uuid.uuid4().int % 10**12:012d}"
    delivered = json.loads((GENERIC / "04_delivered.json").read_text(encoding="utf-8"))
    delivered.update(tracking_number=number, event_id=f"old-{number}", carrier="yuantong")
    delivered = redated(
        delivered, datetime.now(UTC) - timedelta(days=2) - datetime.fromisoformat("2025-07-02T14:30:00+08:00")
    )
    # Given an old parcel with the number was delivered to an earlier order
    old_order = confirmed_order(storefront, new_customer)
    ship(storefront, old_order, "yuantong", number)
    assert post_generic(storefront, delivered, key).status_code == 200
    storefront.wait_for_status(old_order, {"delivered"}, timeout=30)

    # When the carrier reuses the number for a new order's parcel
    new_order = confirmed_order(storefront, new_customer)
    ship(storefront, new_order, "yuantong", number)
    stack.wait_idle(30)

    # Then the new order is not delivered by the old parcel's event, on registration or on its first scan
    assert (
        storefront.http.get(f"{storefront.url}/v1/orders/{new_order}", timeout=10).json()["status"]
        == "shipped"
    )
    first_scan = {
        "event_id": f"new-{number}",
        "tracking_number": number,
        "carrier": "yuantong",
        "checkpoints": [
            {"occurred_at": datetime.now(UTC).isoformat(), "status": "in_transit", "message": "快件已揽收"}
        ],
    }
    assert post_generic(storefront, first_scan, key).status_code == 200
    order = storefront.wait_for_status(new_order, {"in_transit"}, timeout=30)
    assert [e["status"] for e in order["timeline"] if e["by"] == "carrier:generic"] == ["in_transit"]
    old = storefront.http.get(f"{storefront.url}/v1/orders/{old_order}", timeout=10).json()
    assert old["status"] == "delivered"
    assert [e["status"] for e in old["timeline"] if e["by"] == "carrier:generic"] == ["delivered"]
