"""What the console's order actions, customer page, search and stock pages need beyond
`ConsoleServices.orders`: the other capabilities' stores, as small interfaces (their DynamoDB
adapters satisfy them; `console.dependencies` wires them). `OrderDesk` bundles them: the one field
of `ConsoleServices` for these pages (docs/console.md, "Orders, customers, search and stock")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from customers.domain.ports import CustomerStore
from inventory.domain.errors import UnknownSku
from inventory.domain.manage_stock import StockLedger as StockAdjustments
from inventory.models.api import AdjustmentResult, StockHistoryPage, StockLevel
from orders.domain.edit_order import EditPorts
from orders.domain.manage_orders import StockLedger as OrderStock
from orders.domain.order_lookups import ContactHasher
from orders.domain.reshipments import ReshipmentPorts
from shared.errors import NotFound


class ConsoleStock(OrderStock, StockAdjustments, Protocol):
    """The stock ledger (`inventory.adapters.dynamo_stock.DynamoStock`): what a cancel releases
    (`orders.domain.manage_orders.StockLedger`), the audited adjustment
    (`inventory.domain.manage_stock.StockLedger`), and the levels the stock page shows."""

    def get(self, sku: str) -> StockLevel | None: ...

    def levels(self, skus: list[str]) -> dict[str, StockLevel]: ...


class LowStockFinder(Protocol):
    """Which SKUs went below their low-stock threshold (the inventory capability's low-stock flags,
    then its stored alerts), and how fast they are reserved (their audit trail)."""

    def alerted_skus(self, limit: int) -> list[str]:
        """SKUs flagged low now, then SKUs of stored low-stock alerts newest first; at most `limit`
        (index reads only)."""
        ...

    def reserved_units_since(self, sku: str, since: str) -> int: ...


class OrderCaseList(Protocol):
    """The service capability's cases (complaints) of one order, newest first."""

    def complaints_of_order(self, order_id: str) -> Sequence[Any]: ...


class _NoCases:
    def complaints_of_order(self, order_id: str) -> Sequence[Any]:
        return []


class _NoLowStock:
    def alerted_skus(self, limit: int) -> list[str]:
        return []

    def reserved_units_since(self, sku: str, since: str) -> int:
        return 0


class _NoStock:
    """Stands for a ledger the function was not given: no SKU is known, nothing is written."""

    def get(self, sku: str) -> StockLevel | None:
        return None

    def levels(self, skus: list[str]) -> dict[str, StockLevel]:
        return {}

    def release(self, order: Any, entry: Any, *, order_updates: dict[str, Any] | None = None) -> bool:
        return False

    def commit(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def set_on_hand(self, sku: str, *args: Any, **kwargs: Any) -> StockLevel:
        raise UnknownSku(sku)

    def adjust(self, sku: str, *args: Any, **kwargs: Any) -> AdjustmentResult:
        raise UnknownSku(sku)

    def history(self, sku: str, limit: int, cursor: str | None = None) -> StockHistoryPage:
        raise UnknownSku(sku)


class _NoCustomers:
    """Stands for a customer store the function was not given: no customer is known."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def nothing(*args: Any, **kwargs: Any) -> Any:
            raise NotFound("No customer data here.", details={"port": name})

        return nothing


@dataclass
class OrderDesk:
    """The ports of the order actions, customer page, search and stock pages. `edit_ports` and
    `reshipment_ports` are factories (as the storefront's): built on the first action that needs them."""

    stock: ConsoleStock = field(default_factory=_NoStock)
    customers: CustomerStore = field(default_factory=_NoCustomers)  # type: ignore[arg-type]
    cases: OrderCaseList = field(default_factory=_NoCases)
    low_stock: LowStockFinder = field(default_factory=_NoLowStock)
    hasher: ContactHasher | None = None
    phone_regions: tuple[str, ...] = ()
    """Regions (ISO 3166-1 alpha-2) whose national phone numbers search reads without a `+`."""
    edit_ports: Callable[[], EditPorts] | None = None
    reshipment_ports: Callable[[], ReshipmentPorts] | None = None
