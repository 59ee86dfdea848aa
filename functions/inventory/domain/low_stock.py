"""Low-stock alerts: one alert when `available` crosses below a SKU's threshold, re-armed only
when it is back at or above it. The armed state lives on the stock item (`low_stock_alerted`) and
every change of it is a conditional write on the item as it is now, so replayed, duplicated or
out-of-order `StockLevelChanged` events (the bus and a standard queue keep no order) never alert
twice, never alert for a level the SKU has already left, and never re-arm while it is still below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from shared.clock import Clock, isoformat

RATE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class StockSnapshot:
    """A stock item as a `StockLevelChanged` event shows it after a change."""

    sku: str
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int = 0
    low_stock_alerted: bool = False


class AlertDecision(StrEnum):
    ALERTED = "alerted"
    REARMED = "rearmed"
    ALREADY_DONE = "already_done"  # another delivery of this change did it
    NOTHING = "nothing"


class LowStockFlags(Protocol):
    def claim_alert(self, sku: str) -> bool:
        """Set `low_stock_alerted` if it is not set and the stock item is below its threshold now;
        False otherwise."""
        ...

    def undo_claim(self, sku: str) -> None: ...

    def rearm(self, sku: str) -> bool:
        """Clear `low_stock_alerted` if it is set and the stock item is at or above its threshold
        now (or has none); False otherwise."""
        ...

    def reserved_units_since(self, sku: str, since: str) -> int:
        """Units reserved for the SKU since `since` (ISO 8601), from its audit trail."""
        ...


class AlertPublisher(Protocol):
    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class LowStockAlert:
    sku: str
    available: int
    threshold: int
    reserved_last_7_days: int
    days_left: float | None

    @property
    def subject(self) -> str:
        return f"Low stock: {self.sku} has {self.available} available (threshold {self.threshold})"[:100]

    @property
    def message(self) -> str:
        if self.days_left is None:
            outlook = "No units were reserved in the last 7 days, so no run-out date can be estimated."
        else:
            outlook = (
                f"At the last 7 days' rate ({self.reserved_last_7_days} units, "
                f"{self.reserved_last_7_days / RATE_WINDOW_DAYS:.1f} per day) that is about "
                f"{self.days_left:.1f} days of stock."
            )
        return (
            f"SKU {self.sku}: available {self.available}, below its low-stock threshold of "
            f"{self.threshold}. {outlook}"
        )


def days_of_stock(available: int, reserved_in_window: int) -> float | None:
    if reserved_in_window <= 0:
        return None
    return max(available, 0) / (reserved_in_window / RATE_WINDOW_DAYS)


def watch_stock_level(
    snapshot: StockSnapshot, flags: LowStockFlags, publisher: AlertPublisher, clock: Clock
) -> AlertDecision:
    below = snapshot.low_stock_threshold > 0 and snapshot.available < snapshot.low_stock_threshold
    if below and not snapshot.low_stock_alerted:
        if not flags.claim_alert(snapshot.sku):
            return AlertDecision.ALREADY_DONE
        since = isoformat(clock.now() - timedelta(days=RATE_WINDOW_DAYS))
        published = False
        try:
            reserved = flags.reserved_units_since(snapshot.sku, since)
            alert = LowStockAlert(
                sku=snapshot.sku,
                available=snapshot.available,
                threshold=snapshot.low_stock_threshold,
                reserved_last_7_days=reserved,
                days_left=days_of_stock(snapshot.available, reserved),
            )
            publisher.publish(alert.subject, alert.message, {"sku": snapshot.sku, "event_type": "stock.low"})
            published = True
        finally:
            if not published:
                flags.undo_claim(snapshot.sku)  # the retried record claims and publishes again
        return AlertDecision.ALERTED
    if not below and snapshot.low_stock_alerted:
        return AlertDecision.REARMED if flags.rearm(snapshot.sku) else AlertDecision.ALREADY_DONE
    return AlertDecision.NOTHING
