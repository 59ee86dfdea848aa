"""Orders in the single DynamoDB table (see docs/data-model.md).

Item: pk `ORDER#<order_id>`, sk `ORDER`, `entity` = `order`, the order's fields, and index keys
`gsi1pk` = `CUSTOMER#<customer_id>` / `gsi1sk` = `<created_at>#<order_id>` (orders of a customer)
and `gsi2pk` = `STATUS#<status>` / `gsi2sk` = `<created_at>#<order_id>` (orders by status).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from orders.domain.ports import OrderAlreadyExists
from orders.models.order import OrderRecord
from shared.dynamo import from_attributes, to_attributes

ORDER_SK = "ORDER"


def order_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": ORDER_SK}}


def order_item(order: OrderRecord) -> dict[str, Any]:
    values = order.model_dump(mode="json", exclude_none=True)
    index_sort = f"{order.created_at}#{order.order_id}"
    values.update(
        pk=f"ORDER#{order.order_id}",
        sk=ORDER_SK,
        entity="order",
        gsi1pk=f"CUSTOMER#{order.customer.id}",
        gsi1sk=index_sort,
        gsi2pk=f"STATUS#{order.status.value}",
        gsi2sk=index_sort,
    )
    return to_attributes(values)


def order_from_item(item: dict[str, Any]) -> OrderRecord:
    return OrderRecord.model_validate(from_attributes(item))


class DynamoOrderRepository:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def create(self, order: OrderRecord) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=order_item(order),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            existing = self.get(order.order_id)
            if existing is None:  # pragma: no cover - the item cannot vanish: orders are never deleted
                raise
            raise OrderAlreadyExists(existing) from None

    def get(self, order_id: str) -> OrderRecord | None:
        response = self._client.get_item(TableName=self._table, Key=order_key(order_id), ConsistentRead=True)
        item = response.get("Item")
        return order_from_item(item) if item else None
