"""Shipment items, written in the same transaction that commits the shipped stock.

- shipment: pk `ORDER#<order_id>`, sk `SHIPMENT#<shipment_id>`, `entity` = `shipment`;
- tracking link: pk `TRACKING#<tracking_number>`, sk `LINK`, `entity` = `tracking_link`, so a
  carrier event finds its order and shipment, and the link's stream record lets events that
  arrived before the shipment be applied. A recycled number's link is taken over by the newest
  shipment; `previous_order_id` / `previous_shipment_id` keep the one it replaced, whose events
  stay with it (carriers.domain.ownership).
"""

from __future__ import annotations

from typing import Any

from orders.models.order import OrderRecord
from shared.dynamo import to_attributes


class DynamoShipments:
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def shipment_items(self, order: OrderRecord, shipment: dict[str, Any]) -> list[dict[str, Any]]:
        shipment_item = {
            **shipment,
            "pk": f"ORDER#{order.order_id}",
            "sk": f"SHIPMENT#{shipment['shipment_id']}",
            "entity": "shipment",
            "order_id": order.order_id,
        }
        link = {
            "entity": "tracking_link",
            "tracking_number": shipment["tracking_number"],
            "order_id": order.order_id,
            "shipment_id": shipment["shipment_id"],
            "carrier": shipment["carrier"],
            "created_at": shipment["created_at"],
        }
        names = {f"#{name}": name for name in link}
        names.update(
            {"#previous_order_id": "previous_order_id", "#previous_shipment_id": "previous_shipment_id"}
        )
        # every SET reads the item as it was: the previous_* copy the shipment being replaced
        assignments = [
            "#previous_order_id = if_not_exists(#order_id, :none)",
            "#previous_shipment_id = if_not_exists(#shipment_id, :none)",
            *(f"#{name} = :{name}" for name in link),
        ]
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes(shipment_item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_attributes({"pk": f"TRACKING#{shipment['tracking_number']}", "sk": "LINK"}),
                    "UpdateExpression": "SET " + ", ".join(assignments),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": {
                        ":none": {"S": ""},
                        **{f":{name}": value for name, value in to_attributes(link).items()},
                    },
                }
            },
        ]
