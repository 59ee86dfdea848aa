"""Today's tiles with their 30-day charts, the work queues with their oldest item's age, and the
managers' KPIs by agent, with fakes and a frozen clock (2026-11-24 10:00 UTC)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from console.ports import ConsoleServices
from console.rendering import trend_chart
from console.today_ports import OpenCasesByAssignee, QueueSize
from console.views.today import duration_text
from stats.domain.agent_contributions import AGENTS
from stats.domain.case_contributions import COMPLAINTS
from stats.domain.contributions import FEEDBACK, ORDERS, SHIPMENTS
from tests.fakes.orders import FrozenClock
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import request

TODAY = "2026-11-24"
YESTERDAY = "2026-11-23"
FIRST_DAY = "2026-10-26"  # 30 days ending today


@dataclass
class FakeQueues:
    sizes: dict[str, QueueSize] = field(default_factory=dict)
    holders: dict[str, int] = field(default_factory=dict)
    complete: bool = True
    limits: list[int] = field(default_factory=list)

    def held_orders(self) -> QueueSize:
        return self.sizes.get("review", QueueSize(0))

    def open_cases(self) -> QueueSize:
        return self.sizes.get("cases", QueueSize(0))

    def open_exceptions(self) -> QueueSize:
        return self.sizes.get("exceptions", QueueSize(0))

    def requested_returns(self) -> QueueSize:
        return self.sizes.get("returns", QueueSize(0))

    def open_cases_by_assignee(self, limit: int) -> OpenCasesByAssignee:
        self.limits.append(limit)
        return OpenCasesByAssignee(dict(self.holders), self.complete)


def manager(clock: FrozenClock) -> str:
    return mint(
        clock, sub="sub-manager", **{"cognito:groups": ["manager"], "cognito:username": "manager@local"}
    )


def chart(body: str, key: str) -> str:
    found = re.search(rf'<svg[^>]*data-chart="{key}".*?</svg>', body, re.S)
    assert found, key
    return found.group(0)


def heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]


def test_today_shows_six_tiles_each_with_a_30_day_chart_of_its_own_figure(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    # Given 10 orders yesterday and 5 today, 3 of 4 promised deliveries on time today, 1 exception
    # in 10 shipments, 4 satisfied of 5 answers, 2 cases opened and 1 gone overdue, 3 cases open now
    aggregates = services.aggregates.items  # type: ignore[attr-defined]
    aggregates[(YESTERDAY, ORDERS)] = {"received": 10}
    aggregates[(TODAY, ORDERS)] = {"received": 5}
    aggregates[(TODAY, SHIPMENTS)] = {"promised": 4, "on_time": 3, "shipped": 10, "exceptions": 1}
    aggregates[(TODAY, FEEDBACK)] = {"responses": 5, "satisfied": 4}
    aggregates[(TODAY, COMPLAINTS)] = {"opened": 2, "overdue": 1}
    aggregates[("2026-10-25", ORDERS)] = {"received": 99}  # 31 days ago: outside the range
    services.queues = FakeQueues({"cases": QueueSize(3, "2026-11-24T07:00:00Z")})

    # When an agent opens Today in English
    body = request(services, "GET", "/console/today?lang=en", token=mint(clock))["body"]

    # Then the tiles show the 30 days' figures and the open cases now
    tiles = dict(re.findall(r'<span class="label">([^<]+)</span><span class="value">([^<]+)</span>', body))
    assert tiles == {
        "Orders": "15",
        "On-time rate": "75.0%",
        "Exception rate": "10.0%",
        "CSAT": "80.0%",
        "Open cases": "3",
        "Overdue cases": "1",
    }
    assert f"({FIRST_DAY} \u2013 {TODAY}, UTC)" in body
    # and each tile has 30 bars, one per day, the highest day as tall as the box allows
    orders = heights(chart(body, "orders"))
    assert len(orders) == 30 and orders[-2] == 76.0 and orders[-1] == 38.0 and sum(orders[:-2]) == 0
    # rates are scaled to 100%: 75% is three quarters of the box; days without a rate have no bar
    on_time = chart(body, "on_time")
    assert heights(on_time)[-1] == 57.0 and sum(heights(on_time)[:-1]) == 0
    assert f"<title>{YESTERDAY}: —</title>" in on_time and f"<title>{TODAY}: 75.0%</title>" in on_time
    assert heights(chart(body, "open_cases"))[-1] == 76.0  # cases opened per day
    # with accessible text: an image with a title naming the figure, the range and its maximum
    assert (
        'role="img"' in on_time
        and "On-time rate, on-time rate per day: 2026-10-26 \u2013 2026-11-24, max 100.0%" in on_time
    )
    assert body.count("<details>") == 6 and "<td>2026-11-23</td><td>10</td>" in body


def test_the_work_queues_show_their_counts_and_the_age_of_their_oldest_item(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    # Given held orders waiting since 2 days 3 hours ago and requested returns for 45 minutes
    services.queues = FakeQueues(
        {
            "review": QueueSize(4, "2026-11-22T07:00:00.000Z"),
            "cases": QueueSize(2, "2026-11-24T06:30:00+00:00"),
            "returns": QueueSize(1, "2026-11-24T09:15:00Z"),
        }
    )
    # When an agent opens Today
    body = request(services, "GET", "/console/today?lang=en", token=mint(clock))["body"]
    rows = re.findall(
        r'<a href="([^"]+)">([^<]+)</a></th><td data-queue-count>(\d+)</td><td>([^<]+)</td>', body
    )
    # Then each queue links to its page with its count and its oldest item's age
    assert rows == [
        ("/console/review?lang=en", "Orders to review", "4", "2 d 3 h"),
        ("/console/cases?lang=en", "Open cases", "2", "3 h 30 min"),
        ("/console/exceptions?lang=en", "Open delivery exceptions", "0", "—"),
        ("/console/returns?lang=en", "Returns to decide", "1", "45 min"),
    ]
    # and in Chinese too
    zh = request(services, "GET", "/console/today?lang=zh-CN", token=mint(clock))["body"]
    assert "待审核订单" in zh and "2 天 3 小时" in zh and "45 分钟" in zh


def test_kpis_by_agent_are_for_managers_only(services: ConsoleServices, clock: FrozenClock) -> None:
    # Given lin's counters over two days and wu's, and open cases held by lin, chen and nobody
    aggregates = services.aggregates.items  # type: ignore[attr-defined]
    aggregates[(YESTERDAY, AGENTS)] = {
        "lin#assigned": 3,
        "lin#first_response#b100": 2,  # 2^(100.5/8) s ≈ 1 h 40 min
        "lin#first_response#count": 2,
        "lin#response_due": 2,
        "lin#responded_on_time": 1,
    }
    aggregates[(TODAY, AGENTS)] = {"lin#resolved": 2, "wu#assigned": 1}
    aggregates[("2026-10-01", AGENTS)] = {"old#assigned": 5}  # before the 30 days
    queues = FakeQueues(holders={"lin": 1, "Chen": 2, "": 4})
    services.queues = queues

    # When an agent asks for the page, it is refused; a manager gets it
    assert request(services, "GET", "/console/agents", token=mint(clock))["statusCode"] == 403
    response = request(services, "GET", "/console/agents?lang=en", token=manager(clock))
    assert response["statusCode"] == 200
    body = response["body"]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td data-label="[^"]+">[^<]*</td>)+)</tr>', body)
    table = {agent: re.findall(r"<td[^>]*>([^<]*)</td>", cells) for agent, cells in rows}
    # Then each agent's 30 days: assigned, resolved, median first response, on-time share, open now
    assert table == {
        "lin": ["3", "2", "1 h 40 min", "50.0%", "1"],
        "wu": ["1", "0", "—", "—", "0"],
        "chen": ["0", "0", "—", "—", "2"],
    }
    assert "Open cases without an assignee: <strong>4</strong>" in body
    assert queues.limits == [1000] and "Only the first" not in body
    # and the manager's navigation links to it (an agent's does not)
    assert 'href="/console/agents?lang=en"' in body
    today = request(services, "GET", "/console/today?lang=en", token=mint(clock))["body"]
    assert "/console/agents" not in today


def test_kpis_by_agent_say_when_only_part_of_the_open_cases_was_counted(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    services.queues = FakeQueues(holders={"lin": 1000}, complete=False)
    body = request(services, "GET", "/console/agents?lang=zh-CN", token=manager(clock))["body"]
    assert "仅统计了前 1000 个未结工单" in body and ">1000</td>" in body


def test_durations_read_in_two_units_in_both_languages() -> None:
    assert duration_text(None, "en") == "—"
    assert duration_text(59, "en") == "0 min"
    assert duration_text(3600 + 120, "en") == "1 h 2 min"
    assert duration_text(86400 * 3 + 3600 * 5 + 59, "zh-CN") == "3 天 5 小时"


def test_a_chart_without_data_has_flat_bars_and_a_ceiling_caps_the_scale() -> None:
    empty = trend_chart([("2026-11-23", 0), ("2026-11-24", None)], width=100, height=50)
    assert [bar.height for bar in empty.bars] == [0.0, 0.0] and empty.peak == 0
    capped = trend_chart([("d1", 0.5), ("d2", 1.0)], width=100, height=54, ceiling=1.0)
    assert [bar.height for bar in capped.bars] == [25.0, 50.0]
    assert [bar.x for bar in capped.bars] == [1.0, 51.0] and capped.bar_width == 48.0
