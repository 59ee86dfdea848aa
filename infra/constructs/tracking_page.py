"""The customer tracking page: `GET /track/{token}` on the storefront's HTTP API, served by its own
function that verifies the signed link and reads the order, its shipments and their checkpoints.

The function can read the orders table (never write it) and the link-signing key, nothing else.
"""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.customer_links import CustomerLinks
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.nag import suppress
from shared.brand import BRAND_VARIABLE

HANDLER = "tracking_page.handler.handler"
ROUTE = "/track/{token}"


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
    ) -> None:
        super().__init__(scope, construct_id)
        self.page = ServiceFunction(
            self,
            "TrackingPage",
            runtime=runtime,
            name="TrackingPage",
            handler=HANDLER,
            service_name="tracking-page",
            description="Customer tracking page: verifies the signed link, renders the order's tracking",
            settings=config.api.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                BRAND_VARIABLE: config.effective_brand.as_variable(),
            },
        )
        self.function = self.page.function
        self.page.grant_table_read_data(orders_table)
        customer_links.grant_to(self.function, self.function)

        self.routes = http_api.add_routes(
            path=ROUTE,
            methods=[apigwv2.HttpMethod.GET],
            integration=integrations.HttpLambdaIntegration(
                "TrackingPageIntegration",
                self.function,
                payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            ),
        )
        for route in self.routes:
            suppress(
                route,
                "AwsSolutions-APIG4",
                "Customers open the tracking page from a link in their email or SMS and cannot send "
                "an API key: the signed token in the path is the credential, verified in the function "
                "(HMAC, constant time), and any token that does not verify gets the same 404 page.",
            )
