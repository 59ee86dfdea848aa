"""Customer service infrastructure: what must never change."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constructs.storefront_api import STOREFRONT_ROUTES
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp, statement_actions

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

SERVICE_ROUTES = {
    "POST /v1/orders/{order_id}/feedback",
    "POST /v1/complaints",
    "GET /v1/complaints",
    "GET /v1/complaints/{complaint_id}",
    "POST /v1/complaints/{complaint_id}/resolve",
    "POST /v1/orders/{order_id}/returns",
    "GET /v1/orders/{order_id}/returns",
    *(
        f"POST /v1/orders/{{order_id}}/returns/{{return_id}}/{action}"
        for action in ("approve", "reject", "receive", "refund", "shipment")
    ),
}


def _variables(app: SynthesizedApp, logical_id: str) -> dict[str, Any]:
    return app.props(logical_id)["Environment"]["Variables"]


def test_service_routes_are_storefront_routes_and_the_survey_page_has_its_own_function(
    synthesized: SynthesizedApp,
) -> None:
    assert {route.route_key for route in STOREFRONT_ROUTES} >= SERVICE_ROUTES
    routes = {
        r["Properties"]["RouteKey"]: r for r in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) >= SERVICE_ROUTES
    for key in ("GET /feedback/{token}", "POST /feedback/{token}", "GET /case/{token}", "POST /case/{token}"):
        route = routes[key]["Properties"]
        assert route.get("AuthorizationType", "NONE") == "NONE"
        integration = synthesized.props(route["Target"]["Fn::Join"][1][1]["Ref"])
        assert integration["IntegrationUri"]["Fn::GetAtt"][0] == "FeedbackPageFunction"
        assert integration["PayloadFormatVersion"] == "2.0"


def test_dispatcher_signs_survey_links_and_waits_a_day_by_default(synthesized: SynthesizedApp) -> None:
    variables = _variables(synthesized, "DispatchOrderChangesFunction")
    assert variables["FEEDBACK_DELAY_SECONDS"] == str(24 * 3600)
    assert variables["FEEDBACK_LINK_DAYS"] == "30"
    assert variables["LINK_SIGNING_SECRET_ARN"] == {"Ref": "LinkSigningKey"}
    reads = [
        s
        for s in synthesized.role_statements("DispatchOrderChangesRole")
        if "secretsmanager:GetSecretValue" in statement_actions(s)
    ]
    assert [s["Resource"] for s in reads] == [{"Ref": "LinkSigningKey"}]


def test_storefront_sends_customer_events_to_the_notification_queue_only(synthesized: SynthesizedApp) -> None:
    variables = _variables(synthesized, "StorefrontApiFunction")
    assert variables["NOTIFICATION_QUEUE_URL"] == {"Ref": "NotificationQueue"}
    sends = [
        s
        for s in synthesized.role_statements("StorefrontApiRole")
        if "sqs:SendMessage" in statement_actions(s)
    ]
    assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": ["NotificationQueue", "Arn"]}]


def test_survey_page_reads_the_link_key_writes_the_table_and_sends_only_customer_events(
    synthesized: SynthesizedApp,
) -> None:
    statements = synthesized.role_statements("FeedbackPageRole")
    actions = set().union(*(statement_actions(s) for s in statements))
    assert "secretsmanager:GetSecretValue" in actions
    assert not any(a.startswith("sns:") for a in actions)
    sends = [s for s in statements if any(a.startswith("sqs:") for a in statement_actions(s))]
    assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": ["NotificationQueue", "Arn"]}]
    assert not any(a.startswith("sqs:Receive") for s in sends for a in statement_actions(s))
    variables = _variables(synthesized, "FeedbackPageFunction")
    assert variables["LINK_SIGNING_SECRET_ARN"] == {"Ref": "LinkSigningKey"}
    assert variables["ORDERS_TABLE_NAME"] == {"Ref": "OrdersTable"}
    assert variables["NOTIFICATION_QUEUE_URL"] == {"Ref": "NotificationQueue"}


def test_overdue_sweep_runs_on_a_schedule_and_publishes_only_to_operations_alerts(
    synthesized: SynthesizedApp,
) -> None:
    rule = synthesized.props("FlagOverdueComplaintsSchedule")
    assert rule["ScheduleExpression"] == "rate(15 minutes)"
    assert rule["State"] == "ENABLED"
    assert rule["Targets"][0]["Arn"]["Fn::GetAtt"][0] == "FlagOverdueComplaintsFunction"
    assert rule["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] == 2
    publishes = [
        s
        for s in synthesized.role_statements("FlagOverdueComplaintsRole")
        if "sns:Publish" in statement_actions(s)
    ]
    assert [s["Resource"] for s in publishes] == [{"Ref": "OperationsAlerts"}]
    variables = _variables(synthesized, "FlagOverdueComplaintsFunction")
    assert variables["OPERATIONS_ALERTS_TOPIC_ARN"] == {"Ref": "OperationsAlerts"}
