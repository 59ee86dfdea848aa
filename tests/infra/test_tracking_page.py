"""Customer tracking page infrastructure: what must never change."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp, statement_actions

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

ROUTE_KEYS = {
    "GET /track/{token}",
    "POST /track/{token}/{action}",
    "GET /unsubscribe/{token}",
    "POST /unsubscribe/{token}",
    "POST /unsubscribe/{token}/{action}",
}
TABLE_WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:TransactWriteItems"}


def _page_routes(synthesized: SynthesizedApp) -> list[dict]:
    return [
        route["Properties"]
        for route in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
        if route["Properties"]["RouteKey"].partition(" ")[2].startswith(("/track/", "/unsubscribe/"))
    ]


def test_the_page_routes_reach_the_tracking_page_function_without_an_api_key(
    synthesized: SynthesizedApp,
) -> None:
    routes = _page_routes(synthesized)
    assert {route["RouteKey"] for route in routes} == ROUTE_KEYS
    for route in routes:
        assert route["ApiId"] == {"Ref": "StorefrontHttpApi"}
        assert route.get("AuthorizationType", "NONE") == "NONE"
        integration = synthesized.props(route["Target"]["Fn::Join"][1][1]["Ref"])
        assert integration["IntegrationUri"]["Fn::GetAtt"][0] == "TrackingPageFunction"
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["PayloadFormatVersion"] == "2.0"


def test_the_function_uses_the_orders_table_the_notification_queue_and_the_link_key_only(
    synthesized: SynthesizedApp,
) -> None:
    function = synthesized.props("TrackingPageFunction")
    assert function["Handler"] == "tracking_page.handler.handler"
    variables = function["Environment"]["Variables"]
    assert variables["ORDERS_TABLE_NAME"] == {"Ref": "OrdersTable"}
    assert variables["LINK_SIGNING_SECRET_ARN"] == {"Ref": "LinkSigningKey"}
    assert "NotificationQueue" in json.dumps(variables["NOTIFICATION_QUEUE_URL"])
    assert isinstance(json.loads(variables["CUSTOMER_SERVICE_RULES"]), dict)  # the stage's return window
    assert function["Timeout"] <= 30  # an HTTP API integration gives up after 30 s

    services = set()
    writes = set()
    for statement in synthesized.role_statements("TrackingPageRole"):
        actions = statement_actions(statement)
        services |= {action.split(":")[0] for action in actions}
        resources = json.dumps(statement["Resource"])
        if any(action.startswith("dynamodb:") for action in actions):
            assert "OrdersTable" in resources and "StreamArn" not in resources
            writes |= actions & TABLE_WRITE_ACTIONS
        if any(action.startswith("sqs:") for action in actions):
            assert actions <= {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
            assert "NotificationQueue" in resources
        if any(action.startswith("secretsmanager:") for action in actions):
            assert statement["Resource"] == {"Ref": "LinkSigningKey"}
            assert actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    assert writes  # complaints, returns and preferences are written by the forms
    assert services <= {"logs", "xray", "dynamodb", "secretsmanager", "sqs", "kms"}


def test_the_function_is_invoked_by_the_http_api_on_its_routes_only(synthesized: SynthesizedApp) -> None:
    permissions = [
        permission["Properties"]
        for permission in synthesized.of_type("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"] == {"Fn::GetAtt": ["TrackingPageFunction", "Arn"]}
    ]
    assert all(permission["Principal"] == "apigateway.amazonaws.com" for permission in permissions)
    assert {permission["SourceArn"]["Fn::Join"][1][-1] for permission in permissions} == {
        "/*/*/track/{token}",
        "/*/*/track/{token}/{action}",
        "/*/*/unsubscribe/{token}",
        "/*/*/unsubscribe/{token}/{action}",
    }
