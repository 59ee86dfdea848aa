"""Per-agent case figures (the console's KPIs by agent, docs/console.md): one `AGENTS` aggregate per
day, its counters named `<assignee>#<what>`:

- `assigned`: the case got this assignee (a new case with one, or an assignment to another agent),
  on the day of the change (`updated_at`);
- `resolved`: the case moved into `resolved` while assigned to this agent, on `resolved_at`'s day;
- `response_due` / `responded_on_time`: the case's response deadline was decided (exactly when
  `stats.domain.case_contributions` counts it for the whole team) while assigned to this agent;
- `first_response#bNNN`, `first_response#count`: the histogram of the time from `opened_at` to the
  first response, on that response's day (the median comes from these buckets, as the team's does).

Unassigned cases count for nobody here (the team's figures have them). An assignee is an operator's
username, lowercased; one that does not fit a counter name counts as `unspecified`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stats.domain.contribution_parts import UNSPECIFIED, Contribution
from stats.domain.histogram import BUCKET_PREFIX, bucket_name, bucket_of, buckets_from_counters, percentile

AGENTS = "AGENTS"
FIRST_RESPONSE = "first_response"
_AGENT = re.compile(r"^[a-z0-9][a-z0-9_.:@+-]{0,63}$")


def agent_label(value: Any) -> str | None:
    """The counter-name part of an assignee; None for an unassigned case."""
    text = str(value or "").strip().lower()
    if not text:
        return None
    return text if _AGENT.match(text) else UNSPECIFIED


def assignee_of(image: Mapping[str, Any] | None) -> str | None:
    return agent_label((image or {}).get("assignee"))


def count_for_agent(image: Mapping[str, Any] | None, day: str, what: str, out: Contribution) -> None:
    agent = assignee_of(image)
    if agent is not None:
        out.add(day, AGENTS, f"{agent}#{what}")


def first_response_for_agent(
    image: Mapping[str, Any] | None, day: str, seconds: float, out: Contribution
) -> None:
    agent = assignee_of(image)
    if agent is not None:
        out.add(day, AGENTS, f"{agent}#{FIRST_RESPONSE}#{bucket_name(bucket_of(max(0.0, seconds)))}")
        out.add(day, AGENTS, f"{agent}#{FIRST_RESPONSE}#count")


def assignment(old: Mapping[str, Any] | None, new: Mapping[str, Any], day: str, out: Contribution) -> None:
    agent = assignee_of(new)
    if agent is not None and agent != assignee_of(old):
        out.add(day, AGENTS, f"{agent}#assigned")


@dataclass(frozen=True)
class AgentFigures:
    agent: str
    assigned: int
    resolved: int
    first_responses: int
    median_first_response_seconds: float | None
    response_due: int
    responded_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return round(self.responded_on_time / self.response_due, 4) if self.response_due else None


def agent_figures(totals: Iterable[tuple[str, Mapping[str, int]]]) -> list[AgentFigures]:
    """Each agent's figures from `AGENTS` counters (pairs of family and counters, any days), by name."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for family, counters in totals:
        if family != AGENTS:
            continue
        for name, value in counters.items():
            agent, separator, what = name.partition("#")
            if separator:
                counts[agent][what] += int(value)
    figures = []
    for agent in sorted(counts):
        values = counts[agent]
        prefix = f"{FIRST_RESPONSE}#"
        histogram = {
            name.removeprefix(prefix): value
            for name, value in values.items()
            if name.startswith(prefix + BUCKET_PREFIX)
        }
        median = percentile(buckets_from_counters(histogram), 0.5)
        figures.append(
            AgentFigures(
                agent=agent,
                assigned=values.get("assigned", 0),
                resolved=values.get("resolved", 0),
                first_responses=values.get(f"{FIRST_RESPONSE}#count", 0),
                median_first_response_seconds=round(median, 1) if median is not None else None,
                response_due=values.get("response_due", 0),
                responded_on_time=values.get("responded_on_time", 0),
            )
        )
    return figures
