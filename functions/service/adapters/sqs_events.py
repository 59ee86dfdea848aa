"""Customer-service events on the notification queue, shaped as `shared.events.OrderEvent`."""

from __future__ import annotations

from typing import Any

from shared.events import OrderEvent


class SqsCustomerEvents:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._queue_url = queue_url
        self._client = client

    def publish(self, event: OrderEvent) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=event.model_dump_json(),
            MessageAttributes={
                "event_type": {"DataType": "String", "StringValue": event.event_type},
                "event_id": {"DataType": "String", "StringValue": event.event_id},
            },
        )
