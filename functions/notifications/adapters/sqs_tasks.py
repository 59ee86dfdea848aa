"""The notification queue as the worker's own scheduler and retry mechanism (boto3 SQS).

- `schedule`: the event back on the queue as a due delivery, with `DelaySeconds`;
- `retry_later`: a failed record's visibility timeout set to the backoff, so SQS redelivers it
  then (the record is reported failed to the batch processor as usual);
- `dead_letter`: on the last attempt the message is forwarded to the dead-letter queue with why
  it failed (`ordertrack.failure_reason`, `ordertrack.failed_channels`, `ordertrack.failed_at`
  message attributes), then acknowledged. `make redrive` moves it back.
"""

from __future__ import annotations

import json
from typing import Any

from shared.events import OrderEvent

FAILURE_REASON = "ordertrack.failure_reason"
FAILED_CHANNELS = "ordertrack.failed_channels"
FAILED_AT = "ordertrack.failed_at"


class SqsNotificationTasks:
    def __init__(self, client: Any, queue_url: str, dlq_url: str = "") -> None:
        self._client = client
        self._queue_url = queue_url
        self._dlq_url = dlq_url

    def schedule(self, event: OrderEvent, delay_seconds: int) -> None:
        body = json.dumps({**event.model_dump(mode="json", exclude={"due"}), "due": True})
        self._client.send_message(
            QueueUrl=self._queue_url, MessageBody=body, DelaySeconds=max(0, min(900, delay_seconds))
        )

    def retry_later(self, receipt_handle: str, delay_seconds: int) -> None:
        self._client.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay_seconds
        )

    def dead_letter(self, body: str, reason: str, channels: list[str], at: str) -> None:
        if not self._dlq_url:
            raise RuntimeError("no dead-letter queue configured")
        attributes = {
            FAILURE_REASON: {"DataType": "String", "StringValue": reason[:1000] or "unknown"},
            FAILED_AT: {"DataType": "String", "StringValue": at},
        }
        if channels:
            attributes[FAILED_CHANNELS] = {"DataType": "String", "StringValue": ",".join(channels)}
        self._client.send_message(QueueUrl=self._dlq_url, MessageBody=body, MessageAttributes=attributes)
