"""`python -m inventory.reconcile [--repair]` (with `functions/` on PYTHONPATH): report, and with
`--repair` fix, stock counters that disagree with the live reservations of orders.

An admin tool, run by an operator: it reads the whole orders table with a paginated Scan (the one
place in ordertrack that scans; nothing on a request path does). A scan is not a snapshot, so an
order being reserved while it runs can show as drift; run it twice, or when quiet: a repair is
conditional on the stock item being unchanged since it was read, and writes an audit record.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from inventory import dependencies
from inventory.adapters.dynamo_stock import HISTORY_ENTITY, STOCK_ENTITY, history_put, stock_key
from inventory.domain.reconcile import SkuDrift, StockCounters, find_drift
from inventory.models.api import HistoryKind
from orders.domain.lifecycle import HOLDS_STOCK
from shared.clock import isoformat
from shared.dynamo import from_attributes

REPAIR_ACTOR = "admin:reconcile"


def _items(client: Any, table: str) -> Iterator[dict[str, Any]]:
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        response = client.scan(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def read_books(
    client: Any, table: str
) -> tuple[dict[str, StockCounters], dict[str, int], dict[str, tuple[int, int]]]:
    counters: dict[str, StockCounters] = {}
    live: dict[str, int] = {}
    trail: dict[str, tuple[int, int]] = {}
    holding = {status.value for status in HOLDS_STOCK}
    for raw in _items(client, table):
        entity = raw.get("entity", {}).get("S")
        if entity == STOCK_ENTITY:
            item = from_attributes(raw)
            counters[item["sku"]] = StockCounters(
                item["sku"],
                int(item.get("on_hand", 0)),
                int(item.get("reserved", 0)),
                int(item.get("available", 0)),
            )
        elif entity == "order" and (
            raw.get("status", {}).get("S") in holding or "reshipments" in raw  # docs/reshipments.md
        ):
            for sku, quantity in from_attributes(raw).get("reservation", {}).items():
                live[sku] = live.get(sku, 0) + int(quantity)
        elif entity == HISTORY_ENTITY:
            item = from_attributes(raw)
            on_hand, reserved = trail.get(item["sku"], (0, 0))
            trail[item["sku"]] = (
                on_hand + int(item.get("on_hand_delta", 0)),
                reserved + int(item.get("reserved_delta", 0)),
            )
    return counters, live, trail


def repair(client: Any, table: str, drift: SkuDrift, now: str) -> bool:
    """Set reserved/available from the live reservations, with an audit record, if the stock item
    still holds what was read. False if it changed meanwhile (run again)."""
    stock = drift.counters
    history = history_put(
        table,
        stock.sku,
        HistoryKind.REPAIR,
        now,
        "reconcile",
        REPAIR_ACTOR,
        on_hand_delta=drift.trail_correction[0],
        reserved_delta=drift.trail_correction[1],
        note=f"reserved {stock.reserved} -> {drift.repaired_reserved}, available {stock.available} -> "
        f"{drift.repaired_available}",
    )
    update = {
        "Update": {
            "TableName": table,
            "Key": stock_key(stock.sku),
            "UpdateExpression": "SET reserved = :reserved, available = :available, updated_at = :now",
            "ConditionExpression": "on_hand = :on_hand AND reserved = :old_reserved AND available = :old_available",
            "ExpressionAttributeValues": {
                ":reserved": {"N": str(drift.repaired_reserved)},
                ":available": {"N": str(drift.repaired_available)},
                ":now": {"S": now},
                ":on_hand": {"N": str(stock.on_hand)},
                ":old_reserved": {"N": str(stock.reserved)},
                ":old_available": {"N": str(stock.available)},
            },
        }
    }
    try:
        client.transact_write_items(TransactItems=[update, history])
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        return False
    return True


def reconcile(client: Any, table: str, *, fix: bool, out: Any = sys.stdout) -> list[SkuDrift]:
    counters, live, trail = read_books(client, table)
    drifts = find_drift(counters, live, trail)
    print(f"{len(counters)} SKUs checked, {len(drifts)} with drift", file=out)
    now = isoformat(dependencies.clock().now())
    for drift in drifts:
        stock = drift.counters
        print(
            f"{drift.sku}: on_hand {stock.on_hand} reserved {stock.reserved} available {stock.available}"
            f" | live reservations {drift.live_reserved}: " + "; ".join(drift.problems),
            file=out,
        )
        if fix and drift.repairable:
            done = repair(client, table, drift, now)
            outcome = (
                f"repaired: reserved {drift.repaired_reserved}, available {drift.repaired_available}"
                if done
                else "changed while reading; run again"
            )
            print(f"  {outcome}", file=out)
    return drifts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inventory.reconcile", description=__doc__)
    parser.add_argument("--table", default=os.environ.get("ORDERS_TABLE_NAME"), help="orders table name")
    parser.add_argument("--repair", action="store_true", help="fix reserved/available with an audit record")
    args = parser.parse_args(argv)
    if not args.table:
        parser.error("--table (or ORDERS_TABLE_NAME) is required")
    import boto3  # AWS_ENDPOINT_URL points it at a local moto server

    drifts = reconcile(boto3.client("dynamodb"), args.table, fix=args.repair)
    return 1 if drifts and not args.repair else 0


if __name__ == "__main__":
    sys.exit(main())
