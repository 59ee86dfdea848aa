"""What one change of a stored item adds to the daily aggregates.

A change is the (old image, new image) pair of one stream record. `contribution_of` turns it into
counter deltas per (UTC day, family) and the metric points to publish. It is pure: the same record
always yields the same contribution, and the store applies each record's contribution once.

Families (one aggregate item per day and family, see docs/kpis.md):

- `ORDERS`: `received` (a new order), one counter per status an order moved into, and
  `review_approved` (a held order sent back to `received`, not received a second time);
- `SHIPMENTS`: `shipped`, `delivered`, `exceptions`, `promised`, `on_time`,
  `carrier#<carrier>#shipped|delivered|exceptions`, `reason#<reason>`;
- `HIST#received_to_confirmed`, `HIST#shipped_to_delivered`: duration histograms (`bNNN`, `count`,
  `sum_seconds`), see `stats.domain.histogram`;
- `NOTIFICATIONS`: `<status>#<channel>` per status a notification moved into, `invitations`
  (survey invitations sent);
- `FEEDBACK`: `responses`, `satisfied` (rating 4-5), `rating#<1-5>`, `nps_responses`, `promoters`,
  `passives`, `detractors`. State, not flow: an edited response replaces its earlier contribution;
- `COMPLAINTS`: `opened`, `resolved`, `overdue` (complaints that became overdue that day), and
  more (see `stats.domain.case_contributions`);
- `RETURNS`: one counter per status a return moved into (`requested` for a new one);
- `HIST#confirmed_to_shipped`, complaint response and resolution times, `RETURN_REASONS` and the
  per-SKU families `SKUS#<n>`: `stats.domain.case_contributions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from shared.checkpoint_records import full_checkpoints, last_checkpoint_at
from stats.domain.case_contributions import (
    complaint_contribution,
    order_moves,
    return_contribution,
)
from stats.domain.contribution_parts import (
    Contribution,
    MetricPoint,
    day_of,
    label,
    parse_time,
)
from stats.domain.contribution_parts import time_of as _time

ORDERS = "ORDERS"
SHIPMENTS = "SHIPMENTS"
NOTIFICATIONS = "NOTIFICATIONS"
FEEDBACK = "FEEDBACK"
RECEIVED_TO_CONFIRMED = "received_to_confirmed"
SHIPPED_TO_DELIVERED = "shipped_to_delivered"
SURVEY_INVITATION = "feedback.invite"

AGGREGATED_ENTITIES = ("order", "shipment", "notification", "feedback", "complaint", "return")
"""The `entity` values the stream consumer receives (its event filter) and aggregates."""

KNOWN_CARRIERS = frozenset(
    {"sf-express", "jd", "ems", "yto", "zto", "sto", "yunda", "ups", "fedex", "dhl", "usps", "dpd", "gls"}
)
"""Carriers published as their own CloudWatch dimension; others are published as `other` (the
aggregates keep every carrier)."""
KNOWN_EXCEPTION_REASONS = frozenset(
    {
        "stalled",
        "late",
        "lost",
        "damaged",
        "refused",
        "address_issue",
        "delayed",
        "weather",
        "held",
        "customs_hold",
        "delivery_failed",
        "recipient_unavailable",
        "returning",
        "other",
    }
)
"""Exception reasons published as their own CloudWatch dimension; others as `other`."""
CHANNELS = frozenset({"email", "sms"})


def contribution_of(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, observed_at: datetime
) -> Contribution:
    """The aggregates' share of one change. `observed_at` (the stream record's time) dates changes
    whose item carries no time of its own."""
    entity = (new or old or {}).get("entity")
    contribution = Contribution()
    rule = _RULES.get(str(entity))
    if rule is not None:
        rule(old or None, new or None, observed_at, contribution)
    return contribution


def _status_moved(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> str | None:
    if not new:
        return None
    status = new.get("status")
    if not status or (old is not None and old.get("status") == status):
        return None
    return str(status)


def _order(old: Any, new: Any, observed_at: datetime, out: Contribution) -> None:
    status = _status_moved(old, new)
    if status is None:
        return
    if old is None:
        day = day_of(_time(new, "created_at", default=observed_at))
        out.add(day, ORDERS, "received")
        out.metrics.append(MetricPoint("OrdersReceived", 1))
        if status == "received":
            return
    at = _time(new, "updated_at", "created_at", default=observed_at)
    day = day_of(at)
    # back to `received` is an approval after review: the order was received (counted) before
    out.add(day, ORDERS, "review_approved" if status == "received" else label(status))
    metric = _ORDER_STATUS_METRICS.get(status)
    if metric:
        out.metrics.append(MetricPoint(metric, 1))
    order_moves(old, new, at, out)
    if status == "confirmed":
        placed = _time(new, "created_at", default=at)
        seconds = (at - placed).total_seconds()
        out.add_duration(day, RECEIVED_TO_CONFIRMED, seconds)
        out.metrics.append(MetricPoint("TimeToConfirm", max(0.0, seconds), "Seconds"))


_ORDER_STATUS_METRICS = {
    "confirmed": "OrdersConfirmed",
    "on_hold": "OrdersOnHold",
    "out_of_stock": "OrdersOutOfStock",
    "cancelled": "OrdersCancelled",
}


def delivered_at(shipment: Mapping[str, Any], default: datetime) -> datetime:
    """The carrier's time of the (last) delivered checkpoint, else its last checkpoint's time."""
    stored = [
        checkpoint for checkpoint in shipment.get("checkpoints") or [] if isinstance(checkpoint, Mapping)
    ]
    times = [
        moment
        for checkpoint in full_checkpoints(stored, shipment.get("carrier"))
        if checkpoint.get("status") == "delivered"
        for moment in [parse_time(checkpoint.get("occurred_at"))]
        if moment is not None
    ]
    if times:
        return max(times)
    return _time(
        {**shipment, "last_checkpoint_at": last_checkpoint_at(shipment)},
        "delivered_at",
        "last_checkpoint_at",
        default=default,
    )


def promised_date(shipment: Mapping[str, Any]) -> date | None:
    """The delivery date promised for the shipment: the merchant's `promised_delivery` if it has
    one, else the first estimate the carrier gave (`first_estimated_delivery`; a later, slipped
    estimate does not make a late delivery on time), else its `estimated_delivery` (a date or a
    time; its date counts)."""
    for name in ("promised_delivery", "first_estimated_delivery", "estimated_delivery"):
        value = shipment.get(name)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


def metric_carrier(carrier: str) -> str:
    return carrier if carrier in KNOWN_CARRIERS else "other"


def metric_reason(reason: str) -> str:
    return reason if reason in KNOWN_EXCEPTION_REASONS else "other"


def _shipment(old: Any, new: Any, observed_at: datetime, out: Contribution) -> None:
    if not new:
        return
    carrier = label(new.get("carrier"))
    carrier_dimension = (("Carrier", metric_carrier(carrier)),)
    if old is None:
        day = day_of(_time(new, "created_at", default=observed_at))
        out.add(day, SHIPMENTS, "shipped")
        out.add(day, SHIPMENTS, f"carrier#{carrier}#shipped")
        out.metrics.append(MetricPoint("ShipmentsShipped", 1))
        out.metrics.append(MetricPoint("ShipmentsShipped", 1, dimensions=carrier_dimension))
    status = _status_moved(old, new)
    if status == "delivered":
        at = delivered_at(new, observed_at)
        day = day_of(at)
        out.add(day, SHIPMENTS, "delivered")
        out.add(day, SHIPMENTS, f"carrier#{carrier}#delivered")
        out.metrics.append(MetricPoint("ShipmentsDelivered", 1))
        out.metrics.append(MetricPoint("ShipmentsDelivered", 1, dimensions=carrier_dimension))
        shipped = _time(new, "created_at", default=at)
        seconds = max(0.0, (at - shipped).total_seconds())
        out.add_duration(day, SHIPPED_TO_DELIVERED, seconds)
        out.metrics.append(MetricPoint("TimeToDeliver", seconds, "Seconds"))
        promise = promised_date(new)
        if promise is not None:
            on_time = at.astimezone(UTC).date() <= promise
            out.add(day, SHIPMENTS, "promised")
            out.metrics.append(MetricPoint("DeliveriesPromised", 1))
            if on_time:
                out.add(day, SHIPMENTS, "on_time")
                out.metrics.append(MetricPoint("DeliveriesOnTime", 1))
    elif status == "delivery_exception":
        day = day_of(observed_at)
        reason = label(new.get("status_reason"))
        out.add(day, SHIPMENTS, "exceptions")
        out.add(day, SHIPMENTS, f"carrier#{carrier}#exceptions")
        out.add(day, SHIPMENTS, f"reason#{reason}")
        out.metrics.append(MetricPoint("DeliveryExceptions", 1))
        out.metrics.append(
            MetricPoint(
                "DeliveryExceptions",
                1,
                dimensions=(("Carrier", metric_carrier(carrier)), ("Reason", metric_reason(reason))),
            )
        )


def _notification(old: Any, new: Any, observed_at: datetime, out: Contribution) -> None:
    status = _status_moved(old, new)
    if status is None or status == "scheduled":  # waiting out the burst window: not an outcome
        return
    channel = label(new.get("channel"))
    day = day_of(_time(new, "at", "updated_at", default=observed_at))
    out.add(day, NOTIFICATIONS, f"{label(status)}#{channel}")
    if status == "sent":
        dimension = channel if channel in CHANNELS else "other"
        out.metrics.append(MetricPoint("NotificationsSent", 1, dimensions=(("Channel", dimension),)))
        if new.get("event_type") == SURVEY_INVITATION:
            out.add(day, NOTIFICATIONS, "invitations")
            out.metrics.append(MetricPoint("SurveyInvitations", 1))


def _feedback_facts(image: Mapping[str, Any] | None, observed_at: datetime) -> dict[tuple[str, str], int]:
    if not image:
        return {}
    try:
        rating = int(image.get("rating"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {}
    if not 1 <= rating <= 5:
        return {}
    day = day_of(_time(image, "submitted_at", "updated_at", default=observed_at))
    facts = {(day, "responses"): 1, (day, f"rating#{rating}"): 1}
    if rating >= 4:
        facts[(day, "satisfied")] = 1
    nps = image.get("nps")
    if nps is not None:
        try:
            score = int(nps)
        except (TypeError, ValueError):
            return facts
        if 0 <= score <= 10:
            facts[(day, "nps_responses")] = 1
            group = "promoters" if score >= 9 else "passives" if score >= 7 else "detractors"
            facts[(day, group)] = 1
    return facts


def _feedback(old: Any, new: Any, observed_at: datetime, out: Contribution) -> None:
    before = _feedback_facts(old, observed_at)
    after = _feedback_facts(new, observed_at)
    for key in before.keys() | after.keys():
        delta = after.get(key, 0) - before.get(key, 0)
        if delta:
            out.add(key[0], FEEDBACK, key[1], delta)
    if after and not before:  # a first response; edits change the aggregates, not the metrics
        out.metrics.append(MetricPoint("FeedbackResponses", 1))
        if any(name == "satisfied" for _, name in after):
            out.metrics.append(MetricPoint("FeedbackSatisfied", 1))


_RULES = {
    "order": _order,
    "shipment": _shipment,
    "notification": _notification,
    "feedback": _feedback,
    "complaint": complaint_contribution,
    "return": return_contribution,
}
