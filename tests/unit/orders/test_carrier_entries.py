"""A carrier checkpoint's timeline entry is a reference to the shipment's copy; read with the
shipment, it is the entry it always was."""

from __future__ import annotations

from orders.domain.carrier_entries import (
    ShipmentCheckpoints,
    carrier_identity,
    carrier_reference,
    checkpoint_identity,
    expand,
    named_shipments,
    reference,
)
from orders.models.api import TimelineEntry

DELIVERED = {
    "status": "delivered",
    "reason": "signed_by_recipient",
    "occurred_at": "2025-07-02T14:30:00+08:00",
    "location": "上海市浦东新区",
    "message": "快件已签收",
    "raw_code": "delivered",
    "provider": "generic",
    "carrier": "sf-express",
    "received_at": None,
}
OUT = {**DELIVERED, "status": "out_for_delivery", "reason": None, "occurred_at": "2025-07-02T08:05:00+08:00",
       "message": "快件正在派送中", "raw_code": "out_for_delivery"}  # fmt: skip
SHIPMENT = ShipmentCheckpoints("shp_1", "SF1234567890123", [OUT, DELIVERED])
RECORDED = "2025-07-02T06:33:00.000Z"

FULL_DELIVERED = TimelineEntry(
    status="delivered",
    at="2025-07-02T14:30:00+08:00",
    by="carrier:generic",
    details={
        "shipment_id": "shp_1",
        "tracking_number": "SF1234567890123",
        "reason": "signed_by_recipient",
        "location": "上海市浦东新区",
        "message": "快件已签收",
        "raw_code": "delivered",
        "recorded_at": RECORDED,
    },
)
"""The entry as it was written before references (order_follows.carrier_entry, in full)."""


def reference_to(checkpoint: dict[str, object], shipment_id: str = "shp_1") -> TimelineEntry:
    return carrier_reference(
        shipment_id=shipment_id,
        status=str(checkpoint["status"]),
        at=str(checkpoint["occurred_at"]),
        provider="generic",
        message=checkpoint["message"],  # type: ignore[arg-type]
        recorded_at=RECORDED,
    )


def test_a_reference_keeps_status_time_and_actor_and_names_its_checkpoint() -> None:
    entry = reference_to(DELIVERED)
    assert (entry.status, entry.at, entry.by) == (FULL_DELIVERED.status, FULL_DELIVERED.at, FULL_DELIVERED.by)
    assert entry.details is not None and set(entry.details) == {"ref", "recorded_at"}
    assert reference(entry) == entry.details["ref"]
    assert reference(FULL_DELIVERED) is None


def test_read_with_its_shipment_a_reference_is_the_entry_in_full_key_for_key() -> None:
    received = TimelineEntry(status="received", at="2025-06-30T10:00:00.000Z", by="storefront")
    [kept, expanded] = expand([received, reference_to(DELIVERED)], [SHIPMENT])

    assert kept is received
    assert expanded == FULL_DELIVERED
    assert list(expanded.details or {}) == list(FULL_DELIVERED.details or {})  # same order in JSON


def test_an_entry_written_in_full_reads_as_it_is() -> None:
    assert expand([FULL_DELIVERED], [SHIPMENT]) == [FULL_DELIVERED]
    assert expand([FULL_DELIVERED, reference_to(OUT)], [SHIPMENT])[0] is FULL_DELIVERED


def test_a_reference_without_its_checkpoint_keeps_its_time_or_waits_for_more_shipments() -> None:
    orphan = reference_to(DELIVERED, shipment_id="shp_gone")
    [read] = expand([orphan], [SHIPMENT])
    assert read.details == {"recorded_at": RECORDED} and (read.status, read.by) == (
        "delivered",
        "carrier:generic",
    )
    assert expand([orphan], [SHIPMENT], keep_unresolved=True) == [orphan]


def test_full_and_referenced_entries_of_one_checkpoint_are_the_same_checkpoint_to_catch_up() -> None:
    expected = checkpoint_identity("shp_1", "delivered", "2025-07-02T14:30:00+08:00", "快件已签收")
    assert carrier_identity(reference_to(DELIVERED)) == carrier_identity(FULL_DELIVERED) == expected
    assert carrier_identity(reference_to(DELIVERED, shipment_id="shp_2")) != expected
    status_move = TimelineEntry(status="delivered", at=RECORDED, by="system:carrier-tracking",
                                details={"shipment_id": "shp_1"})  # fmt: skip
    assert carrier_identity(status_move) is None


def test_the_timeline_names_the_shipments_it_refers_to() -> None:
    shipped = TimelineEntry(
        status="shipped",
        at="2025-07-01T06:00:00.000Z",
        by="storefront:shipment",
        details={"shipment_id": "shp_1", "carrier": "sf-express", "tracking_number": "SF1234567890123"},
    )
    moved = TimelineEntry(
        status="in_transit", at=RECORDED, by="system:carrier-tracking", details={"shipment_id": "shp_2"}
    )
    assert named_shipments([shipped, reference_to(DELIVERED), moved, FULL_DELIVERED]) == ["shp_1", "shp_2"]
