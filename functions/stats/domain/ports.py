"""Ports of the statistics capability: the aggregate store and the metrics sink."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from stats.domain.contributions import MetricPoint


@dataclass(frozen=True)
class DayAggregate:
    """One aggregate item: the counters of one family on one UTC day."""

    day: str  # YYYY-MM-DD
    family: str
    counters: Mapping[str, int]


class AggregateStore(Protocol):
    def apply_once(self, source_id: str, counters: Mapping[tuple[str, str], Mapping[str, int]]) -> bool:
        """Add `counters` ((day, family) -> {counter: delta}) to the aggregates, atomically and at
        most once per `source_id`. True if applied now, False if `source_id` was applied before."""
        ...

    def read(self, first_day: str, last_day: str) -> Sequence[DayAggregate]:
        """Every aggregate item of the days `first_day`..`last_day` (inclusive), by key."""
        ...


class KpiMetrics(Protocol):
    def publish(self, points: Sequence[MetricPoint]) -> None: ...
