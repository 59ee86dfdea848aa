"""Contributions of complaints (cases), returns, and of an order's shipping and delivery moves to
the service KPIs (docs/kpis.md, "Complaints, returns and time to ship").

- `HIST#confirmed_to_shipped`: from the order's (last) `confirmed` timeline entry to its first move
  into `partially_shipped` or `shipped`, on the day of that move; once per order.
- `COMPLAINTS`: `opened`, `resolved`, `overdue` (as before), `category#<category>` (opened, per
  category), and the response deadline: `response_due` (cases whose deadline was decided that day)
  and `responded_on_time` (of them, answered by `due_at`). A case's deadline is decided once:
    * on the day of its first response (`first_response_at`; for items without it, the resolution
      `resolved_at`), if it was not flagged overdue before: on time when the response is not later
      than `due_at`;
    * on the day it is flagged overdue (`overdue` turns true) without any response: late. Its later
      response does not count again.
  So `responded_on_time / response_due` is the share of cases answered by their due time
  (投诉处理及时率), each case counted once, on the day its outcome became known. Cases without
  `due_at` have no deadline and are left out.
- `HIST#complaint_first_response` (`opened_at` -> first response, on its day; once per case) and
  `HIST#complaint_resolution` (`opened_at` -> `resolved_at`, on that day; each resolution, so a
  reopened case resolved again counts again, with its longer time).
- `AGENTS`: the same figures per assignee (`stats.domain.agent_contributions`).
- `RETURN_REASONS`: `<reason_code>` per return requested (items with only a free-text `reason`
  count as `other`).
- `SKUS#<n>` (n = 0..SKU_FAMILIES-1, the SKU's hash): `sku#<sku>#delivered` (orders delivered
  holding the SKU), `sku#<sku>#requested` (returns requested holding it) and
  `sku#<sku>#reason#<code>`. Spreading SKUs over `SKU_FAMILIES` items (and the aggregates' 16 write
  shards) keeps each day's item far below DynamoDB's 400 KB.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from stats.domain.agent_contributions import assignment, count_for_agent, first_response_for_agent
from stats.domain.contribution_parts import Contribution, MetricPoint, day_of, label, parse_time, time_of

COMPLAINTS = "COMPLAINTS"
RETURNS = "RETURNS"
RETURN_REASONS = "RETURN_REASONS"
SKU_FAMILY_PREFIX = "SKUS#"
SKU_FAMILIES = 8
CONFIRMED_TO_SHIPPED = "confirmed_to_shipped"
COMPLAINT_FIRST_RESPONSE = "complaint_first_response"
COMPLAINT_RESOLUTION = "complaint_resolution"
SHIPPED_STATUSES = frozenset({"partially_shipped", "shipped"})
RETURN_STATUSES = frozenset({"requested", "approved", "rejected", "received", "refunded"})
RETURN_REASON_CODES = frozenset(
    {"damaged", "wrong_item", "missing_parts", "not_as_described", "changed_mind", "other"}
)
UNKNOWN_SKU = "unspecified"
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")


def sku_label(value: Any) -> str:
    text = str(value or "").strip()
    return text if _SKU.match(text) else UNKNOWN_SKU


def sku_family(sku: str) -> str:
    return f"{SKU_FAMILY_PREFIX}{zlib.crc32(sku.encode()) % SKU_FAMILIES}"


def reason_code(image: Mapping[str, Any]) -> str:
    code = str(image.get("reason_code") or "other")
    return code if code in RETURN_REASON_CODES else "other"


def _skus(lines: Any) -> list[str]:
    found = {sku_label(line.get("sku")) for line in lines or [] if isinstance(line, Mapping)}
    return sorted(found)


def _status(image: Mapping[str, Any] | None) -> str | None:
    value = (image or {}).get("status")
    return str(value) if value else None


# orders -----------------------------------------------------------------------------------------


def _last_confirmed(timeline: Any) -> datetime | None:
    moments = [
        moment
        for entry in timeline or []
        if isinstance(entry, Mapping) and entry.get("status") == "confirmed"
        for moment in [parse_time(entry.get("at"))]
        if moment is not None
    ]
    return max(moments) if moments else None


def _shipped_before(image: Mapping[str, Any] | None) -> bool:
    if not image:
        return False
    if _status(image) in SHIPPED_STATUSES:
        return True
    return any(
        isinstance(entry, Mapping) and entry.get("status") in SHIPPED_STATUSES
        for entry in image.get("timeline") or []
    )


def order_moves(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], at: datetime, out: Contribution
) -> None:
    """An order's move into `new`'s status at `at` (the caller knows it moved): the time to ship on
    the first shipment, and the SKUs delivered."""
    status = _status(new)
    day = day_of(at)
    if status in SHIPPED_STATUSES and not _shipped_before(old):
        confirmed = _last_confirmed(new.get("timeline"))
        if confirmed is not None:
            seconds = max(0.0, (at - confirmed).total_seconds())
            out.add_duration(day, CONFIRMED_TO_SHIPPED, seconds)
            out.metrics.append(MetricPoint("TimeToShip", seconds, "Seconds"))
    elif status == "delivered":
        for sku in _skus(new.get("items")):
            out.add(day, sku_family(sku), f"sku#{sku}#delivered")


# complaints -------------------------------------------------------------------------------------


def first_response(image: Mapping[str, Any] | None) -> datetime | None:
    """The first response to the customer; the resolution for items that do not record one."""
    if not image:
        return None
    return parse_time(image.get("first_response_at")) or parse_time(image.get("resolved_at"))


def complaint_contribution(old: Any, new: Any, observed_at: datetime, out: Contribution) -> None:
    if not new:
        return
    opened = time_of(new, "opened_at", "created_at", default=observed_at)
    if old is None:
        day = day_of(opened)
        out.add(day, COMPLAINTS, "opened")
        out.add(day, COMPLAINTS, f"category#{label(new.get('category'))}")
        out.metrics.append(MetricPoint("ComplaintsOpened", 1))
    assignment(old, new, day_of(time_of(new, "updated_at", "opened_at", default=observed_at)), out)
    if new.get("status") == "resolved" and (old is None or old.get("status") != "resolved"):
        day = day_of(time_of(new, "resolved_at", "updated_at", default=observed_at))
        out.add(day, COMPLAINTS, "resolved")
        count_for_agent(new, day, "resolved", out)
        out.metrics.append(MetricPoint("ComplaintsResolved", 1))
    resolved_at = parse_time(new.get("resolved_at"))
    if resolved_at is not None and resolved_at != parse_time((old or {}).get("resolved_at")):
        seconds = max(0.0, (resolved_at - opened).total_seconds())
        out.add_duration(day_of(resolved_at), COMPLAINT_RESOLUTION, seconds)
        out.metrics.append(MetricPoint("ComplaintResolutionTime", seconds, "Seconds"))
    due = parse_time(new.get("due_at"))
    responded = first_response(new)
    if responded is not None and first_response(old) is None:
        day = day_of(responded)
        seconds = max(0.0, (responded - opened).total_seconds())
        out.add_duration(day, COMPLAINT_FIRST_RESPONSE, seconds)
        first_response_for_agent(new, day, seconds, out)
        out.metrics.append(MetricPoint("ComplaintFirstResponseTime", seconds, "Seconds"))
        if due is not None and not (old or {}).get("overdue"):
            _deadline_decided(new, day, responded <= due, out)
    if new.get("overdue") is True and not (old or {}).get("overdue"):
        day = day_of(time_of(new, "updated_at", default=observed_at))
        out.add(day, COMPLAINTS, "overdue")
        out.metrics.append(MetricPoint("ComplaintsOverdue", 1))
        if due is not None and responded is None:
            _deadline_decided(new, day, False, out)


def _deadline_decided(case: Any, day: str, on_time: bool, out: Contribution) -> None:
    out.add(day, COMPLAINTS, "response_due")
    count_for_agent(case, day, "response_due", out)
    out.metrics.append(MetricPoint("ComplaintsResponseDue", 1))
    if on_time:
        out.add(day, COMPLAINTS, "responded_on_time")
        count_for_agent(case, day, "responded_on_time", out)
        out.metrics.append(MetricPoint("ComplaintsAnsweredOnTime", 1))


# returns ----------------------------------------------------------------------------------------


def return_contribution(old: Any, new: Any, observed_at: datetime, out: Contribution) -> None:
    status = _status(new)
    if not new or status is None or (old is not None and _status(old) == status):
        return
    names = ("created_at", "requested_at", "updated_at") if old is None else ("updated_at",)
    day = day_of(time_of(new, *names, default=observed_at))
    out.add(day, RETURNS, label(status))
    dimension = status if status in RETURN_STATUSES else "other"
    out.metrics.append(MetricPoint("Returns", 1, dimensions=(("Status", dimension),)))
    if old is None:  # a new return: requested, with its reason
        code = reason_code(new)
        out.add(day, RETURN_REASONS, code)
        out.metrics.append(MetricPoint("ReturnReasons", 1, dimensions=(("Reason", code),)))
        for sku in _skus(new.get("lines")):
            family = sku_family(sku)
            out.add(day, family, f"sku#{sku}#requested")
            out.add(day, family, f"sku#{sku}#reason#{code}")
