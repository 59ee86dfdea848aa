"""PutEvents as EventBridge documents it: 10 entries and 256 KB per request, failed entries retried."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orders.adapters.eventbridge_bus import (
    MAX_REQUEST_BYTES,
    EventBridgeBus,
    EventsNotPublished,
    entry_size,
    requests_of,
)
from shared.domain_events import OrderStatusChanged


def changed(n: int, padding: str = "") -> OrderStatusChanged:
    return OrderStatusChanged(
        event_id=f"ord_{n}:v2{padding}",
        occurred_at="2026-11-24T10:00:00.000Z",
        order_id=f"ord_{n}",
        status="confirmed",
        version=2,
        previous_status="received",
    )


class FakeEvents:
    """EventBridge's PutEvents: refuses the entries named in `refuse` (by event id) `times` times."""

    def __init__(self, refuse: set[str] = frozenset(), times: int = 1) -> None:  # type: ignore[assignment]
        self.requests: list[list[dict[str, Any]]] = []
        self.refuse = {event_id: times for event_id in refuse}

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.requests.append(Entries)
        results = []
        for entry in Entries:
            event_id = json.loads(entry["Detail"])["event_id"]
            if self.refuse.get(event_id, 0) > 0:
                self.refuse[event_id] -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                results.append({"EventId": f"id-{event_id}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def test_entries_name_the_bus_the_source_and_the_detail_type() -> None:
    client = FakeEvents()
    assert EventBridgeBus("ordertrack-dev", client, pause=lambda _: None).publish_all([changed(1)]) == {}
    [[entry]] = client.requests
    assert (entry["EventBusName"], entry["Source"], entry["DetailType"]) == (
        "ordertrack-dev",
        "ordertrack",
        "OrderStatusChanged",
    )
    assert json.loads(entry["Detail"])["order_id"] == "ord_1"


def test_at_most_ten_entries_per_request() -> None:
    client = FakeEvents()
    assert (
        EventBridgeBus("b", client, pause=lambda _: None).publish_all([changed(n) for n in range(23)]) == {}
    )
    assert [len(request) for request in client.requests] == [10, 10, 3]


def test_at_most_256_kb_per_request_counted_as_eventbridge_does() -> None:
    big = {"Source": "ordertrack", "DetailType": "X", "Detail": "x" * (100 * 1024)}
    assert entry_size(big) == len("ordertrack") + 1 + 100 * 1024
    assert (
        entry_size({**big, "Time": "2026-11-24T10:00:00Z", "Resources": ["arn:a"]})
        == entry_size(big) + 14 + 5
    )
    assert [len(request) for request in requests_of([big, big, big])] == [2, 1]
    with pytest.raises(EventsNotPublished, match="exceeds 256 KB"):
        list(requests_of([{**big, "Detail": "x" * MAX_REQUEST_BYTES}]))


def test_only_the_failed_entries_are_sent_again() -> None:
    client = FakeEvents(refuse={"ord_2:v2"})
    pauses: list[float] = []
    assert (
        EventBridgeBus("b", client, pause=pauses.append).publish_all([changed(1), changed(2), changed(3)])
        == {}
    )
    assert [[json.loads(e["Detail"])["order_id"] for e in request] for request in client.requests] == [
        ["ord_1", "ord_2", "ord_3"],
        ["ord_2"],
    ]
    assert len(pauses) == 1


def test_entries_still_refused_after_every_attempt_fail_the_record() -> None:
    client = FakeEvents(refuse={"ord_2:v2"}, times=10)
    refused = EventBridgeBus("b", client, pause=lambda _: None).publish_all([changed(1), changed(2)])
    assert refused == {1: "InternalFailure"}  # the second event, refused at each of the 3 attempts
    assert len(client.requests) == 3


def test_publish_all_returns_each_refused_event_by_its_index_across_requests() -> None:
    client = FakeEvents(refuse={"ord_3:v2", "ord_14:v2"}, times=10)
    refused = EventBridgeBus("b", client, pause=lambda _: None).publish_all([changed(n) for n in range(15)])
    assert refused == {3: "InternalFailure", 14: "InternalFailure"}


def test_a_request_that_raises_refuses_all_its_entries_after_every_attempt() -> None:
    from botocore.exceptions import ClientError

    class Unreachable:
        calls = 0

        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            self.calls += 1
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "PutEvents")

    client = Unreachable()
    refused = EventBridgeBus("b", client, pause=lambda _: None).publish_all([changed(1), changed(2)])
    assert refused == {0: "ResourceNotFoundException", 1: "ResourceNotFoundException"}
    assert client.calls == 3
