"""Carrier tracking infrastructure: what must never change."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp, statement_actions

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

PROVIDERS = {
    "EasyPost": "easypost",
    "AfterShip": "aftership",
    "Kuaidi100": "kuaidi100",
    "Generic": "generic",
    "SeventeenTrack": "17track",
    "Shippo": "shippo",
}
FUNCTION_ENV = {"17track": "SEVENTEENTRACK"}


def test_one_generated_secret_per_provider_with_a_local_value(synthesized: SynthesizedApp) -> None:
    secrets = synthesized.of_type("AWS::SecretsManager::Secret")
    for logical, provider in PROVIDERS.items():
        secret = secrets[f"{logical}WebhookSecret"]
        assert "SecretString" not in secret["Properties"]
        assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "secret"
        assert secret["Metadata"]["ordertrack:local-secret"] == {
            "secret": {
                "env": f"ORDERTRACK_{provider.upper()}_WEBHOOK_SECRET",
                "default": f"local-{provider}-secret",
            }
        }


def test_webhook_route_reaches_the_webhook_function_only(synthesized: SynthesizedApp) -> None:
    routes = {
        route["Properties"]["RouteKey"]: route
        for route in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
    }
    route = routes["POST /v1/webhooks/{provider}"]
    integration_id = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
    integration = synthesized.props(integration_id)
    assert integration["IntegrationUri"]["Fn::GetAtt"][0] == "CarrierWebhookFunction"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert (
        "AuthorizationType" not in route["Properties"] or route["Properties"]["AuthorizationType"] == "NONE"
    )


def test_webhook_function_only_sends_to_its_queue_and_reads_its_secrets(synthesized: SynthesizedApp) -> None:
    statements = synthesized.role_statements("CarrierWebhookRole")
    actions = set().union(*(statement_actions(s) for s in statements))
    assert not any(action.startswith("dynamodb:") for action in actions)
    assert "sqs:SendMessage" in actions
    variables = synthesized.props("CarrierWebhookFunction")["Environment"]["Variables"]
    assert variables["WEBHOOK_QUEUE_URL"] == {"Ref": "CarrierWebhookQueue"}
    for logical, provider in PROVIDERS.items():
        name = FUNCTION_ENV.get(provider, provider.upper())
        assert variables[f"{name}_WEBHOOK_SECRET_ARN"] == {"Ref": f"{logical}WebhookSecret"}
    assert variables["ACCEPT_TEST_MODE_EVENTS"] == "true"  # the default stage is dev


def test_webhook_queue_has_a_dlq_and_the_worker_reports_partial_failures(synthesized: SynthesizedApp) -> None:
    queue = synthesized.props("CarrierWebhookQueue")
    assert queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] == "CarrierWebhookQueueDlq"
    assert synthesized.props("CarrierWebhookQueueDlq")["MessageRetentionPeriod"] == 14 * 24 * 3600
    mappings = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "ApplyTrackingEventsFunction"}
    ]
    assert len(mappings) == 1
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    function = synthesized.props("ApplyTrackingEventsFunction")
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]


def test_link_consumer_receives_tracking_links_from_the_bus(synthesized: SynthesizedApp) -> None:
    mappings = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "ApplyLinkedEventsFunction"}
    ]
    assert len(mappings) == 1
    props = mappings[0]
    assert props["EventSourceArn"] == {"Fn::GetAtt": ["TrackingLinksQueue", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    rule = synthesized.props("TrackingLinksQueueRule")
    assert rule["EventPattern"] == {"source": ["ordertrack"], "detail-type": ["ShipmentTrackingLinked"]}
    # the dispatcher turns new (or taken over) tracking links into those events
    [dispatcher] = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "DispatchOrderChangesFunction"}
    ]
    patterns = [json.loads(f["Pattern"]) for f in dispatcher["FilterCriteria"]["Filters"]]
    assert {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"NewImage": {"entity": {"S": ["tracking_link"]}}},
    } in patterns


def test_delay_check_runs_on_a_schedule_and_alerts_operations(synthesized: SynthesizedApp) -> None:
    rule = synthesized.props("FlagDelayedShipmentsSchedule")
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    assert rule["Targets"][0]["Arn"]["Fn::GetAtt"][0] == "FlagDelayedShipmentsFunction"
    variables = synthesized.props("FlagDelayedShipmentsFunction")["Environment"]["Variables"]
    assert variables["OPERATIONS_ALERTS_TOPIC_ARN"] == {"Ref": "OperationsAlerts"}
    assert variables["STALLED_AFTER_HOURS"] == "48"
    statements = synthesized.role_statements("FlagDelayedShipmentsRole")
    actions = set().union(*(statement_actions(s) for s in statements))
    assert "sns:Publish" in actions
    # the one wildcard: a data key of the alerts topic's own key (publishing to an encrypted topic)
    wildcards = [s for s in statements if any("*" in action for action in statement_actions(s))]
    assert [s["Resource"] for s in wildcards] == [{"Fn::GetAtt": ["OperationsAlertsKey", "Arn"]}]
    assert {a for a in actions if "*" in a} == {"kms:GenerateDataKey*"}


def test_every_provider_webhook_url_and_secret_arn_is_a_stack_output(synthesized: SynthesizedApp) -> None:
    outputs = synthesized.template["Outputs"]
    for logical, provider in PROVIDERS.items():
        url = json.dumps(outputs[f"{logical}WebhookUrl"]["Value"])
        assert f"/v1/webhooks/{provider}" in url and "StorefrontHttpApi" in url
        assert outputs[f"{logical}WebhookSecretArn"]["Value"] == {"Ref": f"{logical}WebhookSecret"}
    assert "?token=" in outputs["ShippoWebhookUrl"]["Description"]


# -- tracking registration ------------------------------------------------------------------------

REGISTRATION_PROVIDERS = ("EasyPost", "AfterShip", "Kuaidi100", "SeventeenTrack", "Shippo")


def test_every_provider_has_a_placeholder_api_key_secret_and_an_output(synthesized) -> None:
    secrets = synthesized.of_type("AWS::SecretsManager::Secret")
    outputs = synthesized.template["Outputs"]
    for logical in REGISTRATION_PROVIDERS:
        secret = secrets[f"{logical}ApiKey"]
        assert "SecretString" not in secret["Properties"], logical  # generated, never in the template
        assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "api_key"
        assert "api_key" in secret["Metadata"]["ordertrack:local-secret"]
        assert outputs[f"{logical}ApiKeySecretArn"]["Value"] == {"Ref": f"{logical}ApiKey"}
        assert f"{logical}WebhookUrl" in outputs and f"{logical}WebhookSecretArn" in outputs
    kuaidi100 = secrets["Kuaidi100ApiKey"]["Metadata"]["ordertrack:local-secret"]
    assert set(kuaidi100) == {"api_key", "customer"}


def test_registration_worker_reads_its_queue_with_a_dlq_and_knows_the_routing(synthesized) -> None:
    function = synthesized.props("RegisterTrackingFunction")
    variables = function["Environment"]["Variables"]
    routing = json.loads(variables["CARRIER_ROUTING"])
    assert routing["routes"]["usps"] == "easypost" and routing["routes"]["sf-express"] == "kuaidi100"
    assert routing["default"] == "aftership"
    assert variables["EASYPOST_API_URL"] == "https://api.easypost.com"
    assert variables["KUAIDI100_CALLBACK_URL"]  # the stack's own /v1/webhooks/kuaidi100
    queue = synthesized.props("TrackingRegistrationQueue")
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["TrackingRegistrationQueueDlq", "Arn"]
    }
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    overrides = synthesized.template["Resources"]["RegisterTrackingFunction"]["Metadata"][
        "ordertrack:local-override"
    ]
    assert overrides["EASYPOST_API_URL"] == "ORDERTRACK_EASYPOST_API_URL"
    # the link consumer and the tracking worker queue jobs; the delay check may query providers
    for name in ("ApplyLinkedEventsFunction", "ApplyTrackingEventsFunction"):
        assert "REGISTRATION_QUEUE_URL" in synthesized.props(name)["Environment"]["Variables"], name
    delay = synthesized.props("FlagDelayedShipmentsFunction")["Environment"]["Variables"]
    assert "WEBHOOK_QUEUE_URL" in delay and "AFTERSHIP_API_KEY_SECRET_ARN" in delay


def test_registration_dlq_pages_operations(synthesized) -> None:
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm")
    watched = [
        alarm
        for alarm in alarms.values()
        if any(
            d.get("Value") == {"Fn::GetAtt": ["TrackingRegistrationQueueDlq", "QueueName"]}
            for d in alarm["Properties"].get("Dimensions", [])
        )
    ]
    assert watched and all(alarm["Properties"]["AlarmActions"] for alarm in watched)
