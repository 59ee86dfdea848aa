"""The Exceptions and Returns pages' ports as fakes: the service capability's in-memory return store
and desk, the delivery-exception store, recorded customer events and replacements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from console.ports import ConsoleServices
from console.returns_ports import AfterSales
from delivery_exceptions.domain.opening import exception_for, raised_event
from delivery_exceptions.domain.rules import ExceptionRules
from delivery_exceptions.models.records import ExceptionRecord
from orders.models.order import OrderRecord
from service.domain.returns import request_return
from service.domain.rules import ServiceRules
from service.models.records import ReturnLine, ReturnRecord
from shared.clock import isoformat
from tests.fakes.orders import FrozenClock
from tests.unit.delivery_exceptions.fakes import Events, FakeExceptionStore, FakeReplacements
from tests.unit.delivery_exceptions.test_opening import shipment
from tests.unit.service.fakes import InMemoryService, delivered_order
from tests.unit.service.return_fakes import InMemoryReturnDesk

TEA, CUP = "TEA-OOLONG-250G", "CUP-CELADON"
ITEMS = [
    {"sku": TEA, "name": "Tieguanyin oolong, 250 g", "quantity": 2, "unit_price": "88.00"},
    {"sku": CUP, "name": "Celadon cup", "quantity": 3, "unit_price": "19.90"},
]
RULES = ServiceRules(manager_refund_above={"CNY": Decimal("100")})


@dataclass
class Desk:
    """The fakes behind `services.after_sales`, for the tests to look into."""

    returns: InMemoryService = field(default_factory=InMemoryService)
    exceptions: FakeExceptionStore = field(default_factory=FakeExceptionStore)
    events: Events = field(default_factory=Events)
    replacements: FakeReplacements = field(default_factory=FakeReplacements)
    desk: InMemoryReturnDesk | None = None


def wire(services: ConsoleServices, rules: ServiceRules = RULES) -> Desk:
    desk = Desk()
    desk.desk = InMemoryReturnDesk(desk.returns, {TEA: 10, CUP: 10})
    services.after_sales = AfterSales(
        returns=desk.returns,
        desk=desk.desk,
        exceptions=desk.exceptions,
        events=desk.events,
        replacements=lambda: desk.replacements,
        rules=rules,
    )
    return desk


def stored_order(services: ConsoleServices, order_id: str = "ord_" + "a" * 24) -> OrderRecord:
    order = delivered_order(order_id, items=ITEMS, total="235.70")
    services.orders.orders[order.order_id] = order  # type: ignore[attr-defined]
    return order


def requested(
    services: ConsoleServices, desk: Desk, clock: FrozenClock, lines: dict[str, int], key: str = "r1"
) -> ReturnRecord:
    order = stored_order(services)
    record, _ = request_return(
        order,
        [ReturnLine(sku=sku, quantity=units) for sku, units in lines.items()],
        "arrived cracked",
        key,
        desk.returns,
        desk.events,
        RULES,
        clock,
        reason_code="damaged",  # type: ignore[arg-type]
    )
    return record


def opened_exception(
    services: ConsoleServices,
    desk: Desk,
    clock: FrozenClock,
    hours_ago: float = 0.5,
    shipment_id: str = "shp_1",
) -> ExceptionRecord:
    stored_order(services)
    at = isoformat(clock.now() - timedelta(hours=hours_ago))
    event = raised_event(None, shipment("delivery_exception", "address_issue", shipment_id=shipment_id), at)
    assert event is not None
    exception = exception_for(event, ExceptionRules())
    desk.exceptions.open_all([exception])
    return exception
