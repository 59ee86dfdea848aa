"""The small interfaces the notification logic needs; adapters implement them with boto3 and
Powertools, unit tests with fakes (tests/fakes/notifications.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from notifications.domain.model import (
    Channel,
    DeliveryOutcome,
    EmailMessage,
    NotificationEntry,
    Suppression,
)

if TYPE_CHECKING:
    from notifications.domain.preferences import CustomerPreferences, StoredPreferences
    from orders.models.order import OrderRecord
    from shared.events import OrderEvent


class OrderReader(Protocol):
    def get(self, order_id: str) -> OrderRecord | None: ...


class EmailSender(Protocol):
    def send(self, recipient: str, message: EmailMessage) -> str:
        """Send and return the provider's message id.

        Raises DeliveryRejected (permanent) or DeliveryUnavailable (retryable)."""
        ...


class SmsSender(Protocol):
    def is_opted_out(self, phone: str) -> bool:
        """The provider's own opt-out list (SNS `CheckIfPhoneNumberIsOptedOut`)."""
        ...

    def send(self, phone: str, text: str) -> str:
        """Send and return the provider's message id.

        Raises DeliveryRejected (permanent) or DeliveryUnavailable (retryable)."""
        ...


class DeliveryLedger(Protocol):
    """At most one message per (event, channel). The ledger's record of a delivery is the delivery's
    entry in the notification log: completing the record writes the entry."""

    def deliver_once(self, entry: NotificationEntry, send: Callable[[], DeliveryOutcome]) -> DeliveryOutcome:
        """Run `send` unless the delivery of `entry` (its `delivery_key`) already completed, in which
        case return the stored outcome with `replayed=True` and log nothing.

        On completion `entry.delivered(outcome)` is in the notification log: the caller does not
        record it again. If `send` raises, nothing is recorded and the log shows what it showed
        before (the next delivery tries again). Raises DeliveryInProgress while another invocation
        holds the same delivery."""
        ...

    def settle_unsent(self, entry: NotificationEntry) -> DeliveryOutcome | None:
        """The delivery of `entry` will not be made (collapsed, held, suppressed). An earlier attempt
        may have reached the provider and left its claim (a lost answer, a crash): a send the
        provider confirmed is completed and its outcome returned (`replayed`); an abandoned claim
        without that word is withdrawn (`None`: nothing went out); a live one raises
        DeliveryInProgress. `None` too when nothing was ever attempted."""
        ...


class DeliveryMetrics(Protocol):
    def record(self, entry: NotificationEntry) -> None:
        """Count one notification outcome (by channel and status)."""
        ...


class PreferenceStore(Protocol):
    def get(self, customer_id: str) -> StoredPreferences | None:
        """None when the customer never set preferences."""
        ...

    def put(self, customer_id: str, preferences: CustomerPreferences, at: str) -> StoredPreferences: ...


class SuppressionList(Protocol):
    """Recipients we must not message, per channel. Addresses are normalized by the caller
    (E.164 phones, lower-cased emails); stores keep only a hash of them in keys."""

    def find(self, channel: Channel, address: str) -> Suppression | None: ...

    def suppress(self, channel: Channel, address: str, reason: str, source: str, at: str) -> None:
        """Idempotent: suppressing twice keeps the first record."""
        ...

    def lift(self, channel: Channel, address: str) -> None:
        """Remove the suppression (a START reply); idempotent."""
        ...


class NotificationLog(Protocol):
    """The per-order notification log and the per-channel 'latest event' markers that collapse
    bursts. Both live in the order's partition of the orders table."""

    def record(self, entry: NotificationEntry) -> None:
        """Insert or update the entry with id (order, event, channel). A `sent` entry is final: a
        later record of the same id is ignored."""
        ...

    def record_scheduled(self, entry: NotificationEntry) -> None:
        """Record a `scheduled` entry only where its id has no entry yet, or a scheduled one: an
        accepted event seen again after it was delivered, held or collapsed changes nothing. (For
        events that raise no markers; the others' go with `advance_latest`.)"""
        ...

    def entries(self, order_id: str) -> list[NotificationEntry]:
        """Every entry of the order, oldest event first, then the scheduled ones kept with the
        markers that no entry has replaced yet."""
        ...

    def advance_latest(
        self,
        order_id: str,
        channels: Sequence[Channel],
        version: int,
        scheduled: Sequence[NotificationEntry] = (),
    ) -> None:
        """Raise each channel's latest notifiable order version to `version` (never lowers one),
        and keep the event's `scheduled` entries of the channels raised: `entries` lists each until
        the (event, channel) has an entry of its own."""
        ...

    def latest(self, order_id: str, channel: Channel) -> int | None: ...


class TaskScheduler(Protocol):
    def schedule(self, event: OrderEvent, delay_seconds: int) -> None:
        """Deliver `event` again to the worker, as a due delivery, after `delay_seconds` (<= 900)."""
        ...
