"""Requests of at most N entries and B bytes, in the entries' order (SQS SendMessageBatch,
EventBridge PutEvents)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def requests(
    entries: Iterable[T], size_of: Callable[[T], int], max_entries: int, max_bytes: int
) -> Iterator[list[T]]:
    """Consecutive groups of `entries`, each within `max_entries` and `max_bytes` (an entry larger
    than `max_bytes` goes alone: the caller refuses it before, if the service would)."""
    batch: list[T] = []
    size = 0
    for entry in entries:
        entry_bytes = size_of(entry)
        if batch and (len(batch) == max_entries or size + entry_bytes > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry_bytes
    if batch:
        yield batch
