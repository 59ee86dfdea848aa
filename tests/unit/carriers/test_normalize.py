"""Provider samples -> canonical checkpoints; every mapping table entry; unknown codes stay visible."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from carriers.domain import status_tables
from carriers.domain.intake import parse_update
from carriers.models.tracking import Provider, TrackingStatus
from tests.unit.carriers.samples import RECEIVED, SAMPLES, sample_bytes


def payload(provider: str, name: str) -> str:
    raw = sample_bytes(provider, name).decode()
    return parse_qs(raw)["param"][0] if provider == "kuaidi100" else raw


def test_easypost_sample_keeps_time_zone_location_message_and_raw_code() -> None:
    update = parse_update(Provider.EASYPOST, payload("easypost", "01_in_transit.json"), RECEIVED)
    assert update.tracking_number == "700000000015"
    assert update.provider_event_id.startswith("evt_")
    first, second = update.checkpoints
    assert (first.status, second.status) == (TrackingStatus.INFO_RECEIVED, TrackingStatus.IN_TRANSIT)
    assert second.occurred_at.utcoffset() is not None
    assert second.location == "LOUISVILLE, KY, 40209, US"
    assert second.message == "Picked up"
    assert second.raw_code == "in_transit/arrived_at_facility"


def test_aftership_attempt_fail_sample_has_reason() -> None:
    update = parse_update(Provider.AFTERSHIP, payload("aftership", "02_exception.json"), RECEIVED)
    last = max(update.checkpoints, key=lambda cp: cp.occurred_at)
    assert last.status is TrackingStatus.ATTEMPT_FAIL
    assert last.reason == "recipient_unavailable"
    assert last.raw_code == "AttemptFail_002"
    assert last.occurred_at.isoformat() == "2025-05-14T14:58:00-05:00"


def test_kuaidi100_sample_keeps_chinese_text_and_china_time() -> None:
    update = parse_update(Provider.KUAIDI100, payload("kuaidi100", "03_delivered.txt"), RECEIVED)
    assert update.tracking_number == "YT9990000000015"
    newest = update.checkpoints[0]
    assert newest.status is TrackingStatus.DELIVERED
    assert "本人签收" in (newest.message or "")
    assert newest.occurred_at.isoformat() == "2025-06-21T14:26:31+08:00"
    assert newest.location == "上海,浦东新区"
    picked_up = update.checkpoints[-1]
    assert (picked_up.status, picked_up.reason, picked_up.raw_code) == (
        TrackingStatus.IN_TRANSIT,
        "picked_up",
        "1",
    )


@pytest.mark.parametrize("provider", sorted(SAMPLES))
def test_the_last_sample_of_each_provider_ends_delivered(provider: str) -> None:
    update = parse_update(Provider(provider), payload(provider, SAMPLES[provider][-1]), RECEIVED)
    assert max(update.checkpoints, key=lambda cp: cp.occurred_at).status is TrackingStatus.DELIVERED


@pytest.mark.parametrize("provider", ["easypost", "aftership", "generic", "17track"])
def test_unknown_extra_fields_are_ignored(provider: str) -> None:
    document = json.loads(payload(provider, SAMPLES[provider][0]))
    document["brand_new_field"] = {"nested": [1, 2]}
    update = parse_update(Provider(provider), json.dumps(document), RECEIVED)
    assert update.checkpoints


@pytest.mark.parametrize("code", sorted(status_tables.KUAIDI100_STATE))
def test_every_kuaidi100_state_maps_to_a_known_status(code: str) -> None:
    status, _ = status_tables.kuaidi100_mapping(code)
    assert status is not TrackingStatus.UNKNOWN


@pytest.mark.parametrize(
    ("code", "expected"),
    [("309", TrackingStatus.DELIVERED), ("1009", TrackingStatus.IN_TRANSIT), ("99", TrackingStatus.UNKNOWN)],
)
def test_kuaidi100_fallbacks(code: str, expected: TrackingStatus) -> None:
    assert status_tables.kuaidi100_mapping(code)[0] is expected


def test_unknown_codes_map_to_unknown_and_keep_the_raw_code() -> None:
    assert status_tables.aftership_mapping("Teleported", "Teleported_001") == (TrackingStatus.UNKNOWN, None)
    assert status_tables.aftership_mapping("Exception", "Exception_099") == (TrackingStatus.EXCEPTION, None)
    assert status_tables.easypost_mapping("warped", None) == (TrackingStatus.UNKNOWN, None)
    document = json.loads(payload("generic", "01_info_received.json"))
    document["checkpoints"][0]["status"] = "teleported"
    checkpoint = parse_update(Provider.GENERIC, json.dumps(document), RECEIVED).checkpoints[0]
    assert (checkpoint.status, checkpoint.raw_code) == (TrackingStatus.UNKNOWN, "teleported")


def test_every_aftership_and_easypost_status_is_mapped() -> None:
    for tag in ["Pending", "InfoReceived", "InTransit", "OutForDelivery", "AttemptFail", "Delivered",
                "AvailableForPickup", "Exception", "Expired"]:  # fmt: skip
        assert status_tables.aftership_mapping(tag, None)[0] is not TrackingStatus.UNKNOWN
    for status in ["unknown", "pre_transit", "in_transit", "out_for_delivery", "delivered",
                   "available_for_pickup", "return_to_sender", "failure", "cancelled"]:  # fmt: skip
        assert status_tables.easypost_mapping(status, None)[0] is not TrackingStatus.UNKNOWN


def test_17track_attempt_keeps_the_latest_status_for_the_newest_unstaged_event() -> None:
    update = parse_update(Provider.SEVENTEENTRACK, payload("17track", "02_exception.json"), RECEIVED)
    newest = max(update.checkpoints, key=lambda cp: cp.occurred_at)
    assert (newest.status, newest.reason, newest.raw_code) == (
        TrackingStatus.ATTEMPT_FAIL,
        "recipient_unavailable",
        "DeliveryFailure_NoBody",
    )
    assert newest.occurred_at.isoformat() == "2025-04-09T15:22:00-04:00"


@pytest.mark.parametrize(
    ("status", "sub_status", "expected"),
    [
        ("Exception", "Exception_Returned", TrackingStatus.RETURN_TO_SENDER),
        ("InTransit", "InTransit_Teleported", TrackingStatus.IN_TRANSIT),  # unlisted: by its prefix
        ("Sideways", None, TrackingStatus.UNKNOWN),
    ],
)
def test_17track_status_mapping(status: str, sub_status: str | None, expected: TrackingStatus) -> None:
    assert status_tables.seventeentrack_mapping(status, sub_status)[0] is expected


def aftership_document(name: str = "01_in_transit.json") -> dict:
    return json.loads(payload("aftership", name))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "2025-05-14"),  # 2024-07: expected_delivery
        (
            {
                "expected_delivery": None,
                "courier_estimated_delivery_date": {"estimated_delivery_date": "2025-05-15"},
            },
            "2025-05-15",
        ),
        (
            {
                "expected_delivery": None,
                "courier_estimated_delivery_date": {
                    "estimated_delivery_date": None,
                    "estimated_delivery_date_min": "2025-05-14",
                    "estimated_delivery_date_max": "2025-05-16",
                },
            },
            "2025-05-16",  # a range counts as its upper end
        ),
        (
            {
                "expected_delivery": None,
                "latest_estimated_delivery": {"type": "specific", "datetime": "2025-05-17T18:00:00-05:00"},
            },
            "2025-05-17T18:00:00-05:00",
        ),
        (
            {
                "expected_delivery": None,
                "custom_estimated_delivery_date": {
                    "datetime_min": "2025-05-12",
                    "datetime_max": "2025-05-18",
                },
            },
            "2025-05-18",
        ),
        (
            {
                "expected_delivery": None,
                "aftership_estimated_delivery_date": {"estimated_delivery_date": "2025-05-19"},
            },
            "2025-05-19",
        ),
    ],
)
def test_every_aftership_version_keeps_its_delivery_estimate(change: dict, expected: str) -> None:
    document = aftership_document()
    document["msg"].update(change)
    assert parse_update(Provider.AFTERSHIP, json.dumps(document), RECEIVED).estimated_delivery == expected


def test_the_2025_01_sample_reads_like_the_2024_07_one() -> None:
    old = parse_update(Provider.AFTERSHIP, payload("aftership", "01_in_transit.json"), RECEIVED)
    new = parse_update(Provider.AFTERSHIP, payload("aftership", "04_in_transit_2025_01.json"), RECEIVED)
    assert new.estimated_delivery == old.estimated_delivery == "2025-05-14"
    assert [(cp.status, cp.occurred_at, cp.location) for cp in new.checkpoints] == [
        (cp.status, cp.occurred_at, cp.location) for cp in old.checkpoints
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"courier_estimated_delivery_date": "2025-05-15"},
        {"latest_estimated_delivery": ["2025-05-15"]},
        {"checkpoints": {"not": "a list"}},
    ],
)
def test_an_aftership_field_of_the_wrong_shape_is_a_400_naming_it(change: dict) -> None:
    from carriers.domain.intake import MalformedWebhook

    document = aftership_document()
    document["msg"].update(change)
    with pytest.raises(MalformedWebhook) as refused:
        parse_update(Provider.AFTERSHIP, json.dumps(document), RECEIVED)
    assert any(detail["field"].startswith(f"msg.{next(iter(change))}") for detail in refused.value.details)


def test_shippo_substatuses_refine_the_status_and_the_eta_is_the_estimate() -> None:
    attempted = parse_update(Provider.SHIPPO, payload("shippo", "02_exception.json"), RECEIVED)
    newest = max(attempted.checkpoints, key=lambda cp: cp.occurred_at)
    assert (newest.status, newest.reason) == (TrackingStatus.ATTEMPT_FAIL, "delivery_attempted")
    assert newest.raw_code == "TRANSIT/delivery_attempted"
    assert attempted.estimated_delivery == "2025-06-13T00:00:00Z"
    assert attempted.carrier == "usps"
    # the latest event is also in the history: one checkpoint per Shippo event, not two
    document = json.loads(payload("shippo", "02_exception.json"))
    ids = {event["object_id"] for event in document["data"]["tracking_history"]}
    ids.add(document["data"]["tracking_status"]["object_id"])
    assert len(attempted.checkpoints) == len(ids)


@pytest.mark.parametrize(
    ("status", "substatus", "expected"),
    [
        ("TRANSIT", "out_for_delivery", TrackingStatus.OUT_FOR_DELIVERY),
        ("TRANSIT", "pickup_available", TrackingStatus.AVAILABLE_FOR_PICKUP),
        ("TRANSIT", "package_departed", TrackingStatus.IN_TRANSIT),
        ("RETURNED", "return_to_sender", TrackingStatus.RETURN_TO_SENDER),
        ("FAILURE", "package_lost", TrackingStatus.EXCEPTION),
        ("PRE_TRANSIT", None, TrackingStatus.INFO_RECEIVED),
        ("TRANSIT", "brand_new_code", TrackingStatus.IN_TRANSIT),
        ("UNKNOWN", "other", TrackingStatus.UNKNOWN),
    ],
)
def test_every_shippo_status_maps(status: str, substatus: str | None, expected: TrackingStatus) -> None:
    assert status_tables.shippo_mapping(status, substatus)[0] is expected
