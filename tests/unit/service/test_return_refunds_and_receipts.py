"""Refund computation, receipts by condition, exchanges and the return queue, with fakes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from service.domain.errors import IllegalStatusChange
from service.domain.refunds import refund_for
from service.domain.return_actions import (
    ReceivedLine,
    approve_return,
    receive_return,
    refund_return,
    return_queue,
)
from service.domain.return_errors import ReceiptMismatch, RefundAboveComputed, RefundNotAllowed
from service.domain.returns import move_return, request_return
from service.domain.rules import ServiceRules
from service.models.records import Money, ReturnLine, ReturnRecord, ReturnStatus
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, InMemoryService, RecordingEvents, delivered_order
from tests.unit.service.return_fakes import CountingReplacements, InMemoryReturnDesk

RULES = ServiceRules()
TEA, CUP = "TEA-OOLONG-250G", "CUP-CELADON"
NOW = DELIVERED_AT + timedelta(days=2)
ITEMS = [
    {"sku": TEA, "name": "Tieguanyin oolong, 250 g", "quantity": 2, "unit_price": "88.00"},
    {"sku": CUP, "name": "Celadon cup", "quantity": 3, "unit_price": "19.90"},
]


def order(items=None, currency="CNY"):
    record = delivered_order(items=items or ITEMS, total="235.70")
    return record.model_copy(update={"currency": currency})


def ask(store, events, lines, *, key="r-1", resolution="refund", the_order=None):
    return request_return(
        the_order or order(),
        [ReturnLine(sku=sku, quantity=qty) for sku, qty in lines.items()],
        "",
        key,
        store,
        events,
        RULES,
        FrozenClock(NOW),
        reason_code="damaged",
        resolution=resolution,
    )


def approved(store, events, lines, **kwargs) -> ReturnRecord:
    record, _ = ask(store, events, lines, **kwargs)
    the_order = kwargs.get("the_order") or order()
    done, _ = approve_return(
        the_order, record.return_id, None, "ops", "a-1", store, events, RULES, FrozenClock(NOW)
    )
    return done


# refund computation ------------------------------------------------------------------------------


def test_the_refund_is_the_returned_units_at_their_paid_price_in_the_order_currency() -> None:
    assert refund_for(order(), {TEA: 1, CUP: 2}, {}, RULES) == Money(amount="127.80", currency="CNY")


def test_units_returned_earlier_take_the_first_lines_of_a_sku_listed_twice() -> None:
    items = [
        {"sku": CUP, "name": "Cup", "quantity": 1, "unit_price": "10.00"},
        {"sku": CUP, "name": "Cup (sale)", "quantity": 2, "unit_price": "7.50"},
    ]
    assert refund_for(order(items), {CUP: 2}, {}, RULES).amount == "17.50"
    assert refund_for(order(items), {CUP: 2}, {CUP: 1}, RULES).amount == "15.00"


def test_the_amount_is_rounded_half_up_to_the_currency_minor_units_once() -> None:
    items = [{"sku": CUP, "name": "Cup", "quantity": 3, "unit_price": "0.335"}]
    assert refund_for(order(items), {CUP: 3}, {}, RULES).amount == "1.01"  # 1.005 -> 1.01
    assert refund_for(order(items, currency="JPY"), {CUP: 3}, {}, RULES) == Money(amount="1", currency="JPY")


@pytest.mark.parametrize(
    ("rule", "returned", "earlier", "expected"),
    [
        ("never", {TEA: 2, CUP: 3}, {}, "235.70"),
        ("full_return_only", {TEA: 2, CUP: 3}, {}, "247.70"),
        ("full_return_only", {TEA: 1}, {}, "88.00"),
        ("full_return_only", {TEA: 1}, {TEA: 1, CUP: 3}, "100.00"),  # this return completes it
        ("always", {TEA: 1}, {}, "100.00"),
        ("always", {TEA: 1}, {CUP: 1}, "88.00"),  # shipping was refunded with the first return
    ],
)
def test_shipping_follows_the_stage_rule(rule, returned, earlier, expected) -> None:
    rules = ServiceRules(refund_shipping=rule)
    assert refund_for(order(), returned, earlier, rules, shipping=Decimal("12.00")).amount == expected


def test_orders_without_a_shipping_amount_refund_the_lines_only() -> None:
    rules = ServiceRules(refund_shipping="always")
    assert refund_for(order(), {TEA: 2, CUP: 3}, {}, rules).amount == "235.70"


def test_the_request_shows_the_expected_refund_and_approval_records_it() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record, _ = ask(store, events, {TEA: 1})
    assert record.expected_refund == Money(amount="88.00", currency="CNY") and record.refund is None
    assert record.reason_code == "damaged" and record.resolution == "refund"
    done, _ = approve_return(
        order(), record.return_id, None, "ops", "a", store, events, RULES, FrozenClock(NOW)
    )
    assert done.refund == Money(amount="88.00", currency="CNY")
    assert events.sent[-1].details["refund_amount"] == "88.00"
    assert events.sent[-1].details["refund_currency"] == "CNY"
    assert events.sent[-1].details["reason"] == "damaged"


def test_a_second_return_of_a_sku_listed_twice_is_priced_after_the_first() -> None:
    items = [
        {"sku": CUP, "name": "Cup", "quantity": 1, "unit_price": "10.00"},
        {"sku": CUP, "name": "Cup (sale)", "quantity": 1, "unit_price": "7.50"},
    ]
    store, events = InMemoryService(), RecordingEvents()
    ask(store, events, {CUP: 1}, key="first", the_order=order(items))
    second = approved(store, events, {CUP: 1}, key="second", the_order=order(items))
    assert second.refund == Money(amount="7.50", currency="CNY")


# receipt -------------------------------------------------------------------------------------------


def receive(store, desk, events, record, lines, key="rcv-1", replacements=None):
    port = replacements or CountingReplacements()
    return receive_return(
        record.order_id,
        record.return_id,
        lines,
        "box dented",
        "warehouse",
        key,
        store,
        desk,
        events,
        FrozenClock(NOW + timedelta(days=3)),
        lambda: port,
    )


def test_receipt_restocks_the_resellable_units_and_counts_the_damaged_ones() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 2, CUP: 1})
    desk = InMemoryReturnDesk(store, {TEA: 5, CUP: 0})
    lines = [
        ReceivedLine(TEA, 1, "resellable"),
        ReceivedLine(TEA, 1, "damaged"),
        ReceivedLine(CUP, 1, "resellable"),
    ]
    done, replayed = receive(store, desk, events, record, lines)
    assert not replayed and done.status == "received"
    assert desk.on_hand == {TEA: 6, CUP: 1} and desk.damaged_returns == {TEA: 1, CUP: 0}
    assert [(line.sku, line.quantity, line.condition) for line in done.lines] == [
        (CUP, 1, "resellable"),
        (TEA, 1, "damaged"),
        (TEA, 1, "resellable"),
    ]
    assert desk.ledger[1] == {
        "sku": TEA,
        "reason": "return",
        "on_hand_delta": 1,
        "not_restocked": 1,
        "by": "warehouse",
    }
    assert events.sent[-1].event_type == "return.received"
    assert events.sent[-1].details["lines"] == f"{CUP} x1, {TEA} x2"


def test_without_lines_every_returned_unit_is_resellable() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 2})
    desk = InMemoryReturnDesk(store, {TEA: 0})
    receive(store, desk, events, record, None)
    assert desk.on_hand == {TEA: 2} and desk.damaged_returns == {TEA: 0}


@pytest.mark.parametrize(
    "lines",
    [
        [ReceivedLine(TEA, 3)],  # more than returned
        [ReceivedLine(TEA, 2), ReceivedLine(TEA, 1, "damaged")],  # more across conditions
        [ReceivedLine(TEA, 2), ReceivedLine(CUP, 1)],  # a SKU not in the return
        [ReceivedLine(TEA, 1)],  # fewer
    ],
)
def test_receipt_lines_that_are_not_the_returns_are_refused_and_change_nothing(lines) -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 2})
    desk, writes, sent = InMemoryReturnDesk(store, {TEA: 0, CUP: 0}), store.writes, len(events.sent)
    with pytest.raises(ReceiptMismatch) as refused:
        receive(store, desk, events, record, lines)
    assert refused.value.http_status == 409
    assert desk.on_hand == {TEA: 0, CUP: 0} and store.writes == writes and len(events.sent) == sent


def test_a_retried_receipt_never_restocks_twice() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 2})
    desk = InMemoryReturnDesk(store, {TEA: 0})
    receive(store, desk, events, record, None)
    again, replayed = receive(store, desk, events, record, None)
    assert replayed and again.status == "received" and desk.on_hand == {TEA: 2} and len(desk.ledger) == 1
    with pytest.raises(IllegalStatusChange):  # another key: a second receipt, refused
        receive(store, desk, events, record, None, key="other")
    assert desk.on_hand == {TEA: 2}


class RacingDesk(InMemoryReturnDesk):
    """Another receipt (with `winner_key`) lands between this one's read and its write."""

    def __init__(self, store: InMemoryService, on_hand: dict[str, int], winner_key: str) -> None:
        super().__init__(store, on_hand)
        self.winner_key = winner_key

    def receive(self, record, expected_version, restock, damaged, **kwargs) -> None:
        winner = record.model_copy(update={"last_request_key": self.winner_key})
        self.store.returns_by_id[record.return_id] = winner
        super().receive(record, expected_version, restock, damaged, **kwargs)


@pytest.mark.parametrize(("winner_key", "replayed"), [("other", False), ("rcv-1", True)])
def test_a_receipt_that_loses_the_race_restocks_nothing(winner_key, replayed) -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 2})
    desk = RacingDesk(store, {TEA: 0}, winner_key)
    if replayed:  # the same request, retried concurrently: it answers like the winner
        assert receive(store, desk, events, record, None)[1] is True
    else:
        with pytest.raises(IllegalStatusChange):
            receive(store, desk, events, record, None)
    assert desk.on_hand == {TEA: 0} and desk.ledger == []


# exchange ------------------------------------------------------------------------------------------


def test_an_exchange_opens_its_replacement_once_on_receipt_and_is_never_refunded() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 1}, resolution="exchange")
    assert record.refund is None and record.expected_refund is None
    assert "refund_amount" not in events.sent[-1].details
    desk, port = InMemoryReturnDesk(store, {TEA: 0}), CountingReplacements()
    done, _ = receive(store, desk, events, record, None, replacements=port)
    again, replayed = receive(store, desk, events, record, None, replacements=port)
    assert replayed and again.reshipment_id == done.reshipment_id
    assert port.calls == [
        {
            "order_id": record.order_id,
            "lines": [(TEA, 1)],
            "reason": "exchange",
            "by": "warehouse",
            "key": f"exchange:{record.return_id}",
        }
    ]
    assert done.reshipment_id == f"rsp_exchange_{record.return_id}"
    assert events.sent[-1].details["resolution"] == "exchange"
    assert events.sent[-1].details["reshipment_id"] == done.reshipment_id
    with pytest.raises(RefundNotAllowed) as refused:
        refund_return(
            order(), record.return_id, None, None, None, "x", "f", store, events, RULES, FrozenClock(NOW)
        )
    assert refused.value.http_status == 409


def test_a_failed_replacement_leaves_the_return_approved_and_the_stock_alone() -> None:
    class OutOfStock(CountingReplacements):
        def replace(self, *args, **kwargs) -> str:
            raise IllegalStatusChange("order", "ord", "delivered", "reshipped")

    store, events = InMemoryService(), RecordingEvents()
    record = approved(store, events, {TEA: 1}, resolution="exchange")
    desk = InMemoryReturnDesk(store, {TEA: 0})
    with pytest.raises(IllegalStatusChange):
        receive(store, desk, events, record, None, replacements=OutOfStock())
    assert store.returns_by_id[record.return_id].status == "approved" and desk.on_hand == {TEA: 0}


# refund --------------------------------------------------------------------------------------------


def received(store, events, lines):
    record = approved(store, events, lines)
    receive(store, InMemoryReturnDesk(store, {TEA: 0, CUP: 0}), events, record, None)
    return record


def refund(store, events, record, amount=None, reason=None, key="f-1"):
    return refund_return(
        order(),
        record.return_id,
        amount,
        reason,
        None,
        "finance",
        key,
        store,
        events,
        RULES,
        FrozenClock(NOW),
    )


def test_the_refund_records_the_computed_amount_and_tells_the_customer() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = received(store, events, {TEA: 1, CUP: 1})
    done, _ = refund(store, events, record)
    assert done.refunded == Money(amount="107.90", currency="CNY") and done.refund_reason is None
    assert events.sent[-1].event_type == "return.refunded"
    assert events.sent[-1].details["refund_amount"] == "107.90"


def test_a_partial_refund_needs_its_reason_and_never_exceeds_the_computed_amount() -> None:
    store, events = InMemoryService(), RecordingEvents()
    record = received(store, events, {TEA: 1})
    writes = store.writes
    for amount, reason in ((Decimal("88.01"), "x"), (Decimal("50.00"), None), (Decimal("50.001"), "x")):
        with pytest.raises(RefundAboveComputed) as refused:
            refund(store, events, record, amount, reason)
        assert refused.value.http_status == 422
    assert store.writes == writes
    done, _ = refund(store, events, record, Decimal("50"), "opened packaging")
    assert done.refunded == Money(amount="50.00", currency="CNY") and done.refund == Money(
        amount="88.00", currency="CNY"
    )
    assert done.refund_reason == "opened packaging"
    assert events.sent[-1].details["refund_amount"] == "50.00"
    again, replayed = refund(store, events, record, Decimal("50"), "opened packaging")
    assert replayed and again.refunded == done.refunded


def test_a_return_stored_before_refunds_is_refunded_at_its_computed_amount() -> None:
    store, events = InMemoryService(), RecordingEvents()
    legacy = ReturnRecord.model_validate(
        {
            "return_id": "ret_" + "b" * 24,
            "order_id": order().order_id,
            "status": "received",
            "lines": [{"sku": CUP, "quantity": 2}],
            "reason": "too small",
            "requested_at": "2026-11-21T00:00:00Z",
            "updated_at": "2026-11-22T00:00:00Z",
            "history": [{"status": "received", "at": "2026-11-22T00:00:00Z", "by": "w"}],
        }
    )
    assert legacy.reason_code is None and legacy.resolution == "refund"
    store.returns_by_id[legacy.return_id] = legacy
    store.tally[legacy.order_id] = ({CUP: 2}, 1)
    done, _ = refund(store, events, legacy)
    assert done.refunded == Money(amount="39.80", currency="CNY")
    assert events.sent[-1].details["reason"] == "too small"


# queue ---------------------------------------------------------------------------------------------


def test_the_queue_lists_one_status_oldest_first_in_pages() -> None:
    store, events = InMemoryService(), RecordingEvents()
    first, _ = ask(store, events, {TEA: 1}, key="a")
    second, _ = ask(store, events, {CUP: 1}, key="b")
    move_return(first.order_id, first.return_id, "reject", None, "ops", "k", store, events, FrozenClock(NOW))
    desk = InMemoryReturnDesk(store, {})
    page, cursor = return_queue(ReturnStatus.REQUESTED, 10, None, desk)
    assert [r.return_id for r in page] == [second.return_id] and cursor is None
    third, _ = ask(store, events, {CUP: 1}, key="c")
    page, cursor = return_queue(ReturnStatus.REQUESTED, 1, None, desk)
    assert [r.return_id for r in page] == [min((second, third), key=lambda r: r.return_id).return_id]
    rest, end = return_queue(ReturnStatus.REQUESTED, 1, cursor, desk)
    assert len(rest) == 1 and rest[0].return_id != page[0].return_id and end is None
