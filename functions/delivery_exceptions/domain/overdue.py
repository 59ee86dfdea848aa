"""Exceptions past their due time: one operations alert each (per due time: an exception snoozed to
a new due time with `wait_for_carrier` alerts again if that one passes too)."""

from __future__ import annotations

from delivery_exceptions.domain.ports import ExceptionStore, OperationsAlerts
from delivery_exceptions.models.records import ExceptionEntry, ExceptionRecord
from shared.clock import Clock, isoformat

ALERT_ACTOR = "system:exception-watch"


def _marked(exception: ExceptionRecord, at: str) -> ExceptionRecord:
    entry = ExceptionEntry(action="overdue", by=ALERT_ACTOR, at=at, details={"due_at": exception.due_at})
    return exception.model_copy(
        update={
            "overdue_alerted_at": at,
            "timeline": [*exception.timeline, entry],
            "version": exception.version + 1,
        }
    )


def flag_overdue_exceptions(
    store: ExceptionStore, alerts: OperationsAlerts, clock: Clock, page: int = 100
) -> int:
    """Alert operations once for every unresolved exception past its due time; returns how many."""
    flagged = 0
    now = isoformat(clock.now())
    while True:
        due = store.due(now, page)
        before = flagged
        for exception in due:
            marked = _marked(exception, now)
            if not store.save(marked, exception.version):
                continue  # resolved, snoozed or flagged meanwhile
            alerted = False
            try:
                alerts.alert(
                    f"ordertrack: delivery exception overdue ({exception.reason.value})",
                    {
                        "exception_id": exception.exception_id,
                        "order_id": exception.order_id,
                        "shipment_id": exception.shipment_id,
                        "reason": exception.reason.value,
                        "assignee": exception.assignee,
                        "status": exception.status.value,
                        "due_at": exception.due_at,
                    },
                )
                alerted = True
            finally:
                if not alerted:  # the next run alerts again: never a silent loss
                    store.save(exception.model_copy(update={"version": marked.version + 1}), marked.version)
            flagged += 1
        if len(due) < page or flagged == before:  # the rest was changed meanwhile: the next run
            return flagged
