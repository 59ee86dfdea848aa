"""A storefront's view of the walking skeleton, over HTTP against the local runtime."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront, body_for
from tests.factories import load_event

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def levels(stock: dict[str, Any]) -> tuple[int, int, int]:
    return stock["on_hand"], stock["reserved"], stock["available"]


def sku(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:6]}".upper()


def test_an_order_is_confirmed_and_the_customer_gets_one_email_and_one_sms(
    storefront: Storefront, new_customer: Any
) -> None:
    tea, cup = sku("TEA"), sku("CUP")
    assert storefront.put_stock(tea, 5).status_code == 200
    assert storefront.put_stock(cup, 2).status_code == 200
    customer = new_customer("zh-CN")
    lines = [
        {"sku": tea, "name": "Oolong tea", "quantity": 2, "unit_price": "88.00"},
        {"sku": cup, "name": "Porcelain tea cup", "quantity": 1, "unit_price": "45.50"},
    ]

    placed = storefront.place(body_for(customer, lines))

    assert placed.status_code == 201
    order_id = placed.json()["order_id"]
    order = storefront.wait_for_status(order_id, {"confirmed"})
    assert [entry["status"] for entry in order["timeline"]] == ["received", "confirmed"]
    assert levels(storefront.stock(tea)) == (5, 2, 3)
    storefront.stack.wait_idle(60)
    messages = storefront.outbox_for(customer["email"], customer["phone"])
    assert sorted(message["channel"] for message in messages) == ["email", "sms"]
    email = next(m for m in messages if m["channel"] == "email")
    number = placed.json()["order_number"]
    assert number in email["subject"] and "已确认" in email["subject"] and order_id not in email["subject"]
    assert "Oolong tea" in email["body"] and "订单演示店" in email["body"]  # the dev stage's brand
    text = next(m for m in messages if m["channel"] == "sms")
    assert text["body"].startswith("【演示店】") and text["body"].endswith("回TD退订")


def test_an_order_short_of_stock_reserves_nothing_and_names_the_product(
    storefront: Storefront, new_customer: Any
) -> None:
    tea, cup = sku("TEA"), sku("CUP")
    storefront.put_stock(tea, 5)
    storefront.put_stock(cup, 0)
    customer = new_customer("en", phone=False)
    lines = [
        {"sku": tea, "name": "Oolong tea", "quantity": 2, "unit_price": "88.00"},
        {"sku": cup, "name": "Porcelain tea cup", "quantity": 1, "unit_price": "45.50"},
    ]

    order_id = storefront.place(body_for(customer, lines)).json()["order_id"]

    order = storefront.wait_for_status(order_id, {"out_of_stock"})
    assert [(item["sku"], item["requested"], item["available"]) for item in order["short_items"]] == [
        (cup, 1, 0)
    ]
    assert storefront.stock(tea)["reserved"] == 0
    storefront.stack.wait_idle(60)
    [email] = storefront.outbox_for(customer["email"])
    assert "Porcelain tea cup" in email["body"]


def test_a_client_retry_creates_no_second_order_and_no_second_message(
    storefront: Storefront, new_customer: Any
) -> None:
    tea = sku("TEA")
    storefront.put_stock(tea, 10)
    customer = new_customer("en")
    body = body_for(customer, [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "9.90"}])
    key = uuid.uuid4().hex

    first = storefront.place(body, key)
    storefront.wait_for_status(first.json()["order_id"], {"confirmed"})
    again = storefront.place(body, key)

    assert (again.status_code, again.json()) == (201, first.json())
    storefront.stack.wait_idle(60)
    assert storefront.stock(tea)["reserved"] == 1
    assert len(storefront.outbox_for(customer["email"], customer["phone"])) == 2  # one email, one SMS


def test_duplicate_sqs_deliveries_and_a_replayed_stream_record_change_nothing(
    storefront: Storefront, new_customer: Any
) -> None:
    stack = storefront.stack
    tea = sku("TEA")
    storefront.put_stock(tea, 10)
    customer = new_customer("en")
    order_id = storefront.place(
        body_for(customer, [{"sku": tea, "name": "Oolong tea", "quantity": 3, "unit_price": "1.00"}])
    ).json()["order_id"]
    storefront.wait_for_status(order_id, {"confirmed"})
    stack.wait_idle(60)

    sqs = stack.client("sqs")
    received = {
        "event_id": f"{order_id}:v1",
        "event_type": "order.received",
        "order_id": order_id,
        "status": "received",
        "occurred_at": "2026-11-24T00:00:00.000Z",
    }
    confirmed = {
        **received,
        "event_id": f"{order_id}:v2",
        "event_type": "order.confirmed",
        "status": "confirmed",
    }
    for _ in range(2):
        sqs.send_message(QueueUrl=stack.physical("ReservationQueue"), MessageBody=json.dumps(received))
        sqs.send_message(QueueUrl=stack.physical("NotificationQueue"), MessageBody=json.dumps(confirmed))
    # The stream replays the order's two records (as after a dispatcher retry): same event ids.
    replay = load_event("dynamodb/order_status_changed.json")
    for record in replay["Records"]:
        for image in ("NewImage", "OldImage"):
            if image in record["dynamodb"]:
                record["dynamodb"][image]["order_id"] = {"S": order_id}
    assert stack.invoke("DispatchOrderChangesFunction", replay).payload == {"batchItemFailures": []}
    stack.wait_idle(60)

    assert storefront.stock(tea)["reserved"] == 3
    assert [e["status"] for e in storefront.order(order_id)["timeline"]] == ["received", "confirmed"]
    assert sorted(m["channel"] for m in storefront.outbox_for(customer["email"], customer["phone"])) == [
        "email",
        "sms",
    ]


def test_concurrent_orders_never_oversell(storefront: Storefront, new_customer: Any) -> None:
    scarce = sku("SCARCE")
    storefront.put_stock(scarce, 6)
    customers = [new_customer("en", phone=False) for _ in range(10)]

    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(
            pool.map(
                lambda c: storefront.place(
                    body_for(
                        c, [{"sku": scarce, "name": f"Item {scarce}", "quantity": 1, "unit_price": "5.00"}]
                    )
                ),
                customers,
            )
        )

    statuses = [
        storefront.wait_for_status(r.json()["order_id"], {"confirmed", "out_of_stock"})["status"]
        for r in responses
    ]
    assert statuses.count("confirmed") == 6 and statuses.count("out_of_stock") == 4
    assert levels(storefront.stock(scarce)) == (6, 6, 0)


def test_unauthenticated_calls_are_refused_and_change_nothing(
    storefront: Storefront, new_customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tea = sku("TEA")
    customer = new_customer("en")
    body = body_for(customer, [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "1.00"}])
    storefront_function = storefront.stack.functions["StorefrontApiFunction"]
    reached: list[Any] = []
    invoke = storefront_function.invoke

    def recording_invoke(event: Any, **options: Any) -> Any:
        reached.append(event)
        return invoke(event, **options)

    monkeypatch.setattr(storefront_function, "invoke", recording_invoke)

    # API Gateway's authorizer answers: no key (or an empty one) is 401, a wrong key 403
    for headers, status, message in (
        ({"x-api-key": ""}, 401, "Unauthorized"),
        ({"x-api-key": "not-the-key"}, 403, "Forbidden"),
    ):
        response = storefront.http.post(
            f"{storefront.url}/v1/orders", json=body, headers={**headers, "Idempotency-Key": "k"}, timeout=10
        )
        assert (response.status_code, response.json()) == (status, {"message": message})
        refused = storefront.http.put(
            f"{storefront.url}/v1/inventory/{tea}", json={"on_hand": 1}, headers=headers, timeout=10
        )
        assert refused.status_code == status
    # an unknown route needs the key too (`$default` has the authorizer)
    unknown = requests.get(f"{storefront.url}/v1/nope", timeout=10)
    assert (unknown.status_code, unknown.json()) == (401, {"message": "Unauthorized"})
    # none of these reached the storefront function
    assert reached == []

    # Other tests' orders may still be moving on this shared stack, so rather than counting items,
    # look for anything these refused calls could have written: no table holds the customer or the SKU.
    storefront.stack.wait_idle(60)
    assert items_mentioning(storefront.stack, customer["id"], customer["email"], tea) == []
    assert storefront.http.get(f"{storefront.url}/v1/inventory/{tea}", timeout=10).status_code == 404
    assert len(reached) == 1  # the keyed call above is the first to reach it


def items_mentioning(stack: Any, *needles: str) -> list[dict[str, Any]]:
    """Every item of every table of the stack whose attributes mention one of `needles`."""
    dynamodb = stack.client("dynamodb")
    found = []
    for table in stack.endpoints()["tables"].values():
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            found += [item for item in page["Items"] if any(needle in json.dumps(item) for needle in needles)]
    return found


def test_bad_input_gets_a_machine_readable_4xx(storefront: Storefront) -> None:
    response = storefront.http.post(
        f"{storefront.url}/v1/orders",
        data="{oops",
        headers={"Idempotency-Key": "x", "content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_json"
    unknown = storefront.http.get(f"{storefront.url}/v1/orders/ord_aaaaaaaaaaaaaaaaaaaaaaaa", timeout=10)
    assert unknown.status_code == 404


def test_openapi_and_swagger_ui_are_served(storefront: Storefront) -> None:
    document = storefront.http.get(f"{storefront.url}/openapi.json", headers={"x-api-key": ""}, timeout=10)
    assert document.status_code == 200 and "/v1/orders/{order_id}" in document.json()["paths"]
    page = storefront.http.get(f"{storefront.url}/docs", headers={"x-api-key": ""}, timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
