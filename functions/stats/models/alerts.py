"""The body of `GET /v1/alerts`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SINCE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$"
"""`since`: a date, or a date and time with an optional offset (numbers are not times here)."""


class AlertView(BaseModel):
    model_config = ConfigDict(defer_build=True)
    alert_id: str
    at: str = Field(description="When the alert was raised (UTC).")
    source: str = Field(
        description="What raised it: complaint_overdue, low_stock, delivery_delay, tracking_registration."
    )
    subject: str
    details: dict[str, str | int | float | bool | None] = Field(
        description="The alert's facts (ids, statuses, times; never personal data)."
    )


class AlertPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    alerts: list[AlertView] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="Present while older alerts may follow: pass it as `cursor`.")
