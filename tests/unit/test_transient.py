"""Transient failures: jittered backoff in process, then a visibility of seconds on the queue."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

from shared.errors import RetryableError
from shared.short_retries import ShortRetryBatchProcessor
from shared.transient import Backoff, is_transient, retry_transient, visibility_seconds
from tests.factories import FakeLambdaContext


class ClientErrorLike(Exception):
    def __init__(self, code: str, reasons: list[str] | None = None) -> None:
        super().__init__(code)
        self.response: dict[str, Any] = {"Error": {"Code": code}}
        if reasons is not None:
            self.response["CancellationReasons"] = [{"Code": reason} for reason in reasons]


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ClientErrorLike("ProvisionedThroughputExceededException"), True),
        (ClientErrorLike("ThrottlingException"), True),
        (ClientErrorLike("RequestLimitExceeded"), True),
        (ClientErrorLike("TransactionCanceledException", ["None", "TransactionConflict"]), True),
        (ClientErrorLike("TransactionCanceledException", ["ThrottlingError", "None"]), True),
        (
            ClientErrorLike(
                "TransactionCanceledException", ["TransactionConflict", "ConditionalCheckFailed"]
            ),
            False,
        ),
        (ClientErrorLike("TransactionCanceledException", ["ConditionalCheckFailed"]), False),
        (ClientErrorLike("ValidationException"), False),
        (ValueError("not a client error"), False),
    ],
)
def test_conflicts_and_throttling_are_transient_refusals_are_not(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def test_backoff_is_full_jitter_doubling_up_to_the_cap() -> None:
    backoff = Backoff(base_seconds=1, cap_seconds=5)

    assert [backoff.delay(attempt, lambda: 1.0) for attempt in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]
    assert backoff.delay(3, lambda: 0.0) == 0


def test_retry_gives_up_after_the_attempts_and_raises_the_last_error() -> None:
    calls: list[int] = []
    slept: list[float] = []

    def always_conflicts() -> None:
        calls.append(1)
        raise RetryableError(f"conflict {len(calls)}")

    with pytest.raises(RetryableError, match="conflict 3"):
        retry_transient(
            always_conflicts, attempts=3, backoff=Backoff(1, 10), sleep=slept.append, rand=lambda: 1.0
        )
    assert slept == [1, 2]


def test_other_errors_are_not_retried() -> None:
    slept: list[float] = []
    with pytest.raises(KeyError):
        retry_transient(lambda: {}["missing"], sleep=slept.append)
    assert slept == []


def test_the_visibility_grows_with_the_receive_count_and_is_at_least_a_second() -> None:
    backoff = Backoff(base_seconds=2, cap_seconds=60)

    assert [visibility_seconds(count, backoff, lambda: 1.0) for count in (1, 2, 3, 6, 7, 50)] == [
        2,
        4,
        8,
        60,
        60,
        60,
    ]
    assert visibility_seconds(1, backoff, lambda: 0.0) == 1


class RecordingQueue:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        self.calls.append((receipt_handle, seconds))


def sqs_record(message_id: str, receive_count: int) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": message_id,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1",
            "SenderId": "x",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "awsRegion": "us-east-1",
    }


@pytest.mark.parametrize("model", [None, SqsRecordModel], ids=["data class", "parser model"])
def test_records_failed_by_a_conflict_come_back_in_seconds_others_keep_the_queue_timeout(model: Any) -> None:
    queue = RecordingQueue()
    processor = ShortRetryBatchProcessor(
        event_type=EventType.SQS, model=model, queue=lambda: queue, backoff=Backoff(2, 60), rand=lambda: 1.0
    )

    def handle(record: Any) -> None:
        if record.body == "conflict":
            raise RetryableError("TransactionConflict")
        if record.body == "bug":
            raise KeyError("bug")

    event = {"Records": [sqs_record("ok", 1), sqs_record("conflict", 3), sqs_record("bug", 1)]}
    response = process_partial_response(
        event=event, record_handler=handle, processor=processor, context=FakeLambdaContext()
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": "conflict"}, {"itemIdentifier": "bug"}]}
    assert queue.calls == [("handle-conflict", 8)]
    assert processor.retried_soon == [("conflict", 8)]


class FakeSqsClient:
    """The two calls the processor makes when it finds a record's queue from its ARN."""

    def __init__(self) -> None:
        self.lookups: list[tuple[str, str]] = []
        self.changes: list[tuple[str, str, int]] = []

    def get_queue_url(self, QueueName: str, QueueOwnerAWSAccountId: str) -> dict[str, str]:
        self.lookups.append((QueueName, QueueOwnerAWSAccountId))
        return {"QueueUrl": f"https://queue.test/{QueueOwnerAWSAccountId}/{QueueName}"}

    def change_message_visibility(self, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:
        self.changes.append((QueueUrl, ReceiptHandle, VisibilityTimeout))


class ThrottledError(Exception):
    """Shaped like botocore's ClientError: what is left once botocore's own retries are spent."""

    def __init__(self, code: str, reasons: list[str] | None = None) -> None:
        super().__init__(code)
        self.response: dict[str, Any] = {"Error": {"Code": code}}
        if reasons is not None:
            self.response["CancellationReasons"] = [{"Code": reason} for reason in reasons]


def test_throttling_left_after_botocore_comes_back_in_seconds_through_the_records_own_queue() -> None:
    client = FakeSqsClient()
    processor = ShortRetryBatchProcessor(
        event_type=EventType.SQS, sqs_client=lambda: client, backoff=Backoff(2, 60), rand=lambda: 1.0
    )

    def handle(record: Any) -> None:
        if record.body == "throttled":
            raise ThrottledError("ProvisionedThroughputExceededException")
        if record.body == "cancelled":
            raise ThrottledError("TransactionCanceledException", ["ThrottlingError", "None"])
        if record.body == "refused":
            raise ThrottledError("TransactionCanceledException", ["ConditionalCheckFailed", "None"])

    records = [sqs_record(name, 2) for name in ("throttled", "cancelled", "refused", "ok")]
    response = process_partial_response(
        event={"Records": records}, record_handler=handle, processor=processor, context=FakeLambdaContext()
    )

    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == [
        "throttled",
        "cancelled",
        "refused",
    ]
    url = "https://queue.test/123456789012/q"
    assert client.changes == [(url, "handle-throttled", 4), (url, "handle-cancelled", 4)]
    assert client.lookups == [("q", "123456789012")]  # found once, then remembered


def test_a_processor_needs_a_queue_or_a_client_to_find_one() -> None:
    with pytest.raises(ValueError, match="SQS client"):
        ShortRetryBatchProcessor(event_type=EventType.SQS)
