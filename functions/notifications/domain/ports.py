"""The small interfaces the notification logic needs; adapters implement them with boto3 and
Powertools, unit tests with fakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from notifications.domain.model import DeliveryKey, DeliveryOutcome, EmailMessage

if TYPE_CHECKING:
    from orders.models.order import OrderRecord


class OrderReader(Protocol):
    def get(self, order_id: str) -> OrderRecord | None: ...


class EmailSender(Protocol):
    def send(self, recipient: str, message: EmailMessage) -> str:
        """Send and return the provider's message id.

        Raises DeliveryRejected (permanent) or DeliveryUnavailable (retryable)."""
        ...


class SmsSender(Protocol):
    def is_opted_out(self, phone: str) -> bool: ...

    def send(self, phone: str, text: str) -> str:
        """Send and return the provider's message id.

        Raises DeliveryRejected (permanent) or DeliveryUnavailable (retryable)."""
        ...


class DeliveryLedger(Protocol):
    def deliver_once(self, key: DeliveryKey, send: Callable[[], DeliveryOutcome]) -> DeliveryOutcome:
        """Run `send` unless this key already completed, in which case return the stored outcome
        with `replayed=True`. If `send` raises, nothing is recorded (the next delivery tries again).
        Raises DeliveryInProgress while another invocation holds the same key."""
        ...


class DeliveryMetrics(Protocol):
    def record(self, outcome: DeliveryOutcome) -> None: ...
