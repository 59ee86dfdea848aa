"""Publishes domain events to the stack's EventBridge bus with `PutEvents`.

Entries go in requests of at most 10 entries and 256 KB, sized as EventBridge documents it
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). A response
with `FailedEntryCount` > 0 is retried with the failed entries only (a few times, with a short
backoff); `publish_all` returns what still fails, so the stream records whose events were refused
are reported as batch item failures and retried. An event over 256 KB raises `EventsNotPublished`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.batching import requests
from shared.domain_events import SOURCE, DomainEvent
from shared.transient import Backoff, error_code

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
TIME_BYTES = 14
ATTEMPTS = 3
RETRY_BACKOFF = Backoff(base_seconds=0.1, cap_seconds=0.4)
"""Between attempts of the refused entries: full jitter, 0.1 s doubling."""


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
    for entry in entries:
        entry_bytes = entry_size(entry)
        if entry_bytes > MAX_REQUEST_BYTES:
            raise EventsNotPublished(f"a {entry['DetailType']} event of {entry_bytes} bytes exceeds 256 KB")
    yield from requests(entries, entry_size, MAX_ENTRIES, MAX_REQUEST_BYTES)


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

    def publish_all(self, events: Sequence[DomainEvent]) -> dict[int, str]:
        """Publish every event; returns the ones still refused after every attempt (their index in
        `events` -> EventBridge's error code). A request that raises refuses all its entries."""
        entries = [self.entry(event) for event in events]
        refused: dict[int, str] = {}
        by_identity = {id(entry): index for index, entry in enumerate(entries)}
        for request in requests_of(entries):
            for entry, code in self._put(request).items():
                refused[by_identity[entry]] = code
        return refused

    def _put(self, entries: list[dict[str, Any]]) -> dict[int, str]:
        """(id of each entry still refused -> its error code) after every attempt."""
        pending = entries
        errors: dict[int, str] = {}
        for attempt in range(1, self._attempts + 1):
            if attempt > 1:
                self._pause(RETRY_BACKOFF.delay(attempt - 1))
            try:
                response = self._client.put_events(Entries=pending)
            except (ClientError, BotoCoreError) as error:
                if attempt == self._attempts:
                    code = error_code(error)
                    return {id(entry): code for entry in pending}
                continue
            if not response.get("FailedEntryCount"):
                return {}
            # results are in the order of the request's entries; a failed one has an ErrorCode
            results = response["Entries"]
            failed = [
                (entry, result)
                for entry, result in zip(pending, results, strict=True)
                if result.get("ErrorCode")
            ]
            errors = {id(entry): str(result["ErrorCode"]) for entry, result in failed}
            pending = [entry for entry, _ in failed]
        return errors
