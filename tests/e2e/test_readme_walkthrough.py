"""The README's walkthrough, run as written: its ```bash blocks between the walkthrough markers run in
one bash session (``set -euo pipefail``) against the e2e local stack, with nothing substituted but
the values of ``API`` and ``KEY``; ``make webhook`` and ``make links`` find the stack through its
endpoints file. Every block must succeed and the key answers must be right, so the README cannot
drift from the product."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront
from tests.terminal import REPO_ROOT, terminal_environment

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
README = REPO_ROOT / "README.md"
START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"
DONE = "::walkthrough-block-done::"
VARIABLE = "::walkthrough-variable::"
TIMEOUT_S = 420


def walkthrough_blocks(markdown: str) -> list[str]:
    """The ```bash blocks between the walkthrough's start and end markers, in order."""
    assert markdown.count(START) == 1 and markdown.count(END) == 1, "the README has one walkthrough"
    section = markdown.split(START, 1)[1].split(END, 1)[0]
    assert section.count("```") % 2 == 0, "every code block of the walkthrough is closed"
    return re.findall(r"^```bash\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)


def with_stack(blocks: list[str], api: str, key: str) -> list[str]:
    """The blocks with the values of `API=` and `KEY=` replaced, and nothing else."""
    replaced = []
    counts = {"API": 0, "KEY": 0}
    for block in blocks:
        for name, value in (("API", api), ("KEY", key)):
            block, count = re.subn(rf"^{name}=\S+$", f"{name}={value}", block, flags=re.MULTILINE)
            counts[name] += count
        replaced.append(block)
    assert counts == {"API": 1, "KEY": 1}, f"API and KEY are each defined once, first: {counts}"
    return replaced


def assigned_names(blocks: list[str]) -> list[str]:
    return sorted({name for block in blocks for name in re.findall(r"^\s*([A-Z][A-Z0-9_]*)=", block, re.M)})


def run_walkthrough(blocks: list[str], endpoints_file: Path) -> tuple[int, list[str], dict[str, str]]:
    """Run the blocks in one bash session; returns the exit code, each block's output, the variables."""
    script = ["set -euo pipefail"]
    for block in blocks:
        script += [block, f"echo '{DONE}'"]
    script += [f'printf "{VARIABLE}%s=%s\\n" {name} "${{{name}-}}"' for name in assigned_names(blocks)]
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=REPO_ROOT,
        env=terminal_environment(endpoints_file),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    outputs = result.stdout.split(f"{DONE}\n")
    variables = dict(
        line.removeprefix(VARIABLE).split("=", 1)
        for line in outputs[-1].splitlines()
        if line.startswith(VARIABLE)
    )
    failed = result.returncode != 0
    assert not failed, (
        f"walkthrough block {len(outputs)} of {len(blocks)} failed (exit {result.returncode}):\n"
        f"{blocks[len(outputs) - 1] if len(outputs) <= len(blocks) else ''}\n--- output:\n{outputs[-1]}\n"
        f"--- stderr:\n{result.stderr}"
    )
    return result.returncode, outputs[:-1], variables


def output_of(outputs: list[str], blocks: list[str], command: str) -> str:
    """The output of the block that runs ``command``."""
    [index] = [i for i, block in enumerate(blocks) if command in block]
    return outputs[index]


def test_the_readme_walkthrough_runs_as_written(stack: Any, storefront: Storefront, tmp_path: Path) -> None:
    from infra.local.stack import write_endpoints_file

    for tool in ("bash", "curl", "jq", "make"):
        assert shutil.which(tool), f"the README walkthrough needs {tool} (Debian: apt-get install {tool})"
    readme = README.read_text(encoding="utf-8")
    blocks = with_stack(walkthrough_blocks(readme), stack.api_url, stack.api_key)
    assert not [line for block in blocks for line in block.splitlines() if re.match(r"\s*open\s", line)]
    assert "$(date -u +%F)" in "".join(blocks), "the walkthrough dates its queries from today"

    # When every block runs, in order, in one shell
    code, outputs, variables = run_walkthrough(
        blocks, write_endpoints_file(stack, tmp_path / "endpoints.json")
    )

    # Then each succeeded, and the ids they captured are the product's
    assert code == 0 and len(outputs) == len(blocks)
    order_id = variables["ORDER"]
    assert re.fullmatch(r"ord_[a-z0-9]+", order_id), variables
    placing = output_of(outputs, blocks, "Idempotency-Key: $CHECKOUT")
    assert f"order {order_id}" in placing
    assert json.loads(placing.strip().splitlines()[-1])["order_id"] == order_id  # the retry: the same order

    order = storefront.order(order_id)
    assert (order["order_number"], order["status"]) == ("10001", "delivered")
    assert [item["name"] for item in order["items"]] == ["铁观音乌龙茶 250 克"]
    assert {s["tracking_number"]: s["purpose"] for s in order["shipments"]} == {
        variables["TRACKING"]: "order",
        variables["REPLACEMENT_TRACKING"]: "replacement",
    }
    # the carrier's scans are on the timeline at their (re-dated) times: the last a minute before the post
    now = datetime.now(UTC)
    first_parcel = [  # the replacement's scans come later in the walkthrough, re-dated on their own
        entry
        for entry in order["timeline"]
        if entry["by"] == "carrier:kuaidi100"
        and entry["details"].get("tracking_number") == variables["TRACKING"]
    ]
    scans = [datetime.fromisoformat(entry["at"].replace("Z", "+00:00")) for entry in first_parcel]
    assert len(scans) >= 3 and scans == sorted(scans)
    assert now - timedelta(minutes=15) < scans[-1] <= now
    delivered_move = next(
        e for e in order["timeline"] if e["status"] == "delivered" and not e["by"].startswith("carrier:")
    )
    assert f"  {delivered_move['at']}  delivered  " in output_of(outputs, blocks, 'TRACKING="$TRACKING"')

    notifications = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/notifications", timeout=10)
    sent = {
        (n["event_type"], n["channel"])
        for n in notifications.json()["notifications"]
        if n["status"] == "sent"
    }
    assert {("order.delivered", "email"), ("order.delivered", "sms")} <= sent

    links = output_of(outputs, blocks, "make links")
    assert "tracking page: 200 text/html" in links and "survey page: 200 text/html" in links
    printed = dict(re.findall(r"^(tracking|survey|preferences) +(http\S+)$", links, flags=re.MULTILINE))
    assert printed["tracking"] == variables["TRACKING_PAGE"]
    assert f"open in a browser: {variables['TRACKING_PAGE']}" in links
    if _has_route(stack, "GET /unsubscribe/"):
        assert requests.get(printed["preferences"], timeout=10).status_code == 200

    case = storefront.http.get(f"{storefront.url}/v1/complaints/{variables['CASE']}", timeout=10).json()
    assert (case["order_id"], case["category"], case["status"], case["assignee"]) == (
        order_id,
        "damage",
        "resolved",
        "ops-lin",
    )
    assert [e["type"] for e in case["timeline"]] == ["opened", "assigned", "reply", "resolved"]
    order = storefront.order(order_id)
    [reshipment] = order["reshipments"]
    assert (reshipment["reason"], reshipment["status"], reshipment["lines"]) == (
        "case",
        "shipped",
        [{"sku": "TEA-OOLONG-250G", "quantity": 1}],
    )
    replacement = [s for s in order["shipments"] if s["tracking_number"] == variables["REPLACEMENT_TRACKING"]]
    assert [(s["purpose"], s["status"]) for s in replacement] == [("replacement", "delivered")]
    [returned] = storefront.http.get(f"{storefront.url}/v1/orders/{order_id}/returns", timeout=10).json()[
        "returns"
    ]
    assert (returned["return_id"], returned["status"], returned["reason_code"]) == (
        variables["RETURN"],
        "approved",
        "changed_mind",
    )
    assert returned["refund"] == {"amount": "88.00", "currency": "CNY"}

    kpis = json.loads(output_of(outputs, blocks, "/v1/stats").strip().splitlines()[-1])
    assert kpis["orders"] >= 1
    # the aggregates trail by the KPI reader's batching window: wait for the messages just sent
    now = datetime.now(UTC)
    # `make webhook` dates the delivery a minute ago: just after midnight, that is yesterday
    days = {"from": (now - timedelta(minutes=2)).date().isoformat(), "to": now.date().isoformat()}
    deadline = time.monotonic() + 60
    while True:
        stats = storefront.http.get(f"{storefront.url}/v1/stats", params=days, timeout=10).json()
        counted = (stats["delivery"].get("delivered", 0), stats["notifications"]["sent"].get("sms", 0))
        if min(counted) >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # polling the API with a deadline, not waiting a fixed time
    assert min(counted) >= 1, stats


def _has_route(stack: Any, prefix: str) -> bool:
    """Whether the template declares a route whose key starts with ``prefix``."""
    resources = stack.template.document.get("Resources", {}).values()
    return any(
        str(r.get("Properties", {}).get("RouteKey", "")).startswith(prefix)
        for r in resources
        if r.get("Type") == "AWS::ApiGatewayV2::Route"
    )
