"""Today and KPIs by agent (docs/console.md, "Today and KPIs by agent").

Today: six tiles over the last 30 UTC days, each with its 30-day trend drawn as inline SVG bars,
from the stats capability's daily aggregates (one `read`); the open cases now (a count of the case
queues' index); the work queues with the age of their oldest item (`console.today_ports`); the
newest alerts. Agents (managers only): per assignee over the same 30 days, from the stats
capability's `AGENTS` aggregates, with the cases each holds open now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

from console.pages import Page, page
from console.rendering import TrendChart, percent, trend_chart
from console.sessions import AGENT, MANAGER
from console.texts import TEXT
from console.today_ports import QueueSize
from console.views import Request, Route
from stats.domain.agent_contributions import agent_figures
from stats.domain.alerts import alerts_since
from stats.domain.kpis import compute_kpis, parse_day_range
from stats.domain.ports import DayAggregate
from stats.models.api import StatsReport

TREND_DAYS = 30
ALERTS_ON_TODAY = 5
OPEN_CASES_READ = 1000
"""The agents page reads at most this many open cases to count them per assignee."""

WORDS = {
    "zh-CN": {
        "kpis": "近 30 天指标",
        "open_cases": "未结工单",
        "overdue_cases": "超时工单",
        "trend_of": "近 30 天趋势",
        "trend_orders": "每日订单数",
        "trend_on_time": "每日准时率",
        "trend_exceptions": "每日异常率",
        "trend_csat": "每日满意度",
        "trend_opened": "每日新工单",
        "trend_overdue": "每日超时工单",
        "as_table": "以表格查看",
        "day": "日期",
        "value": "数值",
        "max": "最高",
        "no_value": "无数据",
        "queues": "待处理队列",
        "queue": "队列",
        "count": "数量",
        "oldest": "最久等待",
        "queue_review": "待审核订单",
        "queue_cases": "未结工单",
        "queue_exceptions": "未解决配送异常",
        "queue_returns": "待审批退货",
        "empty": "—",
        "agents": "客服指标",
        "agents_intro": "近 30 天（UTC）按处理人统计；当前未结数为现在的数量。",  # noqa: RUF001
        "agent": "处理人",
        "assigned": "分配",
        "resolved": "解决",
        "median_first_response": "首次响应中位数",
        "on_time_share": "按时答复占比",
        "open_now": "当前未结",
        "no_agents": "近 30 天没有分配给客服的工单。",
        "unassigned_open": "未分配的未结工单",
        "open_cases_partial": "仅统计了前 {limit} 个未结工单。",
        "minutes": "{n} 分钟",
        "hours": "{h} 小时 {m} 分钟",
        "days": "{d} 天 {h} 小时",
    },
    "en": {
        "kpis": "Last 30 days",
        "open_cases": "Open cases",
        "overdue_cases": "Overdue cases",
        "trend_of": "30-day trend",
        "trend_orders": "orders per day",
        "trend_on_time": "on-time rate per day",
        "trend_exceptions": "exception rate per day",
        "trend_csat": "CSAT per day",
        "trend_opened": "cases opened per day",
        "trend_overdue": "cases gone overdue per day",
        "as_table": "Show as a table",
        "day": "Day",
        "value": "Value",
        "max": "max",
        "no_value": "no data",
        "queues": "Work queues",
        "queue": "Queue",
        "count": "Waiting",
        "oldest": "Oldest waiting",
        "queue_review": "Orders to review",
        "queue_cases": "Open cases",
        "queue_exceptions": "Open delivery exceptions",
        "queue_returns": "Returns to decide",
        "empty": "—",
        "agents": "KPIs by agent",
        "agents_intro": "Per assignee over the last 30 UTC days; open now is the count at this moment.",
        "agent": "Agent",
        "assigned": "Assigned",
        "resolved": "Resolved",
        "median_first_response": "Median first response",
        "on_time_share": "Answered on time",
        "open_now": "Open now",
        "no_agents": "No case was assigned to an agent in the last 30 days.",
        "unassigned_open": "Open cases without an assignee",
        "open_cases_partial": "Only the first {limit} open cases were counted.",
        "minutes": "{n} min",
        "hours": "{h} h {m} min",
        "days": "{d} d {h} h",
    },
}


def duration_text(seconds: float | None, locale: str) -> str:
    """A wait or a response time in the largest two units (minutes below an hour)."""
    words = WORDS[locale]
    if seconds is None:
        return words["empty"]
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return words["minutes"].format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return words["hours"].format(h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return words["days"].format(d=days, h=hours)


def _age(oldest_at: str | None, now: datetime) -> float | None:
    if not oldest_at:
        return None
    try:
        then = datetime.fromisoformat(oldest_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (now - then).total_seconds())


def _days(last: date) -> list[str]:
    first = last - timedelta(days=TREND_DAYS - 1)
    return [(first + timedelta(days=offset)).isoformat() for offset in range(TREND_DAYS)]


def daily_reports(aggregates: Sequence[DayAggregate], days: list[str]) -> list[StatsReport]:
    by_day: dict[str, list[DayAggregate]] = defaultdict(list)
    for aggregate in aggregates:
        by_day[aggregate.day].append(aggregate)
    return [compute_kpis(by_day[day], parse_day_range(day, day)) for day in days]


def _tile(
    key: str,
    label: str,
    value: str,
    trend: str,
    points: list[tuple[str, float | None]],
    show: Callable[[float], str],
    ceiling: float | None = None,
) -> dict[str, Any]:
    chart: TrendChart = trend_chart(points, width=300, height=80, show=show, ceiling=ceiling)
    return {"key": key, "label": label, "value": value, "trend": trend, "chart": chart}


def today_tiles(
    report: StatsReport, daily: list[StatsReport], days: list[str], open_cases: int, t: dict[str, str]
) -> list[dict[str, Any]]:
    def series(pick: Callable[[StatsReport], float | None]) -> list[tuple[str, float | None]]:
        return [(day, pick(one)) for day, one in zip(days, daily, strict=True)]

    def count(value: float) -> str:
        return f"{value:,.0f}"

    return [
        _tile(
            "orders",
            t["orders"],
            count(report.orders.received),
            t["trend_orders"],
            series(lambda r: r.orders.received),
            count,
        ),
        _tile(
            "on_time",
            t["on_time_rate"],
            percent(report.delivery.on_time_rate),
            t["trend_on_time"],
            series(lambda r: r.delivery.on_time_rate),
            percent,
            1.0,
        ),
        _tile(
            "exceptions",
            t["exception_rate"],
            percent(report.delivery.exception_rate),
            t["trend_exceptions"],
            series(lambda r: r.delivery.exception_rate),
            percent,
            1.0,
        ),
        _tile(
            "csat",
            t["csat"],
            percent(report.feedback.csat),
            t["trend_csat"],
            series(lambda r: r.feedback.csat),
            percent,
            1.0,
        ),
        _tile(
            "open_cases",
            t["open_cases"],
            count(open_cases),
            t["trend_opened"],
            series(lambda r: r.complaints.opened),
            count,
        ),
        _tile(
            "overdue_cases",
            t["overdue_cases"],
            count(report.complaints.overdue),
            t["trend_overdue"],
            series(lambda r: r.complaints.overdue),
            count,
        ),
    ]


def today(request: Request) -> Page:
    services, locale = request.services, request.locale
    t = {**TEXT[locale], **WORDS[locale]}
    now = services.clock.now()
    days = _days(now.date())
    queues = services.queues
    with ThreadPoolExecutor(max_workers=6, thread_name_prefix="console-today") as pool:  # reads side by side
        read = pool.submit(services.aggregates.read, days[0], days[-1])
        newest = pool.submit(alerts_since, None, ALERTS_ON_TODAY, None, services.alerts, services.clock)
        waiting = [
            (key, href, pool.submit(size))
            for key, href, size in (
                ("queue_review", "/console/review", queues.held_orders),
                ("queue_cases", "/console/cases", queues.open_cases),
                ("queue_exceptions", "/console/exceptions", queues.open_exceptions),
                ("queue_returns", "/console/returns", queues.requested_returns),
            )
        ]
        aggregates = list(read.result())
        alerts, _ = newest.result()
        sizes: list[tuple[str, str, QueueSize]] = [(key, href, size.result()) for key, href, size in waiting]
    report = compute_kpis(aggregates, parse_day_range(days[0], days[-1]))
    open_cases = sizes[1][2].count
    rows = [
        {
            "label": t[key],
            "href": f"{href}?lang={locale}",
            "count": size.count,
            "oldest": duration_text(_age(size.oldest_at, now), locale) if size.count else t["empty"],
        }
        for key, href, size in sizes
    ]
    return page(
        "today.html",
        200,
        request.operator,
        locale,
        services,
        "/console/today",
        "today",
        words=WORDS,
        tiles=today_tiles(report, daily_reports(aggregates, days), days, open_cases, t),
        chart=trend_chart([]),
        queues=rows,
        alerts=alerts,
        first_day=days[0],
        last_day=days[-1],
    )


def agents(request: Request) -> Page:
    services, locale = request.services, request.locale
    t = WORDS[locale]
    days = _days(services.clock.now().date())
    aggregates = services.aggregates.read(days[0], days[-1])
    figures = agent_figures((a.family, a.counters) for a in aggregates if days[0] <= a.day <= days[-1])
    holding = services.queues.open_cases_by_assignee(OPEN_CASES_READ)
    open_now: dict[str, int] = defaultdict(int)
    for assignee, count in holding.counts.items():
        open_now[assignee.strip().lower()] += count
    unassigned = open_now.pop("", 0)
    known = {figure.agent for figure in figures}
    rows = [
        {
            "agent": figure.agent,
            "assigned": figure.assigned,
            "resolved": figure.resolved,
            "median": duration_text(figure.median_first_response_seconds, locale),
            "on_time": percent(figure.on_time_rate),
            "open_now": open_now.get(figure.agent, 0),
        }
        for figure in figures
    ]
    rows += [
        {
            "agent": name,
            "assigned": 0,
            "resolved": 0,
            "median": t["empty"],
            "on_time": percent(None),
            "open_now": count,
        }
        for name, count in sorted(open_now.items())
        if name not in known
    ]
    return page(
        "agents.html",
        200,
        request.operator,
        locale,
        services,
        "/console/agents",
        "agents",
        words=WORDS,
        rows=rows,
        unassigned=unassigned,
        partial=None if holding.complete else t["open_cases_partial"].format(limit=OPEN_CASES_READ),
        first_day=days[0],
        last_day=days[-1],
    )


ROUTES = (
    Route("GET", "today", (AGENT,), today),
    Route("GET", "agents", (MANAGER,), agents),
)
