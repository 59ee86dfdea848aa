"""A customer-service case's whole state machine as one table (docs/cases.md).

open -> in_progress (assigned) -> resolved -> closed; a resolved or closed case can be reopened
(by an operator, or by the customer answering "not resolved"), and a reopened case goes on like an
in_progress one. Resolving straight from open stays allowed (the original contract).
"""

from __future__ import annotations

from service.domain.errors import IllegalStatusChange
from service.models.records import ComplaintStatus

S = ComplaintStatus

TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED}),
    S.REOPENED: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
}

ASSIGNABLE = frozenset({S.OPEN, S.IN_PROGRESS, S.REOPENED})
"""Statuses in which a case takes an assignee (assigning an open case starts work on it)."""


def can_move(current: ComplaintStatus, requested: ComplaintStatus) -> bool:
    return requested in TRANSITIONS[current]


def check_move(complaint_id: str, current: ComplaintStatus, requested: ComplaintStatus) -> None:
    """Raise the 409 `illegal_transition` naming both statuses unless the table allows the move."""
    if not can_move(current, requested):
        raise IllegalStatusChange("complaint", complaint_id, current.value, requested.value)


def status_after_assign(complaint_id: str, current: ComplaintStatus) -> ComplaintStatus:
    """Assigning an open case moves it to in_progress; an in_progress or reopened one keeps its
    status (a reassignment); a resolved or closed case takes no assignee."""
    if current not in ASSIGNABLE:
        raise IllegalStatusChange("complaint", complaint_id, current.value, S.IN_PROGRESS.value)
    return S.IN_PROGRESS if current == S.OPEN else current
