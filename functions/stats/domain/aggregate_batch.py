"""Fold a whole batch of stream records into the daily aggregates: summed in memory, written once
per aggregate and group, each record counted once.

A batch (the records Lambda hands over from one stream shard, in stream order) is cut into
*groups*: runs of consecutive records whose summed contributions touch at most
`store.max_aggregates_per_group` aggregates. A group never starts with a record that contributes
nothing; it is keyed by its first record's event id and is written atomically together with its
checkpoint (`group id -> last sequence number covered`), see `AggregateStore.apply_group`.

Why this counts every record exactly once without a marker per record (the argument):

1. The walk is deterministic: from a given first record, the same records give the same group
   starts (contributions are pure functions of the images), and a group covers records up to the
   sequence number recorded with it.
2. The stream hands a failed batch back from where it started, or, with partial batch responses,
   from the lowest sequence number reported. This consumer reports failures only from the first
   record of the first group that was not confirmed, and bisection is off for it (infra config), so
   a retry always starts at a batch start or at a group start.
3. So on a retry, the first group start found is either a group applied before -- its checkpoint
   exists, the write is refused and the records up to its recorded sequence number are skipped
   (sequence numbers are numeric strings increasing within a shard: compared as integers) -- or a
   group that never committed (nothing of it was counted). After a skip the walk continues exactly
   where the earlier walk had started its next group, so by induction no committed group is applied
   twice and no record is left out; a retry that is longer or shorter than the first delivery only
   changes how the never-committed records are grouped.
4. Groups are applied in order and the walk stops at the first failure, so a group after a failed
   one was never committed.

The shard id is not in the Lambda event, so the checkpoint cannot be one item per shard; keying it
by the group's first record gives the same guarantee under (2). A hand-made replay that starts in
the middle of an applied group is not recognised: replay whole batches.

Metrics are published for the records applied now only (not for skipped ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.errors import RetryableError
from stats.domain.contributions import MetricPoint, contribution_of
from stats.domain.ports import AggregateStore, KpiMetrics


@dataclass(frozen=True)
class StreamChange:
    """One stream record: its event id, sequence number, images and time."""

    source_id: str
    sequence: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    observed_at: datetime


@dataclass
class BatchOutcome:
    applied: int = 0  # records counted now
    duplicates: int = 0  # records skipped: counted by an earlier delivery
    groups: int = 0  # atomic writes made
    failed: list[str] = field(default_factory=list)  # sequence numbers to hand back to the stream

    def batch_item_failures(self) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in self.failed]}


@dataclass
class _Group:
    start: int
    end: int  # exclusive
    counters: dict[tuple[str, str], dict[str, int]]
    metrics: list[MetricPoint]


def _merged(
    total: Mapping[tuple[str, str], Mapping[str, int]], extra: Mapping[tuple[str, str], Mapping[str, int]]
) -> dict[tuple[str, str], dict[str, int]]:
    merged = {key: dict(counters) for key, counters in total.items()}
    for key, counters in extra.items():
        into = merged.setdefault(key, {})
        for name, delta in counters.items():
            into[name] = into.get(name, 0) + delta
    return merged


def _next_group(
    contributions: Sequence[tuple[dict[tuple[str, str], dict[str, int]], list[MetricPoint]]],
    start: int,
    limit: int,
) -> _Group | None:
    while start < len(contributions) and not contributions[start][0]:
        start += 1
    if start == len(contributions):
        return None
    counters: dict[tuple[str, str], dict[str, int]] = {}
    metrics: list[MetricPoint] = []
    end = start
    while end < len(contributions):
        merged = _merged(counters, contributions[end][0])
        if len(merged) > limit:
            if end == start:
                raise ValueError(f"one change touches {len(merged)} aggregates; at most {limit} fit")
            break
        counters = merged
        metrics.extend(contributions[end][1])
        end += 1
    kept = {key: {n: d for n, d in deltas.items() if d} for key, deltas in counters.items()}
    return _Group(start, end, {key: deltas for key, deltas in kept.items() if deltas}, metrics)


def aggregate_batch(
    changes: Sequence[StreamChange], store: AggregateStore, metrics: KpiMetrics
) -> BatchOutcome:
    """Apply `changes` (one stream batch, in stream order) to the aggregates, see the module doc."""
    contributions = []
    for change in changes:
        contribution = contribution_of(change.old, change.new, change.observed_at)
        contributions.append((contribution.compacted(), contribution.metrics))
    outcome = BatchOutcome()
    position = 0
    while (group := _next_group(contributions, position, store.max_aggregates_per_group)) is not None:
        first, last = changes[group.start], changes[group.end - 1]
        try:
            covered = store.apply_group(first.source_id, last.sequence, group.counters)
        except RetryableError:
            outcome.failed = [change.sequence for change in changes[group.start :]]
            return outcome
        if covered is None:
            outcome.groups += 1
            outcome.applied += sum(1 for counters, _ in contributions[group.start : group.end] if counters)
            metrics.publish(group.metrics)
            position = group.end
            continue
        # the group's first record is covered by definition (the checkpoint is keyed by it)
        outcome.duplicates += 1
        position = group.start + 1
        while position < len(changes) and int(changes[position].sequence) <= int(covered):
            outcome.duplicates += 1 if contributions[position][0] else 0
            position += 1
    return outcome
