"""What runs locally is what deploys: change the CDK app, and the local runtime follows."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.config import QueueConsumerSettings, StageConfig
from infra.constructs import storefront_api

pytestmark = [pytest.mark.e2e, pytest.mark.infra, pytest.mark.xdist_group("infra-synth")]


class InvocationLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def batch_sizes(self, function: str) -> list[int]:
        pattern = re.compile(rf"function={function} trigger=sqs batch=(\d+)")
        return [int(match.group(1)) for line in self.lines if (match := pattern.search(line))]


@pytest.fixture(scope="module")
def changed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CDK app with a smaller reservation batch size, a route moved to a new path and no
    `$default` route."""
    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk-changed")
    patch = pytest.MonkeyPatch()
    routes = tuple(
        storefront_api.ApiRoute(route.method, "/v1/stock/{sku}")
        if route.path == "/v1/inventory/{sku}" and route.method == "GET"
        else route
        for route in storefront_api.STOREFRONT_ROUTES
    )
    patch.setattr(storefront_api, "STOREFRONT_ROUTES", routes)
    try:
        config = StageConfig(stock_reservation=QueueConsumerSettings(batch_size=3))
        build_app(config=config, outdir=str(outdir)).synth()
    finally:
        patch.undo()
    # and without the `$default` route, so a request no route matches meets the gateway itself
    path = outdir / "Ordertrack.template.json"
    template = json.loads(path.read_text())
    template["Resources"] = {
        name: resource
        for name, resource in template["Resources"].items()
        if not (
            resource["Type"] == "AWS::ApiGatewayV2::Route"
            and resource["Properties"].get("RouteKey") == "$default"
        )
    }
    path.write_text(json.dumps(template))
    return path


def test_batch_size_and_routes_come_from_the_template(changed_template: Path) -> None:
    from infra.local.stack import LocalStack

    template = json.loads(changed_template.read_text())
    mappings = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert 3 in [m.get("BatchSize") for m in mappings]

    from infra.local.functions import configure_runtime_log

    capture = InvocationLines()
    runtime_log = configure_runtime_log()
    runtime_log.addHandler(capture)
    try:
        with LocalStack(changed_template, port=0) as stack:
            headers = {"x-api-key": stack.api_key}
            moved = requests.get(f"{stack.api_url}/v1/stock/ANY-SKU", headers=headers, timeout=10)
            old = requests.get(f"{stack.api_url}/v1/inventory/ANY-SKU", headers=headers, timeout=10)
            messages = [
                {
                    "Id": str(n),
                    "MessageBody": json.dumps(
                        {
                            "event_id": f"ord_x{n}:v1",
                            "event_type": "order.received",
                            "order_id": f"ord_x{n}",
                            "status": "received",
                            "occurred_at": "2026-11-24T00:00:00.000Z",
                        }
                    ),
                }
                for n in range(7)
            ]
            stack.client("sqs").send_message_batch(
                QueueUrl=stack.physical("ReservationQueue"), Entries=messages
            )
            stack.wait_idle(60)
    finally:
        runtime_log.removeHandler(capture)

    # The new route reaches the function (which has no handler for it: its own 404 body) ...
    assert moved.status_code == 404 and moved.json()["error"]["code"] == "route_not_found"
    # ... and the removed one is unknown to the local API Gateway, like it would be on AWS.
    assert old.status_code == 404 and old.json() == {"message": "Not Found"}
    sizes = capture.batch_sizes("ReserveStockFunction")
    assert sum(sizes) == 7 and max(sizes) <= 3 and len(sizes) >= 3, sizes


def test_the_default_template_keeps_the_default_batch_size() -> None:
    from infra.synth import ensure_synthesized

    template = json.loads(Path(ensure_synthesized()).read_text())
    reservation: dict[str, Any] = next(
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and "ReserveStock" in json.dumps(r["Properties"].get("FunctionName"))
    )
    default = StageConfig().stock_reservation
    assert reservation["BatchSize"] == default.batch_size != 3  # not the changed template's size
    assert reservation["MaximumBatchingWindowInSeconds"] == default.batching_window_seconds
