"""Orders in a status, newest first, over the shards of the status index (`shared.status_index`).

A page queries each shard of the status that is not exhausted once (`Limit` = the page size, from
that shard's position), merges what came back by `gsi2sk` (`<created_at>#<order_id>`, unique),
newest first, and keeps the first `limit`. The next page's cursor holds every shard's position: the
`gsi2sk` of the last order taken from it, `""` if none was taken yet, `"."` once it has no more. So
pages never skip nor repeat an order that stays in the status, exactly as one partition would.
The index holds keys only; the page's orders are read with one BatchGetItem.
"""

from __future__ import annotations

from typing import Any

from orders.domain.ports import OrderQuery
from orders.models.order import OrderRecord
from shared.dynamo import batch_get, decode_cursor, encode_cursor
from shared.errors import InvalidRequest
from shared.status_index import STATUS_INDEX, STATUS_INDEX_SHARDS, status_partitions

FROM_THE_TOP = ""
EXHAUSTED = "."
_STATUS = "status"
_SHARDS = [str(shard) for shard in range(STATUS_INDEX_SHARDS)]


def _invalid() -> InvalidRequest:
    return InvalidRequest(
        "The cursor is not one this API returned.", details=[{"field": "query.cursor", "issue": "invalid"}]
    )


def _positions(query: OrderQuery) -> list[str]:
    if not query.cursor:
        return [FROM_THE_TOP] * STATUS_INDEX_SHARDS
    plain = {name: value["S"] for name, value in decode_cursor(query.cursor, {_STATUS, *_SHARDS}).items()}
    positions = [plain[shard] for shard in _SHARDS]
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
    """One page of `query.status` (one `Query` per shard still open), and the next page's cursor."""
    assert query.status is not None
    positions = _positions(query)
    fetched: list[tuple[str, int, dict[str, Any]]] = []  # (gsi2sk, shard, item)
    more = [False] * STATUS_INDEX_SHARDS  # the shard answered with a LastEvaluatedKey
    for shard, partition in enumerate(status_partitions(query.status)):
        if positions[shard] == EXHAUSTED:
            continue
        request: dict[str, Any] = {
            "TableName": table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :from AND :to",
            "ExpressionAttributeNames": {"#pk": f"{STATUS_INDEX}pk", "#sk": f"{STATUS_INDEX}sk"},
            "ExpressionAttributeValues": {
                ":pk": {"S": partition},
                ":from": {"S": query.created_from or "0"},
                ":to": {"S": (query.created_to or "9999") + "~"},
            },
            "ScanIndexForward": False,
            "Limit": query.limit,
        }
        if positions[shard] != FROM_THE_TOP:
            request["ExclusiveStartKey"] = _start_key(partition, positions[shard])
        response = client.query(**request)
        more[shard] = "LastEvaluatedKey" in response
        fetched.extend((item[f"{STATUS_INDEX}sk"]["S"], shard, item) for item in response.get("Items", []))
    fetched.sort(key=lambda found: found[0], reverse=True)
    page, rest = fetched[: query.limit], fetched[query.limit :]
    for sort_key, shard, _ in page:
        positions[shard] = sort_key
    left_over = {shard for _, shard, _ in rest}
    for shard in range(STATUS_INDEX_SHARDS):
        if positions[shard] != EXHAUSTED and not more[shard] and shard not in left_over:
            positions[shard] = EXHAUSTED
    keys = [{"pk": item["pk"], "sk": item["sk"]} for _, _, item in page]
    current = [to_order(item) for item in batch_get(client, table, keys)]
    # The index holds keys only and is updated asynchronously: an order that left the status since
    # is not shown in it (it is found under its new status).
    orders = [order for order in current if order.status == query.status]
    if all(position == EXHAUSTED for position in positions):
        return orders, None
    plain = {_STATUS: {"S": query.status}, **{shard: {"S": positions[int(shard)]} for shard in _SHARDS}}
    return orders, encode_cursor(plain)
