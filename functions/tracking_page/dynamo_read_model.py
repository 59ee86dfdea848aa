"""The tracking page's read model on the single table (docs/data-model.md), reads only.

The order with its shipments as the order repository reads them (one strongly consistent query of
`ORDER#<id>`; shipments carry the carrier status, reason and estimated delivery), then one query
per shipment of its checkpoints (`TRACKING#<tracking number>`, `EVENT#...`).
"""

from __future__ import annotations

from typing import Any

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from orders.adapters.dynamo_orders import DynamoOrderRepository
from tracking_page.read_model import TrackedOrder, TrackedShipment


class DynamoTrackingReadModel:
    def __init__(self, table_name: str, client: Any) -> None:
        self._orders = DynamoOrderRepository(table_name, client)
        self._checkpoints = DynamoTrackingStore(table_name, client)

    def tracked_order(self, order_id: str) -> TrackedOrder | None:
        order = self._orders.get(order_id)
        if order is None:
            return None
        # The shipment item's own copy of its applied checkpoints is not used: the tracking number's
        # partition also holds the checkpoints recorded but not applied yet.
        shipments = [
            TrackedShipment(
                **shipment.model_dump(),
                checkpoints=list(self._checkpoints.events(shipment.tracking_number).values()),
            )
            for shipment in order.shipments
        ]
        return TrackedOrder(order=order, shipments=shipments)
