"""The return routes through the storefront API function, against moto: an exchange received
through the API opens its replacement once through the Replacements port (a fake here; the
reshipments capability provides the real one) and is never refunded; refusals are the envelope."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import order_body
from tests.integration.service import test_customer_service_api as service_api
from tests.integration.service.test_customer_service_api import Call, delivered_order
from tests.unit.service.return_fakes import CountingReplacements

env = service_api.env  # the fixtures of the customer-service API tests
call = service_api.call


@pytest.fixture
def replacements(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> CountingReplacements:
    from storefront_api import dependencies

    port = CountingReplacements()
    monkeypatch.setattr(dependencies, "replacements", lambda: port, raising=False)
    return port


def test_an_exchange_is_replaced_once_on_receipt_and_never_refunded(
    call: Call, dynamodb: Any, orders_table: str, replacements: CountingReplacements
) -> None:
    order_id = delivered_order(call, dynamodb, orders_table, "ex-1")
    sku = order_body()["items"][0]["sku"]
    base = f"/v1/orders/{order_id}/returns"
    status, created, _ = call(
        "POST",
        base,
        {"lines": [{"sku": sku, "quantity": 1}], "reason_code": "wrong_item", "resolution": "exchange"},
        {"idempotency-key": "ex"},
    )
    assert status == 201 and created["resolution"] == "exchange" and created["expected_refund"] is None
    return_id = created["return_id"]
    assert call("POST", f"{base}/{return_id}/approve", {})[0] == 200
    assert call("PUT", f"/v1/inventory/{sku}", {"on_hand": 0})[0] == 200

    for _ in range(2):  # a client retry answers the same and opens nothing more
        status, received, _ = call("POST", f"{base}/{return_id}/receive", {}, {"idempotency-key": "rcv"})
        assert status == 200, received
    assert received["reshipment_id"] == f"rsp_exchange_{return_id}"
    assert [c["reason"] for c in replacements.calls] == ["exchange"]
    assert replacements.calls[0]["lines"] == [(sku, 1)]

    status, refused, _ = call("POST", f"{base}/{return_id}/refund", {})
    assert status == 409 and refused["error"]["code"] == "refund_not_allowed"


def test_refusals_of_the_new_return_routes_are_the_error_envelope(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    status, body, _ = call("GET", "/v1/returns?status=lost")
    assert status == 422 and body["error"]["code"] == "validation_failed"
    order_id = delivered_order(call, dynamodb, orders_table, "rf-1")
    sku = order_body()["items"][0]["sku"]
    base = f"/v1/orders/{order_id}/returns"
    status, missing, _ = call(
        "POST", base, {"lines": [{"sku": sku, "quantity": 1}]}, {"idempotency-key": "a"}
    )
    assert status == 422 and missing["error"]["code"] == "validation_failed"  # reason_code is required
    status, created, _ = call(
        "POST",
        base,
        {"lines": [{"sku": sku, "quantity": 1}], "reason_code": "changed_mind"},
        {"idempotency-key": "b"},
    )
    return_id = created["return_id"]
    assert call("POST", f"{base}/{return_id}/approve", {})[0] == 200
    assert call("PUT", f"/v1/inventory/{sku}", {"on_hand": 0})[0] == 200
    lines = [{"sku": sku, "quantity": 2, "condition": "resellable"}]
    status, over, _ = call("POST", f"{base}/{return_id}/receive", {"lines": lines})
    assert status == 409 and over["error"]["code"] == "receipt_mismatch"
    assert over["error"]["details"]["lines"] == [{"sku": sku, "returned": 1, "received": 2}]
    assert call("POST", f"{base}/{return_id}/receive", {})[0] == 200
    status, above, _ = call("POST", f"{base}/{return_id}/refund", {"amount": "99999.00", "reason": "x"})
    assert status == 422 and above["error"]["code"] == "refund_amount_invalid"
    status, page, _ = call("GET", "/v1/returns?status=received&limit=10")
    assert status == 200 and [r["return_id"] for r in page["returns"]] == [return_id]
