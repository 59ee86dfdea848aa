"""How the order item stores its timeline entries: carrier references flat, anything else as it is."""

from __future__ import annotations

import pytest

from orders.adapters.timeline_items import timeline_entry, timeline_item
from orders.domain.carrier_entries import carrier_reference
from orders.models.api import TimelineEntry


def reference(recorded_at: str) -> TimelineEntry:
    return carrier_reference(
        shipment_id="shp_1",
        status="delivered",
        at="2025-07-02T14:30:00+08:00",
        provider="17track",
        message="Delivered",
        recorded_at=recorded_at,
    )


def test_a_reference_is_stored_flat_with_its_time_in_milliseconds() -> None:
    entry = reference("2025-07-02T06:33:00.120Z")

    stored = timeline_item(entry)

    assert stored == {
        "status": "delivered",
        "at": "2025-07-02T14:30:00+08:00",
        "p": "17track",
        "ref": entry.details["ref"],  # type: ignore[index]
        "rec": 1751437980120,
    }
    assert TimelineEntry.model_validate(timeline_entry(stored)) == entry


@pytest.mark.parametrize("recorded_at", ["2025-07-02T06:33:00Z", "2025-07-02T06:33:00.120+00:00", "soon"])
def test_a_time_not_in_the_canonical_form_is_kept_as_its_text(recorded_at: str) -> None:
    stored = timeline_item(reference(recorded_at))
    assert stored["rec"] == recorded_at
    assert TimelineEntry.model_validate(timeline_entry(stored)).details["recorded_at"] == recorded_at  # type: ignore[index]


def test_every_other_entry_is_stored_as_it_is() -> None:
    entries = [
        TimelineEntry(status="received", at="2025-06-30T10:00:00.000Z", by="storefront"),
        TimelineEntry(
            status="in_transit",
            at="2025-07-01T18:40:00+08:00",
            by="carrier:generic",
            details={
                "shipment_id": "shp_1",
                "tracking_number": "SF1",
                "message": "m",
                "raw_code": "in_transit",
            },
        ),
    ]
    for entry in entries:
        stored = timeline_item(entry)
        assert stored == entry.model_dump(mode="json", exclude_none=True)
        assert timeline_entry(stored) is stored
