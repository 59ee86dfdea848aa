"""What the Exceptions and Returns pages reach (docs/console.md): the service capability's return
store, receipt transaction and queue, the delivery-exception store, the customer events, the
Replacements port (reships and exchanges) and the stage's customer-service rules (the refund
approval threshold among them). The ports are the capabilities' own; this bundles them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from delivery_exceptions.domain.ports import ExceptionStore
from service.domain.ports import CustomerEvents, ReturnStore
from service.domain.return_ports import Replacements, ReturnQueue, ReturnReceipts
from service.domain.rules import ServiceRules


class ReturnDesk(ReturnReceipts, ReturnQueue, Protocol):
    """The receipt (restock) transaction and the queue across orders (`DynamoReturnDesk`)."""


class NotWired:
    """Stands in until the wiring module gives the real ports (tests that do not open these pages)."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"the console's after-sales port is not wired ({name})")


@dataclass
class AfterSales:
    returns: ReturnStore
    desk: ReturnDesk
    exceptions: ExceptionStore
    events: CustomerEvents
    replacements: Callable[[], Replacements]  # resolved only when a reship or exchange needs it
    rules: ServiceRules = field(default_factory=ServiceRules)


def not_wired() -> AfterSales:
    nothing = NotWired()
    return AfterSales(nothing, nothing, nothing, nothing, lambda: nothing)  # type: ignore[arg-type]
