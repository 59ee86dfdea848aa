"""The customer's pages behind signed links, on the storefront's HTTP API, served by one function:
the tracking page with its self-service forms (`/track/{token}`, `/track/{token}/{action}`) and the
notification settings an email's `List-Unsubscribe` header names, with RFC 8058 one-click
unsubscribe (`/unsubscribe/{token}`, `/unsubscribe/{token}/{action}`).

The function reads the orders table and writes only what the forms do there (a complaint, a
return and its tally, the customer's notification preferences), sends return events to the
notification queue, and reads the link-signing key; nothing else.
"""

from __future__ import annotations

import json

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.customer_links import CustomerLinks
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.nag import suppress
from shared.brand import BRAND_VARIABLE

HANDLER = "tracking_page.handler.handler"
ROUTE = "/track/{token}"
ROUTES: dict[str, list[apigwv2.HttpMethod]] = {
    ROUTE: [apigwv2.HttpMethod.GET],
    "/track/{token}/{action}": [apigwv2.HttpMethod.POST],
    "/unsubscribe/{token}": [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
    "/unsubscribe/{token}/{action}": [apigwv2.HttpMethod.POST],
}
RULES_VARIABLE = "CUSTOMER_SERVICE_RULES"


class TrackingPage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        config: StageConfig,
        orders_table: dynamodb.ITable,
        http_api: apigwv2.HttpApi,
        customer_links: CustomerLinks,
        notification_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        rules = json.dumps(config.customer_service.rules, sort_keys=True, separators=(",", ":"))
        self.page = ServiceFunction(
            self,
            "TrackingPage",
            runtime=runtime,
            name="TrackingPage",
            handler=HANDLER,
            service_name="tracking-page",
            description="Customer tracking page and self-service behind the signed links",
            settings=config.api.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "NOTIFICATION_QUEUE_URL": notification_queue.queue_url,
                RULES_VARIABLE: rules,
                BRAND_VARIABLE: config.effective_brand.as_variable(),
            },
        )
        self.function = self.page.function
        self.page.grant_table_read_write_data(orders_table)
        notification_queue.grant_send_messages(self.function)
        customer_links.grant_to(self.function, self.function)

        integration = integrations.HttpLambdaIntegration(
            "TrackingPageIntegration",
            self.function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
        )
        self.routes = [
            route
            for path, methods in ROUTES.items()
            for route in http_api.add_routes(path=path, methods=methods, integration=integration)
        ]
        for route in self.routes:
            suppress(
                route,
                "AwsSolutions-APIG4",
                "Customers open these pages from a link in their email or SMS and cannot send an API "
                "key: the signed token in the path is the credential, verified in the function (HMAC, "
                "constant time, bound to the page's purpose), and any token that does not verify gets "
                "the same 404 page. Forms also carry a CSRF token derived from the link key.",
            )
