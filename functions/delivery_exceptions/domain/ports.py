"""What delivery-exception logic needs from storage and the outside world, as small interfaces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from delivery_exceptions.models.records import ExceptionRecord
from orders.models.order import OrderRecord
from shared.events import OrderEvent


@dataclass(frozen=True)
class ExceptionQuery:
    status: str | None = None  # None: every exception not resolved yet
    reason: str | None = None
    assignee: str | None = None
    overdue: bool | None = None  # True: due before `now`; False: due at or after it
    now: str = ""
    limit: int = 50
    cursor: str | None = None


class ExceptionStore(Protocol):
    def exception(self, exception_id: str) -> ExceptionRecord | None: ...

    def open_all(self, exceptions: Sequence[ExceptionRecord]) -> dict[int, str]:
        """Store each exception unless its id is taken (an episode already opened: not an error);
        returns those that could not be written (index -> error code)."""
        ...

    def save(self, exception: ExceptionRecord, expected_version: int) -> bool:
        """Replace the exception if still at `expected_version`; False otherwise."""
        ...

    def queue(self, query: ExceptionQuery) -> tuple[list[ExceptionRecord], str | None]:
        """By due time (soonest first), with the query's filters; a cursor for the next page."""
        ...

    def due(self, now: str, limit: int) -> list[ExceptionRecord]:
        """Unresolved exceptions past their due time that have not raised their alert yet."""
        ...


class OrderLookup(Protocol):
    def get(self, order_id: str) -> OrderRecord | None: ...


class CustomerEvents(Protocol):
    """Events for the notification worker (it decides whether and how the customer hears)."""

    def publish(self, event: OrderEvent) -> None: ...


class OperationsAlerts(Protocol):
    def alert(self, subject: str, details: dict[str, object]) -> None: ...


class Replacements(Protocol):
    """Implemented by the reshipments capability (`storefront_api.dependencies.replacements()`)."""

    def replace(
        self,
        order_id: str,
        lines: list[tuple[str, int]] | None,
        *,
        reason: str,
        by: str,
        idempotency_key: str,
    ) -> str:
        """Open a reshipment of these (sku, quantity) lines (every line when None), idempotent by
        key; returns the reshipment id. Raises the reshipment route's typed domain errors."""
        ...
