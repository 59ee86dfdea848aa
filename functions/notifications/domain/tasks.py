"""One notification-queue message, start to finish: a new event is accepted, a due one delivered;
a failure is retried with backoff, and on the last attempt forwarded to the dead-letter queue
with its reason (and written to the order's notification log as `failed`) instead of being lost
silently. Retryable provider errors back off exponentially from `retry_base_seconds`; anything
else (a bug, a broken template) is retried after the queue's visibility timeout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from notifications.domain.errors import NotificationsPending
from notifications.domain.notify_customer import CustomerNotifier
from notifications.domain.retries import backoff_seconds, is_last_attempt
from shared.clock import Clock, SystemClock, isoformat
from shared.errors import RetryableError
from shared.events import OrderEvent
from shared.observability import logger
from shared.transient import is_transient


class RetryQueue(Protocol):
    def retry_later(self, receipt_handle: str, delay_seconds: int) -> None: ...

    def dead_letter(self, body: str, reason: str, channels: list[str], at: str) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """What the queue tells us about one message besides its task."""

    attempt: int  # ApproximateReceiveCount
    receipt_handle: str
    raw_body: str


@dataclass
class TaskRunner:
    notifier: CustomerNotifier
    retries: RetryQueue
    max_receive_count: int = 5
    retry_base_seconds: int = 30
    clock: Clock = field(default_factory=SystemClock)

    def run(self, event: OrderEvent, due: bool, delivery: Delivery) -> None:
        try:
            if due:
                self.notifier.deliver(event)
            else:
                self.notifier.accept(event)
        except Exception as error:
            channels = error.channels if isinstance(error, NotificationsPending) else []
            reason = str(error) if isinstance(error, RetryableError) else type(error).__name__
            if is_last_attempt(delivery.attempt, self.max_receive_count):
                logger.error(
                    "notification gave up: moved to the dead-letter queue",
                    attempt=delivery.attempt,
                    reason=reason,
                    channels=channels,
                )
                if channels:
                    self.notifier.give_up(event, channels, reason)
                self.retries.dead_letter(delivery.raw_body, reason, channels, isoformat(self.clock.now()))
                return
            if isinstance(error, RetryableError) or is_transient(
                error
            ):  # throttling left after botocore's retries
                delay = backoff_seconds(delivery.attempt, self.retry_base_seconds)
                self.retries.retry_later(
                    delivery.receipt_handle, max(delay, int(getattr(error, "retry_after_seconds", 0)))
                )
            raise
