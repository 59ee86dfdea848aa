"""In-memory stand-ins for the low-stock ports: the armed flag with conditional-write rules, and
a publisher that records (or refuses) alerts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InMemoryLowStockFlags:
    alerted: dict[str, bool] = field(default_factory=dict)
    reserved_last_7_days: dict[str, int] = field(default_factory=dict)
    # the stored item's level now, as (available, threshold); a SKU not here is taken as agreeing
    levels: dict[str, tuple[int, int]] = field(default_factory=dict)

    def _below_now(self, sku: str) -> bool | None:
        if sku not in self.levels:
            return None
        available, threshold = self.levels[sku]
        return threshold > 0 and available < threshold

    def claim_alert(self, sku: str) -> bool:
        if self.alerted.get(sku) or self._below_now(sku) is False:
            return False
        self.alerted[sku] = True
        return True

    def undo_claim(self, sku: str) -> None:
        self.alerted[sku] = False

    def rearm(self, sku: str) -> bool:
        if not self.alerted.get(sku) or self._below_now(sku) is True:
            return False
        self.alerted[sku] = False
        return True

    def reserved_units_since(self, sku: str, since: str) -> int:
        return self.reserved_last_7_days.get(sku, 0)


@dataclass
class RecordingPublisher:
    sent: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failing: bool = False

    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> None:
        if self.failing:
            raise ConnectionError("SNS unavailable")
        self.sent.append((subject, message, attributes))
