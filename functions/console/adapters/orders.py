"""Adapters of the console's order desk (`console.orders_ports`) over the other capabilities' stores.

`AlertedLowStock` finds the low-stock SKUs without a scan: the inventory capability stores an
alert (source `low_stock`, detail `sku`) each time a SKU crosses below its threshold
(`inventory.handlers.watch_stock_levels`), in the monthly alert partitions; the stock page reads
those (newest first, at most `ALERT_PAGES` pages), then the SKUs' stock items by key and keeps
the ones still below their threshold. The reservation rate is the SKU's audit trail
(`inventory.adapters.dynamo_low_stock.DynamoLowStockFlags.reserved_units_since`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from stats.domain.alerts import KEPT_FOR, AlertLog

LOW_STOCK_SOURCE = "low_stock"
ALERT_PAGE = 100
ALERT_PAGES = 5
"""At most 500 stored alerts are read for one stock page (alerts are rare: one per crossing)."""


class ReservationRate(Protocol):
    def reserved_units_since(self, sku: str, since: str) -> int: ...


class AlertedLowStock:
    def __init__(self, alerts: AlertLog, rates: ReservationRate, now: Callable[[], datetime]) -> None:
        self._alerts = alerts
        self._rates = rates
        self._now = now

    def alerted_skus(self, limit: int) -> list[str]:
        since = self._now() - KEPT_FOR
        skus: list[str] = []
        cursor: str | None = None
        for _ in range(ALERT_PAGES):
            alerts, cursor = self._alerts.newest(since, ALERT_PAGE, cursor)
            for alert in alerts:
                sku = alert.details.get("sku")
                if alert.source == LOW_STOCK_SOURCE and isinstance(sku, str) and sku not in skus:
                    skus.append(sku)
                    if len(skus) >= limit:
                        return skus
            if cursor is None:
                break
        return skus

    def reserved_units_since(self, sku: str, since: str) -> int:
        return self._rates.reserved_units_since(sku, since)
