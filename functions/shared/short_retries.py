"""Hand records that failed transiently back to their queue in seconds, not after the queue's
visibility timeout: a `BatchProcessor` that calls `ChangeMessageVisibility` for them (through the
`QueueVisibility` port) before reporting them in `batchItemFailures`.

Transient is a `RetryableError` or an AWS error that a retry resolves once botocore's own retries are
spent (`shared.transient.is_transient`: throttling, a transaction cancelled by a conflict or
throttling, DynamoDB's internal error). The queue is the one the processor is given, or else the
record's own (its `eventSourceARN`, resolved once with `GetQueueUrl`, which the event source
mapping's permissions already allow)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Protocol

from aws_lambda_powertools.utilities.batch import BatchProcessor

from shared.errors import RetryableError
from shared.transient import QUEUE_BACKOFF, Backoff, is_transient, visibility_seconds

MAX_VISIBILITY_SECONDS = 43200  # SQS's limit


class QueueVisibility(Protocol):
    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        """Make a received message visible again in `seconds`."""
        ...


class ShortRetryBatchProcessor(BatchProcessor):
    """A `BatchProcessor` that hands records failed by a `RetryableError` back to the queue with a
    visibility of seconds (`visibility_seconds` of their receive count) through `queue()`; other
    failures keep the queue's visibility timeout. The records are still reported in
    `batchItemFailures`, so the event source keeps them."""

    def __init__(
        self,
        *args: Any,
        queue: Callable[[], QueueVisibility] | None = None,
        sqs_client: Callable[[], Any] | None = None,
        backoff: Backoff = QUEUE_BACKOFF,
        rand: Callable[[], float] = random.random,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if queue is None and sqs_client is None:
            raise ValueError("give the queue, or an SQS client to find each record's queue with")
        self._queue = queue
        self._sqs_client = sqs_client
        self._by_arn: dict[str, QueueVisibility] = {}
        self._backoff = backoff
        self._rand = rand
        self.retried_soon: list[tuple[str, int]] = []  # (message id, seconds) of the last batch

    def _prepare(self) -> None:
        super()._prepare()
        self.retried_soon = []

    def failure_handler(self, record: Any, exception: Any) -> Any:
        error = exception[1]
        handle, count = _receipt(record)
        if (isinstance(error, RetryableError) or is_transient(error)) and handle:
            seconds = visibility_seconds(count, self._backoff, self._rand)
            self._queue_of(record).retry_after(handle, seconds)
            self.retried_soon.append((_message_id(record), seconds))
        return super().failure_handler(record, exception)

    def _queue_of(self, record: Any) -> QueueVisibility:
        if self._queue is not None:
            return self._queue()
        arn = str(getattr(record, "event_source_arn", None) or getattr(record, "eventSourceARN", ""))
        if arn not in self._by_arn:
            assert self._sqs_client is not None
            self._by_arn[arn] = SqsVisibility.of_arn(arn, self._sqs_client())
        return self._by_arn[arn]


def _receipt(record: Any) -> tuple[str | None, int]:
    """Receipt handle and receive count of an SQS record, as a Powertools data class or as a
    parser model (`SqsRecordModel`): the processor hands either to the failure handler."""
    if hasattr(record, "receipt_handle"):
        return record.receipt_handle, int(record.attributes.approximate_receive_count or 1)
    handle = getattr(record, "receiptHandle", None)
    attributes = getattr(record, "attributes", None)
    return handle, int(getattr(attributes, "ApproximateReceiveCount", None) or 1)


def _message_id(record: Any) -> str:
    return str(getattr(record, "message_id", None) or getattr(record, "messageId", ""))


class SqsVisibility:
    """`QueueVisibility` over boto3's SQS client."""

    def __init__(self, queue_url: str, client: Any) -> None:
        self._url = queue_url
        self._client = client

    @classmethod
    def of_arn(cls, arn: str, client: Any) -> SqsVisibility:
        """The queue an `arn:aws:sqs:<region>:<account>:<name>` names."""
        *_, account, name = arn.split(":")
        return cls(client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"], client)

    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        self._client.change_message_visibility(
            QueueUrl=self._url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(MAX_VISIBILITY_SECONDS, seconds)),
        )
