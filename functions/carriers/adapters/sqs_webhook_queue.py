"""The queue between the webhook function (acknowledges fast) and the tracking worker (applies)."""

from __future__ import annotations

from typing import Any

from carriers.models.tracking import WebhookMessage


class SqsWebhookQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._url = queue_url
        self._client = client

    def enqueue(self, message: WebhookMessage) -> None:
        self._client.send_message(QueueUrl=self._url, MessageBody=message.model_dump_json())
