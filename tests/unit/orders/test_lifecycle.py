from __future__ import annotations

import re
from pathlib import Path

import pytest

from orders.domain.lifecycle import TERMINAL, TRANSITIONS, IllegalTransition, can_move, check_move
from orders.models.order import OrderStatus

DOC = Path(__file__).resolve().parents[3] / "docs" / "order-lifecycle.md"


def test_the_drawing_in_the_docs_is_the_state_machine_in_the_code() -> None:
    drawn = set(re.findall(r"^\s+([a-z_]+) --> ([a-z_]+)", DOC.read_text(), flags=re.MULTILINE))
    coded = {(source.value, target.value) for source, targets in TRANSITIONS.items() for target in targets}
    assert drawn == coded


def test_every_status_is_in_the_machine_and_terminal_ones_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    assert {
        OrderStatus.OUT_OF_STOCK,
        OrderStatus.REJECTED,
        OrderStatus.EXPIRED,
        OrderStatus.CANCELLED,
        OrderStatus.RETURNED_TO_SENDER,
    } == TERMINAL


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("received", "confirmed", True),
        ("reserved", "expired", True),
        ("confirmed", "received", False),
        ("shipped", "cancelled", False),
        ("delivered", "returned_to_sender", True),
        ("expired", "confirmed", False),
    ],
)
def test_moves(current: str, target: str, allowed: bool) -> None:
    assert can_move(OrderStatus(current), OrderStatus(target)) is allowed


def test_an_illegal_move_is_a_409_naming_the_current_status() -> None:
    with pytest.raises(IllegalTransition) as raised:
        check_move("ord_1", OrderStatus.SHIPPED, OrderStatus.CANCELLED)
    assert raised.value.http_status == 409
    assert raised.value.details == {
        "order_id": "ord_1",
        "current_status": "shipped",
        "requested_status": "cancelled",
    }
