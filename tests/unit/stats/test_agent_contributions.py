"""KPIs by agent: what a case's changes add per assignee, and the figures read back from them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stats.domain.agent_contributions import AGENTS, agent_figures, agent_label
from stats.domain.contributions import contribution_of
from stats.domain.histogram import bucket_name, bucket_of
from tests.fakes.stats import complaint_image

OBSERVED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
OPENED = "2026-11-24T11:00:00.000Z"
DUE = "2026-11-25T11:00:00.000Z"


def agents(old: Any, new: Any) -> dict[str, dict[str, int]]:
    counted = contribution_of(old, new, OBSERVED).compacted()
    return {day: counters for (day, family), counters in counted.items() if family == AGENTS}


def case(status: str = "open", assignee: str | None = None, **changes: Any) -> dict[str, Any]:
    image = complaint_image("c1", status, opened_at=OPENED, updated_at=changes.pop("updated_at", None))
    image["due_at"] = DUE
    if assignee:
        image["assignee"] = assignee
    return {**image, **changes}


def test_an_assignment_counts_for_the_new_agent_on_its_day() -> None:
    # Given an unassigned open case, then assigned to Agent@Local, then reassigned to lin
    opened = case()
    assigned = case("in_progress", "Agent@Local", updated_at="2026-11-24T12:00:00Z")
    moved = case("in_progress", "lin", updated_at="2026-11-25T09:00:00Z")
    # Then each assignment counts once, for the agent it went to (lowercased), on its day
    assert agents(None, opened) == {}
    assert agents(opened, assigned) == {"2026-11-24": {"agent@local#assigned": 1}}
    assert agents(assigned, moved) == {"2026-11-25": {"lin#assigned": 1}}
    # and a change that keeps the assignee assigns nothing
    assert agents(moved, {**moved, "updated_at": "2026-11-25T10:00:00Z"}) == {}


def test_a_first_response_in_time_and_the_resolution_count_for_the_assignee() -> None:
    # Given a case assigned to lin, answered two hours after it opened (before its due time)
    assigned = case("in_progress", "lin", updated_at="2026-11-24T11:30:00Z")
    answered = {**assigned, "first_response_at": "2026-11-24T13:00:00Z", "updated_at": "2026-11-24T13:00:00Z"}
    resolved = {**answered, "status": "resolved", "resolved_at": "2026-11-26T08:00:00Z"}
    # Then the response counts its time and an on-time deadline; the resolution counts on its day
    assert agents(assigned, answered) == {
        "2026-11-24": {
            f"lin#first_response#{bucket_name(bucket_of(7200))}": 1,
            "lin#first_response#count": 1,
            "lin#response_due": 1,
            "lin#responded_on_time": 1,
        }
    }
    assert agents(answered, resolved) == {"2026-11-26": {"lin#resolved": 1}}


def test_a_case_flagged_overdue_without_an_answer_is_late_for_its_assignee() -> None:
    assigned = case("in_progress", "lin", updated_at="2026-11-24T11:30:00Z")
    flagged = {**assigned, "overdue": True, "updated_at": "2026-11-25T12:00:00Z"}
    assert agents(assigned, flagged) == {"2026-11-25": {"lin#response_due": 1}}


def test_unassigned_cases_count_for_nobody_and_odd_names_are_unspecified() -> None:
    answered = {**case("resolved"), "resolved_at": "2026-11-24T13:00:00Z"}
    assert agents(None, answered) == {}
    assert agent_label("  ") is None
    assert agent_label("a b#c") == "unspecified"
    assert agent_label("Manager@Local") == "manager@local"


def test_figures_by_agent_add_the_days_up_with_a_median_and_an_on_time_share() -> None:
    # Given two days of counters for lin (three answers: 1 h, 2 h, 10 h) and one day for wu
    day_1 = {
        "lin#assigned": 2,
        f"lin#first_response#{bucket_name(bucket_of(3600))}": 1,
        f"lin#first_response#{bucket_name(bucket_of(7200))}": 1,
        "lin#first_response#count": 2,
        "lin#response_due": 2,
        "lin#responded_on_time": 2,
    }
    day_2 = {
        "lin#assigned": 1,
        "lin#resolved": 3,
        f"lin#first_response#{bucket_name(bucket_of(36000))}": 1,
        "lin#first_response#count": 1,
        "lin#response_due": 2,
        "lin#responded_on_time": 1,
        "wu#assigned": 1,
    }
    figures = agent_figures([(AGENTS, day_1), ("COMPLAINTS", {"opened": 9}), (AGENTS, day_2)])
    # Then each agent's totals, the median within a bucket of 2 h, and the on-time share 3/4
    lin, wu = figures
    assert (lin.agent, lin.assigned, lin.resolved, lin.first_responses) == ("lin", 3, 3, 3)
    assert lin.median_first_response_seconds is not None
    assert abs(lin.median_first_response_seconds - 7200) / 7200 < 0.05
    assert (lin.response_due, lin.responded_on_time, lin.on_time_rate) == (4, 3, 0.75)
    assert (wu.agent, wu.assigned, wu.median_first_response_seconds, wu.on_time_rate) == ("wu", 1, None, None)
