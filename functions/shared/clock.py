"""Time as a dependency, so domain logic can be tested with a frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DeferredClock:
    """Asks a wiring function for the clock on every reading, so a long-lived service built once per
    container follows the clock a test wires in later."""

    def __init__(self, source: Callable[[], Clock]) -> None:
        self._source = source

    def now(self) -> datetime:
        return self._source().now()


def isoformat(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and a `Z` suffix (sortable as a string)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
