"""Fold one stream record into the daily aggregates, once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from stats.domain.contributions import contribution_of
from stats.domain.ports import AggregateStore, KpiMetrics


class Recorded(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # the same record was applied before (a retry or a replay)
    NOTHING = "nothing"  # the change adds nothing to any aggregate


def record_change(
    source_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    observed_at: datetime,
    store: AggregateStore,
    metrics: KpiMetrics,
) -> Recorded:
    """`source_id` names the change for good (the stream record's event id): a record delivered
    again is recognised by it and adds nothing. Metrics are published only when applied."""
    contribution = contribution_of(old, new, observed_at)
    counters = contribution.compacted()
    if not counters:
        return Recorded.NOTHING
    if not store.apply_once(source_id, counters):
        return Recorded.DUPLICATE
    metrics.publish(contribution.metrics)
    return Recorded.APPLIED
