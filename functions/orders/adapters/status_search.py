"""Orders in a status, newest first (or oldest first: `OrderQuery.oldest_first`, a work queue's
order), over the partitions of the status index (`shared.status_index`).

A page queries each partition of the status that is not exhausted once (`Limit` = the page size,
from that partition's position), merges what came back by `gsi2sk` (`<created_at>#<order_id>`,
unique), newest (or oldest) first, and keeps the first `limit`. The next page's cursor holds every partition's
position: the `gsi2sk` of the last order taken from it, `""` if none was taken yet, `"."` once it has
no more. So pages never skip nor repeat an order that stays in the status, exactly as one partition
would. The index holds keys only; the page's orders are read with one BatchGetItem, and only those
still in the status are kept: the index is updated asynchronously, and the statuses a carrier moves
an order through share their partitions (`STATUS_GROUPS`). When that leaves a page short, the
search reads on from its cursor, at most `FILL_ROUNDS` times in all, so a page of a grouped status
has `limit` orders unless the status has no more (or the rounds ran out: the cursor goes on).

A round's Queries run side by side (`READ_THREADS`): each waits on the network, and boto3
clients are thread-safe, so a round costs about one Query's latency rather than sixteen.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from orders.domain.ports import OrderQuery
from orders.models.order import OrderRecord
from shared.dynamo import batch_get, decode_cursor, encode_cursor
from shared.errors import InvalidRequest
from shared.status_index import STATUS_INDEX, status_partitions

FROM_THE_TOP = ""
EXHAUSTED = "."
FILL_ROUNDS = 4
READ_THREADS = 8
_POOL = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="status-search")
_STATUS = "status"
_OLDEST_FIRST = "oldest_first"
"""In an oldest-first cursor only (a newest-first cursor has no such name, as before it existed), so a
cursor read in the other direction is refused rather than skipping orders."""


def _invalid() -> InvalidRequest:
    return InvalidRequest(
        "The cursor is not one this API returned.", details=[{"field": "query.cursor", "issue": "invalid"}]
    )


def _positions(query: OrderQuery, partitions: int) -> list[str]:
    if not query.cursor:
        return [FROM_THE_TOP] * partitions
    names = [str(index) for index in range(partitions)]
    expected = {_STATUS, *names, *([_OLDEST_FIRST] if query.oldest_first else [])}
    plain = {name: value["S"] for name, value in decode_cursor(query.cursor, expected).items()}
    if set(plain) != expected:
        raise _invalid()
    positions = [plain[name] for name in names]
    valid = all(p in (FROM_THE_TOP, EXHAUSTED) or p.count("#") == 1 for p in positions)
    if plain[_STATUS] != query.status or not valid:
        raise _invalid()
    return positions


def _start_key(partition: str, position: str) -> dict[str, Any]:
    order_id = position.partition("#")[2]
    return {
        "pk": {"S": f"ORDER#{order_id}"},
        "sk": {"S": "ORDER"},
        f"{STATUS_INDEX}pk": {"S": partition},
        f"{STATUS_INDEX}sk": {"S": position},
    }


def search_by_status(
    client: Any, table: str, query: OrderQuery, to_order: Any
) -> tuple[list[OrderRecord], str | None]:
    """One page of `query.status` and the next page's cursor (see the module's docstring)."""
    orders, cursor = _one_round(client, table, query, to_order)
    rounds = 1
    while cursor and len(orders) < query.limit and rounds < FILL_ROUNDS:
        more, cursor = _one_round(
            client, table, replace(query, cursor=cursor, limit=query.limit - len(orders)), to_order
        )
        orders += more
        rounds += 1
    return orders, cursor


def _one_round(
    client: Any, table: str, query: OrderQuery, to_order: Any
) -> tuple[list[OrderRecord], str | None]:
    """One `Query` per partition still open, merged; the orders still in the status, and the cursor."""
    assert query.status is not None
    partitions = status_partitions(query.status)
    positions = _positions(query, len(partitions))
    fetched: list[tuple[str, int, dict[str, Any]]] = []  # (gsi2sk, partition, item)
    more = [False] * len(partitions)  # the partition answered with a LastEvaluatedKey

    def read(index: int) -> dict[str, Any]:
        request: dict[str, Any] = {
            "TableName": table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :from AND :to",
            "ExpressionAttributeNames": {"#pk": f"{STATUS_INDEX}pk", "#sk": f"{STATUS_INDEX}sk"},
            "ExpressionAttributeValues": {
                ":pk": {"S": partitions[index]},
                ":from": {"S": query.created_from or "0"},
                ":to": {"S": (query.created_to or "9999") + "~"},
            },
            "ScanIndexForward": query.oldest_first,
            "Limit": query.limit,
        }
        if positions[index] != FROM_THE_TOP:
            request["ExclusiveStartKey"] = _start_key(partitions[index], positions[index])
        return client.query(**request)  # type: ignore[no-any-return]

    open_partitions = [index for index in range(len(partitions)) if positions[index] != EXHAUSTED]
    for index, response in zip(open_partitions, _POOL.map(read, open_partitions), strict=True):
        more[index] = "LastEvaluatedKey" in response
        fetched.extend((item[f"{STATUS_INDEX}sk"]["S"], index, item) for item in response.get("Items", []))
    fetched.sort(key=lambda found: found[0], reverse=not query.oldest_first)
    page, rest = fetched[: query.limit], fetched[query.limit :]
    for sort_key, index, _ in page:
        positions[index] = sort_key
    left_over = {index for _, index, _ in rest}
    for index in range(len(partitions)):
        if positions[index] != EXHAUSTED and not more[index] and index not in left_over:
            positions[index] = EXHAUSTED
    keys = [{"pk": item["pk"], "sk": item["sk"]} for _, _, item in page]
    current = [to_order(item) for item in batch_get(client, table, keys)]
    # An order that left the status since (the index is updated asynchronously), or is in another
    # status of its group, is not shown here: it is found under its own status.
    orders = [order for order in current if order.status == query.status]
    if all(position == EXHAUSTED for position in positions):
        return orders, None
    plain = {
        _STATUS: {"S": query.status},
        **{str(index): {"S": position} for index, position in enumerate(positions)},
        **({_OLDEST_FIRST: {"S": "1"}} if query.oldest_first else {}),
    }
    return orders, encode_cursor(plain)
