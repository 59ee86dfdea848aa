"""The return actions that do more than move the status (docs/returns.md):

- approve: records the `refund` the return pays at most (refund returns);
- receive: takes what arrived per SKU and condition; resellable units go back on hand through the
  stock ledger (reason `return`) in the same transaction as the status change, damaged ones are
  only counted; an exchange opens its replacement shipment (Replacements port) first;
- refund: records what was refunded, the computed amount or, for a partial refund, less with a
  reason; an exchange is never refunded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from orders.models.order import OrderRecord
from service.domain.errors import IllegalStatusChange
from service.domain.ports import CustomerEvents, ReturnStore, StaleWrite
from service.domain.refunds import minor_unit, refund_for, shipping_amount
from service.domain.return_errors import ReceiptMismatch, RefundAboveComputed, RefundNotAllowed
from service.domain.return_ports import Replacements, ReturnQueue, ReturnReceipts
from service.domain.returns import load_return, merged, move_return, return_event
from service.domain.rules import ServiceRules
from service.models.records import (
    ItemCondition,
    Money,
    ReturnHistoryEntry,
    ReturnLine,
    ReturnRecord,
    ReturnStatus,
)
from shared.clock import Clock, isoformat

R = ReturnStatus
EXCHANGE_REASON = "exchange"


@dataclass(frozen=True)
class ReceivedLine:
    sku: str
    quantity: int
    condition: ItemCondition = "resellable"


def computed_refund(
    order: OrderRecord, record: ReturnRecord, store: ReturnStore, rules: ServiceRules
) -> Money:
    """The refund of this return's units after the order's other non-rejected returns."""
    tally, _ = store.returned_quantities(order.order_id)  # holds this return's units too
    mine = merged(record.lines)
    earlier = {sku: max(units - mine.get(sku, 0), 0) for sku, units in tally.items()}
    return refund_for(order, mine, earlier, rules, shipping_amount(order))


def approve_return(
    order: OrderRecord,
    return_id: str,
    note: str | None,
    actor: str,
    idempotency_key: str | None,
    store: ReturnStore,
    events: CustomerEvents,
    rules: ServiceRules,
    clock: Clock,
) -> tuple[ReturnRecord, bool]:
    def refund(record: ReturnRecord) -> dict[str, object]:
        if record.resolution != "refund":
            return {}
        return {"refund": computed_refund(order, record, store, rules)}

    return move_return(
        order.order_id, return_id, "approve", note, actor, idempotency_key, store, events, clock, refund
    )


def received_counts(
    record: ReturnRecord, lines: list[ReceivedLine] | None
) -> dict[tuple[str, ItemCondition], int]:
    """(sku, condition) -> units; every unit resellable without `lines`. The lines must hold each
    returned SKU's units exactly: another SKU, or more or fewer units, is a ReceiptMismatch."""
    returned = merged(record.lines)
    if lines is None:
        return {(sku, "resellable"): units for sku, units in returned.items()}
    counts: dict[tuple[str, ItemCondition], int] = {}
    per_sku: dict[str, int] = {}
    for line in lines:
        counts[(line.sku, line.condition)] = counts.get((line.sku, line.condition), 0) + line.quantity
        per_sku[line.sku] = per_sku.get(line.sku, 0) + line.quantity
    problems = [
        {"sku": sku, "returned": returned.get(sku, 0), "received": per_sku.get(sku, 0)}
        for sku in sorted(set(returned) | set(per_sku))
        if returned.get(sku, 0) != per_sku.get(sku, 0)
    ]
    if problems:
        raise ReceiptMismatch(
            "The received lines must hold exactly the return's units of each SKU, never more.",
            details={"return_id": record.return_id, "lines": problems},
        )
    return counts


def receive_return(
    order_id: str,
    return_id: str,
    lines: list[ReceivedLine] | None,
    note: str | None,
    actor: str,
    idempotency_key: str | None,
    store: ReturnStore,
    receipts: ReturnReceipts,
    events: CustomerEvents,
    clock: Clock,
    replacements: Callable[[], Replacements],
) -> tuple[ReturnRecord, bool]:
    """Record an approved return as received, restocking its resellable units once."""
    record = load_return(order_id, return_id, store)
    if record.status == R.RECEIVED and idempotency_key and record.last_request_key == idempotency_key:
        events.publish(return_event(record, note))
        return record, True
    if record.status != R.APPROVED:
        raise IllegalStatusChange("return", return_id, record.status.value, R.RECEIVED.value)
    counts = received_counts(record, lines)
    reshipment_id = record.reshipment_id
    if record.resolution == "exchange" and reshipment_id is None:
        # before the status moves (the return is still approved, as the reshipment requires);
        # idempotent by the return's id, so a retry after a lost write reopens nothing
        reshipment_id = replacements().replace(
            order_id,
            sorted(merged(record.lines).items()),
            reason=EXCHANGE_REASON,
            by=actor,
            idempotency_key=f"exchange:{return_id}",
        )
    at = isoformat(clock.now())
    moved = record.model_copy(
        update={
            "status": R.RECEIVED,
            "lines": [
                ReturnLine(sku=sku, quantity=units, condition=condition)
                for (sku, condition), units in sorted(counts.items())
                if units > 0
            ],
            "reshipment_id": reshipment_id,
            "updated_at": at,
            "history": [*record.history, ReturnHistoryEntry(status=R.RECEIVED, at=at, by=actor, note=note)],
            "version": record.version + 1,
            "last_request_key": idempotency_key,
        }
    )
    restock = {sku: units for (sku, condition), units in counts.items() if condition == "resellable"}
    damaged = {sku: units for (sku, condition), units in counts.items() if condition == "damaged"}
    try:
        receipts.receive(moved, record.version, restock, damaged, at=at, by=actor, note=note)
    except StaleWrite:
        current = load_return(order_id, return_id, store)
        if current.status == R.RECEIVED and idempotency_key and current.last_request_key == idempotency_key:
            return current, True  # a concurrent retry of this very request won
        raise IllegalStatusChange("return", return_id, current.status.value, R.RECEIVED.value) from None
    events.publish(return_event(moved, note))
    return moved, False


def refund_return(
    order: OrderRecord,
    return_id: str,
    amount: Decimal | None,
    reason: str | None,
    note: str | None,
    actor: str,
    idempotency_key: str | None,
    store: ReturnStore,
    events: CustomerEvents,
    rules: ServiceRules,
    clock: Clock,
) -> tuple[ReturnRecord, bool]:
    """Record a received return as refunded: the amount computed on approval, or less (a partial
    refund, with its reason); never more, never for an exchange."""
    record = load_return(order.order_id, return_id, store)
    if record.resolution == "exchange":
        raise RefundNotAllowed(
            "This return is an exchange: its items are replaced, not refunded.",
            details={"return_id": return_id, "resolution": record.resolution},
        )
    computed = record.refund or computed_refund(order, record, store, rules)  # approved before refunds
    paid = computed
    if amount is not None:
        ceiling = Decimal(computed.amount)
        problem = None
        if amount != amount.quantize(minor_unit(computed.currency)):
            problem = f"more decimals than {computed.currency} has"
        elif amount > ceiling:
            problem = "above the computed refund"
        elif amount < ceiling and not reason:
            problem = "a partial refund needs its reason"
        if problem:
            raise RefundAboveComputed(
                f"The refund amount is not valid: {problem}.",
                details={"return_id": return_id, "amount": str(amount), "computed": computed.model_dump()},
            )
        paid = Money(amount=str(amount.quantize(minor_unit(computed.currency))), currency=computed.currency)

    def refunded(_: ReturnRecord) -> dict[str, object]:
        return {"refund": computed, "refunded": paid, "refund_reason": reason if paid != computed else None}

    return move_return(
        order.order_id, return_id, "refund", note, actor, idempotency_key, store, events, clock, refunded
    )


def return_queue(
    status: ReturnStatus, limit: int, cursor: str | None, queue: ReturnQueue
) -> tuple[list[ReturnRecord], str | None]:
    return queue.queue(status.value, limit, cursor)
