"""In-memory stand-ins for the notification preference store, notification log and suppression list,
with the same rules as the DynamoDB adapters (tests/integration/notifications runs one contract against both)."""

from __future__ import annotations

from collections.abc import Sequence

from notifications.domain.model import Channel, NotificationEntry, NotificationStatus, Suppression
from notifications.domain.preferences import CustomerPreferences, StoredPreferences
from notifications.domain.suppressions import normalize_address
from shared.events import event_sort_key


class InMemoryPreferenceStore:
    def __init__(self, *stored: StoredPreferences) -> None:
        self.stored: dict[str, StoredPreferences] = {prefs.customer_id: prefs for prefs in stored}

    def get(self, customer_id: str) -> StoredPreferences | None:
        return self.stored.get(customer_id)

    def put(self, customer_id: str, preferences: CustomerPreferences, at: str) -> StoredPreferences:
        stored = StoredPreferences(**preferences.model_dump(), customer_id=customer_id, updated_at=at)
        self.stored[customer_id] = stored
        return stored


class InMemoryNotificationLog:
    """Entries keyed by (order, event sort key, channel) like the DynamoDB sort key; a `sent` entry
    is final; markers only go up."""

    def __init__(self) -> None:
        self.log: dict[tuple[str, str, str], NotificationEntry] = {}
        self.markers: dict[tuple[str, str], int] = {}

    def record(self, entry: NotificationEntry) -> None:
        key = (entry.order_id, event_sort_key(entry.order_id, entry.event_id), Channel(entry.channel).value)
        current = self.log.get(key)
        if current is not None and current.status == NotificationStatus.SENT:
            return
        self.log[key] = entry

    def record_scheduled(self, entry: NotificationEntry) -> None:
        key = (entry.order_id, event_sort_key(entry.order_id, entry.event_id), Channel(entry.channel).value)
        current = self.log.get(key)
        if current is None or current.status == NotificationStatus.SCHEDULED:
            self.log[key] = entry

    def entries(self, order_id: str) -> list[NotificationEntry]:
        return [self.log[key] for key in sorted(key for key in self.log if key[0] == order_id)]

    def advance_latest(self, order_id: str, channels: Sequence[Channel], version: int) -> None:
        for channel in channels:
            key = (order_id, Channel(channel).value)
            if key not in self.markers or self.markers[key] < version:
                self.markers[key] = version

    def latest(self, order_id: str, channel: Channel) -> int | None:
        return self.markers.get((order_id, Channel(channel).value))

    def statuses(self, order_id: str) -> list[tuple[str, str, str]]:
        """(event type, channel, status) per entry, oldest event first."""
        return [
            (e.event_type, Channel(e.channel).value, NotificationStatus(e.status).value)
            for e in self.entries(order_id)
        ]


class InMemorySuppressionList:
    """A fake SuppressionList keyed like the real one: by channel and normalized address."""

    def __init__(self) -> None:
        self.items: dict[tuple[Channel, str], Suppression] = {}

    def find(self, channel: Channel, address: str) -> Suppression | None:
        return self.items.get((channel, normalize_address(channel, address)))

    def suppress(self, channel: Channel, address: str, reason: str, source: str, at: str) -> None:
        self.items.setdefault(
            (channel, normalize_address(channel, address)), Suppression(channel, reason, source, at)
        )

    def lift(self, channel: Channel, address: str) -> None:
        self.items.pop((channel, normalize_address(channel, address)), None)
