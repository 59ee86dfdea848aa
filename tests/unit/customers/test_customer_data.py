"""The customer view, export and erasure over an in-memory store: what each kind of item loses,
that the export holds every item of the customer, and that erasure is idempotent and resumable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customers.domain.customer_data import customer_view, export_customer
from customers.domain.erasure import erase_customer
from customers.domain.erasure_plan import (
    REDACTED,
    complaint_redaction,
    feedback_redaction,
    notification_redaction,
    order_redaction,
    return_redaction,
    suppression_redaction,
)
from orders.domain.order_lookups import derive_lookup_secret, keyed_hash
from shared.errors import NotFound
from tests.fakes.customers import InMemoryCustomerStore
from tests.fakes.orders import FrozenClock

CUSTOMER = "cust-1"
PERSONAL = (
    "Li Wei",
    "li.wei@example.com",
    "+8613800138000",
    "Nanjing Road",
    "Shanghai",
    "call me",
    "l***@example.com",
    "rude",
)


def hasher(kind: str, normalised: str) -> str:
    return keyed_hash(derive_lookup_secret("k"), kind, normalised)  # type: ignore[arg-type]


def order_item(order_id: str, created_at: str) -> dict[str, Any]:
    return {
        "pk": f"ORDER#{order_id}",
        "sk": "ORDER",
        "entity": "order",
        "order_id": order_id,
        "order_number": "SO-" + order_id,
        "status": "cancelled",
        "customer": {
            "id": CUSTOMER,
            "name": "Li Wei",
            "email": "li.wei@example.com",
            "phone": "+8613800138000",
            "locale": "en",
        },
        "shipping_address": {
            "name": "Li Wei",
            "line1": "1 Nanjing Road",
            "city": "Shanghai",
            "country": "CN",
        },
        "items": [{"sku": "TEA", "name": "Tea", "quantity": 1, "unit_price": "10.00"}],
        "currency": "CNY",
        "total": "10.00",
        "created_at": created_at,
        "updated_at": created_at,
        "version": 2,
        "request_hash": "h",
        "timeline": [
            {"status": "received", "at": created_at, "by": "storefront"},
            {
                "status": "cancelled",
                "at": created_at,
                "by": "storefront",
                "details": {"reason": "call me instead"},
            },
        ],
    }


def customer_items() -> list[dict[str, Any]]:
    first, second = (
        order_item("ord_a", "2026-11-20T10:00:00.000Z"),
        order_item("ord_b", "2026-11-22T10:00:00.000Z"),
    )
    lookups = [
        {
            "pk": f"LOOKUP#{kind}#{hasher(kind, value)}",
            "sk": f"{o['created_at']}#{o['order_id']}",
            "entity": "order_lookup",
            "order_id": o["order_id"],
        }
        for o in (first, second)
        for kind, value in (("phone", "+8613800138000"), ("email", "li.wei@example.com"))
    ]
    email_ref = InMemoryCustomerStore().suppression_ref("email", "li.wei@example.com")
    return [
        first,
        second,
        *lookups,
        {"pk": "ORDER#ord_a", "sk": "SHIPMENT#shp_1", "entity": "shipment", "shipment_id": "shp_1"},
        {
            "pk": "ORDER#ord_a",
            "sk": "RETURN#ret_1",
            "entity": "return",
            "return_id": "ret_1",
            "order_id": "ord_a",
            "status": "approved",
            "reason": "rude courier",
            "reason_code": "other",
            "history": [{"status": "requested", "at": "x", "by": "customer", "note": "call me"}],
        },
        {
            "pk": "FEEDBACK#ord_a",
            "sk": "FEEDBACK",
            "entity": "feedback",
            "order_id": "ord_a",
            "rating": 1,
            "comment": "rude courier",
        },
        {
            "pk": "NOTIFY#ord_a",
            "sk": "ENTRY#0000000001#email",
            "entity": "notification",
            "channel": "email",
            "status": "sent",
            "at": "2026-11-20T10:01:00.000Z",
            "recipient": "l***@example.com",
            "idempotency_data": "{}",
        },
        {
            "pk": "NOTIFY#ord_a",
            "sk": "ENTRY#0000000002#sms",
            "entity": "notification",
            "channel": "sms",
            "status": "suppressed",
            "at": "2026-11-20T10:02:00.000Z",
            "recipient": "+86*******8000",
        },
        {
            "pk": "NOTIFY#ord_a",
            "sk": "LATEST",
            "entity": "notification_latest",
            "latest_email": 2,
            "scheduled_email": {"status": "scheduled", "recipient": "l***@example.com"},
        },
        {
            "pk": "COMPLAINT#cmp_1",
            "sk": "COMPLAINT",
            "entity": "complaint",
            "complaint_id": "cmp_1",
            "customer_id": CUSTOMER,
            "opened_at": "2026-11-21T00:00:00.000Z",
            "description": "Li Wei: call me",
            "status": "resolved",
            "resolution": "refunded Li Wei",
            "notes": [{"at": "x", "text": "customer was rude"}],
        },
        {
            "pk": "COMPLAINT#cmp_1",
            "sk": "REPLY#2026-11-21T01:00:00.000Z",
            "entity": "case_reply",
            "body": "Dear Li Wei, ...",
        },
        {
            "pk": f"CUSTOMER#{CUSTOMER}",
            "sk": "PREFERENCES",
            "entity": "preferences",
            "customer_id": CUSTOMER,
            "channels": {"email": True, "sms": False},
        },
        {
            "pk": email_ref,
            "sk": "SUPPRESSION",
            "entity": "suppression",
            "channel": "email",
            "reason": "bounce",
            "recipient": "l***@example.com",
        },
        # someone else's
        {
            **order_item("ord_z", "2026-11-23T10:00:00.000Z"),
            "customer": {"id": "other", "name": "Zhang", "email": "z@example.org", "locale": "en"},
        },
    ]


@pytest.fixture
def store() -> InMemoryCustomerStore:
    return InMemoryCustomerStore(customer_items())


def test_each_kind_of_item_loses_its_personal_data_and_keeps_what_the_kpis_read() -> None:
    items = {item["sk"] if item["entity"] != "order" else item["order_id"]: item for item in customer_items()}
    order = order_redaction(items["ord_a"], "2026-12-01T00:00:00.000Z")
    assert order is not None and order.bump_version
    assert order.remove == ("customer.name", "customer.email", "customer.phone")
    assert order.set == {
        "erased_at": "2026-12-01T00:00:00.000Z",
        "shipping_address": {"country": "CN"},
        "timeline[1].details.reason": REDACTED,
    }
    assert return_redaction(items["RETURN#ret_1"]).set == {"reason": REDACTED, "history[0].note": REDACTED}  # type: ignore[union-attr]
    assert feedback_redaction(items["FEEDBACK"]).set == {"comment": REDACTED}  # type: ignore[union-attr]
    assert complaint_redaction(items["COMPLAINT"]).set == {
        "description": REDACTED,
        "resolution": REDACTED,
        "notes[0].text": REDACTED,
    }  # type: ignore[union-attr]
    assert notification_redaction(items["ENTRY#0000000001#email"]).remove == ("recipient",)  # type: ignore[union-attr]
    assert notification_redaction(items["LATEST"]).remove == ("scheduled_email.recipient",)  # type: ignore[union-attr]
    assert suppression_redaction(items["SUPPRESSION"]).remove == ("recipient",)  # type: ignore[union-attr]
    # already erased: nothing more to write
    assert order_redaction({**items["ord_a"], "erased_at": "x"}, "y") is None
    assert feedback_redaction({**items["FEEDBACK"], "comment": REDACTED}) is None
    assert feedback_redaction({**items["FEEDBACK"], "comment": ""}) is None


def test_the_view_is_the_customers_own_and_counts_their_messages(store: InMemoryCustomerStore) -> None:
    view = customer_view(CUSTOMER, store)
    assert [order["order_id"] for order in view["orders"]] == ["ord_b", "ord_a"]
    assert [case["complaint_id"] for case in view["cases"]] == ["cmp_1"]
    assert [ret["return_id"] for ret in view["returns"]] == ["ret_1"]
    assert view["preferences"]["channels"] == {"email": True, "sms": False}
    assert view["messages"] == {
        "total": 2,
        "by_channel": {"email": {"sent": 1}, "sms": {"suppressed": 1}},
        "last_sent_at": "2026-11-20T10:01:00.000Z",
    }
    with pytest.raises(NotFound):
        customer_view("nobody", store)


def test_the_export_holds_every_item_of_the_customer_without_storage_keys(
    store: InMemoryCustomerStore,
) -> None:
    exported = export_customer(CUSTOMER, store, FrozenClock())
    text = json.dumps(exported)
    # every item of the customer is in it, by its own id or content
    for expected in ("ord_a", "ord_b", "shp_1", "ret_1", "rude courier", "cmp_1", "bounce"):
        assert expected in text, expected
    assert [o["order"]["order_id"] for o in exported["orders"]] == ["ord_b", "ord_a"]
    first = exported["orders"][1]
    assert first["feedback"]["comment"] == "rude courier"
    assert [entry["channel"] for entry in first["notifications"]] == ["email", "sms"]
    assert exported["complaints"][0]["notes"] == [{"at": "x", "text": "customer was rude"}]
    assert exported["complaints"][0]["case_items"] == [{"body": "Dear Li Wei, ..."}]
    assert exported["preferences"]["channels"] == {"email": True, "sms": False}
    assert [s["reason"] for s in exported["suppressions"]] == ["bounce"]
    assert "ord_z" not in text and "Zhang" not in text
    assert '"pk"' not in text and "idempotency_data" not in text and "request_hash" not in text


def test_erasure_leaves_no_personal_data_and_is_audited(store: InMemoryCustomerStore) -> None:
    record = erase_customer(CUSTOMER, "ops-1", store, hasher, FrozenClock())
    assert record["status"] == "completed" and record["requested_by"] == "ops-1"
    assert record["counts"] == {
        "orders": 2,
        "returns": 1,
        "feedback": 1,
        "complaints": 1,
        "notification_entries": 2,
        "preferences": 1,
        "contact_lookups": 4,
        "suppressions": 1,
    }
    mine = [item for item in store.items.values() if "ord_z" not in item["pk"]]
    text = json.dumps(mine)
    for personal in PERSONAL:
        assert personal not in text, personal
    assert not [item for item in store.items.values() if item["entity"] == "order_lookup"]
    order = store.items[("ORDER#ord_a", "ORDER")]
    assert order["total"] == "10.00" and order["status"] == "cancelled" and order["items"][0]["sku"] == "TEA"
    assert order["customer"] == {"id": CUSTOMER, "locale": "en"} and order["version"] == 3
    assert ("SUPPRESSION", "SUPPRESSION") not in store.items
    assert any(item["entity"] == "suppression" for item in store.items.values())  # still suppressed
    audit = store.items[(f"CUSTOMER#{CUSTOMER}", "ERASURE")]
    assert "contacts" not in audit and "li.wei" not in json.dumps(audit)
    assert store.items[("ORDER#ord_z", "ORDER")]["customer"]["name"] == "Zhang"


def test_a_repeat_answers_the_same_and_writes_nothing(store: InMemoryCustomerStore) -> None:
    first = erase_customer(CUSTOMER, "ops-1", store, hasher, FrozenClock())
    store.writes.clear()
    assert erase_customer(CUSTOMER, "ops-2", store, hasher, FrozenClock()) == first
    assert store.writes == []


def test_an_interrupted_erasure_keeps_its_marker_and_the_next_run_finishes(
    store: InMemoryCustomerStore,
) -> None:
    store.fail_on_erase_order = 2
    with pytest.raises(RuntimeError):
        erase_customer(CUSTOMER, "ops-1", store, hasher, FrozenClock())
    marker = store.items[(f"CUSTOMER#{CUSTOMER}", "ERASURE")]
    assert marker["status"] == "in_progress" and len(marker["contacts"]) == 2
    assert store.items[("ORDER#ord_b", "ORDER")].get("erased_at")  # the newest, first
    assert not store.items[("ORDER#ord_a", "ORDER")].get("erased_at")

    store.fail_on_erase_order = None
    record = erase_customer(CUSTOMER, "ops-2", store, hasher, FrozenClock())
    assert record["status"] == "completed" and record["requested_by"] == "ops-1"
    assert not [item for item in store.items.values() if item["entity"] == "order_lookup"]
    assert "li.wei" not in json.dumps([i for i in store.items.values() if "ord_z" not in i["pk"]])


def test_an_unknown_customer_is_404_and_writes_nothing(store: InMemoryCustomerStore) -> None:
    with pytest.raises(NotFound):
        erase_customer("nobody", "ops-1", store, hasher, FrozenClock())
    assert store.writes == []
