"""The tracking page's read model on the single table (docs/data-model.md), reads only.

One strongly consistent query of the order's partition (`ORDER#<id>`: the order item and its
`SHIPMENT#` items, which carry the carrier status, reason and estimated delivery), then one query
per shipment of its checkpoints (`TRACKING#<tracking number>`, `EVENT#...`).
"""

from __future__ import annotations

from typing import Any

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.adapters.shipment_records import SHIPMENT_SK_PREFIX
from orders.adapters.dynamo_orders import ORDER_SK, order_from_item
from shared.dynamo import from_attributes
from tracking_page.read_model import TrackedOrder, TrackedShipment


class DynamoTrackingReadModel:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client
        self._checkpoints = DynamoTrackingStore(table_name, client)

    def _order_partition(self, order_id: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"ORDER#{order_id}"}},
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**request)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def tracked_order(self, order_id: str) -> TrackedOrder | None:
        items = self._order_partition(order_id)
        order_item = next((item for item in items if item["sk"]["S"] == ORDER_SK), None)
        if order_item is None:
            return None
        shipments = [
            TrackedShipment.model_validate(_without_checkpoints(from_attributes(item)))
            for item in items
            if item["sk"]["S"].startswith(SHIPMENT_SK_PREFIX)
        ]
        return TrackedOrder(
            order=order_from_item(order_item),
            shipments=[
                shipment.model_copy(
                    update={"checkpoints": list(self._checkpoints.events(shipment.tracking_number).values())}
                )
                for shipment in shipments
            ],
        )


def _without_checkpoints(values: dict[str, Any]) -> dict[str, Any]:
    """The shipment item's own copy of its applied checkpoints is left out: they are read from the
    tracking number's partition, which also holds those recorded but not applied yet."""
    values.pop("checkpoints", None)
    return values
