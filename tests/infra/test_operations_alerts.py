"""Alarms reach people: the OperationsAlerts topic has its own key that CloudWatch may use, a topic
policy that lets this account's alarms publish, publishers with grant_publish, email subscriptions
from the stage config, and a deployable stage cannot synthesize without them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import REPO_ROOT, SYNTH_GROUP, SynthesizedApp, statement_actions

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

TOPIC = {"Ref": "OperationsAlerts"}
KEY_ARN = {"Fn::GetAtt": ["OperationsAlertsKey", "Arn"]}
ALERT_PUBLISHERS = ("WatchStockLevels", "FlagDelayedShipments", "RegisterTracking", "FlagOverdueComplaints")
THIS_ACCOUNTS_ALARMS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnLike": {
        "aws:SourceArn": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":cloudwatch:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    ":alarm:*",
                ],
            ]
        }
    },
}


def _cloudwatch_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in statements if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]


def test_the_topic_is_encrypted_with_its_own_rotated_key(synthesized: SynthesizedApp) -> None:
    assert synthesized.props("OperationsAlerts")["KmsMasterKeyId"] == KEY_ARN
    key = synthesized.props("OperationsAlertsKey")
    assert key["EnableKeyRotation"] is True
    assert synthesized.resources["OperationsAlertsKey"]["Type"] == "AWS::KMS::Key"


def test_the_key_policy_lets_this_accounts_alarms_encrypt_alerts(synthesized: SynthesizedApp) -> None:
    statements = synthesized.props("OperationsAlertsKey")["KeyPolicy"]["Statement"]

    [cloudwatch] = _cloudwatch_statements(statements)

    # Amazon SNS: an AWS service publishing to an encrypted topic needs these two on its key
    assert cloudwatch["Effect"] == "Allow"
    assert statement_actions(cloudwatch) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert cloudwatch["Resource"] == "*"  # in a key policy: this key
    assert cloudwatch["Condition"] == THIS_ACCOUNTS_ALARMS
    # and no other service principal (SES publishes nothing to this topic)
    services = {s["Principal"]["Service"] for s in statements if "Service" in s.get("Principal", {})}
    assert services == {"cloudwatch.amazonaws.com"}


def test_the_topic_policy_lets_this_accounts_alarms_publish_over_tls_only(
    synthesized: SynthesizedApp,
) -> None:
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synthesized.of_type("AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [TOPIC]
    ]

    [cloudwatch] = _cloudwatch_statements(policy)
    assert cloudwatch["Effect"] == "Allow" and statement_actions(cloudwatch) == {"sns:Publish"}
    assert cloudwatch["Resource"] == TOPIC
    assert cloudwatch["Condition"] == THIS_ACCOUNTS_ALARMS
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy
    )


def test_alert_publishers_publish_to_the_topic_and_use_its_key_only(synthesized: SynthesizedApp) -> None:
    for publisher in ALERT_PUBLISHERS:
        statements = synthesized.role_statements(f"{publisher}Role")
        publishes = [s for s in statements if "sns:Publish" in statement_actions(s)]
        assert [s["Resource"] for s in publishes] == [TOPIC], publisher
        uses_key = [s for s in statements if any(a.startswith("kms:") for a in statement_actions(s))]
        assert [(statement_actions(s), s["Resource"]) for s in uses_key] == [
            ({"kms:Decrypt", "kms:GenerateDataKey*"}, KEY_ARN)
        ], publisher


def test_nothing_else_may_use_the_alerts_key(synthesized: SynthesizedApp) -> None:
    users = {
        role["Ref"]
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Resource"] == KEY_ARN
        or KEY_ARN in (statement["Resource"] if isinstance(statement["Resource"], list) else [])
        for role in policy["Properties"]["Roles"]
    }
    assert users == {f"{publisher}Role" for publisher in ALERT_PUBLISHERS}


def test_every_alarm_pages_the_operations_topic(synthesized: SynthesizedApp) -> None:
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm")
    assert alarms
    assert {k for k, a in alarms.items() if a["Properties"].get("AlarmActions") != [TOPIC]} == set()


# --- Stage settings ------------------------------------------------------------------------------


def test_operations_emails_become_email_subscriptions(tmp_path: Path) -> None:
    from aws_cdk.assertions import Template

    from infra.app import build_app
    from infra.config import StageConfig

    addresses = ["oncall@shop.example", "owner@shop.example"]
    config = StageConfig(
        stage="prod",
        sender_email="orders@shop.example",
        operations_emails=addresses,
        brand={"shop_name": {"en": "Acme"}},
    )
    app = build_app(config=config, outdir=str(tmp_path))
    template = Template.from_stack(app.node.find_child("Ordertrack")).to_json()

    emails = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::SNS::Subscription" and r["Properties"]["Protocol"] == "email"
    ]
    assert sorted((e["Endpoint"], json.dumps(e["TopicArn"])) for e in emails) == [
        (address, json.dumps(TOPIC)) for address in addresses
    ]
    sender = template["Resources"]["SendNotificationsFunction"]["Properties"]["Environment"]["Variables"]
    assert sender["SENDER_EMAIL"] == "orders@shop.example"


def test_prod_from_cdk_json_does_not_synthesize_until_its_addresses_are_set(tmp_path: Path) -> None:
    # `cdk synth -c stage=prod` with cdk.json as shipped: the CLI runs the app with this context
    environment = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"stage": "prod"}),
        "CDK_OUTDIR": str(tmp_path),
    }

    result = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode != 0
    assert "stage 'prod' cannot be deployed yet" in result.stderr
    assert "context.stages.prod.sender_email" in result.stderr
    assert "context.stages.prod.operations_emails" in result.stderr
    assert "context.stages.prod.brand.shop_name" in result.stderr
    assert not (tmp_path / "Ordertrack.template.json").exists()
