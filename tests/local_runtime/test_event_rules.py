"""What runs locally is what deploys, for the domain event bus too: change a rule in `infra/` (its
pattern and its target queue), synthesize, and the local runtime delivers what the changed rule
says, through the changed queue, and `wait_idle` waits for that delivery."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.constructs import stock_alerts

pytestmark = [pytest.mark.e2e, pytest.mark.infra, pytest.mark.xdist_group("infra-synth")]

NARROWED = {"available": [{"numeric": ["<", 3]}]}
"""The changed rule: only stock levels under 3 units reach the watcher."""


@pytest.fixture(scope="module")
def changed_rule_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CDK app with the low-stock watcher's rule narrowed to `NARROWED` and its queue renamed."""
    from infra.app import build_app

    subscribe = stock_alerts.subscribe_to_domain_events

    def narrowed(*args: Any, **kwargs: Any) -> Any:
        return subscribe(*args, **{**kwargs, "logical_id": "ScarceStockQueue", "detail": NARROWED})

    outdir = tmp_path_factory.mktemp("cdk-changed-rule")
    patch = pytest.MonkeyPatch()
    patch.setattr(stock_alerts, "subscribe_to_domain_events", narrowed)
    try:
        build_app(outdir=str(outdir)).synth()
    finally:
        patch.undo()
    return outdir / "Ordertrack.template.json"


def test_the_changed_rule_is_in_the_template(changed_rule_template: Path) -> None:
    resources = json.loads(changed_rule_template.read_text())["Resources"]
    rule = resources["ScarceStockQueueRule"]["Properties"]
    assert rule["EventPattern"]["detail"] == NARROWED
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["ScarceStockQueue", "Arn"]}
    assert "StockLevelChangesQueueRule" not in resources and "StockLevelChangesQueue" not in resources


def test_delivery_follows_the_changed_pattern_and_target(changed_rule_template: Path) -> None:
    from infra.local.stack import LocalStack

    with LocalStack(changed_rule_template, port=0) as stack:
        sns, sqs = stack.client("sns"), stack.client("sqs")
        inbox = sqs.create_queue(QueueName=f"alerts-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(
            TopicArn=stack.physical("OperationsAlerts"),
            Protocol="sqs",
            Endpoint=inbox_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        # Both SKUs are below their thresholds; only the scarce one has fewer than 3 available
        http = requests.Session()
        http.headers["x-api-key"] = stack.api_key
        for sku, on_hand, threshold in (("PLENTY-1", 10, 20), ("SCARCE-1", 2, 5)):
            http.put(
                f"{stack.api_url}/v1/inventory/{sku}",
                json={"on_hand": on_hand, "low_stock_threshold": threshold},
                timeout=10,
            ).raise_for_status()

        stack.wait_idle(60)  # the stream, the dispatcher, the bus, the changed queue and the watcher

        alerts = [
            m["Body"] for m in sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", [])
        ]
        assert stack.physical("ScarceStockQueue", "QueueName") == "ScarceStockQueue"
        watcher_sources = [
            s.queue_arn for s in stack.sqs_sources if s.function.spec.logical_id == "WatchStockLevelsFunction"
        ]

    assert [alert.split(":")[0] for alert in alerts] == ["SKU SCARCE-1"]
    assert watcher_sources == [stack.physical("ScarceStockQueue", "Arn")]
