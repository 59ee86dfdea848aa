"""Customer notifications infrastructure: the worker's environment and permissions, and the
suppression feedback path (SES configuration set and two-way SMS -> topics -> queue -> function)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.config import STACK_NAME, StageConfig
from notifications.domain.policy import NotificationPolicy
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp
from tests.infra.test_template import _as_list

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

WORKER = "SendNotificationsFunction"
FEEDBACK_TOPICS = ("EmailFeedback", "InboundSms")
PUBLISHER_PRINCIPALS = {"ses.amazonaws.com": ":ses:", "sms-voice.amazonaws.com": ":sms-voice:"}
TABLE_READ_ACTIONS = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"}


def _statements_on(app: SynthesizedApp, role: str, logical_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for statement in app.role_statements(role)
        if any(
            resource in ({"Ref": logical_id}, {"Fn::GetAtt": [logical_id, "Arn"]})
            for resource in _as_list(statement["Resource"])
        )
    ]


def _variables(app: SynthesizedApp, function: str) -> dict[str, Any]:
    return app.props(function)["Environment"]["Variables"]


# --- The worker --------------------------------------------------------------------------------


def test_worker_is_told_the_policy_the_queues_and_the_retry_settings(synthesized: SynthesizedApp) -> None:
    variables = _variables(synthesized, WORKER)
    policy = NotificationPolicy.model_validate_json(variables["NOTIFICATION_POLICY"])
    assert policy == StageConfig().notifications.policy
    assert variables["NOTIFICATION_QUEUE_URL"] == {"Ref": "NotificationQueue"}
    assert variables["NOTIFICATION_DLQ_URL"] == {"Ref": "NotificationQueueDlq"}
    redrive = synthesized.props("NotificationQueue")["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["NotificationQueueDlq", "Arn"]}
    assert variables["MAX_RECEIVE_COUNT"] == str(redrive["maxReceiveCount"])
    assert variables["RETRY_BASE_SECONDS"] == "30"
    assert variables["SES_CONFIGURATION_SET"] == {"Ref": "NotificationConfigurationSet"}
    assert variables["LINK_SIGNING_SECRET_ARN"] == {"Ref": "LinkSigningKey"}
    # No tracking_base_url in the default stage: links point at the storefront HTTP API.
    assert variables["TRACKING_BASE_URL"] == {"Fn::GetAtt": ["StorefrontHttpApi", "ApiEndpoint"]}
    assert "COLLAPSE_WINDOW_SECONDS" not in variables  # from NOTIFICATION_POLICY on AWS
    assert "SES_CONFIRMATION_SECONDS" not in variables  # the worker's default on AWS


def test_worker_windows_and_retry_delay_can_be_overridden_locally_only(
    synthesized: SynthesizedApp,
) -> None:
    assert synthesized.resources[WORKER]["Metadata"]["ordertrack:local-override"] == {
        "COLLAPSE_WINDOW_SECONDS": "ORDERTRACK_COLLAPSE_WINDOW_SECONDS",
        "RETRY_BASE_SECONDS": "ORDERTRACK_RETRY_BASE_SECONDS",
        "SES_CONFIRMATION_SECONDS": "ORDERTRACK_SES_CONFIRMATION_SECONDS",
    }


def test_worker_writes_the_orders_table_sends_to_its_queues_and_reads_the_link_key(
    synthesized: SynthesizedApp,
) -> None:
    role = "SendNotificationsRole"
    [table] = _statements_on(synthesized, role, "OrdersTable")
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= set(
        table["Action"]
    )
    for queue in ("NotificationQueue", "NotificationQueueDlq"):
        assert any(
            "sqs:SendMessage" in _as_list(s["Action"]) for s in _statements_on(synthesized, role, queue)
        ), queue
    [secret] = _statements_on(synthesized, role, "LinkSigningKey")
    assert set(_as_list(secret["Action"])) == {
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }


def test_worker_only_reads_the_idempotency_table(synthesized: SynthesizedApp) -> None:
    # delivery records live on the log entries; the table holds those written before (14 days)
    [table] = _statements_on(synthesized, "SendNotificationsRole", "IdempotencyTable")
    actions = set(_as_list(table["Action"]))
    assert "dynamodb:GetItem" in actions
    assert not actions & {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    }


# --- Feedback topics ---------------------------------------------------------------------------


def test_feedback_topics_use_a_rotated_customer_managed_key_that_ses_and_sms_may_use(
    synthesized: SynthesizedApp,
) -> None:
    for topic in FEEDBACK_TOPICS:
        assert synthesized.props(topic)["KmsMasterKeyId"] == {
            "Fn::GetAtt": ["NotificationFeedbackKey", "Arn"]
        }
    key = synthesized.resources["NotificationFeedbackKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    services = {
        statement["Principal"]["Service"]: statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if "Service" in statement.get("Principal", {})
    }
    assert set(services) == set(PUBLISHER_PRINCIPALS)
    for service, arn_part in PUBLISHER_PRINCIPALS.items():
        statement = services[service]
        assert set(statement["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert arn_part in json.dumps(statement["Condition"]["ArnLike"]["aws:SourceArn"])


def _topic_policy(app: SynthesizedApp, topic: str) -> list[dict[str, Any]]:
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in app.of_type("AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [{"Ref": topic}]
    ]
    return policy


@pytest.mark.parametrize(
    ("topic", "service", "source"),
    [
        ("EmailFeedback", "ses.amazonaws.com", "configuration-set/"),
        ("InboundSms", "sms-voice.amazonaws.com", ":sms-voice:"),
    ],
)
def test_only_its_aws_publisher_of_this_account_may_publish_to_a_feedback_topic(
    synthesized: SynthesizedApp, topic: str, service: str, source: str
) -> None:
    allows = [s for s in _topic_policy(synthesized, topic) if s["Effect"] == "Allow"]
    [allow] = allows
    assert allow["Principal"] == {"Service": service}
    assert allow["Action"] == "sns:Publish"
    conditions = json.dumps(allow["Condition"])
    assert "AWS::AccountId" in conditions and source in conditions
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in _topic_policy(synthesized, topic)
    )


def test_configuration_set_publishes_bounces_and_complaints_to_email_feedback(
    synthesized: SynthesizedApp,
) -> None:
    configuration_set = synthesized.props("NotificationConfigurationSet")
    assert set(configuration_set["SuppressionOptions"]["SuppressedReasons"]) == {"BOUNCE", "COMPLAINT"}
    destinations = synthesized.of_type("AWS::SES::ConfigurationSetEventDestination")
    assert set(destinations) == {"EmailFeedbackDestination"}
    props = destinations["EmailFeedbackDestination"]["Properties"]
    assert props["ConfigurationSetName"] == {"Ref": "NotificationConfigurationSet"}
    destination = props["EventDestination"]
    assert destination["Enabled"] is True
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint", "send"]
    assert destination["SnsDestination"] == {"TopicARN": {"Ref": "EmailFeedback"}}


# --- Suppression queue and function ------------------------------------------------------------


def test_both_topics_deliver_raw_to_the_suppression_queue(synthesized: SynthesizedApp) -> None:
    subscriptions = {
        s["Properties"]["TopicArn"]["Ref"]: s["Properties"]
        for s in synthesized.of_type("AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] in ({"Ref": topic} for topic in FEEDBACK_TOPICS)
    }
    assert set(subscriptions) == set(FEEDBACK_TOPICS)
    for props in subscriptions.values():
        assert props["Protocol"] == "sqs"
        assert props["Endpoint"] == {"Fn::GetAtt": ["SuppressionQueue", "Arn"]}
        assert props["RawMessageDelivery"] is True
    senders = {
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Ref"]
        for policy in synthesized.of_type("AWS::SQS::QueuePolicy").values()
        if policy["Properties"]["Queues"] == [{"Ref": "SuppressionQueue"}]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    }
    assert senders == set(FEEDBACK_TOPICS)


def test_suppression_queue_redrives_and_its_consumer_reports_partial_failures(
    synthesized: SynthesizedApp,
) -> None:
    queue = synthesized.props("SuppressionQueue")
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["SuppressionQueueDlq", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    [mapping] = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "ApplySuppressionsFunction"}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["SuppressionQueue", "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    function = synthesized.props("ApplySuppressionsFunction")
    assert function["Handler"] == "notifications.handlers.apply_suppressions.handler"
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]


def test_apply_suppressions_writes_the_orders_table_and_reads_nothing_else(
    synthesized: SynthesizedApp,
) -> None:
    statements = synthesized.role_statements("ApplySuppressionsRole")
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _as_list(s["Action"]))]
    [table] = dynamodb
    assert {"dynamodb:PutItem", "dynamodb:DeleteItem"} <= set(table["Action"])
    assert not set(table["Action"]) & TABLE_READ_ACTIONS
    assert {"Fn::GetAtt": ["OrdersTable", "Arn"]} in table["Resource"]
    services = {action.split(":")[0] for s in statements for action in _as_list(s["Action"])}
    assert services == {"logs", "xray", "dynamodb", "sqs"}


# --- Stage settings reach the worker -----------------------------------------------------------


@pytest.fixture(scope="module")
def custom_stage_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from infra.app import build_app

    config = StageConfig(
        tracking_base_url="https://track.example.com/o",
        notifications={
            "retry_base_seconds": 10,
            "max_receive_count": 8,
            "policy": {"collapse_window_seconds": 0},
        },
    )
    app = build_app(config, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    yield Template.from_stack(app.node.find_child(STACK_NAME)).to_json()


def test_stage_settings_reach_the_worker(custom_stage_template: dict[str, Any]) -> None:
    variables = custom_stage_template["Resources"][WORKER]["Properties"]["Environment"]["Variables"]
    assert variables["TRACKING_BASE_URL"] == "https://track.example.com/o"
    assert variables["RETRY_BASE_SECONDS"] == "10"
    assert variables["MAX_RECEIVE_COUNT"] == "8"
    assert (
        NotificationPolicy.model_validate_json(variables["NOTIFICATION_POLICY"]).collapse_window_seconds == 0
    )
    redrive = custom_stage_template["Resources"]["NotificationQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 8
