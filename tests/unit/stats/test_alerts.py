"""Stored operations alerts: what an alert item keeps, the order of its two writes, and which
alerts a listing asks for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.alert_log import RecordedAlertPublisher, RecordedAlerts, StoredAlert, safe_details
from shared.errors import ValidationFailed
from shared.month_partitions import months_back
from stats.domain.alerts import KEPT_FOR, alerts_since, parse_since
from tests.fakes.orders import FrozenClock

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class Unavailable(Exception):
    pass


class FakeLog:
    def __init__(self, fail: bool = False) -> None:
        self.recorded: list[tuple[str, str, dict[str, Any]]] = []
        self.asked: list[tuple[datetime, int, str | None]] = []
        self.fail = fail

    def record(self, source: str, subject: str, details: Mapping[str, object]) -> StoredAlert:
        if self.fail:
            raise Unavailable("table")
        self.recorded.append((source, subject, dict(details)))
        return StoredAlert("alr_1", "2026-12-07T10:00:00.000Z", source, subject, dict(details))

    def newest(self, since: datetime, limit: int, cursor: str | None) -> tuple[list[StoredAlert], str | None]:
        self.asked.append((since, limit, cursor))
        return [], None


class FakeTopic:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Any] = []
        self.fail = fail

    def alert(self, subject: str, details: dict[str, object]) -> None:
        if self.fail:
            raise Unavailable("sns")
        self.sent.append((subject, details))

    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> None:
        if self.fail:
            raise Unavailable("sns")
        self.sent.append((subject, message, attributes))


def test_details_keep_scalars_without_personal_data_and_cut_long_text() -> None:
    kept = safe_details(
        {
            "complaint_id": "cmp_1",
            "priority": "p1",
            "late_by_hours": 3,
            "overdue": True,
            "customer_email": "a@example.com",
            "recipient_phone": "+8613800000000",
            "shipping_address": "1 Road",
            "lines": [{"sku": "A"}],
            "error": "x" * 900,
        }
    )
    assert kept == {
        "complaint_id": "cmp_1",
        "priority": "p1",
        "late_by_hours": 3,
        "overdue": True,
        "error": "x" * 500,
    }


def test_an_alert_is_stored_then_published() -> None:
    log, topic = FakeLog(), FakeTopic()
    RecordedAlerts(log, "complaint_overdue", topic).alert("complaint overdue", {"complaint_id": "cmp_1"})
    assert log.recorded == [("complaint_overdue", "complaint overdue", {"complaint_id": "cmp_1"})]
    assert topic.sent == [("complaint overdue", {"complaint_id": "cmp_1"})]


def test_a_table_failure_still_publishes_and_reaches_the_caller_so_it_retries() -> None:
    log, topic = FakeLog(fail=True), FakeTopic()
    with pytest.raises(Unavailable):
        RecordedAlerts(log, "low_stock", topic).alert("s", {"sku": "A"})
    assert topic.sent == [("s", {"sku": "A"})]


def test_a_topic_failure_after_the_item_reaches_the_caller_so_it_retries() -> None:
    log, topic = FakeLog(), FakeTopic(fail=True)
    with pytest.raises(Unavailable):
        RecordedAlertPublisher(log, "low_stock", topic).publish("s", "m", {"sku": "A"})
    assert log.recorded == [("low_stock", "s", {"sku": "A", "message": "m"})]


def test_a_stock_alert_is_stored_with_its_message_then_published() -> None:
    log, topic = FakeLog(), FakeTopic()
    RecordedAlertPublisher(log, "low_stock", topic).publish(
        "Low stock: TEA", "SKU TEA: 2 left", {"sku": "TEA"}
    )
    assert log.recorded == [("low_stock", "Low stock: TEA", {"sku": "TEA", "message": "SKU TEA: 2 left"})]
    assert topic.sent == [("Low stock: TEA", "SKU TEA: 2 left", {"sku": "TEA"})]


def test_months_are_walked_newest_first_across_a_year() -> None:
    assert list(months_back(datetime(2027, 2, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))) == [
        "2027-02",
        "2027-01",
        "2026-12",
        "2026-11",
    ]


def test_a_listing_goes_back_no_further_than_alerts_are_kept() -> None:
    log, clock = FakeLog(), FrozenClock(NOW)
    alerts_since(None, 20, None, log, clock)
    alerts_since(datetime(2020, 1, 1, tzinfo=UTC), 20, "c", log, clock)
    alerts_since(datetime(2026, 12, 1), 5, None, log, clock)  # naive: UTC
    assert log.asked == [
        (NOW - KEPT_FOR, 20, None),
        (NOW - KEPT_FOR, 20, "c"),
        (datetime(2026, 12, 1, tzinfo=UTC), 5, None),
    ]
    assert timedelta(days=90) <= KEPT_FOR


def test_since_is_an_iso_time_and_a_day_that_does_not_exist_is_a_422() -> None:
    assert parse_since(None) is None
    assert parse_since("2026-12-01") == datetime(2026, 12, 1)
    assert parse_since("2026-12-01T08:00:00Z") == datetime(2026, 12, 1, 8, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as raised:
        parse_since("2026-02-30")
    assert raised.value.details[0]["field"] == "query.since"
