"""Messages that flow between functions over SQS. Each carries a deterministic `event_id`, so a
redelivered or replayed message is recognised and applied once."""

from __future__ import annotations

from pydantic import BaseModel


class OrderEvent(BaseModel):
    event_id: str  # "<order_id>:v<order version>": the same stream record always yields the same id
    event_type: str  # "order.received", "order.confirmed", "order.out_of_stock", ...
    order_id: str
    status: str
    occurred_at: str

    @property
    def version(self) -> int:
        """The order version the event was taken from (0 if the id carries none)."""
        _, _, version = self.event_id.rpartition(":v")
        return int(version) if version.isdigit() else 0
