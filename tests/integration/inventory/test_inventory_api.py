"""Inventory routes end to end against moto: levels, adjustments, audit trail, errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import table_items
from tests.integration.inventory.conftest import Call

SKU = "TEA-OOLONG-250G"


def adjust(call: Call, delta: int, key: str, reason: str = "restock", **extra: Any) -> tuple[int, Any, Any]:
    return call(
        "POST",
        f"/v1/inventory/{SKU}/adjustments",
        {"delta": delta, "reason": reason, **extra},
        {"idempotency-key": key},
    )


def test_put_sets_levels_threshold_and_limit(call: Call) -> None:
    status, level, _ = call(
        "PUT", f"/v1/inventory/{SKU}", {"on_hand": 20, "low_stock_threshold": 5, "max_per_order": 3}
    )
    assert status == 200
    assert (level["on_hand"], level["reserved"], level["available"]) == (20, 0, 20)
    assert (level["low_stock_threshold"], level["max_per_order"]) == (5, 3)

    _, level, _ = call("PUT", f"/v1/inventory/{SKU}", {"on_hand": 8})
    assert (level["on_hand"], level["low_stock_threshold"], level["max_per_order"]) == (8, 0, None)
    status, read, _ = call("GET", f"/v1/inventory/{SKU}")
    assert status == 200 and read == level


def test_an_adjustment_applies_once_per_idempotency_key(call: Call) -> None:
    call("PUT", f"/v1/inventory/{SKU}", {"on_hand": 10})

    status, first, headers = adjust(call, 5, "a-1", note="pallet 7")
    again_status, again, again_headers = adjust(call, 5, "a-1", note="pallet 7")

    assert status == again_status == 200
    assert first["stock"]["on_hand"] == 15 and again["stock"]["on_hand"] == 15
    assert (headers["Idempotent-Replayed"], again_headers["Idempotent-Replayed"]) == ("false", "true")
    assert again["replayed"] is True


def test_the_same_key_with_another_adjustment_is_422(call: Call) -> None:
    call("PUT", f"/v1/inventory/{SKU}", {"on_hand": 10})
    adjust(call, 5, "a-1")
    status, body, _ = adjust(call, 6, "a-1")
    assert status == 422 and body["error"]["code"] == "idempotency_key_reused"
    assert call("GET", f"/v1/inventory/{SKU}")[1]["on_hand"] == 15


def test_an_adjustment_below_zero_is_409_and_writes_nothing(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    call("PUT", f"/v1/inventory/{SKU}", {"on_hand": 3})
    before = table_items(dynamodb, orders_table)

    status, body, _ = adjust(call, -4, "d-1", reason="damage")

    assert status == 409 and body["error"]["code"] == "adjustment_below_reserved"
    assert body["error"]["details"] == {"sku": SKU, "on_hand": 3, "reserved": 0, "delta": -4}
    assert table_items(dynamodb, orders_table) == before


def test_unknown_sku_is_404_for_read_adjust_and_history(call: Call, dynamodb: Any, orders_table: str) -> None:
    assert call("GET", "/v1/inventory/NOPE")[0] == 404
    status, body, _ = call(
        "POST",
        "/v1/inventory/NOPE/adjustments",
        {"delta": 1, "reason": "restock"},
        {"idempotency-key": "n-1"},
    )
    assert status == 404 and body["error"]["code"] == "not_found"
    assert call("GET", "/v1/inventory/NOPE/history")[0] == 404
    assert table_items(dynamodb, orders_table) == []


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        ({"delta": 0, "reason": "restock"}, {"idempotency-key": "k"}, 422, "delta"),
        ({"delta": 1, "reason": "theft"}, {"idempotency-key": "k"}, 422, "reason"),
        ({"delta": 1, "reason": "restock"}, {}, 422, "header.idempotency-key"),
    ],
)
def test_bad_adjustments_are_refused(
    call: Call, dynamodb: Any, orders_table: str, body: Any, headers: dict[str, str], status: int, field: str
) -> None:
    call("PUT", f"/v1/inventory/{SKU}", {"on_hand": 3})
    before = table_items(dynamodb, orders_table)
    got, answer, _ = call("POST", f"/v1/inventory/{SKU}/adjustments", body, headers)
    assert got == status
    assert field in [detail["field"] for detail in answer["error"]["details"]]
    assert table_items(dynamodb, orders_table) == before


def test_history_is_newest_first_and_pages_with_an_opaque_cursor(call: Call) -> None:
    call("PUT", f"/v1/inventory/{SKU}", {"on_hand": 10})
    adjust(call, 5, "a-1")
    adjust(call, -2, "a-2", reason="damage", note="crushed")
    adjust(call, -2, "a-2", reason="damage", note="crushed")  # a retry adds no record

    _, first, _ = call("GET", f"/v1/inventory/{SKU}/history?limit=2")
    _, second, _ = call("GET", f"/v1/inventory/{SKU}/history?limit=2&cursor={first['next_cursor']}")

    entries = first["entries"] + second["entries"]
    assert [(e["kind"], e["on_hand_delta"], e.get("reason")) for e in entries] == [
        ("adjust", -2, "damage"),
        ("adjust", 5, "restock"),
        ("set", 10, None),
    ]
    assert entries[0]["note"] == "crushed"
    assert second["next_cursor"] is None
    status, body, _ = call("GET", f"/v1/inventory/{SKU}/history?cursor=bogus")
    assert status == 400 and body["error"]["code"] == "invalid_request"


def test_the_history_schema_documents_the_orders_of_a_group_reservation(call: Call) -> None:
    status, document, _ = call("GET", "/openapi.json", headers={"x-api-key": ""})
    assert status == 200
    schemas = document["components"]["schemas"]
    orders = schemas["StockHistoryEntry"]["properties"]["orders"]
    assert "orders of the group commit" in orders["description"]
    assert orders["anyOf"][0]["items"] == {"$ref": "#/components/schemas/ReservedOrder"}
    assert set(schemas["ReservedOrder"]["required"]) == {"order_id", "quantity"}
