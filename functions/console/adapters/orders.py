"""Adapters of the console's order desk (`console.orders_ports`) over the other capabilities' stores.

`AlertedLowStock` finds the low-stock SKUs without a scan. First the SKUs flagged low now: when
the inventory capability alerts about a SKU crossing below its threshold
(`inventory.handlers.watch_stock_levels`) it claims the stock item's flag, which also puts the
item in the sparse `LOW_STOCK` partition of gsi2 until it recovers
(`inventory.adapters.dynamo_low_stock.DynamoLowStockFlags.flagged_skus`). Then, for SKUs flagged
before the index partition existed, the stored alerts (source `low_stock`, detail `sku`) of the
monthly alert partitions, newest first, at most `ALERT_PAGES` pages. The stock page reads those
SKUs' stock items by key and keeps the ones still below their threshold. The reservation rate is
the SKU's audit trail (`inventory.adapters.dynamo_low_stock.DynamoLowStockFlags.reserved_units_since`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from stats.domain.alerts import KEPT_FOR, AlertLog

LOW_STOCK_SOURCE = "low_stock"
ALERT_PAGE = 100
ALERT_PAGES = 5
"""At most 500 stored alerts are read for one stock page (alerts are rare: one per crossing)."""


class LowStockFlags(Protocol):
    def flagged_skus(self, limit: int) -> list[str]: ...

    def reserved_units_since(self, sku: str, since: str) -> int: ...


class AlertedLowStock:
    def __init__(self, alerts: AlertLog, flags: LowStockFlags, now: Callable[[], datetime]) -> None:
        self._alerts = alerts
        self._flags = flags
        self._now = now

    def alerted_skus(self, limit: int) -> list[str]:
        skus = self._flags.flagged_skus(limit)
        if len(skus) >= limit:
            return skus
        since = self._now() - KEPT_FOR
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
        return self._flags.reserved_units_since(sku, since)
