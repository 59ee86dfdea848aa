"""Isolation between the API and the rest: the carrier webhooks' own throttle, queue consumers that
cannot take the account's concurrency, and the storefront key checked by an authorizer before the
storefront function runs."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import QueueConsumerSettings, StageConfig, load_stage_config
from infra.constructs.operations_console import ROUTES as CONSOLE_ROUTES
from infra.constructs.storefront_api import PUBLIC_ROUTES
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp
from tests.infra.test_config import MERCHANT_CONTACTS

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

WEBHOOK_ROUTE_KEY = "POST /v1/webhooks/{provider}"
PUBLIC_ROUTE_KEYS = {
    WEBHOOK_ROUTE_KEY,  # the provider's signature over the body
    "GET /track/{token}",  # signed customer links (the forms also carry a CSRF token)
    "POST /track/{token}/{action}",
    "GET /unsubscribe/{token}",
    "POST /unsubscribe/{token}",  # RFC 8058 one-click, from the mail client
    "POST /unsubscribe/{token}/{action}",
    "GET /feedback/{token}",
    "POST /feedback/{token}",
    "GET /case/{token}",  # "was your complaint resolved?" (signed link + CSRF token)
    "POST /case/{token}",
    *(route.route_key for route in PUBLIC_ROUTES),  # the OpenAPI document and its viewer
    # the operations console: a Cognito session (cookie) verified in the function on every request
    *(f"{method.value} {path}" for path, methods in CONSOLE_ROUTES.items() for method in methods),
}


def _routes(app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    """Route key -> (logical id, properties)."""
    return {
        route["Properties"]["RouteKey"]: {"id": logical_id, **route["Properties"]}
        for logical_id, route in app.of_type("AWS::ApiGatewayV2::Route").items()
    }


def _stage(app: SynthesizedApp) -> dict[str, Any]:
    return app.resources["StorefrontApiDefaultStage"]


# --- route throttling -----------------------------------------------------------------------------


def test_webhook_route_has_its_own_throttle_and_storefront_routes_keep_the_stage_default(
    synthesized: SynthesizedApp,
) -> None:
    api = StageConfig().api
    props = _stage(synthesized)["Properties"]

    assert props["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": api.throttling_rate_limit,
        "ThrottlingBurstLimit": api.throttling_burst_limit,
    }
    assert props["RouteSettings"] == {
        WEBHOOK_ROUTE_KEY: {
            "ThrottlingRateLimit": api.webhook_throttling_rate_limit,
            "ThrottlingBurstLimit": api.webhook_throttling_burst_limit,
        }
    }


def test_stage_is_created_after_the_routes_its_settings_name(synthesized: SynthesizedApp) -> None:
    routes = _routes(synthesized)
    stage = _stage(synthesized)
    for route_key in stage["Properties"]["RouteSettings"]:
        assert route_key in routes, f"RouteSettings names {route_key!r}, which is no route"
        assert routes[route_key]["id"] in stage.get("DependsOn", []), route_key


def test_prod_gives_webhooks_and_storefront_separate_limits() -> None:
    context = _cdk_context()
    prod = {**context["stages"]["prod"], **MERCHANT_CONTACTS}
    api = load_stage_config({**context, "stage": "prod", "stages": {**context["stages"], "prod": prod}}).api

    assert (api.throttling_rate_limit, api.throttling_burst_limit) == (200, 400)
    assert (api.webhook_throttling_rate_limit, api.webhook_throttling_burst_limit) == (100, 200)


def _cdk_context() -> dict[str, Any]:
    from infra.config import read_cdk_json_context

    return read_cdk_json_context()


# --- queue consumers' concurrency -----------------------------------------------------------------


def test_every_sqs_mapping_has_a_maximum_concurrency_from_the_stage_settings(
    synthesized: SynthesizedApp,
) -> None:
    config = StageConfig()
    expected = {
        "ReserveStockFunction": config.stock_reservation.max_concurrency,
        "SendNotificationsFunction": config.notifications.max_concurrency,
        "ApplySuppressionsFunction": config.notifications.max_concurrency,
        "ApplyTrackingEventsFunction": config.carriers.webhook_worker.max_concurrency,
        "RegisterTrackingFunction": config.carriers.registration_worker.max_concurrency,
        # the domain events' subscribers: the stock watcher keeps the queue defaults, the link
        # consumer shares the carrier webhook worker's settings
        "WatchStockLevelsFunction": QueueConsumerSettings().max_concurrency,
        "ApplyLinkedEventsFunction": config.carriers.webhook_worker.max_concurrency,
        "OpenDeliveryExceptionsFunction": config.delivery_exceptions.opener.max_concurrency,
    }
    queues = synthesized.of_type("AWS::SQS::Queue")
    found = {}
    for logical_id, mapping in synthesized.of_type("AWS::Lambda::EventSourceMapping").items():
        props = mapping["Properties"]
        if props["EventSourceArn"]["Fn::GetAtt"][0] not in queues:
            continue  # a stream's mapping: one poller per shard, no concurrency setting
        maximum = props.get("ScalingConfig", {}).get("MaximumConcurrency")
        assert isinstance(maximum, int) and maximum >= 2, f"{logical_id}: MaximumConcurrency {maximum}"
        found[props["FunctionName"]["Ref"]] = maximum
    assert found == expected


def test_maximum_concurrency_below_the_aws_minimum_is_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="greater than or equal to 2"):
        QueueConsumerSettings(max_concurrency=1)


# --- the storefront API key authorizer --------------------------------------------------------------


def test_one_request_authorizer_reads_the_api_key_header_with_simple_cached_answers(
    synthesized: SynthesizedApp,
) -> None:
    authorizers = synthesized.of_type("AWS::ApiGatewayV2::Authorizer")
    assert set(authorizers) == {"StorefrontApiKeyAuthorizer"}
    props = authorizers["StorefrontApiKeyAuthorizer"]["Properties"]

    assert props["AuthorizerType"] == "REQUEST"
    assert props["AuthorizerPayloadFormatVersion"] == "2.0"
    assert props["EnableSimpleResponses"] is True
    assert props["IdentitySource"] == ["$request.header.x-api-key"]
    assert props["AuthorizerResultTtlInSeconds"] == StageConfig().api.authorizer_cache_seconds == 300
    assert {"Fn::GetAtt": ["StorefrontAuthorizerFunction", "Arn"]} in props["AuthorizerUri"]["Fn::Join"][1]


def test_every_storefront_route_is_authorized_and_the_public_ones_are_not(
    synthesized: SynthesizedApp,
) -> None:
    routes = _routes(synthesized)
    assert set(routes) >= PUBLIC_ROUTE_KEYS
    for route_key, props in routes.items():
        if route_key in PUBLIC_ROUTE_KEYS:
            assert props.get("AuthorizationType", "NONE") == "NONE", route_key
            assert "AuthorizerId" not in props, route_key
        else:
            assert props["AuthorizationType"] == "CUSTOM", route_key
            assert props["AuthorizerId"] == {"Ref": "StorefrontApiKeyAuthorizer"}, route_key
    assert routes["$default"]["AuthorizationType"] == "CUSTOM"  # unknown routes need the key too


def test_only_this_api_may_invoke_the_authorizer_which_reads_only_the_api_key(
    synthesized: SynthesizedApp,
) -> None:
    function = synthesized.props("StorefrontAuthorizerFunction")
    assert function["Handler"] == "storefront_api.authorize.handler"
    assert function["Environment"]["Variables"]["API_KEY_SECRET_ARN"] == {"Ref": "StorefrontApiKeySecret"}
    permissions = [
        p["Properties"]
        for p in synthesized.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": ["StorefrontAuthorizerFunction", "Arn"]}
    ]
    assert len(permissions) == 1
    assert permissions[0]["Principal"] == "apigateway.amazonaws.com"
    source = permissions[0]["SourceArn"]["Fn::Join"][1]
    assert {"Ref": "StorefrontHttpApi"} in source and {"Ref": "StorefrontApiKeyAuthorizer"} in source
    statements = synthesized.role_statements("StorefrontAuthorizerRole")
    resources = [
        statement["Resource"]
        for statement in statements
        if "secretsmanager:GetSecretValue" in str(statement["Action"])
    ]
    assert resources == [{"Ref": "StorefrontApiKeySecret"}]
    writes = [s for s in statements if "dynamodb:" in str(s["Action"]) or "sqs:" in str(s["Action"])]
    assert writes == []
