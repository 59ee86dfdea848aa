"""Storefront API bodies of reshipments and order edits (docs/reshipments.md). The edit reuses the
intake models: a changed address, contact or lines is validated exactly as a new order's."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from orders.models.api import (
    MAX_LINES,
    Locale,
    OrderLine,
    OrderView,
    Reshipment,
    ShipmentLine,
    ShippingAddress,
    _Strict,
)

CARRIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$"
TRACKING_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$"
Actor = Annotated[StrictStr, Field(min_length=1, max_length=200, description="Who asks (an agent's id).")]


class ReshipmentRequest(_Strict):
    lines: Annotated[
        list[ShipmentLine] | None,
        Field(
            default=None,
            min_length=1,
            max_length=MAX_LINES,
            description="Omit to replace every line of the order (less what was already reshipped).",
        ),
    ]
    carrier: Annotated[
        StrictStr | None, Field(default=None, pattern=CARRIER_PATTERN, examples=["sf-express"])
    ]
    tracking_number: Annotated[
        StrictStr | None, Field(default=None, pattern=TRACKING_PATTERN, examples=["SF1234567890"])
    ]
    reason: Annotated[
        Literal["exception", "case"] | None,
        Field(
            default=None,
            description="Omitted: `case` for a delivered order, else `exception` (an `exchange` is "
            "opened by the returns capability only).",
        ),
    ]
    note: Annotated[StrictStr | None, Field(default=None, max_length=500)]
    by: Actor = "storefront"


class ReshipmentShipmentRequest(_Strict):
    """The replacement's parcel: carrier and tracking number (its lines are the reshipment's)."""

    carrier: Annotated[StrictStr, Field(pattern=CARRIER_PATTERN, examples=["sf-express"])]
    tracking_number: Annotated[StrictStr, Field(pattern=TRACKING_PATTERN, examples=["SF1234567890"])]


class ReshipmentCreated(BaseModel):
    model_config = ConfigDict(defer_build=True)
    reshipment: Reshipment
    order: OrderView


class CustomerChanges(_Strict):
    name: Annotated[StrictStr | None, Field(default=None, min_length=1, max_length=200)]
    email: Annotated[StrictStr | None, Field(default=None, max_length=254)]
    phone: Annotated[StrictStr | None, Field(default=None, max_length=32)]
    locale: Locale | None = None


class OrderEditRequest(_Strict):
    shipping_address: ShippingAddress | None = None
    customer: CustomerChanges | None = Field(
        default=None, description="Contact fields to change; the customer id never changes."
    )
    items: Annotated[
        list[OrderLine] | None,
        Field(default=None, min_length=1, max_length=MAX_LINES, description="The order's new lines."),
    ]
    note: Annotated[StrictStr | None, Field(default=None, max_length=500)]
    by: Actor = "storefront"
