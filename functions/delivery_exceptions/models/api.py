"""Request and response bodies of the delivery-exception routes, validated at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from delivery_exceptions.models.records import ExceptionReason, ExceptionRecord, ExceptionStatus
from orders.models.api import SKU_PATTERN
from shared.json_types import WholeNumbers

if TYPE_CHECKING:
    from delivery_exceptions.domain.work import Action

NOTE_MAX = 2000
ExceptionAction = Literal["contact_customer", "wait_for_carrier", "reship", "refund", "resolve"]
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "contact_customer": ("message",),
    "wait_for_carrier": ("until",),
    "reship": (),
    "refund": ("amount",),
    "resolve": (),
}
"""Action -> the fields it requires."""
ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "contact_customer": frozenset({"message"}),
    "wait_for_carrier": frozenset({"until", "note"}),
    "reship": frozenset({"lines", "note"}),
    "refund": frozenset({"amount", "currency", "note"}),
    "resolve": frozenset({"note"}),
}


class _Strict(WholeNumbers):
    model_config = ConfigDict(defer_build=True, extra="forbid")


By = Annotated[StrictStr, Field(min_length=1, max_length=200, description="Who acts (an operator's handle).")]


class AssignRequest(_Strict):
    assignee: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    by: By


class ReshipLine(_Strict):
    sku: Annotated[StrictStr, Field(pattern=SKU_PATTERN)]
    quantity: Annotated[StrictInt, Field(ge=1, le=999)]


class ActionRequest(_Strict):
    """One action on the exception; each action takes only its own fields (docs/exceptions.md)."""

    action: ExceptionAction
    by: By
    message: Annotated[
        StrictStr | None,
        Field(default=None, min_length=1, max_length=NOTE_MAX, description="contact_customer: shown quoted"),
    ]
    until: Annotated[
        AwareDatetime | None, Field(default=None, description="wait_for_carrier: the new due time")
    ]
    lines: Annotated[
        list[ReshipLine] | None,
        Field(default=None, min_length=1, max_length=100, description="reship: omit to reship every line"),
    ]
    amount: Annotated[
        StrictStr | None,
        Field(
            default=None,
            pattern=r"^\d{1,12}(\.\d{1,2})?$",
            description="refund: decimal string, more than 0 and at most the order total",
            examples=["12.50"],
        ),
    ]
    currency: Annotated[
        StrictStr | None,
        Field(default=None, pattern=r"^[A-Z]{3}$", description="refund: the order's currency (default)"),
    ]
    note: Annotated[StrictStr | None, Field(default=None, max_length=NOTE_MAX)]

    @model_validator(mode="after")
    def _fields_of_the_action(self) -> ActionRequest:
        given = {
            name
            for name in ("message", "until", "lines", "amount", "currency", "note")
            if getattr(self, name) is not None
        }
        missing = [name for name in ACTION_FIELDS[self.action] if name not in given]
        if missing:
            raise ValueError(f"{self.action} needs {', '.join(missing)}")
        extra = sorted(given - ALLOWED_FIELDS[self.action])
        if extra:
            raise ValueError(f"{self.action} does not take {', '.join(extra)}")
        return self

    def to_action(self) -> Action:
        """The domain's action (`delivery_exceptions.domain.work.Action`) of this request."""
        from delivery_exceptions.domain.work import Action

        return Action(
            action=self.action,
            by=self.by,
            message=self.message,
            until=self.until,
            lines=[(line.sku, line.quantity) for line in self.lines] if self.lines else None,
            amount=self.amount,
            currency=self.currency,
            note=self.note,
        )


class ExceptionView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    exception_id: str
    order_id: str
    shipment_id: str
    tracking_number: str | None = None
    carrier: str | None = None
    reason: ExceptionReason
    carrier_reason: str | None = None
    status: ExceptionStatus
    assignee: str
    opened_at: str
    due_at: str
    overdue: bool
    resolved_at: str | None = None
    reshipment_ids: list[str] = []
    refunds: list[dict[str, str]] = []
    timeline: list[dict[str, Any]] = []

    @classmethod
    def of(cls, record: ExceptionRecord, now: datetime) -> ExceptionView:
        due = datetime.fromisoformat(record.due_at.replace("Z", "+00:00"))
        return cls(
            **record.model_dump(
                mode="json", exclude={"timeline", "refunds", "version", "overdue_alerted_at"}
            ),
            overdue=record.active and due < now,
            refunds=[refund.model_dump(mode="json") for refund in record.refunds],
            timeline=[
                entry.model_dump(mode="json", exclude={"idempotency_key", "request_hash"})
                for entry in record.timeline
            ],
        )


class ExceptionPage(BaseModel):
    exceptions: list[ExceptionView]
    next_cursor: str | None = None
