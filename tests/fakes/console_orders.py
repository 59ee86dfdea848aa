"""In-memory stand-ins for the console's order desk (`console.orders_ports.OrderDesk`): orders that
can be searched by their lookups and tracking numbers, the stock ledger with its levels, an order's
cases, and the low-stock alerts, with the rules of the DynamoDB adapters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from console.orders_ports import OrderDesk
from customers.domain.ports import CustomerStore
from inventory.models.api import StockLevel
from orders.domain.edit_order import EditPorts
from orders.domain.order_lookups import derive_lookup_secret, keyed_hash
from orders.domain.ports import OrderQuery
from orders.domain.reshipments import ReshipmentPorts
from orders.models.order import OrderRecord
from shared.clock import Clock
from tests.fakes.customers import InMemoryCustomerStore
from tests.fakes.reshipments import (
    InMemoryCases,
    InMemoryLedger,
    RecordedEvents,
    RecordedShipments,
    ValidatingOrders,
)


def contact_hasher(kind: str, normalised: str) -> str:
    return keyed_hash(derive_lookup_secret("console-test-key"), kind, normalised)  # type: ignore[arg-type]


class SearchableOrders(ValidatingOrders):
    """Orders with the search of `DynamoOrderRepository`: by status, by a lookup (the items written
    with the order) or by a shipment's tracking number; newest first."""

    def search(self, query: OrderQuery) -> tuple[list[OrderRecord], str | None]:
        if query.lookup_kind:
            ids = {
                lookup.order_id
                for lookup in self.lookups
                if lookup.kind == query.lookup_kind and lookup.key == query.lookup_key
            }
            found = [order for order in self.orders.values() if order.order_id in ids]
        elif query.tracking_number:
            found = [
                order
                for order in self.orders.values()
                if any(s.tracking_number == query.tracking_number for s in order.shipments)
            ]
        else:
            found = [order for order in self.orders.values() if order.status.value == query.status]
        found.sort(key=lambda order: order.created_at, reverse=True)
        return [order.model_copy(deep=True) for order in found[: query.limit]], None


class LedgerWithLevels(InMemoryLedger):
    def levels(self, skus: list[str]) -> dict[str, StockLevel]:
        return {sku: level for sku in skus if (level := self.get(sku)) is not None}


@dataclass
class ListedCases:
    by_order: dict[str, list[Any]] = field(default_factory=dict)

    def complaints_of_order(self, order_id: str) -> Sequence[Any]:
        return list(self.by_order.get(order_id, []))


@dataclass
class AlertedSkus:
    skus: list[str] = field(default_factory=list)
    reserved: dict[str, int] = field(default_factory=dict)

    def alerted_skus(self, limit: int) -> list[str]:
        return self.skus[:limit]

    def reserved_units_since(self, sku: str, since: str) -> int:
        return self.reserved.get(sku, 0)


@dataclass
class Desk:
    """An `OrderDesk` over fakes, and the fakes themselves for the tests to arrange and inspect."""

    orders: SearchableOrders
    ledger: LedgerWithLevels
    clock: Clock
    cases: ListedCases = field(default_factory=ListedCases)
    low_stock: AlertedSkus = field(default_factory=AlertedSkus)
    customers: CustomerStore = field(default_factory=InMemoryCustomerStore)
    events: RecordedEvents = field(default_factory=RecordedEvents)

    def desk(self) -> OrderDesk:
        def edit_ports() -> EditPorts:
            return EditPorts(
                orders=self.orders,
                ledger=self.ledger,
                events=self.events,
                clock=self.clock,
                hasher=contact_hasher,
            )

        def reshipment_ports() -> ReshipmentPorts:
            categories = {
                order_id: [str(case.category) for case in cases]
                for order_id, cases in self.cases.by_order.items()
            }
            return ReshipmentPorts(
                orders=self.orders,
                cases=InMemoryCases(categories),
                ledger=self.ledger,
                stock=self.ledger,
                shipments=RecordedShipments(),
                events=self.events,
                clock=self.clock,
            )

        return OrderDesk(
            stock=self.ledger,
            customers=self.customers,
            cases=self.cases,
            low_stock=self.low_stock,
            hasher=contact_hasher,
            edit_ports=edit_ports,
            reshipment_ports=reshipment_ports,
        )
