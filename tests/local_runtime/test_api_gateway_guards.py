"""What API Gateway does between route selection and the integration, without processes: the
stage's throttle per route key and a route's Lambda REQUEST authorizer (simple responses, cached)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import pytest

from infra.local.authorizers import LambdaAuthorizer
from infra.local.functions import FunctionRuntime, InvocationResult
from infra.local.http_api import HttpApi, HttpRequest, HttpResponse, Route, RouteTable
from infra.local.template import TemplateError
from infra.local.throttling import Limits, StageThrottle

WEBHOOK = "POST /v1/webhooks/{provider}"
ORDERS = "POST /v1/orders"
STAGE = {
    "DefaultRouteSettings": {"ThrottlingRateLimit": 2, "ThrottlingBurstLimit": 3},
    "RouteSettings": {WEBHOOK: {"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 2}},
}
AUTHORIZER = {
    "AuthorizerType": "REQUEST",
    "AuthorizerPayloadFormatVersion": "2.0",
    "EnableSimpleResponses": True,
    "IdentitySource": ["$request.header.x-api-key"],
    "AuthorizerResultTtlInSeconds": 300,
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingFunction:
    """Stands in for a FunctionRuntime: records its events and answers with `answer(event)`."""

    def __init__(self, answer: Callable[[dict[str, Any]], InvocationResult]) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer

    def invoke(self, event: dict[str, Any], trigger: str) -> InvocationResult:
        self.events.append(event)
        return self.answer(event)


def _storefront() -> RecordingFunction:
    return RecordingFunction(lambda event: InvocationResult({"statusCode": 200, "body": "{}"}))


def _key_checker() -> RecordingFunction:
    return RecordingFunction(
        lambda event: InvocationResult(
            {"isAuthorized": event["headers"].get("x-api-key") == "good", "context": {"client": "shop"}}
        )
    )


def _api(
    routes: dict[str, tuple[RecordingFunction, LambdaAuthorizer | None]],
    throttle: StageThrottle | None = None,
) -> HttpApi:
    table = RouteTable()
    for route_key, (function, authorizer) in routes.items():
        table.add(Route.parse(route_key, cast(FunctionRuntime, function), authorizer))
    return HttpApi(table, "api", None, lambda method, path, body: None, throttle)


def _call(api: HttpApi, method: str, path: str, headers: dict[str, str] | None = None) -> HttpResponse:
    request = HttpRequest(method, path, "", list((headers or {}).items()), b'{"a": 1}', "127.0.0.1")
    return api.handle(request, "127.0.0.1:3000")


def _authorizer(function: RecordingFunction, clock: FakeClock, **overrides: Any) -> LambdaAuthorizer:
    return LambdaAuthorizer.from_properties(
        "KeyAuthorizer", {**AUTHORIZER, **overrides}, cast(FunctionRuntime, function), clock
    )


# --- the authorizer -------------------------------------------------------------------------------


def test_a_request_without_the_identity_source_is_401_and_invokes_nothing() -> None:
    checker, storefront = _key_checker(), _storefront()
    api = _api({ORDERS: (storefront, _authorizer(checker, FakeClock()))})

    for headers in (None, {"x-api-key": ""}):
        response = _call(api, "POST", "/v1/orders", headers)
        assert (response.status, json.loads(response.body)) == (401, {"message": "Unauthorized"})

    assert checker.events == [] and storefront.events == []


def test_a_refused_key_is_403_and_never_reaches_the_route_function() -> None:
    checker, storefront = _key_checker(), _storefront()
    api = _api({ORDERS: (storefront, _authorizer(checker, FakeClock()))})

    response = _call(api, "POST", "/v1/orders", {"x-api-key": "bad"})

    assert (response.status, json.loads(response.body)) == (403, {"message": "Forbidden"})
    assert len(checker.events) == 1 and storefront.events == []


def test_an_accepted_key_reaches_the_function_with_the_authorizers_context() -> None:
    checker, storefront = _key_checker(), _storefront()
    api = _api({ORDERS: (storefront, _authorizer(checker, FakeClock()))})

    response = _call(api, "POST", "/v1/orders", {"X-Api-Key": "good"})

    assert response.status == 200
    [event] = storefront.events
    assert event["requestContext"]["authorizer"] == {"lambda": {"client": "shop"}}
    [asked] = checker.events
    assert asked["type"] == "REQUEST" and asked["version"] == "2.0"
    assert asked["identitySource"] == ["good"]
    assert asked["routeKey"] == ORDERS
    assert asked["routeArn"] == "arn:aws:execute-api:us-east-1:123456789012:api/$default/POST/v1/orders"
    assert "body" not in asked  # an authorizer never sees the body


def test_answers_are_cached_per_key_for_the_ttl_either_way() -> None:
    clock, checker, storefront = FakeClock(), _key_checker(), _storefront()
    api = _api({ORDERS: (storefront, _authorizer(checker, clock))})

    statuses = [_call(api, "POST", "/v1/orders", {"x-api-key": key}).status for key in ("good", "bad") * 3]
    assert statuses == [200, 403] * 3
    assert [event["identitySource"] for event in checker.events] == [["good"], ["bad"]]

    clock.now += 299
    _call(api, "POST", "/v1/orders", {"x-api-key": "good"})
    assert len(checker.events) == 2
    clock.now += 1  # the TTL has passed: asked again
    _call(api, "POST", "/v1/orders", {"x-api-key": "good"})
    assert len(checker.events) == 3
    assert len(storefront.events) == 5


def test_with_a_ttl_of_zero_every_request_is_authorized_afresh() -> None:
    checker = _key_checker()
    api = _api({ORDERS: (_storefront(), _authorizer(checker, FakeClock(), AuthorizerResultTtlInSeconds=0))})

    for _ in range(3):
        _call(api, "POST", "/v1/orders", {"x-api-key": "good"})

    assert len(checker.events) == 3


@pytest.mark.parametrize(
    "result",
    [
        InvocationResult({"errorMessage": "boom"}, "Unhandled"),
        InvocationResult({"isAuthorized": "yes"}),
        InvocationResult({"principalId": "user", "policyDocument": {}}),
    ],
)
def test_an_authorizer_that_fails_or_answers_otherwise_is_500(result: InvocationResult) -> None:
    storefront = _storefront()
    api = _api({ORDERS: (storefront, _authorizer(RecordingFunction(lambda event: result), FakeClock()))})

    response = _call(api, "POST", "/v1/orders", {"x-api-key": "good"})

    assert (response.status, json.loads(response.body)) == (500, {"message": "Internal Server Error"})
    assert storefront.events == []


def test_routes_without_an_authorizer_are_not_asked_for_a_key() -> None:
    checker, webhook = _key_checker(), _storefront()
    api = _api({ORDERS: (_storefront(), _authorizer(checker, FakeClock())), WEBHOOK: (webhook, None)})

    assert _call(api, "POST", "/v1/webhooks/generic").status == 200
    assert len(webhook.events) == 1 and checker.events == []


def test_authorizers_the_local_runtime_cannot_play_are_refused_at_wiring() -> None:
    function = cast(FunctionRuntime, _key_checker())
    with pytest.raises(TemplateError, match="simple responses"):
        LambdaAuthorizer.from_properties("A", {**AUTHORIZER, "EnableSimpleResponses": False}, function)
    with pytest.raises(TemplateError, match="identity sources"):
        LambdaAuthorizer.from_properties(
            "A", {**AUTHORIZER, "IdentitySource": ["$context.identity.sourceIp"]}, function
        )


# --- the stage's throttle ---------------------------------------------------------------------------


def test_route_settings_override_the_stage_default_per_route_key() -> None:
    throttle = StageThrottle.from_stage(
        {
            **STAGE,
            "RouteSettings": {WEBHOOK: {"ThrottlingBurstLimit": 2}, "GET /x": {"ThrottlingRateLimit": 9}},
        }
    )

    assert throttle.limits_of(ORDERS) == Limits(rate=2.0, burst=3)
    assert throttle.limits_of(WEBHOOK) == Limits(rate=2.0, burst=2)  # rate falls back to the default
    assert throttle.limits_of("GET /x") == Limits(rate=9.0, burst=3)


def test_a_storefront_burst_does_not_use_up_the_webhooks_throttle_nor_the_reverse() -> None:
    clock = FakeClock()
    webhook, storefront = _storefront(), _storefront()
    api = _api({ORDERS: (storefront, None), WEBHOOK: (webhook, None)}, StageThrottle.from_stage(STAGE, clock))

    orders = [_call(api, "POST", "/v1/orders").status for _ in range(5)]
    webhooks = [_call(api, "POST", "/v1/webhooks/generic").status for _ in range(4)]

    assert orders == [200, 200, 200, 429, 429]  # the stage default: a burst of 3
    assert webhooks == [200, 200, 429, 429]  # the webhook route's own burst of 2
    throttled = _call(api, "POST", "/v1/orders")
    assert json.loads(throttled.body) == {"message": "Too Many Requests"}
    assert len(storefront.events) == 3 and len(webhook.events) == 2

    clock.now += 1.0  # refilled at each route's own rate: 2 and 1 per second
    assert [_call(api, "POST", "/v1/orders").status for _ in range(3)] == [200, 200, 429]
    assert [_call(api, "POST", "/v1/webhooks/generic").status for _ in range(2)] == [200, 429]


def test_a_throttled_request_is_refused_before_the_authorizer_runs() -> None:
    checker = _key_checker()
    throttle = StageThrottle.from_stage(
        {"DefaultRouteSettings": {"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 1}}, FakeClock()
    )
    api = _api(
        {ORDERS: (_storefront(), _authorizer(checker, FakeClock(), AuthorizerResultTtlInSeconds=0))}, throttle
    )

    assert [_call(api, "POST", "/v1/orders", {"x-api-key": "good"}).status for _ in range(2)] == [200, 429]
    assert len(checker.events) == 1


def test_a_stage_without_limits_throttles_nothing() -> None:
    throttle = StageThrottle.from_stage({}, FakeClock())

    assert all(throttle.allow(ORDERS) for _ in range(1000))


def test_the_synthesized_stage_gives_webhooks_their_own_bucket() -> None:
    from infra.config import StageConfig
    from infra.local.template import Template
    from infra.synth import ensure_synthesized

    stage = Template.load(ensure_synthesized()).resources["StorefrontApiDefaultStage"]
    throttle = StageThrottle.from_stage(stage.properties, FakeClock())
    api = StageConfig().api

    assert throttle.limits_of(WEBHOOK) == Limits(
        api.webhook_throttling_rate_limit, api.webhook_throttling_burst_limit
    )
    assert throttle.limits_of(ORDERS) == Limits(api.throttling_rate_limit, api.throttling_burst_limit)
    assert set(throttle.routes) == {WEBHOOK}  # named in RouteSettings; the storefront keeps the default
