"""Reconciliation: compare each SKU's counters with the live reservations of orders and with its
audit trail, and say what is off and what a repair would set."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StockCounters:
    sku: str
    on_hand: int
    reserved: int
    available: int


@dataclass
class SkuDrift:
    sku: str
    counters: StockCounters
    live_reserved: int
    trail_on_hand: int
    trail_reserved: int
    problems: list[str] = field(default_factory=list)

    @property
    def repairable(self) -> bool:
        """`reserved`/`available` can be set from the live reservations without going negative
        (`on_hand` is never guessed: live reservations above it need a stock count)."""
        return self.counters.on_hand >= max(self.live_reserved, 0) and bool(self.problems)

    @property
    def trail_correction(self) -> tuple[int, int]:
        """(on_hand, reserved) deltas of the repair's audit record: what makes the trail sum to
        the repaired counters, i.e. the changes that were never recorded."""
        return self.counters.on_hand - self.trail_on_hand, self.repaired_reserved - self.trail_reserved

    @property
    def repaired_reserved(self) -> int:
        return self.live_reserved

    @property
    def repaired_available(self) -> int:
        return self.counters.on_hand - self.live_reserved


def find_drift(
    counters: dict[str, StockCounters],
    live_reserved: dict[str, int],
    trail_totals: dict[str, tuple[int, int]],
) -> list[SkuDrift]:
    """Every SKU whose books do not balance: available != on_hand - reserved, a negative counter,
    reserved != the sum of live reservations, or counters that differ from the audit trail's sums
    (expected only for stock created before the trail existed, or after a manual edit)."""
    drifts = []
    for sku in sorted(set(counters) | set(live_reserved)):
        stock = counters.get(sku, StockCounters(sku, 0, 0, 0))
        live = live_reserved.get(sku, 0)
        trail_on_hand, trail_reserved = trail_totals.get(sku, (0, 0))
        drift = SkuDrift(sku, stock, live, trail_on_hand, trail_reserved)
        if sku not in counters:
            drift.problems.append(f"{live} units reserved by orders but no stock item")
        if stock.available != stock.on_hand - stock.reserved:
            drift.problems.append(
                f"available {stock.available} != on_hand - reserved = {stock.on_hand - stock.reserved}"
            )
        if min(stock.on_hand, stock.reserved, stock.available) < 0:
            drift.problems.append("a counter is negative")
        if stock.reserved != live:
            drift.problems.append(f"reserved {stock.reserved} != {live} units held by live orders")
        if live > stock.on_hand:
            drift.problems.append(
                f"live reservations ({live}) exceed on_hand ({stock.on_hand}): count the stock"
            )
        if (trail_on_hand, trail_reserved) != (stock.on_hand, stock.reserved):
            drift.problems.append(f"audit trail sums to on_hand {trail_on_hand}, reserved {trail_reserved}")
        if drift.problems:
            drifts.append(drift)
    return drifts
