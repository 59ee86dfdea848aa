"""The parts every contribution rule is made of: counter deltas per (day, family), metric points,
and the helpers that read times and bounded labels from a stream image."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from stats.domain.histogram import bucket_name, bucket_of

HISTOGRAM_PREFIX = "HIST#"
UNSPECIFIED = "unspecified"
_LABEL = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,39}$")


@dataclass(frozen=True)
class MetricPoint:
    name: str
    value: float
    unit: str = "Count"  # "Count" or "Seconds"
    dimensions: tuple[tuple[str, str], ...] = ()


@dataclass
class Contribution:
    """Counter deltas per (day, family) and the metric points of one change."""

    counters: dict[tuple[str, str], dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    metrics: list[MetricPoint] = field(default_factory=list)

    def add(self, day: str, family: str, counter: str, delta: int = 1) -> None:
        counters = self.counters[(day, family)]
        counters[counter] = counters.get(counter, 0) + delta

    def add_duration(self, day: str, name: str, seconds: float) -> None:
        seconds = max(0.0, seconds)
        family = HISTOGRAM_PREFIX + name
        self.add(day, family, bucket_name(bucket_of(seconds)))
        self.add(day, family, "count")
        self.add(day, family, "sum_seconds", round(seconds))

    def compacted(self) -> dict[tuple[str, str], dict[str, int]]:
        """Without zero deltas and empty families."""
        result: dict[tuple[str, str], dict[str, int]] = {}
        for key, counters in self.counters.items():
            kept = {name: delta for name, delta in counters.items() if delta != 0}
            if kept:
                result[key] = kept
        return result

    @property
    def empty(self) -> bool:
        return not self.compacted()


def label(value: Any) -> str:
    """A carrier, reason, status or channel as a bounded counter-name part."""
    text = str(value or "").strip().lower()
    return text if _LABEL.match(text) else UNSPECIFIED


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_of(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def time_of(image: Mapping[str, Any] | None, *names: str, default: datetime) -> datetime:
    for name in names:
        moment = parse_time((image or {}).get(name))
        if moment is not None:
            return moment
    return default
