"""Messages that flow between functions over SQS. Each carries a deterministic `event_id`, so a
redelivered or replayed message is recognised and applied once."""

from __future__ import annotations

from pydantic import BaseModel


class OrderEvent(BaseModel):
    event_id: str  # "<order_id>:v<order version>" for status changes: a stream record yields one id
    event_type: str  # "order.received", "order.confirmed", "order.out_of_stock", ...
    order_id: str
    status: str
    occurred_at: str
    # Not to be delivered before this time (UTC ISO 8601), e.g. a survey a day after delivery.
    not_before: str | None = None
    # Facts about the event that the order does not hold (a return's id and status, a resolution).
    details: dict[str, str] = {}

    @property
    def version(self) -> int:
        """The order version the event was taken from (0 if the id carries none)."""
        _, _, version = self.event_id.rpartition(":v")
        return int(version) if version.isdigit() else 0
