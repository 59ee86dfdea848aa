"""The soak's checks find what they are there to find: a message sent twice, a message lost, an
entry left unfinished, a KPI that moved by the wrong amount (fakes for the stack and the API)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from benchmarks.soak import Journey, SoakRun, first_day
from benchmarks.soak_checks import _kpis, _messages

EMAIL, PHONE = "soak-a@example.com", "+8613900000001"


class FakeResponse:
    def __init__(self, payload: Any) -> None:
        self._payload = payload

    def json(self) -> Any:
        return self._payload


class FakeApi:
    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes

    def call(self, method: str, path: str, label: str, **_: Any) -> FakeResponse:
        return FakeResponse(self.routes[path])


class FakeSns:
    def __init__(self, opted_out: set[str]) -> None:
        self.opted_out = opted_out

    def check_if_phone_number_is_opted_out(self, phoneNumber: str) -> dict[str, bool]:
        return {"isOptedOut": phoneNumber in self.opted_out}


class FakeStack:
    def __init__(self, outbox: list[dict[str, Any]], opted_out: set[str] | None = None) -> None:
        self._outbox = outbox
        self._sns = FakeSns(opted_out or set())

    def outbox(self) -> list[dict[str, Any]]:
        return self._outbox

    def client(self, service: str) -> FakeSns:
        assert service == "sns"
        return self._sns


def journey() -> Journey:
    customer = {"id": "c", "email": EMAIL, "phone": PHONE}
    return Journey(0, customer, "SOAK-PLENTY", order_id="ord_a", decided="confirmed", feedback="happy")


def entry(event_type: str, channel: str, status: str = "sent") -> dict[str, Any]:
    return {"event_id": f"ord_a:{event_type}", "event_type": event_type, "channel": channel, "status": status}


COMPLETE_LOG = [
    entry("order.confirmed", "email"),
    entry("order.confirmed", "sms"),
    entry("order.shipped", "email", "collapsed"),
    entry("order.delivered", "email"),
    entry("order.delivered", "sms"),
    entry("feedback.invite", "email"),
]


def outbox(emails: int, sms: int) -> list[dict[str, Any]]:
    return [{"channel": "email", "to": [EMAIL]}] * emails + [{"channel": "sms", "to": [PHONE]}] * sms


def run_messages(
    log: list[dict[str, Any]], box: list[dict[str, Any]], opted_out: set[str] | None = None
) -> tuple[list[str], list[str], Counter[str]]:
    losses: list[str] = []
    duplicates: list[str] = []
    api = FakeApi({"/v1/orders/ord_a/notifications": {"notifications": log}})
    run = SoakRun([journey()], {}, "2026-12-07", {})
    sent = _messages(FakeStack(box, opted_out), api, run, losses, duplicates)
    return losses, duplicates, sent


def test_a_journey_whose_messages_all_arrived_once_passes() -> None:
    losses, duplicates, sent = run_messages(COMPLETE_LOG, outbox(3, 2))
    assert (losses, duplicates, dict(sent)) == ([], [], {"email": 3, "sms": 2})


def test_an_email_received_twice_is_a_duplicate() -> None:
    _, duplicates, _ = run_messages(COMPLETE_LOG, outbox(4, 2))
    assert duplicates == ["ord_a: 4 email messages received, 3 sent"]


def test_a_message_logged_sent_but_never_received_is_a_loss() -> None:
    losses, _, _ = run_messages(COMPLETE_LOG, outbox(3, 1))
    assert losses == ["ord_a: 2 sms messages logged sent, 1 received"]


def test_an_entry_left_failed_and_a_missing_must_have_are_losses() -> None:
    log = [*COMPLETE_LOG[:4], entry("order.delivered", "sms", "failed"), COMPLETE_LOG[5]]
    losses, _, _ = run_messages(log, outbox(3, 1))
    assert "ord_a: order.delivered on sms left failed (no reason)" in losses
    assert "ord_a: order.delivered never sent on sms" in losses


def test_a_number_on_the_opt_out_list_must_have_its_sms_suppressed_not_sent() -> None:
    suppressed = [e if e["channel"] == "email" else {**e, "status": "suppressed"} for e in COMPLETE_LOG]
    losses, duplicates, _ = run_messages(suppressed, outbox(3, 0), opted_out={PHONE})
    assert (losses, duplicates) == ([], [])
    # the same log for a number not on the list: the SMS it was owed never went out
    losses, _, _ = run_messages(suppressed, outbox(3, 0))
    assert losses == ["ord_a: order.delivered never sent on sms"]
    # and an opted-out number whose SMS was sent anyway is caught too
    losses, _, _ = run_messages(COMPLETE_LOG, outbox(3, 2), opted_out={PHONE})
    assert losses == ["ord_a: order.delivered never suppressed on sms"]


def test_an_event_sent_twice_on_one_channel_is_a_duplicate() -> None:
    _, duplicates, _ = run_messages([*COMPLETE_LOG, entry("order.confirmed", "email")], outbox(4, 2))
    assert "ord_a: ord_a:order.confirmed sent 2 times on email" in duplicates


def stats(received: int, delivered: int, email: int) -> dict[str, Any]:
    return {
        "orders": {"received": received, "confirmed": delivered, "out_of_stock": 0},
        "delivery": {"shipped": delivered, "delivered": delivered},
        "feedback": {"responses": delivered},
        "complaints": {"opened": 0},
        "returns": {},
        "notifications": {"sent": {"email": email, "sms": 2}},
    }


def test_kpis_that_moved_by_too_little_or_too_much_are_reported() -> None:
    run = SoakRun([journey()], {}, "2026-12-07", stats(10, 5, 30))
    losses: list[str] = []
    duplicates: list[str] = []
    _kpis(FakeApi({"/v1/stats": stats(11, 5, 34)}), run, Counter({"email": 3, "sms": 0}), losses, duplicates)
    assert sorted(losses) == [
        "KPI delivery.delivered: moved by 0, the journeys imply 1",
        "KPI delivery.shipped: moved by 0, the journeys imply 1",
        "KPI feedback.responses: moved by 0, the journeys imply 1",
        "KPI orders.confirmed: moved by 0, the journeys imply 1",
    ]
    assert duplicates == ["KPI notifications.sent.email: moved by 4, the journeys imply 3"]


def test_a_run_started_just_after_midnight_reads_the_kpis_of_the_day_before_too() -> None:
    # the carrier's delivered checkpoint is dated an hour before the run: at 00:04 that is
    # yesterday, and the delivered KPI counts the carrier's day
    assert first_day(datetime(2026, 12, 8, 0, 4, tzinfo=UTC)) == "2026-12-07"
    assert first_day(datetime(2026, 12, 8, 1, 0, tzinfo=UTC)) == "2026-12-08"
    assert first_day(datetime(2026, 12, 8, 15, 30, tzinfo=UTC)) == "2026-12-08"
