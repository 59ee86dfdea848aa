"""Figures of the report made from summed counters: rates and duration percentiles."""

from __future__ import annotations

from collections.abc import Mapping

from stats.domain.histogram import buckets_from_counters, percentile
from stats.models.api import DurationStats


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def duration_stats(counters: Mapping[str, int]) -> DurationStats:
    buckets = buckets_from_counters(counters)
    median, p90 = percentile(buckets, 0.5), percentile(buckets, 0.9)
    return DurationStats(
        count=sum(buckets.values()),
        median_seconds=round(median, 1) if median is not None else None,
        p90_seconds=round(p90, 1) if p90 is not None else None,
    )
