"""A stream batch's work, planned record by record and sent together.

Each record of the orders table's stream yields jobs (reservation and notification messages) and
domain events. The dispatcher plans every record first, sends all jobs with `SendMessageBatch` and
all events with `PutEvents` (ten per request instead of one request per record), then reports the
records whose job or event was refused. A stream retries from the first reported record, and every
consumer applies a repeated job or event once (their ids come from the order's version and the
stream record), so sending later records again is harmless. A record that cannot be planned stops
the plan there: it and everything after it are retried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from orders.domain.change_events import domain_events_for_change
from orders.domain.dispatch import Destination, FeedbackInvitations, events_for_change
from shared.domain_events import DomainEvent
from shared.events import OrderEvent


@dataclass(frozen=True)
class Change:
    """One stream record: its identifier (the sequence number), the images and when it happened."""

    identifier: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    change_id: str
    at: str


@dataclass
class Plan:
    jobs: list[tuple[Destination, OrderEvent]] = field(default_factory=list)
    job_owner: list[int] = field(default_factory=list)  # the change each job comes from
    events: list[DomainEvent] = field(default_factory=list)
    event_owner: list[int] = field(default_factory=list)


class JobSender(Protocol):
    def publish_all(self, jobs: Sequence[tuple[Destination, OrderEvent]]) -> dict[int, str]: ...


class EventSender(Protocol):
    def publish_all(self, events: Sequence[DomainEvent]) -> dict[int, str]: ...


def plan(
    changes: Iterable[Callable[[], Change]],
    invitations: FeedbackInvitations | None,
    on_error: Callable[[Exception], None],
) -> tuple[list[Change], Plan]:
    """Plan each change in order until one cannot be read or planned: the changes read (as many
    as were planned; the one after them, if any, could not be) and their work."""
    read: list[Change] = []
    work = Plan()
    for position, next_change in enumerate(changes):
        try:
            change = next_change()
            outgoing = events_for_change(change.old, change.new, invitations, change.at)
            jobs = [(item.destination, item.event) for item in outgoing]
            events = domain_events_for_change(change.old, change.new, change.change_id, change.at)
        except Exception as error:  # noqa: BLE001 - the record and the rest are retried
            on_error(error)
            return read, work
        read.append(change)
        work.jobs += jobs
        work.job_owner += [position] * len(jobs)
        work.events += events
        work.event_owner += [position] * len(events)
    return read, work


def send(work: Plan, jobs: JobSender, events: EventSender) -> dict[int, str]:
    """Send the plan's jobs, then its events; returns the changes left undone (position -> the
    error code that refused one of their messages)."""
    undone: dict[int, str] = {}
    for index, code in (jobs.publish_all(work.jobs) if work.jobs else {}).items():
        undone.setdefault(work.job_owner[index], code)
    for index, code in (events.publish_all(work.events) if work.events else {}).items():
        undone.setdefault(work.event_owner[index], code)
    return undone
