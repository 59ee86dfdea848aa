"""The OpenAPI document is the contract: schemathesis (pinned in requirements-dev.txt) generates
requests from `/openapi.json` and runs every check against a local stack, once with schema-valid
data only (positive) and once with data the schema forbids (negative). Every phase runs: the
document's own examples, the coverage of each constraint's edges, random fuzzing, and stateful
sequences that follow the links it infers (place an order, then read, pay, cancel and ship it).

The number of examples per operation and the seed are fixed so CI is reproducible and bounded;
`ORDERTRACK_FUZZ_EXAMPLES` and `ORDERTRACK_FUZZ_SEED` change them (e.g. a longer run by hand).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("contract")]

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("ORDERTRACK_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("ORDERTRACK_FUZZ_SEED", "20261202"))
RUN_TIMEOUT_SECONDS = 600


def run_schemathesis(stack: Any, mode: str, report: Path) -> dict[str, Any]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{stack.api_url}/openapi.json",
        "--header",
        f"x-api-key: {stack.api_key}",
        "--checks",
        "all",
        "--mode",
        mode,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, check=False
    )
    if not report.exists():
        raise AssertionError(f"schemathesis wrote no report:\n{completed.stdout}\n{completed.stderr}")
    summary = json.loads(report.read_text())
    summary["output"] = completed.stdout
    return summary


def failures_section(output: str, limit: int = 60_000) -> str:
    """The CLI's ERRORS and FAILURES sections (each failing operation with its curl), not only the
    summary."""
    found = [index for index in (output.find("ERRORS"), output.find("FAILURES")) if index >= 0]
    start = min(found) if found else 0
    return output[start - 40 if start > 40 else 0 :][:limit]


def describe(mode: str, summary: dict[str, Any]) -> str:
    operations, cases = summary["operations"], summary["test_cases"]
    failures = sum(failure["count"] for failure in summary["failures"])
    return (
        f"schemathesis {summary['schemathesis_version']} {mode}: {operations['tested']}/{operations['total']} "
        f"operations, {cases['generated']} cases, {failures} failures, {len(summary['errors'])} errors, "
        f"{summary['running_time']:.1f} s (seed {summary['seed']}, {EXAMPLES} examples per operation)"
    )


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_every_generated_request_gets_a_documented_answer(
    contract_stack: Any, mode: str, tmp_path: Path
) -> None:
    summary = run_schemathesis(contract_stack, mode, tmp_path / f"{mode}.json")
    line = describe(mode, summary)
    print(line)

    assert summary["complete"], summary["output"][-4000:]
    assert summary["operations"]["tested"] == summary["operations"]["total"] > 0, line
    assert summary["test_cases"]["generated"] >= summary["operations"]["total"], line
    assert not summary["errors"], failures_section(summary["output"])
    assert not summary["failures"], failures_section(summary["output"])
    assert summary["exit_code"] == 0, summary["output"][-4000:]
