"""Hand records that failed transiently back to their queue in seconds, not after the queue's
visibility timeout: a `BatchProcessor` that calls `ChangeMessageVisibility` for them (through the
`QueueVisibility` port) before reporting them in `batchItemFailures`."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Protocol

from aws_lambda_powertools.utilities.batch import BatchProcessor

from shared.errors import RetryableError
from shared.transient import QUEUE_BACKOFF, Backoff, visibility_seconds

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
        queue: Callable[[], QueueVisibility],
        backoff: Backoff = QUEUE_BACKOFF,
        rand: Callable[[], float] = random.random,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._queue = queue
        self._backoff = backoff
        self._rand = rand
        self.retried_soon: list[tuple[str, int]] = []  # (message id, seconds) of the last batch

    def _prepare(self) -> None:
        super()._prepare()
        self.retried_soon = []

    def failure_handler(self, record: Any, exception: Any) -> Any:
        error = exception[1]
        handle, count = _receipt(record)
        if isinstance(error, RetryableError) and handle:
            seconds = visibility_seconds(count, self._backoff, self._rand)
            self._queue().retry_after(handle, seconds)
            self.retried_soon.append((_message_id(record), seconds))
        return super().failure_handler(record, exception)


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

    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        self._client.change_message_visibility(
            QueueUrl=self._url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(MAX_VISIBILITY_SECONDS, seconds)),
        )
