"""One alert per crossing below the threshold, re-armed only when stock is back."""

from __future__ import annotations

import pytest

from inventory.domain.low_stock import AlertDecision, StockSnapshot, days_of_stock, watch_stock_level
from tests.fakes.orders import FrozenClock
from tests.fakes.stock_alerts import InMemoryLowStockFlags, RecordingPublisher


def snapshot(
    available: int,
    threshold: int = 10,
    alerted: bool | None = None,
    flags: InMemoryLowStockFlags | None = None,
) -> StockSnapshot:
    stored = flags.alerted.get("TEA", False) if flags is not None and alerted is None else bool(alerted)
    return StockSnapshot(
        sku="TEA",
        on_hand=available,
        reserved=0,
        available=available,
        low_stock_threshold=threshold,
        low_stock_alerted=stored,
    )


def watch(
    flags: InMemoryLowStockFlags, publisher: RecordingPublisher, available: int, threshold: int = 10
) -> AlertDecision:
    return watch_stock_level(snapshot(available, threshold, flags=flags), flags, publisher, FrozenClock())


def test_crossing_below_alerts_once_with_days_of_stock_left() -> None:
    flags, publisher = InMemoryLowStockFlags(reserved_last_7_days={"TEA": 14}), RecordingPublisher()

    decisions = [watch(flags, publisher, available) for available in (12, 10, 9, 8, 3)]

    assert (
        decisions
        == [AlertDecision.NOTHING, AlertDecision.NOTHING, AlertDecision.ALERTED] + [AlertDecision.NOTHING] * 2
    )
    [(subject, message, attributes)] = publisher.sent
    assert "TEA" in subject and attributes == {"sku": "TEA", "event_type": "stock.low"}
    assert "about 4.5 days of stock" in message  # 9 available at 2 units a day


def test_a_replayed_record_never_alerts_twice() -> None:
    flags, publisher = InMemoryLowStockFlags(), RecordingPublisher()
    stale = snapshot(5, alerted=False)  # the image before the flag was set, delivered twice

    first = watch_stock_level(stale, flags, publisher, FrozenClock())
    again = watch_stock_level(stale, flags, publisher, FrozenClock())

    assert (first, again) == (AlertDecision.ALERTED, AlertDecision.ALREADY_DONE)
    assert len(publisher.sent) == 1


def test_it_rearms_only_back_at_the_threshold_then_alerts_again() -> None:
    flags, publisher = InMemoryLowStockFlags(), RecordingPublisher()
    watch(flags, publisher, 5)
    assert watch(flags, publisher, 9) == AlertDecision.NOTHING
    assert watch(flags, publisher, 10) == AlertDecision.REARMED
    assert watch(flags, publisher, 4) == AlertDecision.ALERTED
    assert len(publisher.sent) == 2


def test_a_failed_publish_leaves_it_armed_for_the_retry() -> None:
    flags, publisher = InMemoryLowStockFlags(), RecordingPublisher(failing=True)
    with pytest.raises(ConnectionError):
        watch(flags, publisher, 5)
    publisher.failing = False
    assert watch(flags, publisher, 5) == AlertDecision.ALERTED
    assert len(publisher.sent) == 1


def test_threshold_zero_means_no_alerts() -> None:
    flags, publisher = InMemoryLowStockFlags(), RecordingPublisher()
    assert watch(flags, publisher, 0, threshold=0) == AlertDecision.NOTHING
    assert publisher.sent == []


def test_without_recent_reservations_no_run_out_date_is_guessed() -> None:
    assert days_of_stock(5, 0) is None
    assert days_of_stock(7, 7) == 7.0


def test_events_out_of_order_follow_the_stored_level_not_the_event() -> None:
    # Given a SKU restocked to 20 (threshold 10) whose earlier event at 3 arrives only now
    flags, publisher = InMemoryLowStockFlags(levels={"TEA": (20, 10)}), RecordingPublisher()
    late_low = watch_stock_level(snapshot(3, alerted=False), flags, publisher, FrozenClock())
    # Then nothing is alerted: the stored level is no longer below the threshold
    assert late_low is AlertDecision.ALREADY_DONE and publisher.sent == []

    # Given an alert outstanding and the SKU below again, a late event of the restock does not re-arm it
    flags.alerted["TEA"], flags.levels["TEA"] = True, (4, 10)
    late_restock = watch_stock_level(snapshot(20, alerted=True), flags, publisher, FrozenClock())
    assert late_restock is AlertDecision.ALREADY_DONE and flags.alerted["TEA"] is True
