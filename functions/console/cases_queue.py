"""The Cases queue's filters, its query and the countdown to a case's due time (docs/console.md,
Cases). The query is the storefront's list route's (`GET /v1/complaints`), so the console shows the
same queue: p1 first, then by due time, through the case indexes only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from service.domain.ports import ComplaintQuery
from service.models.records import ACTIVE_STATUSES, ComplaintRecord, ComplaintStatus, Priority
from shared.clock import isoformat

QUEUE_PAGE = 25
STATUSES = tuple(s.value for s in ComplaintStatus)
PRIORITIES = tuple(p.value for p in Priority)


@dataclass(frozen=True)
class Filters:
    """`?status=`, `?priority=`, `?mine=1`, `?overdue=1`; anything else is ignored."""

    status: str = ""
    priority: str = ""
    mine: bool = False
    overdue: bool = False

    @classmethod
    def of(cls, query: Mapping[str, str]) -> Filters:
        status, priority = query.get("status") or "", query.get("priority") or ""
        return cls(
            status=status if status in STATUSES else "",
            priority=priority if priority in PRIORITIES else "",
            mine=query.get("mine") == "1",
            overdue=query.get("overdue") == "1",
        )

    def params(self, **changes: Any) -> dict[str, str]:
        values = {**asdict(self), **changes}
        found = {
            "status": values["status"],
            "priority": values["priority"],
            "mine": "1" if values["mine"] else "",
            "overdue": "1" if values["overdue"] else "",
        }
        return {name: value for name, value in found.items() if value}


def queue_href(locale: str, params: Mapping[str, str]) -> str:
    return "/console/cases?" + urlencode({"lang": locale, **params})


def complaint_query(filters: Filters, username: str, now: datetime, cursor: str | None) -> ComplaintQuery:
    """As `GET /v1/complaints`: the chosen status, else the active statuses for "mine" or
    "overdue", else the open queue."""
    if filters.status:
        statuses: tuple[str, ...] = (filters.status,)
    elif filters.mine or filters.overdue:
        statuses = tuple(s.value for s in ACTIVE_STATUSES)
    else:
        statuses = (ComplaintStatus.OPEN.value,)
    return ComplaintQuery(
        statuses=statuses,
        priority=filters.priority or None,
        assignee=username if filters.mine else None,
        overdue_at=isoformat(now) if filters.overdue else None,
        limit=QUEUE_PAGE,
        cursor=cursor,
    )


def _link(text: str, href: str, current: bool) -> dict[str, Any]:
    return {"text": text, "href": href, "current": current}


def filter_links(filters: Filters, locale: str, t: Mapping[str, str]) -> list[dict[str, Any]]:
    """The filter groups as links (each keeps the other filters, drops the cursor)."""
    statuses = [("", t["case_open_queue"]), *((s, t[f"case_status_{s}"]) for s in STATUSES)]
    priorities = [("", t["case_all"]), *((p, p.upper()) for p in PRIORITIES)]
    return [
        {
            "label": t["case_filter_status"],
            "links": [
                _link(text, queue_href(locale, filters.params(status=value)), filters.status == value)
                for value, text in statuses
            ],
        },
        {
            "label": t["case_priority"],
            "links": [
                _link(text, queue_href(locale, filters.params(priority=value)), filters.priority == value)
                for value, text in priorities
            ],
        },
        {
            "label": t["case_filter_more"],
            "links": [
                _link(
                    t["case_mine"], queue_href(locale, filters.params(mine=not filters.mine)), filters.mine
                ),
                _link(
                    t["case_overdue_only"],
                    queue_href(locale, filters.params(overdue=not filters.overdue)),
                    filters.overdue,
                ),
            ],
        },
    ]


def countdown(due_at: str, now: datetime, t: Mapping[str, str]) -> str:
    """ "due in 3 h 12 min" / "overdue by 40 min": whole minutes, days and hours past a day."""
    seconds = (datetime.fromisoformat(due_at.replace("Z", "+00:00")) - now).total_seconds()
    days, minutes = divmod(int(abs(seconds) // 60), 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [t["case_days"].format(n=days), t["case_hours"].format(n=hours)]
    elif hours:
        parts = [t["case_hours"].format(n=hours), t["case_minutes"].format(n=minutes)]
    else:
        parts = [t["case_minutes"].format(n=minutes)]
    return t["case_overdue_by" if seconds < 0 else "case_due_in"].format(span=" ".join(parts))


def queue_row(case: ComplaintRecord, now: datetime, t: Mapping[str, str]) -> dict[str, Any]:
    """A case as the pages show it: the countdown only while it is active (open, in progress,
    reopened)."""
    active = case.status in ACTIVE_STATUSES
    return {
        "case": case,
        "countdown": countdown(case.due_at, now, t) if active else None,
        "overdue": active and case.due_at <= isoformat(now),
    }
