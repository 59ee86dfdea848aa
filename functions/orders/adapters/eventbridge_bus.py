"""Publishes domain events to the stack's EventBridge bus with `PutEvents`.

Entries go in requests of at most 10 entries and 256 KB, sized as EventBridge documents it
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). A response
with `FailedEntryCount` > 0 is retried with the failed entries only (a few times, with a short
backoff); what still fails raises `EventsNotPublished`, so the stream record is reported as a
batch item failure and retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from shared.domain_events import SOURCE, DomainEvent

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
TIME_BYTES = 14
ATTEMPTS = 3


class EventsNotPublished(RuntimeError):
    """Some events were refused by EventBridge after every attempt."""


def entry_size(entry: dict[str, Any]) -> int:
    """The size EventBridge counts for one PutEvents entry."""
    size = TIME_BYTES if "Time" in entry else 0
    for key in ("Source", "DetailType", "Detail"):
        if key in entry:
            size += len(str(entry[key]).encode())
    return size + sum(len(resource.encode()) for resource in entry.get("Resources", []))


def requests_of(entries: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Entries grouped into requests of at most 10 entries and 256 KB."""
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_bytes = entry_size(entry)
        if entry_bytes > MAX_REQUEST_BYTES:
            raise EventsNotPublished(f"a {entry['DetailType']} event of {entry_bytes} bytes exceeds 256 KB")
        if batch and (len(batch) == MAX_ENTRIES or size + entry_bytes > MAX_REQUEST_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry_bytes
    if batch:
        yield batch


class EventBridgeBus:
    def __init__(
        self,
        bus_name: str,
        client: Any,
        pause: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
    ) -> None:
        self._bus = bus_name
        self._client = client
        self._pause = pause
        self._attempts = attempts

    def entry(self, event: DomainEvent) -> dict[str, Any]:
        return {
            "Source": SOURCE,
            "DetailType": event.detail_type,
            "Detail": event.model_dump_json(),
            "EventBusName": self._bus,
        }

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for request in requests_of([self.entry(event) for event in events]):
            self._put(request)

    def _put(self, entries: list[dict[str, Any]]) -> None:
        pending = entries
        errors: list[str] = []
        for attempt in range(self._attempts):
            if attempt:
                self._pause(random.uniform(0, 0.1 * 2**attempt))
            response = self._client.put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            # results are in the order of the request's entries; a failed one has an ErrorCode
            results = response["Entries"]
            errors = [str(result.get("ErrorCode")) for result in results if result.get("ErrorCode")]
            pending = [
                entry for entry, result in zip(pending, results, strict=True) if result.get("ErrorCode")
            ]
        raise EventsNotPublished(
            f"{len(pending)} of {len(entries)} events refused after {self._attempts} attempts: "
            f"{sorted(set(errors))}"
        )
