"""Which shipment changes are a delivery exception, and the work item each opens (pure).

The orders-table dispatcher sees a shipment item move into `delivery_exception` or
`returned_to_sender` (a carrier checkpoint, or the delay check's `stalled` / `late`) and publishes
`ShipmentExceptionRaised` on the bus (`raised_event`); a rule routes it to the exception opener's
queue, which stores one exception per (order, shipment, reason) episode (`exception_for`). The
episode is the shipment's tracking version at which the problem began, so a redelivered or replayed
stream record or bus event opens nothing new, and a shipment that recovers and fails again later
starts a new episode.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from delivery_exceptions.domain.rules import ExceptionRules
from delivery_exceptions.models.records import ExceptionEntry, ExceptionReason, ExceptionRecord
from shared.clock import isoformat
from shared.derived_ids import derived_id
from shared.domain_events import ShipmentExceptionRaised

R = ExceptionReason
OPENED_BY = "system:delivery-exceptions"
EXCEPTION_STATUSES = frozenset({"delivery_exception", "returned_to_sender"})
"""Shipment statuses (order vocabulary) that are a delivery exception."""

REASON_BY_CARRIER_REASON: dict[str, R] = {
    "stalled": R.STALLED,
    "late": R.LATE,
    **dict.fromkeys(
        (
            "delayed",
            "missorted",
            "external_delay",
            "processing_delay",
            "late_flight",
            "no_update_too_long",
            "unsigned_too_long",
            "transit_exception",
            "weather",
        ),
        R.DELAYED,
    ),
    **dict.fromkeys(
        (
            "delivery_failed",
            "delivery_failure",
            "delivery_problem",
            "recipient_unavailable",
            "recipient_unreachable",
            "business_closed",
            "pickup_missed",
            "not_collected_in_time",
        ),
        R.FAILED_ATTEMPT,
    ),
    **dict.fromkeys(("address_issue", "customer_moved", "outside_service_area"), R.ADDRESS_PROBLEM),
    "refused": R.REFUSED,
    **dict.fromkeys(
        (
            "customs_hold",
            "missing_documents",
            "held",
            "awaiting_information",
            "held_for_payment",
            "stuck_at_depot",
            "security_or_fee_issue",
        ),
        R.HELD,
    ),
    "damaged": R.DAMAGED,
    **dict.fromkeys(("lost", "destroyed", "disposed"), R.LOST),
    **dict.fromkeys(("returning", "returned"), R.RETURNED_TO_SENDER),
}
"""The carriers' reason codes (docs/tracking-statuses.md) and the delay check's -> the exception's."""

REASON_BY_TRACKING_STATUS: dict[str, R] = {
    "attempt_fail": R.FAILED_ATTEMPT,
    "delivery_delayed": R.DELAYED,
    "on_hold": R.HELD,
    "return_to_sender": R.RETURNED_TO_SENDER,
}


def exception_reason(shipment_status: str, carrier_reason: str | None, tracking_status: str | None) -> R:
    if shipment_status == "returned_to_sender":
        return R.RETURNED_TO_SENDER
    if carrier_reason and carrier_reason in REASON_BY_CARRIER_REASON:
        return REASON_BY_CARRIER_REASON[carrier_reason]
    return REASON_BY_TRACKING_STATUS.get(tracking_status or "", R.OTHER)


def _problem(image: dict[str, Any] | None) -> tuple[str, R] | None:
    if not image or image.get("entity") != "shipment" or image.get("status") not in EXCEPTION_STATUSES:
        return None
    status = str(image["status"])
    reason = image.get("status_reason")
    tracking = image.get("tracking_status")
    return status, exception_reason(
        status, str(reason) if reason else None, str(tracking) if tracking else None
    )


def raised_event(
    old: dict[str, Any] | None, new: dict[str, Any] | None, at: str
) -> ShipmentExceptionRaised | None:
    """The event of a shipment change (`at`: when it was recorded), else None: not a shipment, not
    a problem, or the same problem as before the change (the episode goes on)."""
    problem = _problem(new)
    if problem is None or problem == _problem(old):
        return None
    assert new is not None
    status, reason = problem
    order_id, shipment_id = str(new["order_id"]), str(new["shipment_id"])
    episode = int(new.get("tracking_version") or 0)
    carrier_reason = new.get("status_reason")
    return ShipmentExceptionRaised(
        event_id=f"{order_id}:{shipment_id}:{reason.value}:{episode}",
        occurred_at=at,
        order_id=order_id,
        shipment_id=shipment_id,
        tracking_number=new.get("tracking_number"),
        carrier=new.get("carrier"),
        reason=reason.value,
        carrier_reason=str(carrier_reason) if carrier_reason else None,
        shipment_status=status,
        episode=episode,
    )


def exception_id_for(event: ShipmentExceptionRaised) -> str:
    return derived_id("exc_", event.event_id)


def exception_for(event: ShipmentExceptionRaised, rules: ExceptionRules) -> ExceptionRecord:
    """The work item an event opens: due after the reason's hours, owned by the default assignee."""
    reason = R(event.reason) if event.reason in R.__members__.values() else R.OTHER
    opened = datetime.fromisoformat(event.occurred_at.replace("Z", "+00:00"))
    opened_at = isoformat(opened)
    return ExceptionRecord(
        exception_id=exception_id_for(event),
        order_id=event.order_id,
        shipment_id=event.shipment_id,
        tracking_number=event.tracking_number,
        carrier=event.carrier,
        reason=reason,
        carrier_reason=event.carrier_reason,
        assignee=rules.default_assignee,
        opened_at=opened_at,
        due_at=isoformat(opened + timedelta(hours=rules.hours_for(reason))),
        timeline=[
            ExceptionEntry(
                action="opened",
                by=OPENED_BY,
                at=opened_at,
                details={"shipment_status": event.shipment_status, "carrier_reason": event.carrier_reason},
            )
        ],
    )
