"""What the tracking page reads: an order, its shipments and each shipment's carrier checkpoints.

`TrackingReadModel` is the port; `tracking_page.dynamo_read_model` implements it with one query of
the order's partition and one query per shipment's checkpoints, reads only.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from carriers.models.tracking import Checkpoint
from orders.models.api import Shipment, ShipmentLine
from orders.models.order import OrderRecord


class TrackedShipment(Shipment):
    """A shipment of the order with every stored checkpoint of its tracking number."""

    lines: list[ShipmentLine] = []
    checkpoints: list[Checkpoint] = []  # every stored checkpoint of the tracking number, any order


class TrackedOrder(BaseModel):
    model_config = ConfigDict(defer_build=True)

    order: OrderRecord
    shipments: list[TrackedShipment]


class TrackingReadModel(Protocol):
    def tracked_order(self, order_id: str) -> TrackedOrder | None:
        """The order with its shipments and their checkpoints, or None when there is no such order."""
        ...
