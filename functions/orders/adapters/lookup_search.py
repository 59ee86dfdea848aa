"""The order keys a search by lookup (phone, email, order number) or tracking number finds: one
Query of the lookup partition, newest first, or one GetItem of the tracking link. Never a scan."""

from __future__ import annotations

from typing import Any

from orders.adapters.order_lookups import lookup_partition
from orders.domain.ports import OrderQuery
from shared.dynamo import decode_cursor, encode_cursor


def lookup_order_keys(client: Any, table: str, query: OrderQuery) -> tuple[list[dict[str, Any]], str | None]:
    """The keys of the order items the page holds, and the next page's cursor."""
    if query.tracking_number:
        link = client.get_item(
            TableName=table,
            Key={"pk": {"S": f"TRACKING#{query.tracking_number}"}, "sk": {"S": "LINK"}},
            ConsistentRead=True,
        ).get("Item")
        order_id = (link or {}).get("order_id", {}).get("S")
        if not order_id:
            return [], None
        return [{"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}}], None
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
        "ExpressionAttributeValues": {
            ":pk": {"S": lookup_partition(str(query.lookup_kind), str(query.lookup_key))},
            ":from": {"S": query.created_from or "0"},
            ":to": {"S": (query.created_to or "9999") + "~"},
        },
        "ScanIndexForward": False,
        "Limit": query.limit,
    }
    if query.cursor:
        request["ExclusiveStartKey"] = decode_cursor(query.cursor, {"pk", "sk"})
    response = client.query(**request)
    keys = [
        {"pk": {"S": f"ORDER#{item['order_id']['S']}"}, "sk": {"S": "ORDER"}}
        for item in response.get("Items", [])
    ]
    return keys, encode_cursor(response.get("LastEvaluatedKey"))
