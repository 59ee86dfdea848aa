"""Group commit: the orders of one batch that reserve the same SKU do so in one transaction with
one audit record per SKU, allocated in message order, all lines or none, never oversold."""

from __future__ import annotations

from typing import Any

from inventory.domain.reserve_stock import ReservationResult, reserve_orders
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderStatus
from shared.errors import RetryableError
from shared.transient import Backoff, retry_transient
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders, InMemoryStock

R = ReservationResult


def one_line_orders(orders: InMemoryOrders, count: int, sku: str = "HOT", quantity: int = 1) -> list[str]:
    return [place(orders, {sku: quantity}, key=f"{sku}-{index}") for index in range(count)]


def place(orders: InMemoryOrders, lines: dict[str, int], key: str) -> str:
    items = [
        {"sku": sku, "name": f"Item {sku}", "quantity": quantity, "unit_price": "1.00"}
        for sku, quantity in lines.items()
    ]
    body = order_body(items=items)
    body["customer"] = {**body["customer"], "id": f"customer-{key}"}
    return place_order(CreateOrderRequest.model_validate(body), key, orders, FrozenClock()).order.order_id


def no_wait(call: Any) -> Any:
    return call()


def test_one_batch_for_a_hot_sku_reserves_in_message_order_in_one_transaction() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 3})
    batch = one_line_orders(orders, 5)

    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=no_wait)

    assert [results[order_id] for order_id in batch] == [R.CONFIRMED] * 3 + [R.OUT_OF_STOCK] * 2
    assert stock.group_commits == [batch[:3]]  # with the two out-of-stock decisions
    (record,) = [entry for entry in stock.history if entry.kind == "reserve"]
    assert record.reserved_delta == 3
    assert [(line.order_id, line.quantity) for line in record.orders or []] == [(o, 1) for o in batch[:3]]
    assert (stock.on_hand["HOT"], stock.reserved["HOT"]) == (3, 3)
    short = orders.get(batch[3])
    assert short is not None and [(i.sku, i.requested, i.available) for i in short.short_items] == [
        ("HOT", 1, 0)
    ]


def test_a_multi_sku_order_gets_all_its_lines_or_none_and_leaves_the_units_to_later_orders() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"X": 1, "Y": 0})
    both = place(orders, {"X": 1, "Y": 1}, key="both")
    only_x = place(orders, {"X": 1}, key="only-x")

    results = reserve_orders([both, only_x], orders, stock, FrozenClock(), retry=no_wait)

    assert results == {both: R.OUT_OF_STOCK, only_x: R.CONFIRMED}
    assert stock.reserved == {"X": 1}
    decided = orders.get(both)
    assert decided is not None and [item.sku for item in decided.short_items] == ["Y"]
    assert decided.reservation == {}


def test_units_taken_between_read_and_commit_are_reallocated_never_oversold() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 4})
    batch = one_line_orders(orders, 4)

    def another_worker_takes_three_units() -> None:
        stock.reserved["HOT"] = 3

    stock.before_group_commit.append(another_worker_takes_three_units)
    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=no_wait)

    assert [results[order_id] for order_id in batch] == [R.CONFIRMED] + [R.OUT_OF_STOCK] * 3
    assert stock.group_commits == [batch[:1]]
    assert (stock.reserved["HOT"], stock.available("HOT")) == (4, 0)


def test_a_redelivered_batch_and_a_message_given_twice_reserve_once() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 10})
    batch = one_line_orders(orders, 3)

    first = reserve_orders([*batch, batch[0]], orders, stock, FrozenClock(), retry=no_wait)
    again = reserve_orders(batch, orders, stock, FrozenClock(), retry=no_wait)

    assert first == {order_id: R.CONFIRMED for order_id in batch}
    assert again == {order_id: R.ALREADY_DECIDED for order_id in batch}
    assert stock.reserved["HOT"] == 3
    assert len([entry for entry in stock.history if entry.kind == "reserve"]) == 1


def test_an_order_decided_elsewhere_after_the_read_drops_out_and_the_rest_of_the_group_commits() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 10})
    batch = one_line_orders(orders, 3)

    def a_duplicate_delivery_decides_the_second_order() -> None:
        stored = orders.orders[batch[1]]
        orders.orders[batch[1]] = stored.model_copy(
            update={"status": OrderStatus.CANCELLED, "version": stored.version + 1}
        )

    stock.before_group_commit.append(a_duplicate_delivery_decides_the_second_order)
    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=no_wait)

    assert results == {batch[0]: R.CONFIRMED, batch[1]: R.ALREADY_DECIDED, batch[2]: R.CONFIRMED}
    assert stock.group_commits == [[batch[0], batch[2]]]
    assert stock.reserved["HOT"] == 2


def test_groups_are_cut_at_the_transaction_limit() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 100})
    stock.max_group_actions = 10  # 8 orders + the SKU's update and audit record
    batch = one_line_orders(orders, 12)

    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=no_wait)

    assert set(results.values()) == {R.CONFIRMED}
    assert stock.group_commits == [batch[:8], batch[8:]]
    assert [entry.reserved_delta for entry in stock.history if entry.kind == "reserve"] == [8, 4]


class ConflictingStock(InMemoryStock):
    """A stock ledger whose group commits meet a concurrent transaction `conflicts` times."""

    def __init__(self, orders: InMemoryOrders, on_hand: dict[str, int], conflicts: int) -> None:
        super().__init__(orders, on_hand)
        self.conflicts = conflicts
        self.attempts = 0

    def reserve_group(self, requests: Any, out_of_stock: Any = ()) -> Any:
        self.attempts += 1
        if self.attempts <= self.conflicts:
            raise RetryableError("TransactionConflict")
        return super().reserve_group(requests, out_of_stock)


def test_a_conflict_is_retried_in_process_with_jittered_backoff() -> None:
    orders = InMemoryOrders()
    stock = ConflictingStock(orders, {"HOT": 5}, conflicts=2)
    batch = one_line_orders(orders, 2)
    slept: list[float] = []

    def retry(call: Any) -> Any:
        return retry_transient(
            call, attempts=4, backoff=Backoff(0.1, 1.0), sleep=slept.append, rand=lambda: 0.5
        )

    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=retry)

    assert results == {order_id: R.CONFIRMED for order_id in batch}
    assert slept == [0.05, 0.1]  # half (the jitter) of 0.1 s, then of 0.2 s
    assert stock.reserved["HOT"] == 2


def test_a_conflict_that_outlasts_the_retries_fails_only_its_group_and_writes_nothing() -> None:
    orders = InMemoryOrders()
    stock = ConflictingStock(orders, {"HOT": 5}, conflicts=99)
    batch = one_line_orders(orders, 2)
    slept: list[float] = []

    def retry(call: Any) -> Any:
        return retry_transient(call, attempts=3, sleep=slept.append, rand=lambda: 1.0)

    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=retry)

    assert all(isinstance(results[order_id], RetryableError) for order_id in batch)
    assert stock.attempts == 3 and len(slept) == 2
    assert stock.reserved == {} and stock.history == []
    assert {o.status for o in (orders.get(order_id) for order_id in batch) if o} == {OrderStatus.RECEIVED}


def test_orders_not_reached_before_the_time_margin_are_handed_back_unwritten() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 10})
    stock.max_group_actions = 4  # two orders per group
    batch = one_line_orders(orders, 4)
    clock_readings = iter([30.0, 30.0, 5.0])  # screening (once for the batch), first group, then late

    results = reserve_orders(
        batch, orders, stock, FrozenClock(), retry=no_wait, seconds_left=lambda: next(clock_readings)
    )

    assert [results[order_id] for order_id in batch[:2]] == [R.CONFIRMED, R.CONFIRMED]
    assert all(isinstance(results[order_id], RetryableError) for order_id in batch[2:])
    assert stock.reserved["HOT"] == 2
    late = orders.get(batch[3])
    assert late is not None and late.status == OrderStatus.RECEIVED


def test_the_per_order_limits_of_a_batch_are_read_once() -> None:
    from orders.domain.hold_rules import HoldRules, ScreeningPolicy

    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 10})
    stock.limits["HOT"] = 1
    batch = [*one_line_orders(orders, 2), place(orders, {"HOT": 2}, key="too-many")]
    reads: list[list[str]] = []

    class Limits:
        def max_per_order(self, skus: list[str]) -> dict[str, int | None]:
            reads.append(skus)
            return {sku: stock.limits.get(sku) for sku in skus}

    policy = ScreeningPolicy(rules=HoldRules(), limits=Limits(), recent=orders, payment_hold_minutes=30)
    results = reserve_orders(batch, orders, stock, FrozenClock(), policy, retry=no_wait)

    assert [results[order_id] for order_id in batch] == [R.CONFIRMED, R.CONFIRMED, R.ON_HOLD]
    assert reads == [["HOT"]]


def test_orders_are_screened_and_decided_through_the_given_map_in_message_order() -> None:
    orders = InMemoryOrders()
    stock = InMemoryStock(orders, {"HOT": 2})
    batch = one_line_orders(orders, 3)
    mapped: list[int] = []

    def concurrently(function: Any, items: Any) -> Any:
        items = list(items)
        mapped.append(len(items))
        return [function(item) for item in reversed(items)][::-1]  # run out of order, results in order

    results = reserve_orders(batch, orders, stock, FrozenClock(), retry=no_wait, concurrently=concurrently)

    assert mapped == [3, 3]  # screened, then the group's outcomes decided (the short one marked)
    assert [results[order_id] for order_id in batch] == [R.CONFIRMED, R.CONFIRMED, R.OUT_OF_STOCK]
