"""The `CustomerStore` port on the single table: a customer's items found by key and index only.

orders        gsi1 `CUSTOMER#<id>` (keys only), then BatchGetItem
cases         gsi1 `CUSTOMER_CASES#<id>` (the `cases` layout) and `CUSTOMER_COMPLAINTS#<id>` (before it)
order         one Query of `ORDER#<order_id>` (order, shipments, returns, tally)
feedback      GetItem `FEEDBACK#<order_id>`
messages      one Query of `NOTIFY#<order_id>`
preferences   GetItem `CUSTOMER#<id>` / `PREFERENCES`
suppressions  BatchGetItem `SUPPRESSION#<channel>#<sha256>` of the customer's addresses
erasure       `CUSTOMER#<id>` / `ERASURE` (entity `customer_erasure`): the erasure's marker and audit record
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from customers.domain.erasure_plan import Redaction
from orders.adapters.dynamo_orders import ORDER_SK, SHIPMENT_SK_PREFIX, order_from_item, with_shipments
from orders.adapters.order_lookups import lookup_key
from orders.adapters.timeline_items import timeline_entry
from orders.domain.order_lookups import OrderLookup
from shared.dynamo import batch_get, from_attributes, to_attribute, to_attributes
from shared.preference_keys import preferences_key

ERASURE_SK = "ERASURE"
ERASURE_ENTITY = "customer_erasure"
CASE_PARTITIONS = ("CUSTOMER_CASES#", "CUSTOMER_COMPLAINTS#")


def _plain_order(item: dict[str, Any]) -> dict[str, Any]:
    values = from_attributes(item)
    values["timeline"] = [timeline_entry(entry) for entry in values.get("timeline") or []]
    return values


def _path(path: str, names: dict[str, str]) -> str:
    """`timeline[2].details.note` with a placeholder per attribute name: `#a0[2].#a1.#a2`."""
    parts = []
    for segment in path.split("."):
        name, bracket, index = segment.partition("[")
        placeholder = f"#a{len(names)}"
        names[placeholder] = name
        parts.append(placeholder + (bracket + index if bracket else ""))
    return ".".join(parts)


def redaction_update(table: str, redaction: Redaction) -> dict[str, Any]:
    """An `Update` (for UpdateItem or a transaction) applying the redaction if the item exists."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets = []
    for index, (path, value) in enumerate(redaction.set.items()):
        values[f":v{index}"] = to_attribute(value)
        sets.append(f"{_path(path, names)} = :v{index}")
    if redaction.bump_version:
        values[":one"] = {"N": "1"}
        sets.append(f"{_path('version', names)} = {_path('version', names)} + :one")
    removes = [_path(path, names) for path in redaction.remove]
    expression = ("SET " + ", ".join(sets) if sets else "") + (
        " REMOVE " + ", ".join(removes) if removes else ""
    )
    update: dict[str, Any] = {
        "TableName": table,
        "Key": to_attributes({"pk": redaction.key[0], "sk": redaction.key[1]}),
        "UpdateExpression": expression.strip(),
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": names,
    }
    if values:
        update["ExpressionAttributeValues"] = values
    return update


class DynamoCustomerData:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def _query(self, request: dict[str, Any], limit: int | None) -> tuple[list[dict[str, Any]], bool]:
        """Every page (or the first `limit` items) of a query; whether more were left."""
        items: list[dict[str, Any]] = []
        request = {"TableName": self._table, **request}
        while True:
            if limit is not None:
                request["Limit"] = limit - len(items) + 1  # one more: tells whether there are more
            response = self._client.query(**request)
            items.extend(response.get("Items", []))
            if limit is not None and len(items) > limit:
                return items[:limit], True
            if "LastEvaluatedKey" not in response:
                return items, False
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _index(self, partition: str, limit: int | None) -> tuple[list[dict[str, Any]], bool]:
        keys, more = self._query(
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": partition}},
                "ScanIndexForward": False,
            },
            limit,
        )
        return batch_get(self._client, self._table, [{"pk": k["pk"], "sk": k["sk"]} for k in keys]), more

    def orders(self, customer_id: str, limit: int | None = None) -> tuple[list[dict[str, Any]], bool]:
        items, more = self._index(f"CUSTOMER#{customer_id}", limit)
        return [_plain_order(item) for item in items if item["sk"]["S"] == ORDER_SK], more

    def order_details(self, order_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        items, _ = self._query(
            {
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": f"ORDER#{order_id}"}},
                "ConsistentRead": True,
            },
            None,
        )
        order = next((item for item in items if item["sk"]["S"] == ORDER_SK), None)
        shipments = [from_attributes(i) for i in items if i["sk"]["S"].startswith(SHIPMENT_SK_PREFIX)]
        others = [
            from_attributes(i)
            for i in items
            if i["sk"]["S"] != ORDER_SK and not i["sk"]["S"].startswith(SHIPMENT_SK_PREFIX)
        ]
        view = with_shipments(order_from_item(order), shipments).to_view() if order else None
        return view, others

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        return from_attributes(item) if item else None

    def feedback(self, order_id: str) -> dict[str, Any] | None:
        return self._get(to_attributes({"pk": f"FEEDBACK#{order_id}", "sk": "FEEDBACK"}))

    def notification_items(self, order_id: str) -> list[dict[str, Any]]:
        items, _ = self._query(
            {
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": f"NOTIFY#{order_id}"}},
                "ConsistentRead": True,
            },
            None,
        )
        return [from_attributes(item) for item in items]

    def complaints(self, customer_id: str, limit: int | None = None) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for prefix in CASE_PARTITIONS:
            items, _ = self._index(f"{prefix}{customer_id}", limit)
            for item in items:
                found.setdefault(item["pk"]["S"], from_attributes(item))
        newest = sorted(found.values(), key=lambda c: str(c.get("opened_at", "")), reverse=True)
        return newest[:limit] if limit is not None else newest

    def case_items(self, complaint_id: str) -> list[dict[str, Any]]:
        items, _ = self._query(
            {
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": f"COMPLAINT#{complaint_id}"}},
                "ConsistentRead": True,
            },
            None,
        )
        return [from_attributes(item) for item in items if item["sk"]["S"] != "COMPLAINT"]

    def preferences(self, customer_id: str) -> dict[str, Any] | None:
        return self._get(preferences_key(customer_id))

    def suppression_ref(self, channel: str, address: str) -> str | None:
        from notifications.adapters.dynamo_suppressions import suppression_key
        from notifications.domain.model import Channel
        from notifications.domain.suppressions import InvalidAddress

        try:
            return str(suppression_key(Channel(channel), address)["pk"]["S"])
        except (InvalidAddress, ValueError):
            return None

    def suppressions(self, refs: Sequence[str]) -> list[dict[str, Any]]:
        keys = [to_attributes({"pk": ref, "sk": "SUPPRESSION"}) for ref in refs]
        return [from_attributes(item) for item in batch_get(self._client, self._table, keys, consistent=True)]

    def erasure(self, customer_id: str) -> dict[str, Any] | None:
        return self._get(to_attributes({"pk": f"CUSTOMER#{customer_id}", "sk": ERASURE_SK}))

    def save_erasure(self, customer_id: str, record: dict[str, Any]) -> None:
        item = {**record, "pk": f"CUSTOMER#{customer_id}", "sk": ERASURE_SK, "entity": ERASURE_ENTITY}
        self._client.put_item(TableName=self._table, Item=to_attributes(item))

    def apply(self, redaction: Redaction) -> None:
        try:
            self._client.update_item(**redaction_update(self._table, redaction))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # else the item is gone: nothing left to erase on it

    def erase_order(self, redaction: Redaction | None, lookups: Sequence[OrderLookup]) -> None:
        deletes = [{"Delete": {"TableName": self._table, "Key": lookup_key(one)}} for one in lookups]
        if redaction is None and not deletes:
            return
        if redaction is None:
            for delete in deletes:
                self._client.delete_item(**delete["Delete"])
            return
        if not deletes:
            self.apply(redaction)
            return
        self._client.transact_write_items(
            TransactItems=[{"Update": redaction_update(self._table, redaction)}, *deletes]
        )

    def delete_preferences(self, customer_id: str) -> None:
        self._client.delete_item(TableName=self._table, Key=preferences_key(customer_id))
