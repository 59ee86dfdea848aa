"""The soak, small: a few whole journeys under high fault rates, then settle, redrive, and prove
that nothing was lost or doubled (`make soak` runs the full one: 100 journeys, the default mix).

Crashes here are of the functions whose event source redelivers at once (the storefront, retried
by its client; the dispatcher and the KPI reader, whose stream batch is retried): a crashed SQS
worker's batch comes back only after its queue's visibility timeout (three minutes), which the
full soak waits out and `tests/local_runtime/test_function_crash.py` proves on a short queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.soak import SOAK_WINDOWS, fault_mix, report_lines, soak

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("soak")]

HIGH_FAULTS = fault_mix(
    0.25,
    0.1,
    0.2,
    {"StorefrontApiFunction": 0.1, "DispatchOrderChangesFunction": 0.1, "MaintainKpiAggregatesFunction": 0.2},
    0.3,
)


@pytest.fixture(scope="module")
def faulty_stack() -> Iterator[Any]:
    from infra.local.stack import LocalStack
    from infra.synth import ensure_synthesized

    env = {**SOAK_WINDOWS, "ORDERTRACK_RETRY_BASE_SECONDS": "1", "ORDERTRACK_LOCAL_FAULTS_SEED": "7"}
    with LocalStack(ensure_synthesized(), port=0, env=env) as local:
        yield local


def test_a_few_journeys_under_heavy_faults_lose_nothing_and_double_nothing(faulty_stack: Any) -> None:
    figures = soak(faulty_stack, journeys=6, faults=HIGH_FAULTS, timeout=360)
    report = "\n".join(report_lines(figures))
    print(report)  # shown with -s, and in the report of a failure

    assert figures["losses"] == [], report
    assert figures["duplicates"] == [], report
    # the faults did happen, of several kinds, and the journeys still ended as they should
    kinds = {name.split("=")[1] for name in figures["injected"]}
    assert {"throttle", "5xx"} <= kinds, report
    assert sum(figures["injected"].values()) >= 20, report
    assert figures["delivered"] >= 4 and figures["messages_sent"] >= 6 * figures["delivered"], report
