"""Schedules that target functions: ``AWS::Scheduler::Schedule`` and ``AWS::Events::Rule``.

Enabled ``rate(...)`` schedules run on their rate (first run one period after start-up); every
schedule, ``cron(...)`` and disabled ones included, can be run on demand with
:meth:`ScheduleRunner.trigger` (``POST /_local/schedules/{logical_id}``). The event is the
target's ``Input`` when set; otherwise ``{}`` for EventBridge Scheduler and the ``Scheduled
Event`` envelope for an EventBridge rule, as AWS sends them.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from infra.local.functions import FunctionRuntime, InvocationResult
from infra.local.template import ACCOUNT_ID, REGION

_LOG = logging.getLogger("ordertrack.local")
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    logical_id: str
    expression: str
    enabled: bool
    function: FunctionRuntime
    input: str | None
    source_arn: str
    kind: str  # "scheduler" or "rule"

    @property
    def period_s(self) -> float | None:
        match = _RATE.match(self.expression.strip())
        if match is None:
            return None
        return int(match.group(1)) * _UNIT_S[match.group(2).rstrip("s")]

    def event(self) -> Any:
        if self.input is not None:
            return json.loads(self.input)
        if self.kind == "scheduler":
            return {}
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [self.source_arn],
            "detail": {},
        }


class ScheduleRunner:
    def __init__(self, schedules: list[Schedule]) -> None:
        self.schedules = {schedule.logical_id: schedule for schedule in schedules}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for schedule in self.schedules.values():
            period = schedule.period_s
            if not schedule.enabled or period is None:
                _LOG.info("schedule %s (%s) runs on demand only", schedule.logical_id, schedule.expression)
                continue
            thread = threading.Thread(
                target=self._run, args=(schedule, period), name=f"schedule-{schedule.logical_id}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, schedule: Schedule, period: float) -> None:
        while not self._stop.wait(period):
            self.trigger(schedule.logical_id)

    def trigger(self, logical_id: str) -> InvocationResult:
        schedule = self.schedules[logical_id]
        return schedule.function.invoke(schedule.event(), trigger="schedule")

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> None:
        """Wait for a schedule's run in progress to finish (after :meth:`stop`)."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
