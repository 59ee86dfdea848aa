"""The low-stock flag against moto: a claimed stock item is listed in the sparse `LOW_STOCK`
partition of gsi2 until it is re-armed, and the list pages through the index without a scan."""

from __future__ import annotations

from typing import Any

from inventory.adapters.dynamo_low_stock import DynamoLowStockFlags
from inventory.adapters.dynamo_stock import DynamoStock, stock_key

NOW = "2026-11-24T09:00:00.000Z"


def test_a_claimed_sku_is_listed_until_it_recovers_and_is_rearmed(orders_table: str, dynamodb: Any) -> None:
    stock, flags = DynamoStock(orders_table, dynamodb), DynamoLowStockFlags(orders_table, dynamodb)
    stock.set_on_hand("TEA", 3, NOW, low_stock_threshold=10)
    stock.set_on_hand("CUP", 30, NOW, low_stock_threshold=5)

    assert flags.claim_alert("TEA") is True
    assert flags.claim_alert("CUP") is False  # not below its threshold: not flagged, not listed
    assert flags.flagged_skus(10) == ["TEA"]
    item = dynamodb.get_item(TableName=orders_table, Key=stock_key("TEA"))["Item"]
    assert (item["gsi2pk"]["S"], item["gsi2sk"]["S"]) == ("LOW_STOCK", "TEA")

    assert flags.rearm("TEA") is False  # still low: the flag and the listing stay
    assert flags.flagged_skus(10) == ["TEA"]
    stock.set_on_hand("TEA", 40, NOW)
    assert flags.rearm("TEA") is True
    assert flags.flagged_skus(10) == []
    item = dynamodb.get_item(TableName=orders_table, Key=stock_key("TEA"))["Item"]
    assert "gsi2pk" not in item and "gsi2sk" not in item and item["low_stock_alerted"] == {"BOOL": False}


def test_undoing_a_claim_takes_the_sku_off_the_list(orders_table: str, dynamodb: Any) -> None:
    stock, flags = DynamoStock(orders_table, dynamodb), DynamoLowStockFlags(orders_table, dynamodb)
    stock.set_on_hand("TEA", 3, NOW, low_stock_threshold=10)
    assert flags.claim_alert("TEA")
    flags.undo_claim("TEA")  # the alert could not be sent: the next change claims it again
    assert flags.flagged_skus(10) == []
    assert flags.claim_alert("TEA") and flags.flagged_skus(10) == ["TEA"]


def test_the_list_stops_at_its_limit_and_reads_the_index_only(orders_table: str, dynamodb: Any) -> None:
    stock, flags = DynamoStock(orders_table, dynamodb), DynamoLowStockFlags(orders_table, dynamodb)
    skus = [f"SKU-{number:02d}" for number in range(12)]
    for sku in skus:
        stock.set_on_hand(sku, 1, NOW, low_stock_threshold=5)
        assert flags.claim_alert(sku)
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))

    assert flags.flagged_skus(5) == skus[:5]
    assert flags.flagged_skus(50) == skus
    assert set(calls) == {"Query"}
