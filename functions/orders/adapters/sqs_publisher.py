"""Publishes order events to the SQS queue of each destination.

`publish_all` sends a stream batch's jobs with `SendMessageBatch`: at most 10 messages and 256 KB
per request (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html),
one request billed per 64 KB of payload. Entries the queue refuses for a reason of its own
(`SenderFault` false: throttling, an internal error) are sent again a few times with a jittered
backoff; what is still refused is returned, so its stream record is reported as failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from orders.domain.dispatch import Destination
from shared.batching import requests
from shared.events import OrderEvent
from shared.transient import Backoff, error_code

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
ATTEMPTS = 3
RETRY_BACKOFF = Backoff(base_seconds=0.1, cap_seconds=0.4)


def _message(event: OrderEvent) -> dict[str, Any]:
    return {
        "MessageBody": event.model_dump_json(),
        "MessageAttributes": {
            "event_type": {"DataType": "String", "StringValue": event.event_type},
            "event_id": {"DataType": "String", "StringValue": event.event_id},
        },
    }


def message_size(message: dict[str, Any]) -> int:
    """The payload SQS counts: the body and each attribute's name, type and value."""
    size = len(message["MessageBody"].encode())
    for name, value in message.get("MessageAttributes", {}).items():
        size += len(name.encode()) + len(value["DataType"].encode()) + len(value["StringValue"].encode())
    return size


def _requests(entries: list[tuple[int, dict[str, Any]]]) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    return requests(entries, lambda entry: message_size(entry[1]), MAX_ENTRIES, MAX_REQUEST_BYTES)


class SqsEventPublisher:
    def __init__(
        self,
        queue_urls: dict[Destination, str],
        client: Any,
        pause: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
    ) -> None:
        self._queue_urls = queue_urls
        self._client = client
        self._pause = pause
        self._attempts = attempts

    def publish_all(self, jobs: Sequence[tuple[Destination, OrderEvent]]) -> dict[int, str]:
        """Send every job to its destination's queue; returns those still refused after every
        attempt (index in `jobs` -> the error code)."""
        refused: dict[int, str] = {}
        for destination in Destination:
            entries = [
                (index, _message(event)) for index, (to, event) in enumerate(jobs) if to is destination
            ]
            for request in _requests(entries):
                refused.update(self._send(self._queue_urls[destination], request))
        return refused

    def _send(self, url: str, request: list[tuple[int, dict[str, Any]]]) -> dict[int, str]:
        pending = dict(request)
        errors: dict[int, str] = {}
        for attempt in range(1, self._attempts + 1):
            if attempt > 1:
                self._pause(RETRY_BACKOFF.delay(attempt - 1))
            entries = [{"Id": str(index), **message} for index, message in pending.items()]
            try:
                response = self._client.send_message_batch(QueueUrl=url, Entries=entries)
            except (ClientError, BotoCoreError) as error:
                errors = dict.fromkeys(pending, error_code(error))
                continue
            failed = {int(entry["Id"]): entry for entry in response.get("Failed") or []}
            errors = {index: str(entry.get("Code", "Failed")) for index, entry in failed.items()}
            retryable = {index for index, entry in failed.items() if not entry.get("SenderFault")}
            if len(retryable) < len(failed):  # a sender fault is not resolved by sending again
                return errors
            if not failed:
                return {}
            pending = {index: message for index, message in pending.items() if index in retryable}
        return errors
