"""Publishes order events to the SQS queue of each destination."""

from __future__ import annotations

from typing import Any

from orders.domain.dispatch import Destination
from shared.events import OrderEvent


class SqsEventPublisher:
    def __init__(self, queue_urls: dict[Destination, str], client: Any) -> None:
        self._queue_urls = queue_urls
        self._client = client

    def publish(self, destination: Destination, event: OrderEvent) -> None:
        self._client.send_message(
            QueueUrl=self._queue_urls[destination],
            MessageBody=event.model_dump_json(),
            MessageAttributes={
                "event_type": {"DataType": "String", "StringValue": event.event_type},
                "event_id": {"DataType": "String", "StringValue": event.event_id},
            },
        )
