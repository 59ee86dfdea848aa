"""Pydantic models of each provider's webhook body: only the fields ordertrack reads.

Unknown extra fields are ignored (providers add fields between versions); missing required fields
fail validation, which the webhook answers with 400.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class PostalPlace(_Lenient):
    """A scan's place as EasyPost (`tracking_location`) and Shippo (`location`) both send it."""

    city: str | None = None
    state: str | None = None
    country: str | None = None
    zip: str | None = None


# -- EasyPost: Event `tracker.updated` ---------------------------------------------------------


class EasyPostTrackingDetail(_Lenient):
    message: str | None = None
    description: str | None = None
    status: str = "unknown"
    status_detail: str | None = None
    datetime: AwareDatetime
    tracking_location: PostalPlace | None = None


class EasyPostTracker(_Lenient):
    tracking_code: str = Field(min_length=1)
    carrier: str | None = None
    status: str = "unknown"
    status_detail: str | None = None
    est_delivery_date: str | None = None
    updated_at: AwareDatetime | None = None
    tracking_details: list[EasyPostTrackingDetail] = []


class EasyPostEvent(_Lenient):
    id: str = Field(min_length=1)
    description: str
    result: EasyPostTracker


# -- AfterShip: tracking webhook (version 2024-07) --------------------------------------------
class AfterShipCheckpoint(_Lenient):
    created_at: AwareDatetime | None = None
    checkpoint_time: str | None = None
    location: str | None = None
    city: str | None = None
    state: str | None = None
    country_iso3: str | None = None
    message: str | None = None
    tag: str = "Pending"
    subtag: str | None = None
    raw_tag: str | None = None
    country_region: str | None = None  # 2025-01 and later (was country_iso3)


class AfterShipDateRange(_Lenient):
    """`courier_estimated_delivery_date` (2024-10 and later) and `aftership_estimated_delivery_date`."""

    estimated_delivery_date: str | None = None
    estimated_delivery_date_min: str | None = None
    estimated_delivery_date_max: str | None = None

    def best(self) -> str | None:
        return self.estimated_delivery_date or self.estimated_delivery_date_max


class AfterShipEdd(_Lenient):
    """`latest_estimated_delivery` and `custom_estimated_delivery_date`: a date or a range."""

    type: str | None = None
    source: str | None = None
    datetime: str | None = None
    datetime_min: str | None = None
    datetime_max: str | None = None

    def best(self) -> str | None:
        return self.datetime or self.datetime_max


class AfterShipTracking(_Lenient):
    """The tracking of a webhook `msg`, read across the versions AfterShip documents: 2024-07 has
    `expected_delivery`; 2024-10 replaced it with `courier_estimated_delivery_date`; every version
    since 2024-04 may also carry `latest_estimated_delivery`, `custom_estimated_delivery_date` and
    `aftership_estimated_delivery_date` (events/carriers/aftership/README.md)."""

    tracking_number: str = Field(min_length=1)
    slug: str | None = None
    tag: str = "Pending"
    subtag: str | None = None
    expected_delivery: str | None = None
    courier_estimated_delivery_date: AfterShipDateRange | None = None
    latest_estimated_delivery: AfterShipEdd | None = None
    custom_estimated_delivery_date: AfterShipEdd | None = None
    aftership_estimated_delivery_date: AfterShipDateRange | None = None
    updated_at: AwareDatetime | None = None
    checkpoints: list[AfterShipCheckpoint] = []

    def estimated_delivery(self) -> str | None:
        """The carrier's estimate first (either version's field), then AfterShip's latest, the
        merchant's custom one, and AfterShip's prediction; a range counts as its upper end."""
        for candidate in (
            self.expected_delivery,
            self.courier_estimated_delivery_date.best() if self.courier_estimated_delivery_date else None,
            self.latest_estimated_delivery.best() if self.latest_estimated_delivery else None,
            self.custom_estimated_delivery_date.best() if self.custom_estimated_delivery_date else None,
            self.aftership_estimated_delivery_date.best() if self.aftership_estimated_delivery_date else None,
        ):
            if candidate:
                return candidate
        return None


class AfterShipWebhook(_Lenient):
    event: str
    event_id: str = Field(min_length=1)
    ts: int
    msg: AfterShipTracking


# -- Kuaidi100 (快递100): subscription push, the `param` JSON --------------------------------
class Kuaidi100Data(_Lenient):
    context: str | None = None
    time: str | None = None
    ftime: str
    status: str | None = None  # the state name in Chinese (resultv2=1)
    statusCode: str | None = None
    areaName: str | None = None
    location: str | None = None


class Kuaidi100Result(_Lenient):
    state: str
    ischeck: str | None = None
    com: str | None = None
    nu: str = Field(min_length=1)
    data: list[Kuaidi100Data] = []


class Kuaidi100Push(_Lenient):
    status: str
    message: str | None = None
    lastResult: Kuaidi100Result


# -- generic: ordertrack's own format ---------------------------------------------------------
class GenericCheckpoint(_Lenient):
    occurred_at: AwareDatetime
    status: str
    reason: str | None = None
    location: str | None = None
    message: str | None = None


class GenericWebhook(_Lenient):
    event_id: str = Field(min_length=1, max_length=200)
    tracking_number: str = Field(min_length=1, max_length=64)
    carrier: str | None = None
    estimated_delivery: str | None = None
    checkpoints: list[GenericCheckpoint] = Field(min_length=1)


# -- 17TRACK: Tracking API push (TRACKING_UPDATED / TRACKING_STOPPED) ---------------------
class SeventeenTrackEvent(_Lenient):
    time_iso: str | None = None
    time_utc: str | None = None
    description: str | None = None
    location: str | None = None
    stage: str | None = None
    sub_status: str | None = None


class SeventeenTrackProvider(_Lenient):
    events: list[SeventeenTrackEvent] = []


class SeventeenTrackTracking(_Lenient):
    providers: list[SeventeenTrackProvider] = []


class SeventeenTrackStatus(_Lenient):
    status: str | None = None
    sub_status: str | None = None


class SeventeenTrackEstimate(_Lenient):
    to: str | None = None


class SeventeenTrackTimeMetrics(_Lenient):
    estimated_delivery_date: SeventeenTrackEstimate | None = None


class SeventeenTrackInfo(_Lenient):
    latest_status: SeventeenTrackStatus | None = None
    time_metrics: SeventeenTrackTimeMetrics | None = None
    tracking: SeventeenTrackTracking | None = None


class SeventeenTrackData(_Lenient):
    number: str = Field(min_length=1)
    carrier: int | None = None
    track_info: SeventeenTrackInfo | None = None  # absent in TRACKING_STOPPED


class SeventeenTrackWebhook(_Lenient):
    event: str
    data: SeventeenTrackData


# -- Shippo: `track_updated` webhook (events/carriers/shippo/README.md) ------------------------
class ShippoSubstatus(_Lenient):
    code: str | None = None
    text: str | None = None
    action_required: bool | None = None


class ShippoTrackingStatus(_Lenient):
    object_id: str | None = None
    status: str = "UNKNOWN"
    status_details: str | None = None
    status_date: AwareDatetime | None = None
    substatus: ShippoSubstatus | None = None
    location: PostalPlace | None = None


class ShippoTrack(_Lenient):
    carrier: str | None = None
    tracking_number: str = Field(min_length=1)
    eta: str | None = None
    tracking_status: ShippoTrackingStatus | None = None
    tracking_history: list[ShippoTrackingStatus] = []


class ShippoWebhook(_Lenient):
    event: str
    test: bool = False
    data: ShippoTrack
