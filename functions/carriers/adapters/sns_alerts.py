"""Operations alerts on the `OperationsAlerts` SNS topic."""

from __future__ import annotations

import json
from typing import Any


class SnsOperationsAlerts:
    def __init__(self, topic_arn: str, client: Any) -> None:
        self._topic = topic_arn
        self._client = client

    def alert(self, subject: str, details: dict[str, object]) -> None:
        self._client.publish(
            TopicArn=self._topic, Subject=subject[:100], Message=json.dumps(details, ensure_ascii=False)
        )
