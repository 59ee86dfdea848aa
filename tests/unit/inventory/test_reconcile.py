"""Drift detection: what the reconciliation reports for books that do not balance."""

from __future__ import annotations

from inventory.domain.reconcile import StockCounters, find_drift


def test_balanced_books_report_nothing() -> None:
    counters = {"A": StockCounters("A", 10, 3, 7)}
    assert find_drift(counters, {"A": 3}, {"A": (10, 3)}) == []


def test_reserved_that_disagrees_with_live_orders_is_drift_and_repairable() -> None:
    [drift] = find_drift({"A": StockCounters("A", 10, 5, 5)}, {"A": 3}, {"A": (10, 5)})
    assert drift.problems == ["reserved 5 != 3 units held by live orders"]
    assert drift.repairable and (drift.repaired_reserved, drift.repaired_available) == (3, 7)


def test_live_reservations_above_on_hand_need_a_count_not_a_repair() -> None:
    [drift] = find_drift({"A": StockCounters("A", 2, 2, 0)}, {"A": 4}, {"A": (2, 2)})
    assert not drift.repairable
    assert any("count the stock" in problem for problem in drift.problems)


def test_an_audit_trail_that_does_not_add_up_is_reported() -> None:
    [drift] = find_drift({"A": StockCounters("A", 10, 0, 10)}, {}, {"A": (8, 0)})
    assert drift.problems == ["audit trail sums to on_hand 8, reserved 0"]
    assert drift.repairable and drift.trail_correction == (2, 0)
