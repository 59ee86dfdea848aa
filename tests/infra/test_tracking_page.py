"""Customer tracking page infrastructure: what must never change."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp, statement_actions

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

ROUTE_KEY = "GET /track/{token}"
TABLE_WRITE_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems",
}


def test_the_page_route_reaches_the_tracking_page_function_without_an_api_key(
    synthesized: SynthesizedApp,
) -> None:
    routes = [
        route
        for route in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
        if route["Properties"]["RouteKey"].endswith(" /track/{token}")
    ]
    assert [route["Properties"]["RouteKey"] for route in routes] == [ROUTE_KEY]
    route = routes[0]["Properties"]
    assert route["ApiId"] == {"Ref": "StorefrontHttpApi"}
    assert route.get("AuthorizationType", "NONE") == "NONE"
    integration = synthesized.props(route["Target"]["Fn::Join"][1][1]["Ref"])
    assert integration["IntegrationUri"]["Fn::GetAtt"][0] == "TrackingPageFunction"
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["PayloadFormatVersion"] == "2.0"


def test_the_function_reads_the_orders_table_and_the_link_key_and_nothing_else(
    synthesized: SynthesizedApp,
) -> None:
    function = synthesized.props("TrackingPageFunction")
    assert function["Handler"] == "tracking_page.handler.handler"
    variables = function["Environment"]["Variables"]
    assert variables["ORDERS_TABLE_NAME"] == {"Ref": "OrdersTable"}
    assert variables["LINK_SIGNING_SECRET_ARN"] == {"Ref": "LinkSigningKey"}
    assert function["Timeout"] <= 30  # an HTTP API integration gives up after 30 s

    services = set()
    for statement in synthesized.role_statements("TrackingPageRole"):
        actions = statement_actions(statement)
        services |= {action.split(":")[0] for action in actions}
        resources = json.dumps(statement["Resource"])
        if any(action.startswith("dynamodb:") for action in actions):
            assert "dynamodb:Query" in actions
            assert not actions & TABLE_WRITE_ACTIONS, actions
            assert "OrdersTable" in resources and "StreamArn" not in resources
        if any(action.startswith("secretsmanager:") for action in actions):
            assert statement["Resource"] == {"Ref": "LinkSigningKey"}
            assert actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    assert services == {"logs", "xray", "dynamodb", "secretsmanager"}


def test_the_function_is_invoked_by_the_http_api_on_its_route_only(synthesized: SynthesizedApp) -> None:
    permissions = [
        permission["Properties"]
        for permission in synthesized.of_type("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"] == {"Fn::GetAtt": ["TrackingPageFunction", "Arn"]}
    ]
    assert len(permissions) == 1
    assert permissions[0]["Principal"] == "apigateway.amazonaws.com"
    assert permissions[0]["SourceArn"]["Fn::Join"][1][-1] == "/*/*/track/{token}"
