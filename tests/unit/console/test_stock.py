"""The console's stock page: low-stock products with their days of cover, looking a SKU up, and
the managers' audited adjustment (never below the units reserved)."""

from __future__ import annotations

from typing import Any

import pytest

from console.adapters.orders import AlertedLowStock
from console.ports import ConsoleServices
from inventory.models.api import HistoryKind
from shared.alert_log import StoredAlert
from tests.fakes.console_orders import Desk, LedgerWithLevels, SearchableOrders
from tests.fakes.orders import FrozenClock
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import csrf_fields, request

MANAGER = {"cognito:groups": ["manager"], "cognito:username": "manager@local", "sub": "sub-manager"}


@pytest.fixture
def desk(services: ConsoleServices, clock: FrozenClock) -> Desk:
    orders = SearchableOrders()
    ledger = LedgerWithLevels(orders, {"TEA": 3, "CUP": 40, "PLATE": 1})
    ledger.thresholds.update({"TEA": 10, "CUP": 5, "PLATE": 4})
    ledger.reserved["TEA"] = 1
    fakes = Desk(orders=orders, ledger=ledger, clock=clock)
    fakes.low_stock.skus = ["TEA", "CUP", "PLATE", "GONE"]  # CUP is back above its threshold
    fakes.low_stock.reserved = {"TEA": 14}
    services.orders = orders
    services.desk = fakes.desk()
    return fakes


def manager(clock: FrozenClock) -> str:
    return mint(clock, **MANAGER)


def test_the_stock_page_lists_products_still_below_their_threshold_with_days_of_cover(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    page = request(services, "GET", "/console/stock?lang=en", token=mint(clock))
    body = page["body"]
    assert page["statusCode"] == 200
    assert "<strong>TEA</strong>" in body and "<strong>PLATE</strong>" in body
    assert "<strong>CUP</strong>" not in body and "GONE" not in body
    # TEA: 2 available, 14 reserved in 7 days (2 a day) -> 1.0 day; PLATE: no reservations -> unknown
    assert "Days of cover <strong>1.0</strong>" in body and "Days of cover <strong>—</strong>" in body
    assert body.index("<strong>TEA</strong>") < body.index("<strong>PLATE</strong>")
    assert "Only managers adjust stock." in body and "/adjust" not in body  # an agent sees no form


def test_a_manager_adjusts_stock_with_a_reason_on_the_audit_trail_once_per_form(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    page = request(services, "GET", "/console/stock?lang=en&sku=CUP", token=manager(clock))
    assert page["statusCode"] == 200 and 'data-available="CUP">40<' in page["body"]
    assert 'action="/console/stock/CUP/adjust?lang=en"' in page["body"]
    form = {**csrf_fields(page["body"]), "delta": "-3", "reason": "damage", "note": "broken in the store"}
    response = request(services, "POST", "/console/stock/CUP/adjust?lang=en", form, token=manager(clock))
    assert response["statusCode"] == 303
    assert response["headers"]["Location"] == "/console/stock?lang=en&sku=CUP&done=adjusted"
    again = request(services, "POST", "/console/stock/CUP/adjust?lang=en", form, token=manager(clock))
    assert again["statusCode"] == 303  # the same form resent applies once
    assert desk.ledger.on_hand["CUP"] == 37
    [entry] = [entry for entry in desk.ledger.history if entry.kind == HistoryKind.ADJUST]
    assert (entry.by, entry.reason, entry.on_hand_delta, entry.note) == (
        "manager@local",
        "damage",
        -3,
        "broken in the store",
    )
    shown = request(services, "GET", response["headers"]["Location"], token=manager(clock))
    assert "The stock is adjusted." in shown["body"] and 'data-available="CUP">37<' in shown["body"]


@pytest.mark.parametrize(
    ("form", "status", "says"),
    [
        ({"delta": "-3", "reason": "count_correction"}, 409, "below reserved"),
        ({"delta": "two", "reason": "restock"}, 422, "whole number"),
        ({"delta": "0", "reason": "restock"}, 422, "delta"),
        ({"delta": "5", "reason": "found it"}, 422, "reason"),
    ],
)
def test_an_adjustment_the_ledger_refuses_is_a_4xx_page_that_changes_nothing(
    services: ConsoleServices, clock: FrozenClock, desk: Desk, form: dict[str, str], status: int, says: str
) -> None:
    fields = csrf_fields(request(services, "GET", "/console/stock", token=manager(clock))["body"])
    response = request(
        services, "POST", "/console/stock/TEA/adjust?lang=en", {**fields, **form}, token=manager(clock)
    )
    assert response["statusCode"] == status and says in response["body"]
    assert desk.ledger.on_hand["TEA"] == 3 and not [
        e for e in desk.ledger.history if e.kind == HistoryKind.ADJUST
    ]


def test_an_agent_may_not_adjust_stock(services: ConsoleServices, clock: FrozenClock, desk: Desk) -> None:
    fields = csrf_fields(request(services, "GET", "/console/stock", token=mint(clock))["body"])
    response = request(
        services,
        "POST",
        "/console/stock/TEA/adjust",
        {**fields, "delta": "5", "reason": "restock"},
        token=mint(clock),
    )
    assert response["statusCode"] == 403 and desk.ledger.on_hand["TEA"] == 3


class PagedAlerts:
    def __init__(self, pages: list[list[StoredAlert]]) -> None:
        self.pages = pages
        self.reads: list[Any] = []

    def newest(self, since: Any, limit: int, cursor: str | None) -> tuple[list[StoredAlert], str | None]:
        index = int(cursor or 0)
        self.reads.append((since, limit, cursor))
        following = str(index + 1) if index + 1 < len(self.pages) else None
        return self.pages[index], following


def alert(source: str, sku: str | None) -> StoredAlert:
    return StoredAlert("alr_1", "2026-11-24T09:00:00Z", source, "s", {"sku": sku} if sku else {})


class Flagged:
    def __init__(self, skus: list[str]) -> None:
        self.skus = skus

    def flagged_skus(self, limit: int) -> list[str]:
        return self.skus[:limit]

    def reserved_units_since(self, sku: str, since: str) -> int:
        return 0


def test_the_low_stock_skus_are_those_of_the_stored_low_stock_alerts_newest_first(clock: FrozenClock) -> None:
    log = PagedAlerts(
        [
            [alert("low_stock", "TEA"), alert("complaint_overdue", None), alert("low_stock", "CUP")],
            [alert("low_stock", "TEA"), alert("delivery_delay", "X"), alert("low_stock", "PLATE")],
        ]
    )
    finder = AlertedLowStock(log, Flagged([]), now=clock.now)
    assert finder.alerted_skus(10) == ["TEA", "CUP", "PLATE"]
    assert finder.alerted_skus(2) == ["TEA", "CUP"]
    since, limit, _ = log.reads[0]
    assert limit == 100 and (clock.now() - since).days == 92


def test_the_skus_flagged_low_now_come_first_and_a_full_list_reads_no_alert(clock: FrozenClock) -> None:
    log = PagedAlerts([[alert("low_stock", "TEA"), alert("low_stock", "CUP")]])
    finder = AlertedLowStock(log, Flagged(["POT", "TEA"]), now=clock.now)
    assert finder.alerted_skus(10) == ["POT", "TEA", "CUP"]  # each once
    reads = len(log.reads)
    assert finder.alerted_skus(2) == ["POT", "TEA"]
    assert len(log.reads) == reads


def test_without_a_stock_ledger_the_page_lists_nothing_and_an_adjustment_is_a_404(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    page = request(services, "GET", "/console/stock?lang=en&sku=TEA", token=manager(clock))
    assert page["statusCode"] == 200 and "No product is below its threshold." in page["body"]
    fields = csrf_fields(page["body"])
    response = request(
        services,
        "POST",
        "/console/stock/TEA/adjust",
        {**fields, "delta": "1", "reason": "restock"},
        token=manager(clock),
    )
    assert response["statusCode"] == 404
