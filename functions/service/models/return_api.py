"""Request and response bodies of the return actions added with refunds, receipts and the queue."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from orders.models.api import SKU_PATTERN
from service.models.api import ReturnView, _Strict
from service.models.records import ItemCondition


class ReceivedLineRequest(_Strict):
    sku: Annotated[StrictStr, Field(pattern=SKU_PATTERN)]
    quantity: Annotated[StrictInt, Field(ge=1, le=999)]
    condition: ItemCondition


class ReceiveRequest(_Strict):
    lines: Annotated[
        list[ReceivedLineRequest] | None,
        Field(
            default=None,
            max_length=200,
            description="What arrived, per SKU and condition; exactly the return's units of each SKU. "
            "Left out: every returned unit arrived resellable.",
        ),
    ]
    note: Annotated[StrictStr | None, Field(default=None, max_length=500)]
    by: Annotated[StrictStr, Field(default="storefront", min_length=1, max_length=200)]


class RefundRequest(_Strict):
    amount: Annotated[
        StrictStr | None,
        Field(
            default=None,
            pattern=r"^\d{1,12}(\.\d{1,3})?$",
            description="A partial refund, at most the computed `refund` (then `reason` is required); "
            "left out: the computed refund.",
        ),
    ]
    reason: Annotated[StrictStr | None, Field(default=None, min_length=1, max_length=500)]
    note: Annotated[StrictStr | None, Field(default=None, max_length=500)]
    by: Annotated[StrictStr, Field(default="storefront", min_length=1, max_length=200)]


class ReturnPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    returns: list[ReturnView]
    next_cursor: str | None = Field(
        default=None, description="Present while more returns may follow: pass it back as `cursor`."
    )
