"""The body of `GET /v1/stats`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DurationStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    count: int = Field(description="Durations measured in the range.")
    median_seconds: float | None = Field(description="Within 4.4 % of the true median; null when none.")
    p90_seconds: float | None = Field(description="Within 4.4 % of the true 90th percentile; null when none.")


class OrderStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    received: int
    confirmed: int
    on_hold: int
    out_of_stock: int
    by_status: dict[str, int] = Field(description="Moves into each status in the range.")
    received_to_confirmed: DurationStats
    confirmed_to_shipped: DurationStats = Field(
        description="From confirmation to the order's first shipment, on the shipment's day."
    )


class RateCount(BaseModel):
    model_config = ConfigDict(defer_build=True)
    count: int
    rate: float | None = Field(description="count / shipments shipped in the range; null when none.")


class CarrierStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    shipped: int
    delivered: int
    exceptions: int
    exception_rate: float | None


class DeliveryStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    shipped: int
    delivered: int
    shipped_to_delivered: DurationStats
    with_promise: int = Field(description="Deliveries that had a promised or estimated date.")
    on_time: int
    on_time_rate: float | None = Field(description="on_time / with_promise; null when none.")
    exceptions: int
    exception_rate: float | None = Field(description="exceptions / shipped; null when nothing shipped.")
    exceptions_by_reason: dict[str, RateCount]
    by_carrier: dict[str, CarrierStats]


class NotificationStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    sent: dict[str, int] = Field(description="Sent notifications per channel.")
    by_status: dict[str, dict[str, int]] = Field(description="status -> channel -> count.")


class FeedbackStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    responses: int
    invitations: int
    response_rate: float | None = Field(description="responses / invitations; null without invitations.")
    csat: float | None = Field(description="Share of 4-5 ratings; null without responses.")
    ratings: dict[str, int]
    nps_responses: int
    nps: float | None = Field(description="(promoters - detractors) / NPS responses x 100; null when none.")
    promoters: int
    passives: int
    detractors: int


class ComplaintStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    opened: int
    resolved: int
    overdue: int = Field(description="Complaints that became overdue in the range.")
    by_category: dict[str, int] = Field(description="Complaints opened in the range, per category.")
    first_response: DurationStats = Field(
        description="opened_at -> first response (the resolution when none came before it), on its day."
    )
    resolution: DurationStats = Field(description="opened_at -> resolved_at, on the resolution's day.")
    response_due: int = Field(
        description="Cases whose response deadline was decided in the range: answered (on the day of "
        "the first response) or flagged overdue without an answer (on that day)."
    )
    responded_on_time: int = Field(description="Of `response_due`, answered by their `due_at`.")
    on_time_response_rate: float | None = Field(
        description="responded_on_time / response_due (投诉处理及时率); null when none."
    )


class SkuReturnStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    delivered: int = Field(description="Orders holding the SKU delivered in the range.")
    requested: int = Field(description="Returns holding the SKU requested in the range.")
    return_rate: float | None = Field(description="requested / delivered; null when none delivered.")
    reasons: dict[str, int] = Field(description="Returns requested per `reason_code`.")


class ReturnRateStats(BaseModel):
    model_config = ConfigDict(defer_build=True)
    requested: int = Field(description="Returns requested in the range.")
    delivered_orders: int = Field(description="Orders delivered in the range.")
    return_rate: float | None = Field(description="requested / delivered_orders; null when none.")
    reasons: dict[str, int] = Field(
        description="Returns requested per `reason_code` (`other` for free text)."
    )
    by_sku: dict[str, SkuReturnStats] = Field(
        description="The SKUs with the most returns requested (at most 100), then the most delivered."
    )


class StatsReport(BaseModel):
    model_config = ConfigDict(defer_build=True)
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    days: int
    orders: OrderStats
    delivery: DeliveryStats
    notifications: NotificationStats
    feedback: FeedbackStats
    complaints: ComplaintStats
    returns: dict[str, int] = Field(description="Returns moved into each status in the range.")
    return_rates: ReturnRateStats

    model_config = ConfigDict(defer_build=True, populate_by_name=True)
