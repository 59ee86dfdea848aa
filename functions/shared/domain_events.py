"""The catalogue of ordertrack's domain events: what the stack publishes to its EventBridge bus.

Every event has `source` = `ordertrack`, a `detail-type` naming what happened (`OrderStatusChanged`,
`StockLevelChanged`, ...) and a `detail` that is one of the models below. The models are the one
place the events are defined: `events/schemas/<DetailType>.v<N>.json` are generated from them
(`python -m infra.event_schemas`) and docs/domain-events.md describes them.

Version policy: a version only ever gains optional fields. Removing or renaming a field, changing
its type or meaning, makes a new version (`schema_version` 2, a new schema file), published next to
the old one for as long as the docs say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

SOURCE = "ordertrack"
"""The `source` of every event ordertrack publishes."""


class DomainEvent(BaseModel):
    """Fields every event's `detail` has."""

    model_config = ConfigDict(extra="ignore")

    detail_type: ClassVar[str]
    description: ClassVar[str]

    schema_version: Literal[1] = Field(1, description="The version of this detail-type's schema.")
    event_id: str = Field(
        description="Stable id of the change: a replayed or re-published change keeps it, so "
        "subscribers can drop duplicates by it."
    )
    occurred_at: str = Field(description="When the change happened (UTC, ISO 8601).")


class OrderEventDetail(DomainEvent):
    """Fields every order event has."""

    order_id: str
    status: str = Field(description="The order's status after the change (docs/order-lifecycle.md).")
    version: int = Field(
        description="The order's version after the change: events of one order may arrive in any "
        "order; the highest version is the latest state."
    )


class OrderPlaced(OrderEventDetail):
    detail_type = "OrderPlaced"
    description = "A new order was accepted (status `received`, or `on_hold` when it awaits review)."


class OrderMoveDetail(OrderEventDetail):
    """Fields every event of a status move has."""

    previous_status: str = Field(description="The order's status before the move.")


class OrderStatusChanged(OrderMoveDetail):
    detail_type = "OrderStatusChanged"
    description = "An order moved from one status to another (every move, whatever the status)."


class OrderCancelled(OrderMoveDetail):
    detail_type = "OrderCancelled"
    description = "An order was cancelled, expired unpaid, or was rejected at review."


class OrderShipped(OrderMoveDetail):
    detail_type = "OrderShipped"
    description = "An order's items left the warehouse (`shipped` or `partially_shipped`)."


class OrderDelivered(OrderMoveDetail):
    detail_type = "OrderDelivered"
    description = "The carrier reported the order delivered."


class StockLevelChanged(DomainEvent):
    detail_type = "StockLevelChanged"
    description = (
        "A SKU's stock counters or low-stock threshold changed (a reservation, a release, a "
        "shipment, an adjustment)."
    )

    sku: str
    on_hand: int
    reserved: int
    available: int = Field(description="on_hand - reserved.")
    previous_available: int | None = Field(None, description="`available` before the change (none if new).")
    low_stock_threshold: int = Field(
        0, description="Below this `available`, operations are alerted (0: off)."
    )
    low_stock_alerted: bool = Field(
        False,
        description="A low-stock alert is outstanding for the SKU (cleared when back at the threshold).",
    )


class ShipmentTrackingLinked(DomainEvent):
    detail_type = "ShipmentTrackingLinked"
    description = (
        "A tracking number was linked to a shipment of an order: a new number, or a recycled one "
        "taken over by a newer shipment."
    )

    tracking_number: str
    order_id: str
    shipment_id: str
    carrier: str
    previous_order_id: str | None = Field(None, description="The order that had the number before.")
    previous_shipment_id: str | None = None


class ShipmentExceptionRaised(DomainEvent):
    detail_type = "ShipmentExceptionRaised"
    description = (
        "A shipment ran into a delivery problem (a carrier's exception, the delay check's stalled or "
        "late, a return to sender): one event per (order, shipment, reason) episode."
    )

    order_id: str
    shipment_id: str
    tracking_number: str | None = None
    carrier: str | None = None
    reason: str = Field(
        description="stalled, late, delayed, failed_attempt, address_problem, refused, held, damaged, "
        "lost, returned_to_sender or other (docs/exceptions.md)."
    )
    carrier_reason: str | None = Field(None, description="The carrier's own reason code, if it gave one.")
    shipment_status: str = Field(description="delivery_exception or returned_to_sender.")
    episode: int = Field(description="The shipment's tracking version at which the problem began.")


CATALOGUE: tuple[type[DomainEvent], ...] = (
    OrderPlaced,
    OrderStatusChanged,
    OrderCancelled,
    OrderShipped,
    OrderDelivered,
    StockLevelChanged,
    ShipmentTrackingLinked,
    ShipmentExceptionRaised,
)
"""Every detail-type ordertrack publishes, in documentation order."""


def schema_file_name(event: type[DomainEvent]) -> str:
    return f"{event.detail_type}.v{event.model_fields['schema_version'].default}.json"


def json_schema(event: type[DomainEvent]) -> dict[str, object]:
    """The JSON schema of an event's `detail`, as kept in events/schemas/."""
    schema = event.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"events/schemas/{schema_file_name(event)}",
        "title": event.detail_type,
        "description": f"{event.description.rstrip('.')} (EventBridge source `{SOURCE}`, detail-type `{event.detail_type}`).",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


# -- as consumers receive them: an EventBridge event, delivered by a rule to an SQS queue ----------
# (imported lazily by the consumers' handlers; Powertools' parser models are pydantic models too)


class BusEventEnvelope(BaseModel):
    """An EventBridge event as a rule delivers it to a target: the fields of AWS's event structure
    (the same as Powertools' `EventBridgeModel`, which is not imported: importing it builds every
    event model of Powertools' parser, a cold-start cost of its own)."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    version: str
    id: str
    source: str
    account: str
    time: datetime
    region: str
    resources: list[str]
    detail_type: str = Field(alias="detail-type")
    detail: Any
    replay_name: str | None = Field(default=None, alias="replay-name")


def bus_event_record(detail: type[DomainEvent]) -> type[Any]:
    """The SQS record (`shared.sqs_records.SqsRecord`) of a queue a rule on the bus delivers
    `detail`'s events to: the record's body is the whole EventBridge event, its `detail` one
    `detail` model."""
    from pydantic import Json, create_model

    from shared.sqs_records import SqsRecord

    event = create_model(f"{detail.detail_type}Event", __base__=BusEventEnvelope, detail=(detail, ...))
    return create_model(f"{detail.detail_type}Record", __base__=SqsRecord, body=(Json[event], ...))  # type: ignore[valid-type]
