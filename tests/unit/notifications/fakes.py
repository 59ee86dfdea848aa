"""In-memory stand-ins for the notification ports (no network), with the same contracts as the
SES, SNS and Powertools-idempotency adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from notifications.domain.errors import DeliveryInProgress, DeliveryOutcomeUnknown
from notifications.domain.model import (
    DeliveryKey,
    DeliveryOutcome,
    DeliveryStatus,
    EmailMessage,
    NotificationEntry,
)
from notifications.domain.ports import NotificationLog
from orders.models.order import OrderRecord
from shared.events import OrderEvent


class FakeOrders:
    def __init__(self, *orders: OrderRecord) -> None:
        self.orders = {order.order_id: order for order in orders}

    def get(self, order_id: str) -> OrderRecord | None:
        return self.orders.get(order_id)


class FakeEmailSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, EmailMessage]] = []
        self.failure: Exception | None = None  # raised by the next sends while set

    def send(self, recipient: str, message: EmailMessage) -> str:
        if self.failure is not None:
            raise self.failure
        self.sent.append((recipient, message))
        return "email-" + str(len(self.sent))


class FakeSmsSender:
    def __init__(self, opted_out: set[str] | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.opted_out = set(opted_out or ())
        self.failure: Exception | None = None
        self.failures: list[Exception] = []  # raised by the next sends, one each, before `failure`

    def is_opted_out(self, phone: str) -> bool:
        return phone in self.opted_out

    def send(self, phone: str, text: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        if self.failure is not None:
            raise self.failure
        self.sent.append((phone, text))
        return "sms-" + str(len(self.sent))


class InMemoryDeliveryLedger:
    """Completed keys answer from memory; a key being delivered raises DeliveryInProgress; a send
    that raises leaves no record, like Powertools idempotency does, except a lost answer the
    provider will confirm (`DeliveryOutcomeUnknown` with a wait), whose claim is kept in `held`
    until the test gives the provider's word (`confirm`). Completing a delivery logs its entry, as
    the record kept on the log entry does."""

    def __init__(self, log: NotificationLog) -> None:
        self.log = log
        self.completed: dict[DeliveryKey, DeliveryOutcome] = {}
        self.in_progress: set[DeliveryKey] = set()
        self.held: dict[DeliveryKey, str | None] = {}  # kept claims -> the provider's message id, once told

    def deliver_once(self, entry: NotificationEntry, send: Callable[[], DeliveryOutcome]) -> DeliveryOutcome:
        key = entry.delivery_key
        if key in self.completed:
            return replace(self.completed[key], replayed=True)
        if key in self.in_progress:
            raise DeliveryInProgress()
        if key in self.held:
            return self._confirmed(entry)
        self.in_progress.add(key)
        try:
            outcome = send()
        except DeliveryOutcomeUnknown as unknown:
            if unknown.confirm_within_seconds:
                self.held[key] = None
            raise
        finally:
            self.in_progress.discard(key)
        self.completed[key] = outcome
        self.log.record(entry.delivered(outcome))
        return outcome

    def settle_unsent(self, entry: NotificationEntry) -> DeliveryOutcome | None:
        return self._confirmed(entry) if entry.delivery_key in self.held else None

    def confirm(self, key: DeliveryKey, message_id: str) -> None:
        """The provider's word that it accepted the held delivery `key`."""
        self.held[key] = message_id

    def _confirmed(self, entry: NotificationEntry) -> DeliveryOutcome:
        word = self.held[entry.delivery_key]
        if word is None:
            raise DeliveryInProgress()  # still waiting for the provider's word
        del self.held[entry.delivery_key]
        outcome = DeliveryOutcome(entry.channel, DeliveryStatus.SENT, word)
        self.completed[entry.delivery_key] = outcome
        self.log.record(entry.delivered(outcome))
        return replace(outcome, replayed=True)


class RecordingMetrics:
    def __init__(self) -> None:
        self.entries: list[NotificationEntry] = []

    def record(self, entry: NotificationEntry) -> None:
        self.entries.append(entry)

    def counts(self) -> dict[str, int]:
        totals: dict[str, Any] = {}
        for entry in self.entries:
            name = entry.channel.value + "." + entry.status.value
            totals[name] = totals.get(name, 0) + 1
        return totals


class RecordingScheduler:
    """Scheduled deliveries, to be run by the test when their time comes."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[OrderEvent, int]] = []

    def schedule(self, event: OrderEvent, delay_seconds: int) -> None:
        self.scheduled.append((event, delay_seconds))

    def take(self) -> list[tuple[OrderEvent, int]]:
        taken, self.scheduled = self.scheduled, []
        return taken


class RecordingRetryQueue:
    def __init__(self) -> None:
        self.visibility: list[tuple[str, int]] = []
        self.dead_letters: list[dict[str, Any]] = []

    def retry_later(self, receipt_handle: str, delay_seconds: int) -> None:
        self.visibility.append((receipt_handle, delay_seconds))

    def dead_letter(self, body: str, reason: str, channels: list[str], at: str) -> None:
        self.dead_letters.append({"body": body, "reason": reason, "channels": channels, "at": at})
