"""SendMessageBatch as SQS documents it: 10 entries and 256 KB per request; entries the queue
refused for its own reasons (SenderFault false) are sent again, the sender's faults are not."""

from __future__ import annotations

import json
from typing import Any

from orders.adapters.sqs_publisher import SqsEventPublisher, message_size
from orders.domain.dispatch import Destination
from shared.events import OrderEvent

QUEUES = {Destination.RESERVATION: "https://sqs/reservation", Destination.NOTIFICATION: "https://sqs/notify"}


def event(n: int, padding: int = 0) -> OrderEvent:
    return OrderEvent(
        event_id=f"ord_{n}:v1",
        event_type="order.received",
        order_id=f"ord_{n}",
        status="received",
        occurred_at="2026-11-24T10:00:00.000Z",
        details={"padding": "x" * padding} if padding else {},
    )


class FakeSqs:
    """SendMessageBatch: refuses the events named in `refuse` (event id -> (code, sender fault)) `times` times."""

    def __init__(self, refuse: dict[str, tuple[str, bool]] | None = None, times: int = 1) -> None:
        self.requests: list[tuple[str, list[dict[str, Any]]]] = []
        self.refuse = {event_id: [fault, times] for event_id, fault in (refuse or {}).items()}

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.requests.append((QueueUrl, Entries))
        successful, failed = [], []
        for entry in Entries:
            event_id = json.loads(entry["MessageBody"])["event_id"]
            refusal = self.refuse.get(event_id)
            if refusal and refusal[1] > 0:
                refusal[1] -= 1
                code, sender_fault = refusal[0]
                failed.append({"Id": entry["Id"], "Code": code, "SenderFault": sender_fault})
            else:
                successful.append({"Id": entry["Id"], "MessageId": f"m-{event_id}"})
        return {"Successful": successful, "Failed": failed}


def test_jobs_go_to_their_destination_in_requests_of_at_most_ten() -> None:
    client = FakeSqs()
    jobs = [(Destination.RESERVATION, event(n)) for n in range(13)] + [(Destination.NOTIFICATION, event(99))]
    assert SqsEventPublisher(QUEUES, client, pause=lambda _: None).publish_all(jobs) == {}
    assert [(url, len(entries)) for url, entries in client.requests] == [
        ("https://sqs/reservation", 10),
        ("https://sqs/reservation", 3),
        ("https://sqs/notify", 1),
    ]
    first = client.requests[0][1][0]
    assert first["MessageAttributes"]["event_id"] == {"DataType": "String", "StringValue": "ord_0:v1"}


def test_a_request_stays_within_256_kb() -> None:
    client = FakeSqs()
    big = [(Destination.NOTIFICATION, event(n, padding=100 * 1024)) for n in range(3)]
    assert (
        message_size(
            {"MessageBody": "abc", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}
        )
        == 3 + 1 + 6 + 1
    )
    SqsEventPublisher(QUEUES, client, pause=lambda _: None).publish_all(big)
    assert [len(entries) for _, entries in client.requests] == [2, 1]


def test_entries_refused_by_the_queue_are_sent_again_and_reported_when_they_never_pass() -> None:
    client = FakeSqs(
        refuse={"ord_1:v1": ("InternalError", False), "ord_2:v1": ("InternalError", False)}, times=2
    )
    client.refuse["ord_2:v1"][1] = 10
    pauses: list[float] = []
    jobs = [(Destination.RESERVATION, event(n)) for n in range(3)]
    refused = SqsEventPublisher(QUEUES, client, pause=pauses.append).publish_all(jobs)
    assert refused == {2: "InternalError"}
    assert [len(entries) for _, entries in client.requests] == [3, 2, 2]  # ord_1 passes at the third
    assert len(pauses) == 2


def test_a_sender_fault_is_not_sent_again() -> None:
    client = FakeSqs(refuse={"ord_0:v1": ("InvalidParameterValue", True)})
    refused = SqsEventPublisher(QUEUES, client, pause=lambda _: None).publish_all(
        [(Destination.RESERVATION, event(0))]
    )
    assert refused == {0: "InvalidParameterValue"}
    assert len(client.requests) == 1
