"""Request and response bodies of the customer-service routes, validated at the edge."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator, model_validator

from orders.models.api import ORDER_ID_PATTERN, SKU_PATTERN
from service.models.records import (
    ComplaintCategory,
    ComplaintFields,
    ComplaintRecord,
    FeedbackCategory,
    FeedbackRecord,
    Money,
    ReturnReasonCode,
    ReturnRecord,
    ReturnResolution,
)
from shared.json_types import WholeNumbers

COMMENT_MAX = 2000


class _Strict(WholeNumbers):
    # no whitespace stripping: a value that matches the documented pattern is taken as sent
    model_config = ConfigDict(defer_build=True, extra="forbid")


def _unique(values: list[FeedbackCategory]) -> list[FeedbackCategory]:
    return list(dict.fromkeys(values))


class FeedbackRequest(_Strict):
    """Feedback a storefront collected itself (JSON), or the survey form's fields."""

    rating: Annotated[StrictInt, Field(ge=1, le=5, description="Delivery rating, 1 (bad) to 5 (great).")]
    nps: Annotated[StrictInt | None, Field(default=None, ge=0, le=10, description="Would recommend, 0-10.")]
    comment: Annotated[StrictStr, Field(default="", max_length=COMMENT_MAX)]
    categories: Annotated[list[FeedbackCategory], Field(default_factory=list, max_length=5)]

    _dedupe = field_validator("categories")(_unique)


class FeedbackForm(FeedbackRequest):
    """The survey form (application/x-www-form-urlencoded): every field arrives as text."""

    rating: Annotated[int, Field(ge=1, le=5)]  # type: ignore[assignment]
    nps: Annotated[int | None, Field(default=None, ge=0, le=10)]  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _from_form(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        values = {
            key: value for key, value in data.items() if key in {"rating", "nps", "comment", "categories"}
        }
        for name in ("rating", "nps"):
            raw = values.get(name)
            if isinstance(raw, list):
                raw = raw[-1] if raw else ""
            values[name] = None if raw in (None, "") else raw
        comment = values.get("comment") or ""
        values["comment"] = comment[-1] if isinstance(comment, list) else comment
        categories = values.get("categories") or []
        values["categories"] = categories if isinstance(categories, list) else [categories]
        if values["rating"] is None:
            values.pop("rating")
        return values


class FeedbackView(FeedbackRecord):
    """A feedback answer as the API returns it: the record (it holds nothing internal)."""

    @classmethod
    def of(cls, record: FeedbackRecord) -> FeedbackView:
        return cls.model_validate(record.model_dump())


class ComplaintRequest(_Strict):
    order_id: Annotated[
        StrictStr | None, Field(default=None, pattern=ORDER_ID_PATTERN, description="Or send `token`.")
    ]
    token: Annotated[
        StrictStr | None,
        Field(
            default=None, max_length=200, description="A customer's signed link token instead of order_id."
        ),
    ]
    category: ComplaintCategory
    description: Annotated[StrictStr, Field(min_length=1, max_length=COMMENT_MAX)]

    @model_validator(mode="after")
    def _one_order_reference(self) -> ComplaintRequest:
        if (self.order_id is None) == (self.token is None):
            raise ValueError("send exactly one of order_id and token")
        return self


class ComplaintView(ComplaintFields):
    """A complaint as the API returns it: the record without its request hash."""

    @classmethod
    def of(cls, record: ComplaintRecord) -> ComplaintView:
        return cls.model_validate(record.model_dump(exclude={"request_hash"}))


class ComplaintPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    complaints: list[ComplaintView]
    next_cursor: str | None = None


class ResolveRequest(_Strict):
    resolution: Annotated[StrictStr, Field(min_length=1, max_length=COMMENT_MAX)]
    resolved_by: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class ReturnLineRequest(_Strict):
    sku: Annotated[StrictStr, Field(pattern=SKU_PATTERN)]
    quantity: Annotated[StrictInt, Field(ge=1, le=999)]


class ReturnRequest(_Strict):
    lines: Annotated[list[ReturnLineRequest], Field(min_length=1, max_length=100)]
    reason_code: ReturnReasonCode
    reason: Annotated[
        StrictStr,
        Field(default="", max_length=500, description="The customer's words, beside `reason_code`."),
    ]
    resolution: Annotated[
        ReturnResolution,
        Field(default="refund", description="`exchange`: the items are replaced on receipt, not refunded."),
    ]


class ReturnStatusRequest(_Strict):
    note: Annotated[StrictStr | None, Field(default=None, max_length=500)]
    by: Annotated[StrictStr, Field(default="storefront", min_length=1, max_length=200)]


class ReturnShipmentRequest(_Strict):
    carrier: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$", examples=["sf-express"])]
    tracking_number: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$")]


class ReturnView(BaseModel):
    model_config = ConfigDict(defer_build=True)
    return_id: str
    order_id: str
    status: str
    lines: list[dict[str, object]]
    reason: str = ""
    reason_code: str | None = None
    resolution: str = "refund"
    expected_refund: Money | None = None
    refund: Money | None = None
    refunded: Money | None = None
    refund_reason: str | None = None
    reshipment_id: str | None = None
    requested_at: str
    updated_at: str
    tracking_number: str | None = None
    carrier: str | None = None
    history: list[dict[str, object]] = []

    @classmethod
    def of(cls, record: ReturnRecord) -> ReturnView:
        return cls.model_validate(
            record.model_dump(
                mode="json", exclude={"request_hash", "last_request_key", "version"}, exclude_none=True
            )
        )


class ReturnList(BaseModel):
    model_config = ConfigDict(defer_build=True)
    returns: list[ReturnView]


ReturnAction = Literal["approve", "reject", "receive", "refund"]
