"""The registration queue: jobs for the registration worker, and handing a job back for later."""

from __future__ import annotations

from typing import Any

from carriers.models.registration import RegistrationJob

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds
MAX_VISIBILITY_SECONDS = 43200  # SQS visibility timeout


class SqsRegistrationQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._url = queue_url
        self._client = client

    def request(self, job: RegistrationJob, delay_seconds: int = 0) -> None:
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=job.model_dump_json(exclude_none=True),
            DelaySeconds=max(0, min(MAX_DELAY_SECONDS, delay_seconds)),
        )

    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        """Make a received job visible again in `seconds` (the backoff of a failed attempt)."""
        self._client.change_message_visibility(
            QueueUrl=self._url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(MAX_VISIBILITY_SECONDS, seconds)),
        )
