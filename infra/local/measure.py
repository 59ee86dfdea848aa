"""Measurements of the local moto server, reusable by tests and ``make bench``.

``transaction_cost(endpoint, items)`` creates a scratch table holding ``items`` items in the moto
server at ``endpoint`` and returns the median wall-clock seconds of one ``TransactWriteItems``
(a conditional counter update plus a put) against it. Compare results at different ``items``
within one run, as ratios; absolute times depend on the machine.

``transaction_cost_by_table_size`` starts its own patched and unpatched moto servers and returns
``{"patched": {items: seconds}, "unpatched": {items: seconds}}``.
"""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.local.moto_process import MotoServer, local_client

_BATCH = 25


def create_scratch_table(client: Any, table: str) -> None:
    """A table keyed by string ``pk``, with a stream (as the app's tables have: it adds to the copy)."""
    client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def fill_table(client: Any, table: str, items: int, workers: int = 4) -> None:
    def write(start: int) -> None:
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": f"item-{index:06d}"}, "payload": {"S": "x" * 64}}}}
            for index in range(start, min(start + _BATCH, items))
        ]
        client.batch_write_item(RequestItems={table: requests})

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(write, range(0, items, _BATCH)))


def transaction_cost(endpoint: str, items: int, transactions: int = 20) -> float:
    """Median seconds of one ``TransactWriteItems`` on a fresh table already holding ``items`` items.

    The median of ``transactions`` timed one by one, so a load spike on a shared machine does not
    move it.
    """
    client = local_client("dynamodb", endpoint)
    table = f"transaction-cost-{uuid.uuid4().hex[:8]}"
    create_scratch_table(client, table)
    try:
        fill_table(client, table, items)
        client.put_item(TableName=table, Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
        durations = []
        for index in range(transactions):
            started = time.perf_counter()
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table,
                            "Key": {"pk": {"S": "counter"}},
                            "UpdateExpression": "SET n = n + :one",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                    {"Put": {"TableName": table, "Item": {"pk": {"S": f"txn-{index}"}, "n": {"N": "1"}}}},
                ]
            )
            durations.append(time.perf_counter() - started)
        return statistics.median(durations)
    finally:
        client.delete_table(TableName=table)


def transaction_cost_by_table_size(
    sizes: tuple[int, ...] = (0, 2_000, 10_000), transactions: int = 20
) -> dict[str, dict[int, float]]:
    results: dict[str, dict[int, float]] = {}
    for label, patched in (("patched", True), ("unpatched", False)):
        with MotoServer(patched=patched) as moto:
            results[label] = {size: transaction_cost(moto.endpoint, size, transactions) for size in sizes}
    return results


if __name__ == "__main__":
    for label, costs in transaction_cost_by_table_size().items():
        rendered = ", ".join(f"{size} items: {seconds * 1000:.1f} ms" for size, seconds in costs.items())
        print(f"{label}: {rendered}")
