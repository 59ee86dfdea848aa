"""Messages that flow between functions over SQS. Each carries a deterministic `event_id`, so a
redelivered or replayed message is recognised and applied once."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


def event_version(event_id: str) -> int:
    """The order version in an event id `<order_id>:v<version>` (0 if it carries none)."""
    _, _, version = event_id.rpartition(":v")
    return int(version) if version.isdigit() else 0


def event_sort_key(order_id: str, event_id: str) -> str:
    """Orders an order's events: status changes by version (10 digits), then any other event
    (surveys, returns, complaints) after them, by the rest of its id."""
    version = event_version(event_id)
    if version:
        return f"{version:010d}"
    return "~" + event_id.removeprefix(order_id + ":")


class OrderEvent(BaseModel):
    model_config = ConfigDict(defer_build=True)

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
        return event_version(self.event_id)
