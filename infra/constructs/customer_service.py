"""Customer service: the public survey page on the storefront's HTTP API, the complaint overdue
sweep with its operations alert, and what the storefront function needs for feedback, complaints
and returns (the notification queue for customer events, the rules).

The link-signing key is granted by the stack (`CustomerLinks.grant_to`) to the survey page, the
storefront function (complaints by a customer's token) and the order-events dispatcher (it signs
the survey link when an order is delivered).
"""

from __future__ import annotations

import json

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import CustomerServiceSettings
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress
from infra.constructs.operations_alerts import grant_alert_publishing
from shared.brand import BRAND_VARIABLE, Brand

PAGE_HANDLER = "service.handlers.feedback_page.handler"
OVERDUE_HANDLER = "service.handlers.flag_overdue_complaints.handler"
FEEDBACK_ROUTE = "/feedback/{token}"
CASE_ROUTE = "/case/{token}"  # "was your complaint resolved?" (docs/cases.md), same function
RULES_VARIABLE = "CUSTOMER_SERVICE_RULES"
OVERDUE_SCHEDULE_LOGICAL_ID = "FlagOverdueComplaintsSchedule"


class CustomerService(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: CustomerServiceSettings,
        orders_table: dynamodb.ITable,
        http_api: apigwv2.HttpApi,
        storefront: ServiceFunction,
        notification_queue: sqs.IQueue,
        operations_alerts: sns.ITopic,
        brand: Brand,
    ) -> None:
        super().__init__(scope, construct_id)
        rules = json.dumps(settings.rules, sort_keys=True, separators=(",", ":"))

        # The survey page: public (the signed token is the proof), HTML in the order's language.
        self.page = ServiceFunction(
            self,
            "FeedbackPage",
            runtime=runtime,
            name="FeedbackPage",
            handler=PAGE_HANDLER,
            service_name="customer-service",
            description="Public survey page behind the signed feedback link",
            settings=settings.page,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                RULES_VARIABLE: rules,
                BRAND_VARIABLE: brand.as_variable(),
            },
        )
        self.page.grant_table_read_write_data(orders_table)
        # A low rating can open a case, and the customer is told it is open (with its due time).
        self.page.function.add_environment("NOTIFICATION_QUEUE_URL", notification_queue.queue_url)
        notification_queue.grant_send_messages(self.page.function)
        page_integration = integrations.HttpLambdaIntegration(
            "FeedbackPageIntegration",
            self.page.function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
        )
        routes = [
            *http_api.add_routes(
                path=FEEDBACK_ROUTE,
                methods=[apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
                integration=page_integration,
            ),
            *http_api.add_routes(
                path=CASE_ROUTE,
                methods=[apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
                integration=page_integration,
            ),
        ]
        for route in routes:
            suppress(
                route,
                "AwsSolutions-APIG4",
                "The survey page is opened by customers from a message: the signed, expiring link "
                "token in the path authorizes it, and a tampered token gets a 404 page.",
            )

        # The storefront function serves feedback, complaints and returns.
        storefront.function.add_environment("NOTIFICATION_QUEUE_URL", notification_queue.queue_url)
        storefront.function.add_environment(RULES_VARIABLE, rules)
        notification_queue.grant_send_messages(storefront.function)

        # Complaints past their response time: one operations alert each.
        self.overdue_check = ServiceFunction(
            self,
            "FlagOverdueComplaints",
            runtime=runtime,
            name="FlagOverdueComplaints",
            handler=OVERDUE_HANDLER,
            service_name="customer-service",
            description="Alerts operations once about each complaint past its response due time",
            settings=settings.sweeper,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "OPERATIONS_ALERTS_TOPIC_ARN": operations_alerts.topic_arn,
            },
        )
        self.overdue_check.grant_table_read_write_data(orders_table)
        grant_alert_publishing(operations_alerts, self.overdue_check)
        self.overdue_schedule = events.Rule(
            self,
            "OverdueSchedule",
            description="Alerts operations about complaints past their response due time",
            schedule=events.Schedule.rate(Duration.minutes(settings.overdue_check_minutes)),
            targets=[targets.LambdaFunction(self.overdue_check.function, retry_attempts=2)],
        )
        pin_logical_id(self.overdue_schedule, OVERDUE_SCHEDULE_LOGICAL_ID)
