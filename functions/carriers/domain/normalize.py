"""Provider payloads (validated pydantic models) -> one canonical `TrackingUpdate`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from carriers.domain import status_tables as tables
from carriers.models.tracking import (
    Checkpoint,
    Provider,
    TrackingStatus,
    TrackingUpdate,
    normalize_tracking_number,
    parse_time,
)
from carriers.models.webhooks import (
    AfterShipCheckpoint,
    AfterShipWebhook,
    EasyPostEvent,
    GenericWebhook,
    Kuaidi100Push,
    PostalPlace,
    SeventeenTrackEvent,
    SeventeenTrackWebhook,
    ShippoWebhook,
)
from shared.country_codes import alpha2
from shared.customer_time import country_zone, region_zone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Kuaidi100 gives times without a zone; Chinese carriers report in China Standard Time."""


def _join(*parts: str | None) -> str | None:
    text = ", ".join(part for part in parts if part)
    return text or None


def _place(place: PostalPlace | None) -> str | None:
    return _join(place.city, place.state, place.zip, place.country) if place else None


def easypost(event: EasyPostEvent) -> TrackingUpdate:
    tracker = event.result
    checkpoints = []
    for detail in tracker.tracking_details:
        status, reason = tables.easypost_mapping(detail.status, detail.status_detail)
        checkpoints.append(
            Checkpoint(
                status=status,
                reason=reason,
                occurred_at=detail.datetime,
                location=_place(detail.tracking_location),
                message=detail.message or detail.description,
                raw_code=f"{detail.status}/{detail.status_detail or ''}",
                provider=Provider.EASYPOST,
            )
        )
    if not checkpoints and tracker.updated_at is not None:
        status, reason = tables.easypost_mapping(tracker.status, tracker.status_detail)
        checkpoints.append(
            Checkpoint(
                status=status,
                reason=reason,
                occurred_at=tracker.updated_at,
                raw_code=f"{tracker.status}/{tracker.status_detail or ''}",
                provider=Provider.EASYPOST,
            )
        )
    return TrackingUpdate(
        provider=Provider.EASYPOST,
        provider_event_id=event.id,
        tracking_number=normalize_tracking_number(tracker.tracking_code),
        carrier=tracker.carrier,
        checkpoints=checkpoints,
        estimated_delivery=tracker.est_delivery_date,
    )


def _aftership_time(checkpoint: AfterShipCheckpoint) -> datetime | None:
    """The carrier's own checkpoint time. AfterShip documents `checkpoint_time` as the carrier's
    local time at the checkpoint, in a format that varies: with an offset it is taken as it is;
    with a time but no offset it is read in the zone of the checkpoint's place (its country and
    state, by `shared.customer_time.region_zone` / `country_zone`); only a bare date, or a place
    without a known zone, falls back to AfterShip's UTC `created_at` (when AfterShip recorded it)."""
    if checkpoint.checkpoint_time:
        try:
            moment = parse_time(checkpoint.checkpoint_time)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
        zone = _checkpoint_zone(checkpoint)
        if moment is not None and zone is not None and len(checkpoint.checkpoint_time.strip()) > 10:
            return moment.replace(tzinfo=zone)
    return checkpoint.created_at


def _checkpoint_zone(checkpoint: AfterShipCheckpoint) -> ZoneInfo | None:
    """The zone of a checkpoint's place: its state's in a country of several zones, else the
    country's (`country_iso3`, or `country_region` from version 2025-01)."""
    country = alpha2(checkpoint.country_iso3 or checkpoint.country_region)
    name = region_zone(country, checkpoint.state) or country_zone(country)
    return ZoneInfo(name) if name else None


def aftership(webhook: AfterShipWebhook) -> TrackingUpdate:
    tracking = webhook.msg
    checkpoints = []
    for checkpoint in tracking.checkpoints:
        moment = _aftership_time(checkpoint)
        if moment is None:
            continue
        status, reason = tables.aftership_mapping(checkpoint.tag, checkpoint.subtag)
        checkpoints.append(
            Checkpoint(
                status=status,
                reason=reason,
                occurred_at=moment,
                location=checkpoint.location
                or _join(
                    checkpoint.city, checkpoint.state, checkpoint.country_iso3 or checkpoint.country_region
                ),
                message=checkpoint.message,
                raw_code=checkpoint.subtag or checkpoint.tag,
                provider=Provider.AFTERSHIP,
            )
        )
    return TrackingUpdate(
        provider=Provider.AFTERSHIP,
        provider_event_id=webhook.event_id,
        tracking_number=normalize_tracking_number(tracking.tracking_number),
        carrier=tracking.slug,
        checkpoints=checkpoints,
        estimated_delivery=tracking.estimated_delivery(),
    )


def _kuaidi100_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_STANDARD_TIME)


def kuaidi100(push: Kuaidi100Push) -> TrackingUpdate:
    result = push.lastResult
    checkpoints = []
    for index, data in enumerate(result.data):  # newest first
        if data.statusCode:
            code = data.statusCode
        elif data.status in tables.KUAIDI100_STATE_NAMES:
            code = tables.KUAIDI100_STATE_NAMES[data.status]
        elif index == 0:
            code = result.state  # the current state belongs to the newest checkpoint
        else:
            code = data.status or ""
        status, reason = tables.kuaidi100_mapping(code)
        checkpoints.append(
            Checkpoint(
                status=status,
                reason=reason,
                occurred_at=_kuaidi100_time(data.ftime),
                location=data.location or data.areaName,
                message=data.context,
                raw_code=code,
                provider=Provider.KUAIDI100,
            )
        )
    return TrackingUpdate(
        provider=Provider.KUAIDI100,
        provider_event_id=None,
        tracking_number=normalize_tracking_number(result.nu),
        carrier=result.com,
        checkpoints=checkpoints,
        stopped=(push.message or "abort") if push.status == "abort" else None,
    )


def generic(webhook: GenericWebhook) -> TrackingUpdate:
    known = {status.value for status in TrackingStatus}
    checkpoints = [
        Checkpoint(
            status=TrackingStatus(cp.status) if cp.status in known else TrackingStatus.UNKNOWN,
            reason=cp.reason,
            occurred_at=cp.occurred_at,
            location=cp.location,
            message=cp.message,
            raw_code=cp.status,
            provider=Provider.GENERIC,
        )
        for cp in webhook.checkpoints
    ]
    return TrackingUpdate(
        provider=Provider.GENERIC,
        provider_event_id=webhook.event_id,
        tracking_number=normalize_tracking_number(webhook.tracking_number),
        carrier=webhook.carrier,
        checkpoints=checkpoints,
        estimated_delivery=webhook.estimated_delivery,
    )


def _seventeentrack_time(event: SeventeenTrackEvent) -> datetime | None:
    for value in (event.time_iso, event.time_utc):
        if value:
            try:
                moment = parse_time(value)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return moment
    return None


def seventeentrack(webhook: SeventeenTrackWebhook) -> TrackingUpdate:
    info = webhook.data.track_info
    events = [
        event
        for provider in (info.tracking.providers if info and info.tracking else [])
        for event in provider.events
    ]
    timed = [(moment, event) for event in events if (moment := _seventeentrack_time(event)) is not None]
    newest = max((moment for moment, _ in timed), default=None)
    latest = info.latest_status if info else None
    checkpoints = []
    for moment, event in timed:
        if event.stage in tables.SEVENTEENTRACK_STAGE:
            (status, reason), code = tables.SEVENTEENTRACK_STAGE[event.stage], event.stage
        elif event.sub_status:
            (status, reason), code = tables.seventeentrack_mapping(None, event.sub_status), event.sub_status
        elif moment == newest and latest is not None:
            code = latest.sub_status or latest.status or ""
            status, reason = tables.seventeentrack_mapping(latest.status, latest.sub_status)
        else:
            (status, reason), code = (TrackingStatus.UNKNOWN, None), event.stage or ""
        checkpoints.append(
            Checkpoint(
                status=status,
                reason=reason,
                occurred_at=moment,
                location=event.location,
                message=event.description,
                raw_code=code,
                provider=Provider.SEVENTEENTRACK,
            )
        )
    estimate = info.time_metrics.estimated_delivery_date if info and info.time_metrics else None
    return TrackingUpdate(
        provider=Provider.SEVENTEENTRACK,
        provider_event_id=None,
        tracking_number=normalize_tracking_number(webhook.data.number),
        carrier=str(webhook.data.carrier) if webhook.data.carrier is not None else None,
        checkpoints=checkpoints,
        estimated_delivery=estimate.to if estimate else None,
    )


def shippo(webhook: ShippoWebhook) -> TrackingUpdate:
    track = webhook.data
    events = {event.object_id or str(index): event for index, event in enumerate(track.tracking_history)}
    if track.tracking_status is not None:  # the latest event, also in the history when Shippo sends it
        latest = track.tracking_status
        events.setdefault(latest.object_id or "latest", latest)
    checkpoints = []
    for event in events.values():
        if event.status_date is None:
            continue
        code = event.substatus.code if event.substatus else None
        status, reason = tables.shippo_mapping(event.status, code)
        checkpoints.append(
            Checkpoint(
                status=status,
                reason=reason,
                occurred_at=event.status_date,
                location=_place(event.location),
                message=event.status_details,
                raw_code=f"{event.status}/{code or ''}",
                provider=Provider.SHIPPO,
            )
        )
    latest_id = track.tracking_status.object_id if track.tracking_status else None
    return TrackingUpdate(
        provider=Provider.SHIPPO,
        provider_event_id=latest_id,
        tracking_number=normalize_tracking_number(track.tracking_number),
        carrier=track.carrier,
        checkpoints=checkpoints,
        estimated_delivery=track.eta,
    )
