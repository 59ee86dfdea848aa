"""Ports of the statistics capability: the aggregate store and the metrics sink."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from stats.domain.contributions import MetricPoint

Counters = Mapping[tuple[str, str], Mapping[str, int]]
"""(day, family) -> {counter: delta}"""


@dataclass(frozen=True)
class DayAggregate:
    """Counters of one family on one UTC day (a store may hold several per day and family: they add)."""

    day: str  # YYYY-MM-DD
    family: str
    counters: Mapping[str, int]


class AggregateStore(Protocol):
    max_aggregates_per_group: int
    """How many (day, family) aggregates one group may touch (one atomic write per group)."""

    def apply_group(self, group_id: str, last_sequence: str, counters: Counters) -> str | None:
        """Add `counters` to the aggregates and record `group_id` as applied up to the stream
        sequence number `last_sequence`, atomically. None when applied now; when `group_id` was
        applied before, nothing changes and the `last_sequence` recorded then is returned.
        Transient failures that outlast the store's own retries raise `RetryableError`."""
        ...

    def read(self, first_day: str, last_day: str) -> Sequence[DayAggregate]:
        """Every aggregate of the days `first_day`..`last_day` (inclusive), by key."""
        ...


class KpiMetrics(Protocol):
    def publish(self, points: Sequence[MetricPoint]) -> None: ...
