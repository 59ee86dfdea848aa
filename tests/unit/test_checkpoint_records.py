"""A shipment keeps its checkpoints compactly; every reader gets them back in full, either form."""

from __future__ import annotations

from typing import Any

from shared.checkpoint_records import (
    STORED_NAMES,
    checkpoint_ref,
    compact_checkpoints,
    full_checkpoints,
    last_checkpoint_at,
)


def record(status: str, occurred_at: str, **fields: Any) -> dict[str, Any]:
    """A checkpoint record in full, as `Checkpoint.as_record` writes it."""
    return {
        "status": status,
        "reason": None,
        "occurred_at": occurred_at,
        "location": None,
        "message": None,
        "raw_code": status,
        "provider": "aftership",
        "carrier": "ups",
        "received_at": "2026-11-24T12:00:00.000Z",
        **fields,
    }


JOURNEY = [
    record(
        "info_received", "2026-11-23T09:15:00-05:00", raw_code="InfoReceived_001", message="Label created"
    ),
    record("in_transit", "2026-11-23T18:40:00-05:00", reason="picked_up", location="KANSAS CITY, MO"),
    record("in_transit", "2026-11-24T02:10:00-05:00", location="KANSAS CITY, MO", message="Departed"),
    record("out_for_delivery", "2026-11-24T08:05:00-05:00", location=None, carrier=None),
    record("delivered", "2026-11-24T14:30:00-05:00", provider="easypost", carrier="UPS", location="DENVER"),
]


def without_received_at(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, "received_at": None} for item in records]


def test_a_compact_list_reads_back_as_the_full_records_but_their_arrival_time() -> None:
    stored = compact_checkpoints(JOURNEY, carrier="ups")

    assert full_checkpoints(stored, carrier="ups") == without_received_at(JOURNEY)


def test_the_compact_form_keeps_only_what_is_not_said_already() -> None:
    first, picked_up, departed, out, delivered = compact_checkpoints(JOURNEY, carrier="ups")

    assert set(STORED_NAMES.values()) >= {
        name for item in (first, picked_up, departed, out, delivered) for name in item
    }
    # the first names its provider; the shipment's own carrier goes without saying
    assert first == {"s": "info_received", "t": "2026-11-23T09:15:00-05:00", "m": "Label created",
                     "c": "InfoReceived_001", "p": "aftership"}  # fmt: skip
    # no empty field, no raw code equal to the status, the same provider and carrier unsaid
    assert picked_up == {
        "s": "in_transit",
        "t": "2026-11-23T18:40:00-05:00",
        "r": "picked_up",
        "l": "KANSAS CITY, MO",
    }
    # the same place as the checkpoint before goes unsaid too
    assert departed == {"s": "in_transit", "t": "2026-11-24T02:10:00-05:00", "m": "Departed"}
    # what goes back to none after a value is said, as a null
    assert out == {"s": "out_for_delivery", "t": "2026-11-24T08:05:00-05:00", "l": None, "k": None}
    assert delivered["p"] == "easypost" and delivered["k"] == "UPS" and delivered["l"] == "DENVER"


def test_a_list_written_in_full_before_reads_as_it_is() -> None:
    assert full_checkpoints(JOURNEY, carrier="ups") == JOURNEY
    # and a partial full record (an old or hand-written item) keeps its gaps
    assert full_checkpoints([{"status": "delivered", "occurred_at": "t"}], carrier="ups") == [
        {name: {"status": "delivered", "occurred_at": "t"}.get(name) for name in JOURNEY[0]}
    ]


def test_a_first_checkpoint_of_another_carrier_says_so() -> None:
    [stored] = compact_checkpoints(
        [record("in_transit", "2026-11-24T02:10:00Z", carrier="usps")], carrier="ups"
    )
    assert stored["k"] == "usps"
    [missing] = compact_checkpoints(
        [record("in_transit", "2026-11-24T02:10:00Z", carrier=None)], carrier="ups"
    )
    assert missing["k"] is None
    assert full_checkpoints([missing], carrier="ups")[0]["carrier"] is None


def test_the_last_checkpoints_time_is_read_from_the_list_unless_the_item_stores_it() -> None:
    compact = {"checkpoints": compact_checkpoints(JOURNEY, carrier="ups")}
    assert last_checkpoint_at(compact) == "2026-11-24T14:30:00-05:00"
    assert last_checkpoint_at({"checkpoints": JOURNEY}) == "2026-11-24T14:30:00-05:00"
    assert last_checkpoint_at({"checkpoints": JOURNEY, "last_checkpoint_at": "stored"}) == "stored"
    assert last_checkpoint_at({}) is None and last_checkpoint_at({"checkpoints": []}) is None


def test_a_checkpoint_reference_is_short_stable_and_tells_shipments_and_messages_apart() -> None:
    ref = checkpoint_ref("shp_1", "in_transit", "2026-11-24T02:10:00-05:00", "Departed")
    assert ref == checkpoint_ref("shp_1", "in_transit", "2026-11-24T02:10:00-05:00", "Departed")
    assert len(ref) == 6 and int(ref, 16) >= 0
    assert ref != checkpoint_ref("shp_2", "in_transit", "2026-11-24T02:10:00-05:00", "Departed")
    assert ref != checkpoint_ref("shp_1", "in_transit", "2026-11-24T02:10:00-05:00", "Arrived")
    assert checkpoint_ref("shp_1", "delivered", "t", None) == checkpoint_ref("shp_1", "delivered", "t", "")
