"""Order lookups, the customer view, export and erasure through the storefront API function (moto)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from orders.adapters.dynamo_shipments import DynamoShipments
from orders.adapters.order_lookups import LOOKUP_ENTITY
from shared.dynamo import from_attributes, to_attributes
from tests.factories import FakeLambdaContext, http_event, order_body
from tests.integration.conftest import table_items

Call = Callable[..., tuple[int, Any]]
CUSTOMER = "cust-1001"


@pytest.fixture
def call(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> Iterator[Call]:
    lookup_secret = boto3.client("secretsmanager").create_secret(
        Name="contact-lookup-key", SecretString=json.dumps({"key": "test-lookup-key"})
    )["ARN"]
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("API_KEY_SECRET_ARN", api_key_secret)
    monkeypatch.setenv("CONTACT_LOOKUP_SECRET_ARN", lookup_secret)
    from storefront_api import dependencies
    from storefront_api.handler import handler

    for cached in (
        dependencies.settings,
        dependencies.order_repository,
        dependencies.customer_data,
        dependencies.contact_hasher,
        dependencies.preference_store,
        dependencies._secrets_provider,
    ):
        cached.cache_clear()

    def invoke(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        response = handler(http_event(method, path, body, headers), FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    yield invoke


def place(call: Call, key: str, **overrides: Any) -> dict[str, Any]:
    status, body = call("POST", "/v1/orders", order_body(**overrides), {"idempotency-key": key})
    assert status == 201, body
    return body


def items_of(dynamodb: Any, table: str, entity: str) -> list[dict[str, Any]]:
    return [from_attributes(item) for item in table_items(dynamodb, table) if item["entity"]["S"] == entity]


def found(call: Call, query: str) -> list[str]:
    status, page = call("GET", f"/v1/orders?{query}")
    assert status == 200, page
    return [order["order_id"] for order in page["orders"]]


def test_lookups_are_written_with_the_order_and_hold_no_contact(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    placed = place(call, "k1", order_number="SO-1")

    lookups = items_of(dynamodb, orders_table, LOOKUP_ENTITY)
    assert sorted(item["pk"].split("#")[1] for item in lookups) == ["email", "number", "phone"]
    text = json.dumps(lookups)
    assert "li.wei" not in text and "13800138000" not in text
    assert {item["order_id"] for item in lookups} == {placed["order_id"]}
    assert all(len(json.dumps(item)) < 200 for item in lookups)  # one write unit each

    # a retry writes nothing more
    place(call, "k1", order_number="SO-1")
    assert len(items_of(dynamodb, orders_table, LOOKUP_ENTITY)) == 3


def test_a_refused_order_writes_no_lookup(call: Call, dynamodb: Any, orders_table: str) -> None:
    place(call, "k1")
    status, body = call("POST", "/v1/orders", order_body(currency="USD"), {"idempotency-key": "k1"})
    assert status == 422 and body["error"]["code"] == "idempotency_key_reused"
    assert len(items_of(dynamodb, orders_table, LOOKUP_ENTITY)) == 2  # phone and email of the first


def test_search_by_each_key(call: Call, dynamodb: Any, orders_table: str) -> None:
    first = place(call, "k1", order_number="SO-1")["order_id"]
    second = place(call, "k2", order_number="SO-2")["order_id"]
    other = order_body()
    other["customer"] = {
        **other["customer"],
        "id": "cust-2",
        "email": "x@example.org",
        "phone": "+8613900139000",
    }
    place(call, "k3", customer=other["customer"])
    order = call("GET", f"/v1/orders/{second}")[1]
    shipment = {
        "shipment_id": "shp_1",
        "carrier": "sf",
        "tracking_number": "SF100",
        "lines": [],
        "status": "shipped",
        "created_at": order["created_at"],
    }
    from orders.models.order import OrderRecord

    record = OrderRecord.model_validate({**order, "version": 1, "request_hash": "x"})
    dynamodb.transact_write_items(
        TransactItems=DynamoShipments(orders_table).shipment_items(record, shipment)
    )

    assert set(found(call, "phone=%2B8613800138000")) == {first, second}
    assert set(found(call, "phone=%2B86%20138%200013%208000")) == {first, second}
    assert set(found(call, "email=%20LI.WEI@Example.com")) == {first, second}
    assert found(call, "order_number=SO-1") == [first]
    assert found(call, "tracking_number=sf100") == [second]
    assert found(call, "email=nobody@example.com") == []
    assert found(call, "tracking_number=NOPE1") == []


@pytest.mark.parametrize(
    "query",
    ["phone=%2B8613800138000&email=a@b.c", "status=received&order_number=SO-1", "phone=12", "phone=%2B999"],
)
def test_unsupported_searches_are_422(call: Call, query: str) -> None:
    status, body = call("GET", f"/v1/orders?{query}")
    assert status == 422, body


def test_customer_view_and_404(call: Call, dynamodb: Any, orders_table: str) -> None:
    first = place(call, "k1")["order_id"]
    second = place(call, "k2")["order_id"]
    case = {
        "pk": "COMPLAINT#cmp_1",
        "sk": "COMPLAINT",
        "entity": "complaint",
        "complaint_id": "cmp_1",
        "order_id": first,
        "customer_id": CUSTOMER,
        "description": "The box arrived crushed, call me on +8613800138000",
        "status": "open",
        "opened_at": "2026-11-24T10:00:00.000Z",
        "gsi1pk": f"CUSTOMER_CASES#{CUSTOMER}",
        "gsi1sk": "2026-11-24T10:00:00.000Z#cmp_1",
    }
    dynamodb.put_item(TableName=orders_table, Item=to_attributes(case))
    entry = {
        "pk": f"NOTIFY#{first}",
        "sk": "ENTRY#0000000002#email",
        "entity": "notification",
        "order_id": first,
        "event_id": f"{first}:v2",
        "event_type": "order.confirmed",
        "channel": "email",
        "status": "sent",
        "at": "2026-11-24T10:05:00.000Z",
        "recipient": "l***@example.com",
    }
    dynamodb.put_item(TableName=orders_table, Item=to_attributes(entry))

    status, view = call("GET", f"/v1/customers/{CUSTOMER}")
    assert status == 200, view
    assert [order["order_id"] for order in view["orders"]] == [second, first]
    assert [case["complaint_id"] for case in view["cases"]] == ["cmp_1"]
    assert view["messages"] == {
        "total": 1,
        "by_channel": {"email": {"sent": 1}},
        "last_sent_at": "2026-11-24T10:05:00.000Z",
    }
    assert view["erasure"] is None and view["orders_truncated"] is False

    status, body = call("GET", "/v1/customers/nobody")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = call("DELETE", "/v1/customers/nobody")
    assert status == 404


def test_erase_then_repeat_then_new_order(call: Call, dynamodb: Any, orders_table: str) -> None:
    first = place(call, "k1", order_number="SO-1")["order_id"]
    place(call, "k2")
    call("PUT", f"/v1/customers/{CUSTOMER}/preferences", {"channels": {"email": True, "sms": False}})
    case = {
        "complaint_id": "cmp_9",
        "order_id": first,
        "customer_id": CUSTOMER,
        "opened_at": "2026-11-24T10:00:00.000Z",
    }
    for item in (
        {
            **case,
            "pk": "COMPLAINT#cmp_9",
            "sk": "COMPLAINT",
            "entity": "complaint",
            "description": "Li Wei's parcel",
            "status": "open",
            "gsi1pk": f"CUSTOMER_CASES#{CUSTOMER}",
            "gsi1sk": "2026-11-24T10:00:00.000Z#cmp_9",
        },
        {
            "pk": "COMPLAINT#cmp_9",
            "sk": "ENTRY#e1",
            "entity": "complaint_entry",
            "complaint_id": "cmp_9",
            "type": "reply",
            "at": "x",
            "by": "agent-1",
            "text": "Dear 李伟, we call +8613800138000",
        },
    ):
        dynamodb.put_item(TableName=orders_table, Item=to_attributes(item))
    dynamodb.put_item(
        TableName=orders_table,
        Item=to_attributes(
            {
                "pk": f"FEEDBACK#{first}",
                "sk": "FEEDBACK",
                "entity": "feedback",
                "order_id": first,
                "rating": 2,
                "comment": "Courier Wang was rude",
                "source": "storefront",
                "submitted_at": "x",
                "updated_at": "x",
            }
        ),
    )
    from notifications.adapters.dynamo_suppressions import DynamoSuppressionList

    DynamoSuppressionList(orders_table, dynamodb).suppress(
        "email", "li.wei@example.com", "bounce", "ses", "2026-11-24T10:00:00.000Z"
    )

    status, record = call("DELETE", f"/v1/customers/{CUSTOMER}?requested_by=ops-7")
    assert status == 200, record
    assert record["status"] == "completed" and record["requested_by"] == "ops-7"
    assert record["counts"]["orders"] == 2 and record["counts"]["preferences"] == 1
    assert record["counts"]["complaints"] == 1
    assert record["counts"]["contact_lookups"] == 4 and record["counts"]["suppressions"] == 1

    text = json.dumps(
        [from_attributes(item) for item in table_items(dynamodb, orders_table)], ensure_ascii=False
    )
    for personal in ("li.wei", "13800138000", "李伟", "南京西路", "Wang", "l***@example.com"):
        assert personal not in text, personal
    suppression = items_of(dynamodb, orders_table, "suppression")[0]
    assert set(suppression) == {"pk", "sk", "entity", "channel", "reason", "source", "at"}
    assert [item["pk"].split("#")[1] for item in items_of(dynamodb, orders_table, LOOKUP_ENTITY)] == [
        "number"
    ]
    assert found(call, "phone=%2B8613800138000") == [] and found(call, "email=li.wei@example.com") == []
    order = call("GET", f"/v1/orders/{first}")[1]
    assert order["customer"]["name"] == "[erased]" and order["customer"]["email"] is None
    assert order["shipping_address"]["country"] == "CN" and order["total"] == "221.50"
    assert order["erased_at"]
    view = call("GET", f"/v1/customers/{CUSTOMER}")[1]
    assert view["erasure"]["status"] == "completed" and view["preferences"] is None
    audit = next(item for item in table_items(dynamodb, orders_table) if item["sk"]["S"] == "ERASURE")
    assert "contacts" not in audit

    before = table_items(dynamodb, orders_table)
    status, again = call("DELETE", f"/v1/customers/{CUSTOMER}?requested_by=ops-8")
    assert (status, again) == (200, record)
    assert table_items(dynamodb, orders_table) == before

    exported = call("GET", f"/v1/customers/{CUSTOMER}/export")[1]
    assert len(exported["orders"]) == 2 and exported["erasure"]["status"] == "completed"


def test_an_interrupted_erasure_is_finished_by_the_next_request(
    call: Call, dynamodb: Any, orders_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    place(call, "k1")
    place(call, "k2")
    from customers.adapters.dynamo_customer_data import DynamoCustomerData

    real = DynamoCustomerData.erase_order
    calls = {"n": 0}

    def crash_on_second(self: Any, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the function timed out")
        real(self, *args)

    monkeypatch.setattr(DynamoCustomerData, "erase_order", crash_on_second)
    with pytest.raises(RuntimeError):
        call("DELETE", f"/v1/customers/{CUSTOMER}")
    marker = next(
        from_attributes(i) for i in table_items(dynamodb, orders_table) if i["sk"]["S"] == "ERASURE"
    )
    assert marker["status"] == "in_progress" and len(marker["contacts"]) == 2
    assert len(items_of(dynamodb, orders_table, LOOKUP_ENTITY)) == 2  # the second order's

    monkeypatch.setattr(DynamoCustomerData, "erase_order", real)
    status, record = call("DELETE", f"/v1/customers/{CUSTOMER}")
    assert status == 200 and record["status"] == "completed" and record["counts"]["orders"] == 2
    assert items_of(dynamodb, orders_table, LOOKUP_ENTITY) == []
    assert all(order.get("erased_at") for order in items_of(dynamodb, orders_table, "order"))


@pytest.mark.parametrize("moment", ["-2.5e-95", "12", "1700000000.5"])
def test_a_number_is_not_a_search_time(call: Call, moment: str) -> None:
    status, body = call("GET", f"/v1/orders?created_to={moment}&email=a@example.com")
    assert status == 422 and body["error"]["details"][0]["field"] == "query.created_to"


def test_a_date_or_a_time_is_a_search_time(call: Call) -> None:
    for moment in ("2026-12-01", "2026-12-01T00:00:00Z"):
        status, body = call("GET", f"/v1/orders?created_to={moment}&email=a@example.com")
        assert status == 200, body
