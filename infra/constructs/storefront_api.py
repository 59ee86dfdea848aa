"""Storefront API: an HTTP API whose explicit routes all reach one function.

`STOREFRONT_ROUTES` is the one list of routes; add new routes there. Every storefront route (and
`$default`) is guarded by a Lambda REQUEST authorizer that checks the `x-api-key` header against
the key kept in Secrets Manager, with simple responses and cached results: a call without a valid
key is refused by API Gateway (401 without a key, 403 with a wrong one) before the storefront
function runs. `PUBLIC_ROUTES` (the OpenAPI document and its viewer) and the routes other
constructs add (signed webhooks, the customers' pages) carry their own credentials or none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import (
    CfnOutput,
    Duration,
)
from aws_cdk import (
    aws_apigatewayv2 as apigwv2,
)
from aws_cdk import (
    aws_apigatewayv2_authorizers as authorizers,
)
from aws_cdk import (
    aws_apigatewayv2_integrations as integrations,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.log_groups import retained_log_group
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress

HANDLER = "storefront_api.handler.handler"
AUTHORIZER_HANDLER = "storefront_api.authorize.handler"
API_KEY_IDENTITY_SOURCE = "$request.header.x-api-key"


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


STOREFRONT_ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute("POST", "/v1/orders"),
    ApiRoute("GET", "/v1/orders/{order_id}"),
    ApiRoute("GET", "/v1/orders"),
    ApiRoute("POST", "/v1/orders/{order_id}/payment"),
    ApiRoute("POST", "/v1/orders/{order_id}/cancel"),
    ApiRoute("POST", "/v1/orders/{order_id}/review"),
    ApiRoute("POST", "/v1/orders/{order_id}/shipments"),
    ApiRoute("PATCH", "/v1/orders/{order_id}"),
    ApiRoute("POST", "/v1/orders/{order_id}/reshipments"),
    ApiRoute("POST", "/v1/orders/{order_id}/reshipments/{reshipment_id}/shipment"),
    ApiRoute("PUT", "/v1/inventory/{sku}"),
    ApiRoute("GET", "/v1/inventory/{sku}"),
    ApiRoute("POST", "/v1/inventory/{sku}/adjustments"),
    ApiRoute("GET", "/v1/inventory/{sku}/history"),
    ApiRoute("GET", "/v1/stats"),
    ApiRoute("GET", "/v1/customers/{customer_id}/preferences"),
    ApiRoute("PUT", "/v1/customers/{customer_id}/preferences"),
    ApiRoute("GET", "/v1/orders/{order_id}/notifications"),
    ApiRoute("POST", "/v1/orders/{order_id}/feedback"),
    ApiRoute("POST", "/v1/complaints"),
    ApiRoute("GET", "/v1/complaints"),
    ApiRoute("GET", "/v1/complaints/{complaint_id}"),
    ApiRoute("POST", "/v1/complaints/{complaint_id}/resolve"),
    ApiRoute("POST", "/v1/orders/{order_id}/returns"),
    ApiRoute("GET", "/v1/orders/{order_id}/returns"),
    ApiRoute("POST", "/v1/orders/{order_id}/returns/{return_id}/approve"),
    ApiRoute("POST", "/v1/orders/{order_id}/returns/{return_id}/reject"),
    ApiRoute("POST", "/v1/orders/{order_id}/returns/{return_id}/receive"),
    ApiRoute("POST", "/v1/orders/{order_id}/returns/{return_id}/refund"),
    ApiRoute("POST", "/v1/orders/{order_id}/returns/{return_id}/shipment"),
    ApiRoute("GET", "/v1/returns"),
    ApiRoute("GET", "/openapi.json"),
    ApiRoute("GET", "/docs"),
)
PUBLIC_ROUTES: frozenset[ApiRoute] = frozenset({ApiRoute("GET", "/openapi.json"), ApiRoute("GET", "/docs")})
"""Storefront routes anyone may call: the API's own description."""

LOCAL_SECRET_METADATA_KEY = "ordertrack:local-secret"  # noqa: S105 - a metadata key, not a secret
"""Tells the local runtime what to store in a generated secret when it provisions it in moto."""
API_KEY_FIELD = "api_key"

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "path": "$context.path",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "latency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
    },
    separators=(",", ":"),
)


class StorefrontApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        config: StageConfig,
        orders_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.api

        self.api_key_secret = secretsmanager.Secret(
            self,
            "ApiKeySecret",
            description="API key that storefront clients send to the ordertrack HTTP API",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - the generated value goes into it
                generate_string_key=API_KEY_FIELD,
                exclude_punctuation=True,
            ),
        )
        pin_logical_id(self.api_key_secret, "StorefrontApiKeySecret")
        self.api_key_secret.node.default_child.add_metadata(
            LOCAL_SECRET_METADATA_KEY,
            {API_KEY_FIELD: {"env": "ORDERTRACK_API_KEY", "default": "local-dev-key"}},
        )
        suppress(
            self.api_key_secret,
            "AwsSolutions-SMG4",
            "The storefront API key is shared with external storefront clients and rotated by "
            "operators together with those clients, so automatic rotation would lock them out.",
        )

        self.handler = ServiceFunction(
            self,
            "StorefrontApi",
            runtime=runtime,
            name="StorefrontApi",
            handler=HANDLER,
            service_name="storefront",
            description="Storefront HTTP API: orders, inventory and customer notifications",
            settings=settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "API_KEY_SECRET_ARN": self.api_key_secret.secret_arn,
            },
        )
        function = self.handler.function
        self.handler.grant_table_read_write_data(orders_table)
        self.api_key_secret.grant_read(function)

        self.authorizer_function = ServiceFunction(
            self,
            "Authorizer",
            runtime=runtime,
            name="StorefrontAuthorizer",
            handler=AUTHORIZER_HANDLER,
            service_name="storefront-authorizer",
            description="Storefront API authorizer: accepts a request whose x-api-key is the storefront key",
            settings=settings.authorizer,
            environment={"API_KEY_SECRET_ARN": self.api_key_secret.secret_arn},
        )
        self.api_key_secret.grant_read(self.authorizer_function.function)
        self.authorizer = authorizers.HttpLambdaAuthorizer(
            "StorefrontApiKeyAuthorizer",
            self.authorizer_function.function,
            authorizer_name="storefront-api-key",
            identity_source=[API_KEY_IDENTITY_SOURCE],
            response_types=[authorizers.HttpLambdaResponseType.SIMPLE],
            results_cache_ttl=Duration.seconds(settings.authorizer_cache_seconds),
        )

        integration = integrations.HttpLambdaIntegration(
            "StorefrontApiIntegration",
            function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
        )
        self.http_api = apigwv2.HttpApi(
            self, "HttpApi", description="ordertrack storefront API", create_default_stage=False
        )
        pin_logical_id(self.http_api, "StorefrontHttpApi")
        # `$default`: a request no route matches (`GET /v1/nope`, a wrong method) reaches the
        # storefront function, which answers in the error envelope instead of API Gateway's bare
        # {"message": "Not Found"}; it needs the key like any storefront route
        # (built where HttpApi's `default_integration` would build it: same logical id, so an update
        # replaces nothing, while `default_authorizer` is not used because it would also guard the
        # public routes other constructs add)
        apigwv2.HttpRoute(
            self.http_api,
            "DefaultRoute",
            http_api=self.http_api,
            route_key=apigwv2.HttpRouteKey.DEFAULT,
            integration=integration,
            authorizer=self.authorizer,
        )
        for route in STOREFRONT_ROUTES:
            self.http_api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod(route.method)],
                integration=integration,
                authorizer=None if route in PUBLIC_ROUTES else self.authorizer,
            )
        pin_logical_id(
            self.http_api.node.find_child("StorefrontApiKeyAuthorizer"), "StorefrontApiKeyAuthorizer"
        )
        suppress(
            self.http_api,
            "AwsSolutions-APIG4",
            "Storefront routes use the API key authorizer; the routes without one are public on "
            "purpose: the OpenAPI document and its viewer, and the routes that other constructs add "
            "with their own credentials (signed webhooks, signed customer links).",
        )

        self.access_logs = retained_log_group(self, "AccessLogs", config.log_retention_days)
        pin_logical_id(self.access_logs, "StorefrontApiAccessLogs")
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=settings.throttling_rate_limit, burst_limit=settings.throttling_burst_limit
            ),
        )
        cfn_stage: apigwv2.CfnStage = self.stage.node.default_child  # type: ignore[assignment]
        cfn_stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_logs.log_group_arn, format=ACCESS_LOG_FORMAT
        )
        pin_logical_id(self.stage, "StorefrontApiDefaultStage")
        self._route_settings: dict[str, dict[str, float | int]] = {}

        self.url = self.stage.url
        url_output = CfnOutput(self, "Url", value=self.url, description="Base URL of the storefront API")
        url_output.override_logical_id("StorefrontApiUrl")

    def limit_routes(self, routes: list[apigwv2.HttpRoute], *, rate_limit: float, burst_limit: int) -> None:
        """Give `routes` their own throttle (stage `RouteSettings`, keyed by route key) instead of the
        stage default, so traffic on them and on the other routes cannot use up each other's."""
        cfn_stage: apigwv2.CfnStage = self.stage.node.default_child  # type: ignore[assignment]
        for route in routes:
            cfn_route: apigwv2.CfnRoute = route.node.default_child  # type: ignore[assignment]
            # RouteSettings is a JSON map in CloudFormation: its values keep their CloudFormation names
            self._route_settings[cfn_route.route_key] = {
                "ThrottlingRateLimit": rate_limit,
                "ThrottlingBurstLimit": burst_limit,
            }
            # a stage's RouteSettings may only name routes that exist already
            self.stage.node.add_dependency(route)
        cfn_stage.route_settings = dict(sorted(self._route_settings.items()))
