"""Shipment items, written in the same transaction that commits the shipped stock.

- shipment: pk `ORDER#<order_id>`, sk `SHIPMENT#<shipment_id>`, `entity` = `shipment`;
- tracking link: pk `TRACKING#<tracking_number>`, sk `LINK`, `entity` = `tracking_link`, so a
  carrier event finds its order and shipment, and the link's stream record lets events that
  arrived before the shipment be applied.
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
        link_item = {
            "pk": f"TRACKING#{shipment['tracking_number']}",
            "sk": "LINK",
            "entity": "tracking_link",
            "order_id": order.order_id,
            "shipment_id": shipment["shipment_id"],
            "carrier": shipment["carrier"],
            "created_at": shipment["created_at"],
        }
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes(shipment_item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self._table, "Item": to_attributes(link_item)}},
        ]
