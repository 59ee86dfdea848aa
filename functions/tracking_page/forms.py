"""The self-service forms of the tracking page as typed models: every field arrives as text
(`application/x-www-form-urlencoded`, parsed strictly as UTF-8); anything else is a 4xx page."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.models.api import COMMENT_MAX
from service.models.records import ComplaintCategory, ReturnReasonCode

_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_QUANTITY_FIELD = re.compile(r"^qty\.([A-Za-z0-9][A-Za-z0-9._-]{0,63})$")
MAX_FORM_BYTES = 16 * 1024
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def _last(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[-1]


class ProblemForm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: ComplaintCategory
    description: Annotated[str, Field(min_length=1, max_length=COMMENT_MAX)]

    @classmethod
    def parse(cls, fields: dict[str, list[str]]) -> ProblemForm:
        return cls.model_validate(
            {"category": _last(fields, "category"), "description": _last(fields, "description").strip()}
        )


class ReturnForm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    quantities: Annotated[dict[str, Annotated[int, Field(ge=1, le=999)]], Field(min_length=1, max_length=100)]
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    reason_code: ReturnReasonCode = ReturnReasonCode.OTHER  # forms of pages served before the picker

    @classmethod
    def parse(cls, fields: dict[str, list[str]]) -> ReturnForm:
        """`qty.<sku>` per line (0 or empty: not returned) and `reason`."""
        quantities: dict[str, object] = {}
        for name, values in fields.items():
            match = _QUANTITY_FIELD.fullmatch(name)
            if match is None:
                continue
            text = values[-1].strip()
            if text in ("", "0"):
                continue
            quantities[match.group(1)] = text
        values: dict[str, object] = {"quantities": quantities, "reason": _last(fields, "reason").strip()}
        if "reason_code" in fields:
            values["reason_code"] = _last(fields, "reason_code")
        return cls.model_validate(values)


class NotificationsForm(BaseModel):
    """Channels on or off (an unticked checkbox is not sent) and optional quiet hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: bool
    sms: bool
    quiet_start: Annotated[str | None, Field(pattern=_HHMM)] = None
    quiet_end: Annotated[str | None, Field(pattern=_HHMM)] = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> NotificationsForm:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("give both a start and an end for quiet hours, or neither")
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValueError("quiet hours need different start and end times")
        return self

    @classmethod
    def parse(cls, fields: dict[str, list[str]]) -> NotificationsForm:
        def switch(name: str) -> bool:
            value = _last(fields, name)
            if value not in ("", "on"):
                raise ValueError(f"{name}: unexpected value")
            return value == "on"

        return cls.model_validate(
            {
                "email": switch("email"),
                "sms": switch("sms"),
                "quiet_start": _last(fields, "quiet_start").strip() or None,
                "quiet_end": _last(fields, "quiet_end").strip() or None,
            }
        )
