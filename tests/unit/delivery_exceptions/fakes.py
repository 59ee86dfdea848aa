"""In-memory delivery-exception store, customer events, alerts and replacements, with the adapter's
conditional rules (create once, save only at the expected version)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from delivery_exceptions.domain.ports import ExceptionQuery
from delivery_exceptions.models.records import ExceptionRecord
from shared.events import OrderEvent


class FakeExceptionStore:
    def __init__(self) -> None:
        self.items: dict[str, ExceptionRecord] = {}
        self.refuse: set[str] = set()  # ids whose write fails (a throttled put)
        self.lose_next_saves = 0  # saves that lose to a concurrent write

    def exception(self, exception_id: str) -> ExceptionRecord | None:
        return self.items.get(exception_id)

    def open_all(self, exceptions: Sequence[ExceptionRecord]) -> dict[int, str]:
        refused = {}
        for index, exception in enumerate(exceptions):
            if exception.exception_id in self.refuse:
                refused[index] = "ProvisionedThroughputExceededException"
            else:
                self.items.setdefault(exception.exception_id, exception)
        return refused

    def save(self, exception: ExceptionRecord, expected_version: int) -> bool:
        stored = self.items.get(exception.exception_id)
        if stored is None or stored.version != expected_version:
            return False
        if self.lose_next_saves:
            self.lose_next_saves -= 1
            self.items[exception.exception_id] = stored.model_copy(update={"version": stored.version + 1})
            return False
        self.items[exception.exception_id] = exception
        return True

    def queue(self, query: ExceptionQuery) -> tuple[list[ExceptionRecord], str | None]:
        found = sorted(
            (
                e
                for e in self.items.values()
                if (e.status.value == query.status if query.status else e.active)
                and (query.reason is None or e.reason.value == query.reason)
                and (query.assignee is None or e.assignee == query.assignee)
                and (query.overdue is None or (e.due_at < query.now) == query.overdue)
            ),
            key=lambda e: (e.due_at, e.exception_id),
        )
        start = int(query.cursor or 0)
        page = found[start : start + query.limit]
        more = start + query.limit < len(found)
        return page, str(start + query.limit) if more else None

    def due(self, now: str, limit: int) -> list[ExceptionRecord]:
        due = [e for e in self.items.values() if e.active and e.overdue_alerted_at is None and e.due_at < now]
        return sorted(due, key=lambda e: e.due_at)[:limit]


class Events:
    def __init__(self) -> None:
        self.published: list[OrderEvent] = []

    def publish(self, event: OrderEvent) -> None:
        self.published.append(event)


class Alerts:
    def __init__(self, fail: int = 0) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []
        self.fail = fail

    def alert(self, subject: str, details: dict[str, object]) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("SNS is unreachable")
        self.sent.append((subject, details))


class FakeReplacements:
    """The reshipments capability's port: one reshipment per idempotency key."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.by_key: dict[str, str] = {}

    def replace(
        self,
        order_id: str,
        lines: list[tuple[str, int]] | None,
        *,
        reason: str,
        by: str,
        idempotency_key: str,
    ) -> str:
        self.calls.append(
            {"order_id": order_id, "lines": lines, "reason": reason, "by": by, "key": idempotency_key}
        )
        return self.by_key.setdefault(idempotency_key, f"rsp_{len(self.by_key) + 1:024d}")
