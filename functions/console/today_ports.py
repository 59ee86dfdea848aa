"""What the Today and agents pages need beyond the stats capability's aggregates: the work queues'
sizes with their oldest item, and who holds the open cases now, read through the table's indexes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class QueueSize:
    """How many items wait in a queue and when the oldest of them entered it (ISO-8601, UTC)."""

    count: int
    oldest_at: str | None = None


@dataclass(frozen=True)
class OpenCasesByAssignee:
    """Open cases per assignee ('' for unassigned); `complete` is False when only the first `limit`
    open cases were read."""

    counts: dict[str, int]
    complete: bool = True


class WorkQueues(Protocol):
    def held_orders(self) -> QueueSize:
        """Orders on hold (the review queue), the oldest by the time it was placed."""
        ...

    def open_cases(self) -> QueueSize:
        """Cases open, in progress or reopened, the oldest by the time it was opened."""
        ...

    def open_exceptions(self) -> QueueSize:
        """Delivery exceptions not resolved, the oldest by the time it was opened."""
        ...

    def requested_returns(self) -> QueueSize:
        """Returns waiting for a decision, the oldest by the time it was requested."""
        ...

    def open_cases_by_assignee(self, limit: int) -> OpenCasesByAssignee: ...


class NoQueues:
    """Empty queues: the default, so a `ConsoleServices` built without them still renders."""

    def held_orders(self) -> QueueSize:
        return QueueSize(0)

    def open_cases(self) -> QueueSize:
        return QueueSize(0)

    def open_exceptions(self) -> QueueSize:
        return QueueSize(0)

    def requested_returns(self) -> QueueSize:
        return QueueSize(0)

    def open_cases_by_assignee(self, limit: int) -> OpenCasesByAssignee:
        return OpenCasesByAssignee({})
