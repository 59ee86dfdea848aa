"""How long each kind of delivery exception may wait for a person, and who owns it at first.

Configuration per stage (`delivery_exceptions.rules` in `cdk.json`), given to the functions as
JSON in `DELIVERY_EXCEPTION_RULES`; these defaults are what a stage gets when it says nothing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from delivery_exceptions.models.records import ExceptionReason as R

DEFAULT_DUE_HOURS: dict[R, int] = {
    R.ADDRESS_PROBLEM: 4,  # the parcel waits at the depot: ask the customer today
    R.REFUSED: 8,
    R.FAILED_ATTEMPT: 8,
    R.DAMAGED: 24,
    R.LOST: 24,
    R.RETURNED_TO_SENDER: 24,
    R.STALLED: 24,
    R.LATE: 24,
    R.HELD: 24,
    R.DELAYED: 48,
    R.OTHER: 24,
}


class ExceptionRules(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    due_hours: dict[R, int] = Field(
        default_factory=lambda: dict(DEFAULT_DUE_HOURS),
        description="reason -> hours from opening until the exception is due (overrides merge with the defaults)",
    )
    default_assignee: str = Field(default="unassigned", min_length=1, max_length=200)

    def hours_for(self, reason: R) -> int:
        return self.due_hours.get(reason, DEFAULT_DUE_HOURS.get(reason, 24))


def parse_rules(raw: str) -> ExceptionRules:
    return ExceptionRules.model_validate_json(raw or "{}")
