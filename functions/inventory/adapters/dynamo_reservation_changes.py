"""A change of one order's reservation in one transaction (docs/reshipments.md): the order's write
(guarded by its status and version), each SKU's counters (reserving guarded by `available >= q`:
never oversells; releasing by `reserved >= q`) and one audit record per SKU naming the reason
(`reshipment`, `order_edit`). Used by reshipments and order edits."""

from __future__ import annotations

from typing import Any

from inventory.adapters.dynamo_stock import MAX_TRANSACTION_ACTIONS, DynamoStock
from inventory.domain.errors import LedgerDrift
from inventory.models.api import HistoryKind
from orders.adapters.order_lookups import lookup_actions
from orders.domain.order_lookups import LookupChanges
from orders.domain.reshipment_ports import InsufficientStock
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord
from shared.errors import ValidationFailed

MAX_SKUS = (MAX_TRANSACTION_ACTIONS - 1) // 2


class DynamoReservationChanges(DynamoStock):
    def change_reservation(
        self,
        order: OrderRecord,
        entry: TimelineEntry,
        *,
        reserve: dict[str, int],
        release: dict[str, int],
        reason: str,
        order_updates: dict[str, Any] | None = None,
        lookups: LookupChanges | None = None,
    ) -> bool:
        """`lookups`: the order lookups an edit of the contact changes, written in the same transaction."""
        extra = lookup_actions(self._table, lookups) if lookups else []
        deltas = {sku: quantity for sku, quantity in reserve.items() if quantity > 0}
        for sku, quantity in release.items():
            if quantity > 0:
                deltas[sku] = deltas.get(sku, 0) - quantity
        deltas = {sku: delta for sku, delta in sorted(deltas.items()) if delta}
        if len(deltas) > (MAX_TRANSACTION_ACTIONS - 1 - len(extra)) // 2:
            raise ValidationFailed(
                f"One change can move the reservation of at most {MAX_SKUS} SKUs.",
                details=[{"field": "items", "issue": f"{len(deltas)} SKUs change"}],
            )
        items = [self._order_transition(order, entry, order_updates or {}, order.version)]
        for sku, delta in deltas.items():
            kind = HistoryKind.RESERVE if delta > 0 else HistoryKind.RELEASE
            items.append(self._stock_update(sku, entry.at, reserved_delta=delta))
            items.append(
                self._history_put(
                    sku,
                    kind,
                    entry.at,
                    f"{order.order_id}:{reason}:v{order.version}",
                    entry.by,
                    reserved_delta=delta,
                    order_id=order.order_id,
                    reason=reason,
                )
            )
        codes = self._transact([*items, *extra])  # the lookups last: unconditional, they never fail
        if codes is None:
            return True
        if codes[0] == "ConditionalCheckFailed":
            return False
        skus = list(deltas)
        failed = [
            skus[(index - 1) // 2]
            for index, code in enumerate(codes)
            if index and code == "ConditionalCheckFailed"
        ]
        wanted = {sku: deltas[sku] for sku in failed if deltas[sku] > 0}
        if not wanted:
            raise LedgerDrift(
                f"The stock counters of order {order.order_id} disagree with its reservation.",
                details={"order_id": order.order_id, "skus": failed, "operation": reason},
            )
        levels = self.levels(sorted(wanted))
        short = [
            ShortItem(
                sku=sku, requested=quantity, available=max(levels[sku].available if sku in levels else 0, 0)
            )
            for sku, quantity in wanted.items()
        ]
        raise InsufficientStock(order.order_id, short)
