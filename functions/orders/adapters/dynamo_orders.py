"""Orders in the single DynamoDB table (see docs/data-model.md).

Item: pk `ORDER#<order_id>`, sk `ORDER`, `entity` = `order`, the order's fields, and index keys
`gsi1pk` = `CUSTOMER#<customer_id>` / `gsi1sk` = `<created_at>#<order_id>` (orders of a customer)
and `gsi2pk` = `STATUS#<status>#<shard>` / `gsi2sk` = `<created_at>#<order_id>` (orders by status,
spread over the shards of `shared.status_index`; read by `orders.adapters.status_search`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from orders.adapters.lookup_search import lookup_order_keys
from orders.adapters.order_lookups import lookup_actions, lookup_item
from orders.adapters.status_search import search_by_status
from orders.adapters.timeline_items import shipment_checkpoints, timeline_entry, timeline_item
from orders.domain.carrier_entries import expand, has_references, named_shipments
from orders.domain.order_lookups import LookupChanges, OrderLookup
from orders.domain.ports import OrderAlreadyExists, OrderQuery
from orders.models.api import Shipment, TimelineEntry
from orders.models.order import OrderRecord
from shared.checkpoint_records import last_checkpoint_at
from shared.dynamo import (
    batch_get,
    cancellation_codes,
    encode_cursor,
    from_attributes,
    to_attribute,
    to_attributes,
)
from shared.dynamo import decode_cursor as decode_dynamo_cursor
from shared.order_numbers import short_order_code
from shared.status_index import status_partition

ORDER_SK = "ORDER"
SHIPMENT_SK_PREFIX = "SHIPMENT#"


def order_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": ORDER_SK}}


def shipment_key(order_id: str, shipment_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": f"{SHIPMENT_SK_PREFIX}{shipment_id}"}}


NOT_STORED_AT_DEFAULT: dict[str, Any] = {
    "hold_reasons": [],
    "short_items": [],
    "reservation": {},
    "reservation_progress": 0,
    "reshipments": [],
    "reshipment_keys": {},
    "edit_keys": {},
}
"""Attributes the order item leaves out while they hold their default (the model's own default when
read): every write of an order rewrites, and bills, the whole item. A write that sets one back to
its default removes it."""


def _at_default(name: str, value: Any) -> bool:
    return name in NOT_STORED_AT_DEFAULT and value == NOT_STORED_AT_DEFAULT[name]


def order_item(order: OrderRecord) -> dict[str, Any]:
    """The whole item of a new order: its shipments are items of their own, carrier entries are kept
    as references (`orders.adapters.timeline_items`), defaults are left out (the order number too when
    it is the code derived from the order id)."""
    values = order.model_dump(mode="json", exclude_none=True, exclude={"shipments"})
    values = {name: value for name, value in values.items() if not _at_default(name, value)}
    if values.get("order_number") == short_order_code(order.order_id):
        del values["order_number"]  # derived from the id on read (OrderRecord): no bytes billed for it
    values["timeline"] = [timeline_item(entry) for entry in order.timeline]
    index_sort = f"{order.created_at}#{order.order_id}"
    values.update(
        pk=f"ORDER#{order.order_id}",
        sk=ORDER_SK,
        entity="order",
        gsi1pk=f"CUSTOMER#{order.customer.id}",
        gsi1sk=index_sort,
        gsi2pk=status_partition(order.status.value, order.order_id),
        gsi2sk=index_sort,
    )
    return to_attributes(values)


def order_from_item(item: dict[str, Any]) -> OrderRecord:
    """The order item as stored: carrier entries kept as references stay references (`with_shipments`
    fills in their details)."""
    values = from_attributes(item)
    if "timeline" in values:
        values["timeline"] = [timeline_entry(entry) for entry in values["timeline"]]
    return OrderRecord.model_validate(values)


def with_shipments(order: OrderRecord, shipments: list[dict[str, Any]]) -> OrderRecord:
    """The order with its shipment items (plain values): `shipments` set, and the details of its
    carrier entries read from their checkpoints (`orders.domain.carrier_entries.expand`)."""
    update: dict[str, Any] = {}
    if shipments:
        update["shipments"] = [
            Shipment.model_validate({**shipment, "last_checkpoint_at": last_checkpoint_at(shipment)})
            for shipment in shipments
        ]
    if has_references(order.timeline):
        update["timeline"] = expand(
            order.timeline, [shipment_checkpoints(shipment) for shipment in shipments]
        )
    return order.model_copy(update=update) if update else order


def transition_update(
    table: str,
    order: OrderRecord,
    entry: TimelineEntry,
    set_values: dict[str, Any] | None = None,
    remove: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A TransactWriteItems `Update` moving `order` from the status and version it was read at to
    `entry.status`, appending `entry` to its timeline; nothing happens if the order changed since."""
    names = {"#status": "status"}
    values: dict[str, Any] = {
        ":from": {"S": order.status.value},
        ":to": {"S": entry.status},
        ":version": {"N": str(order.version)},
        ":one": {"N": "1"},
        ":entry": to_attribute([timeline_item(entry)]),
        ":now": {"S": entry.at},
        ":gsi2pk": {"S": status_partition(entry.status, order.order_id)},
    }
    assignments = [
        "#status = :to",
        "version = version + :one",
        "timeline = list_append(timeline, :entry)",
        "updated_at = :now",
        "gsi2pk = :gsi2pk",
    ]
    to_set = {name: value for name, value in (set_values or {}).items() if not _at_default(name, value)}
    remove = (*remove, *(name for name in set_values or {} if name not in to_set))
    for index, (name, value) in enumerate(to_set.items()):
        names[f"#s{index}"] = name
        values[f":s{index}"] = to_attribute(value)
        assignments.append(f"#s{index} = :s{index}")
    expression = "SET " + ", ".join(assignments)
    if remove:
        for index, name in enumerate(remove):
            names[f"#r{index}"] = name
        expression += " REMOVE " + ", ".join(f"#r{index}" for index in range(len(remove)))
    return {
        "Update": {
            "TableName": table,
            "Key": order_key(order.order_id),
            "UpdateExpression": expression,
            "ConditionExpression": "#status = :from AND version = :version",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def decode_cursor(cursor: str, index: str) -> dict[str, Any]:
    return decode_dynamo_cursor(cursor, {"pk", "sk", f"{index}pk", f"{index}sk"})


class DynamoOrderRepository:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def create(self, order: OrderRecord, lookups: Sequence[OrderLookup] = ()) -> None:
        """One conditional PutItem; with lookups, one transaction of the order and its lookup items
        (a retry with the same key is refused on the order's condition and writes nothing)."""
        put = {
            "TableName": self._table,
            "Item": order_item(order),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            if lookups:
                found = [{"Put": {"TableName": self._table, "Item": lookup_item(one)}} for one in lookups]
                self._client.transact_write_items(TransactItems=[{"Put": put}, *found])
            else:
                self._client.put_item(**put)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            taken = code == "ConditionalCheckFailedException" or (
                code == "TransactionCanceledException"
                and cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]
            )
            if not taken:
                raise
            existing = self.get(order.order_id)
            if existing is None:  # pragma: no cover - the item cannot vanish: orders are never deleted
                raise
            raise OrderAlreadyExists(existing) from None

    def get(self, order_id: str) -> OrderRecord | None:
        """The order and its shipments: one strongly consistent query of the order's partition (more
        pages only if the partition outgrows 1 MB: shipments keep their checkpoints, returns live there)."""
        items = self._partition(order_id)
        order_items = [item for item in items if item["sk"]["S"] == ORDER_SK]
        if not order_items:
            return None
        shipments = [
            from_attributes(item) for item in items if item["sk"]["S"].startswith(SHIPMENT_SK_PREFIX)
        ]
        return with_shipments(order_from_item(order_items[0]), shipments)

    def transition(
        self,
        order: OrderRecord,
        entry: TimelineEntry,
        set_values: dict[str, Any] | None = None,
        remove: tuple[str, ...] = (),
        lookups: LookupChanges | None = None,
    ) -> bool:
        """Move the order to `entry.status` if it is still as it was read; False otherwise. With
        `lookups` (an edit of the contact), they are written in the same transaction."""
        update = transition_update(self._table, order, entry, set_values, remove)
        extra = lookup_actions(self._table, lookups) if lookups else []
        try:
            if extra:  # an edit of the contact: its lookups change in the same transaction
                self._client.transact_write_items(TransactItems=[update, *extra])
            else:
                self._client.update_item(**update["Update"])
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "TransactionCanceledException" and cancellation_codes(error)[:1] == [
                "ConditionalCheckFailed"
            ]:
                return False
            if code != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def search(self, query: OrderQuery) -> tuple[list[OrderRecord], str | None]:
        """Newest first, from gsi1 (a customer's orders) or gsi2 (orders in a status, one query per
        shard, merged), or a lookup partition (phone, email, order number) or tracking link; never a
        scan. The indexes and lookups hold keys only: a page's orders are read with one BatchGetItem."""
        if query.lookup_kind or query.tracking_number:
            keys, cursor = lookup_order_keys(self._client, self._table, query)
            found = [order_from_item(item) for item in batch_get(self._client, self._table, keys)]
            return self._with_carrier_details(found), cursor
        if not query.customer_id:
            found, cursor = search_by_status(self._client, self._table, query, order_from_item)
            return self._with_carrier_details(found), cursor
        index, partition = "gsi1", f"CUSTOMER#{query.customer_id}"
        names = {"#pk": f"{index}pk", "#sk": f"{index}sk"}
        values: dict[str, Any] = {
            ":pk": {"S": partition},
            ":from": {"S": query.created_from or "0"},
            ":to": {"S": (query.created_to or "9999") + "~"},
        }
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :from AND :to",
            "ScanIndexForward": False,
            "Limit": query.limit,
        }
        if query.cursor:
            request["ExclusiveStartKey"] = decode_cursor(query.cursor, index)
        request.update(ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        response = self._client.query(**request)
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in response.get("Items", [])]
        orders = [order_from_item(item) for item in batch_get(self._client, self._table, keys)]
        if query.status:  # as a FilterExpression would: a page may hold fewer than `limit`
            orders = [order for order in orders if order.status == query.status]
        return self._with_carrier_details(orders), encode_cursor(response.get("LastEvaluatedKey"))

    def _with_carrier_details(self, orders: list[OrderRecord]) -> list[OrderRecord]:
        """A search reads order items only: the details of their carrier entries are read from the
        shipments their timelines name (one BatchGetItem for the page), then, for an order with a
        reference still not found (a return's parcel has no `shipped` entry), from its partition."""
        referring = [order for order in orders if has_references(order.timeline)]
        if not referring:
            return orders
        keys = [
            shipment_key(order.order_id, sid)
            for order in referring
            for sid in named_shipments(order.timeline)
        ]
        shipments: dict[str, list[dict[str, Any]]] = {}
        for item in batch_get(self._client, self._table, keys, consistent=True):
            values = from_attributes(item)
            shipments.setdefault(str(values["pk"]).removeprefix("ORDER#"), []).append(values)
        expanded = {}
        for order in referring:
            found = [shipment_checkpoints(values) for values in shipments.get(order.order_id, [])]
            timeline = expand(order.timeline, found, keep_unresolved=True)
            if has_references(timeline):
                own = [
                    shipment_checkpoints(from_attributes(item))
                    for item in self._partition(order.order_id, SHIPMENT_SK_PREFIX)
                ]
                timeline = expand(timeline, own)
            expanded[order.order_id] = order.model_copy(update={"timeline": timeline})
        return [expanded.get(order.order_id, order) for order in orders]

    def _partition(self, order_id: str, sk_prefix: str | None = None) -> list[dict[str, Any]]:
        """The items of the order's partition (those whose sort key starts with `sk_prefix`), every
        page of a strongly consistent query, as DynamoDB JSON."""
        condition, values = "pk = :pk", {":pk": {"S": f"ORDER#{order_id}"}}
        if sk_prefix:
            condition += " AND begins_with(sk, :prefix)"
            values[":prefix"] = {"S": sk_prefix}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**request)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def has_identical_recent_order(self, order: OrderRecord, window_minutes: int) -> bool:
        """Whether another order with the same content (customer, lines, address) was screened
        within the window before this one. One conditional write on a marker item per content
        fingerprint (`pk` = `RECENT#<customer>#<fingerprint>`), whatever the customer's history:
        it records this order unless a different order holds it within the window. Re-screening
        the same order (a redelivery) finds its own id and is not a duplicate."""
        from datetime import datetime, timedelta

        from orders.domain.hold_rules import content_fingerprint
        from shared.clock import isoformat

        created = datetime.fromisoformat(order.created_at)
        window_start = isoformat(created - timedelta(minutes=window_minutes))
        expires = int((created + timedelta(minutes=window_minutes, days=1)).timestamp())
        try:
            self._client.update_item(
                TableName=self._table,
                Key={
                    "pk": {"S": f"RECENT#{order.customer.id}#{content_fingerprint(order)}"},
                    "sk": {"S": "RECENT"},
                },
                UpdateExpression="SET last_order_id = :order, last_at = :at, entity = :entity, expires_at = :expires",
                ConditionExpression="attribute_not_exists(pk) OR last_order_id = :order OR last_at < :since",
                ExpressionAttributeValues={
                    ":order": {"S": order.order_id},
                    ":at": {"S": order.created_at},
                    ":since": {"S": window_start},
                    ":entity": {"S": "recent_order"},
                    ":expires": {"N": str(expires)},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return True
        return False

    def due_holds(self, now: str, limit: int) -> list[OrderRecord]:
        response = self._client.query(
            TableName=self._table,
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :hold AND gsi3sk <= :now",
            ExpressionAttributeValues={":hold": {"S": "HOLD"}, ":now": {"S": now}},
            Limit=limit,
        )
        return [order_from_item(item) for item in response.get("Items", [])]
