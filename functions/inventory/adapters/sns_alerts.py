"""Operations alerts to the `OperationsAlerts` SNS topic."""

from __future__ import annotations

from typing import Any


class SnsAlertPublisher:
    def __init__(self, topic_arn: str, client: Any) -> None:
        self._topic_arn = topic_arn
        self._client = client

    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=subject,
            Message=message,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
            },
        )
