"""Every checkpoint keeps the carrier's own time, with the offset or zone each provider documents:
never the time a provider or ordertrack processed it."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs

import pytest

from carriers.domain.intake import parse_update
from carriers.models.tracking import Provider, TrackingStatus
from tests.unit.carriers.samples import RECEIVED, sample_bytes

# The delivered scan of each provider's sample, as the provider gives it (see each README):
# EasyPost `datetime` and Shippo `status_date` in UTC; AfterShip `checkpoint_time` and 17track
# `time_iso` with the place's offset; Kuaidi100 `ftime` in China time without an offset.
DELIVERED = {
    Provider.EASYPOST: ("easypost", "03_delivered.json", "2025-06-05T19:47:00+00:00"),
    Provider.AFTERSHIP: ("aftership", "03_delivered.json", "2025-05-15T13:21:00-05:00"),
    Provider.KUAIDI100: ("kuaidi100", "03_delivered.txt", "2025-06-21T14:26:31+08:00"),
    Provider.SEVENTEENTRACK: ("17track", "03_delivered.json", "2025-04-10T13:05:00-04:00"),
    Provider.SHIPPO: ("shippo", "03_delivered.json", "2025-06-13T17:51:00+00:00"),
    Provider.GENERIC: ("generic", "04_delivered.json", "2025-07-02T14:30:00+08:00"),
}


def _payload(provider: str, name: str) -> str:
    raw = sample_bytes(provider, name).decode()
    return parse_qs(raw)["param"][0] if provider == "kuaidi100" else raw


@pytest.mark.parametrize("provider", sorted(DELIVERED))
def test_the_delivered_checkpoint_is_the_carriers_time_with_its_offset(provider: Provider) -> None:
    folder, name, expected = DELIVERED[provider]
    update = parse_update(provider, _payload(folder, name), RECEIVED)
    delivered = [cp for cp in update.checkpoints if cp.status is TrackingStatus.DELIVERED]
    assert delivered and delivered[0].occurred_at.isoformat() == expected
    assert delivered[0].occurred_at.utcoffset() == datetime.fromisoformat(expected).utcoffset()


def _aftership_delivered(**checkpoint: object) -> dict:
    document = json.loads(_payload("aftership", "03_delivered.json"))
    last = next(cp for cp in document["msg"]["checkpoints"] if cp["tag"] == "Delivered")
    last.update(checkpoint)
    return document


def _delivered_time(document: dict) -> str:
    update = parse_update(Provider.AFTERSHIP, json.dumps(document), RECEIVED)
    return next(
        cp for cp in update.checkpoints if cp.status is TrackingStatus.DELIVERED
    ).occurred_at.isoformat()


def test_an_aftership_time_without_offset_is_read_in_the_checkpoints_own_zone() -> None:
    # Madison, WI (Central time, daylight saving in May): 13:21 local is 13:21-05:00, not AfterShip's
    # created_at (18:44:57Z, when AfterShip recorded it)
    document = _aftership_delivered(checkpoint_time="2025-05-15T13:21:00")
    assert _delivered_time(document) == "2025-05-15T13:21:00-05:00"
    # version 2025-01 names the country `country_region`
    renamed = _aftership_delivered(
        checkpoint_time="2025-05-15T13:21:00", country_iso3=None, country_region="USA"
    )
    assert _delivered_time(renamed) == "2025-05-15T13:21:00-05:00"
    # a one-zone country needs no state: Shanghai
    china = _aftership_delivered(checkpoint_time="2025-05-15T13:21:00", country_iso3="CHN", state=None)
    assert _delivered_time(china) == "2025-05-15T13:21:00+08:00"


def test_an_aftership_time_that_cannot_be_placed_falls_back_to_when_aftership_recorded_it() -> None:
    bare_date = _aftership_delivered(checkpoint_time="2025-05-15")
    assert _delivered_time(bare_date) == "2025-05-15T18:44:57+00:00"
    nowhere = _aftership_delivered(checkpoint_time="2025-05-15T13:21:00", country_iso3=None, state=None)
    assert _delivered_time(nowhere) == "2025-05-15T18:44:57+00:00"
