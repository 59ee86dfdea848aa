"""Carrier tracking: signed webhooks on the storefront's HTTP API, a queue, a worker that applies
normalized checkpoints, and a consumer of `ShipmentTrackingLinked` domain events (routed from the
event bus to its queue) that applies events kept for not-yet-linked tracking numbers once the
shipment's tracking link is written, and queues the number's registration."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import ApiSettings, StageConfig
from infra.constructs.domain_events import subscribe_to_domain_events
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress
from infra.constructs.operations_alerts import grant_alert_publishing
from infra.constructs.queues import WorkQueue
from infra.constructs.storefront_api import LOCAL_SECRET_METADATA_KEY
from infra.constructs.tracking_registration import TrackingRegistration
from shared.domain_events import ShipmentTrackingLinked

PROVIDERS: dict[str, tuple[str, str]] = {
    "easypost": ("EasyPost", "EASYPOST"),
    "aftership": ("AfterShip", "AFTERSHIP"),
    "kuaidi100": ("Kuaidi100", "KUAIDI100"),
    "generic": ("Generic", "GENERIC"),
    "17track": ("SeventeenTrack", "SEVENTEENTRACK"),  # environment names cannot start with a digit
    "shippo": ("Shippo", "SHIPPO"),
}
"""provider path segment -> (logical id prefix, function environment prefix)."""
WEBHOOK_ROUTE = "/v1/webhooks/{provider}"
SECRET_FIELD = "secret"  # noqa: S105 - the JSON field name inside each provider's secret
WEBHOOK_HANDLER = "carriers.handlers.receive_webhook.handler"
WORKER_HANDLER = "carriers.handlers.apply_tracking_events.handler"
LINK_HANDLER = "carriers.handlers.apply_linked_events.handler"
DELAY_HANDLER = "carriers.handlers.flag_delayed_shipments.handler"
STALLED_AFTER_HOURS = 48
DELAY_CHECK_RATE = Duration.hours(1)


class CarrierTracking(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        config: StageConfig,
        orders_table: dynamodb.ITable,
        http_api: apigwv2.HttpApi,
        operations_alerts: sns.ITopic,
        domain_events: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        queue_settings = config.carriers.webhook_worker

        self.secrets: dict[str, secretsmanager.Secret] = {}
        for provider in PROVIDERS:
            secret = secretsmanager.Secret(
                self,
                f"{PROVIDERS[provider][0]}WebhookSecret",
                description=f"Shared secret that signs {provider} carrier webhooks to ordertrack",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    secret_string_template="{}",  # noqa: S106 - the generated value goes into it
                    generate_string_key=SECRET_FIELD,
                    exclude_punctuation=True,
                    password_length=32,  # Kuaidi100 salts are at most 32 characters
                ),
            )
            pin_logical_id(secret, f"{PROVIDERS[provider][0]}WebhookSecret")
            secret.node.default_child.add_metadata(
                LOCAL_SECRET_METADATA_KEY,
                {
                    SECRET_FIELD: {
                        "env": f"ORDERTRACK_{provider.upper()}_WEBHOOK_SECRET",
                        "default": f"local-{provider}-secret",
                    }
                },
            )
            suppress(
                secret,
                "AwsSolutions-SMG4",
                "A webhook secret is entered by an operator in the provider's dashboard as well, so "
                "automatic rotation would break signature checks until the provider is updated.",
            )
            self.secrets[provider] = secret

        work = WorkQueue(self, "WebhookQueue", logical_id="CarrierWebhookQueue", settings=queue_settings)
        self.queue = work.queue
        self.dlq = work.dlq

        self.webhook = ServiceFunction(
            self,
            "CarrierWebhook",
            runtime=runtime,
            name="CarrierWebhook",
            handler=WEBHOOK_HANDLER,
            service_name="carriers",
            description="Carrier webhooks: verifies the provider signature, validates and enqueues",
            settings=ApiSettings().function,
            environment={
                "WEBHOOK_QUEUE_URL": self.queue.queue_url,
                "ACCEPT_TEST_MODE_EVENTS": str(config.accepts_test_mode_events).lower(),
                **{
                    f"{PROVIDERS[provider][1]}_WEBHOOK_SECRET_ARN": secret.secret_arn
                    for provider, secret in self.secrets.items()
                },
            },
        )
        self.queue.grant_send_messages(self.webhook.function)
        for secret in self.secrets.values():
            secret.grant_read(self.webhook.function)
        # what a merchant enters in each provider's dashboard: the URL, and the secret to copy
        for provider, (logical, _) in PROVIDERS.items():
            query = "?token=<the secret's value>" if provider == "shippo" else ""
            url = CfnOutput(
                self,
                f"{logical}WebhookUrl",
                value=f"{http_api.api_endpoint}/v1/webhooks/{provider}",
                description=f"The {provider} webhook URL to register with the provider{query and ' (add ' + query + ')'}",
            )
            url.override_logical_id(f"{logical}WebhookUrl")
            arn = CfnOutput(
                self,
                f"{logical}WebhookSecretArnOutput",
                value=self.secrets[provider].secret_arn,
                description=f"Secrets Manager secret holding the {provider} webhook secret (JSON field `secret`)",
            )
            arn.override_logical_id(f"{logical}WebhookSecretArn")
        self.webhook_routes = routes = http_api.add_routes(
            path=WEBHOOK_ROUTE,
            methods=[apigwv2.HttpMethod.POST],
            integration=integrations.HttpLambdaIntegration(
                "CarrierWebhookIntegration",
                self.webhook.function,
                payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            ),
        )

        for route in routes:
            suppress(
                route,
                "AwsSolutions-APIG4",
                "Carrier webhooks cannot send the storefront API key: the webhook function "
                "authenticates every request with the provider's own signature over the raw body "
                "and answers 401 with a JSON error body.",
            )

        self.worker = ServiceFunction(
            self,
            "ApplyTrackingEvents",
            runtime=runtime,
            name="ApplyTrackingEvents",
            handler=WORKER_HANDLER,
            service_name="carriers",
            description="Applies normalized carrier checkpoints to shipments and orders, in order, once",
            settings=queue_settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "STALLED_AFTER_HOURS": str(STALLED_AFTER_HOURS),
                "PRE_REGISTRATION_WINDOW_DAYS": str(config.carriers.pre_registration_window_days),
            },
        )
        self.worker.grant_table_read_write_data(orders_table)
        self.worker.consume_queue(self.queue, queue_settings)

        self.link_consumer = ServiceFunction(
            self,
            "ApplyLinkedEvents",
            runtime=runtime,
            name="ApplyLinkedEvents",
            handler=LINK_HANDLER,
            service_name="carriers",
            description="Applies carrier checkpoints kept for a tracking number once its shipment is registered",
            settings=queue_settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "STALLED_AFTER_HOURS": str(STALLED_AFTER_HOURS),
                "PRE_REGISTRATION_WINDOW_DAYS": str(config.carriers.pre_registration_window_days),
            },
        )
        self.link_consumer.grant_table_read_write_data(orders_table)
        links = subscribe_to_domain_events(
            self,
            domain_events,
            self.link_consumer,
            logical_id="TrackingLinksQueue",
            detail_types=[ShipmentTrackingLinked],
            settings=queue_settings,
        )
        self.link_queue = links.queue
        self.link_dlq = links.dlq

        self.delay_check = ServiceFunction(
            self,
            "FlagDelayedShipments",
            runtime=runtime,
            name="FlagDelayedShipments",
            handler=DELAY_HANDLER,
            service_name="carriers",
            description="Flags shipments with no checkpoint for too long or past their delivery date",
            settings=queue_settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "OPERATIONS_ALERTS_TOPIC_ARN": operations_alerts.topic_arn,
                "STALLED_AFTER_HOURS": str(STALLED_AFTER_HOURS),
            },
        )
        self.delay_check.grant_table_read_write_data(orders_table)
        grant_alert_publishing(operations_alerts, self.delay_check)
        self.delay_schedule = events.Rule(
            self,
            "DelayCheckSchedule",
            description="Runs the carrier delay check (stalled and late shipments)",
            schedule=events.Schedule.rate(DELAY_CHECK_RATE),
            targets=[targets.LambdaFunction(self.delay_check.function, retry_attempts=2)],
        )
        pin_logical_id(self.delay_schedule, "FlagDelayedShipmentsSchedule")

        self.registration = TrackingRegistration(
            self,
            "Registration",
            runtime=runtime,
            config=config,
            orders_table=orders_table,
            http_api=http_api,
            operations_alerts=operations_alerts,
            kuaidi100_webhook_secret=self.secrets["kuaidi100"],
        )
        # a new (or taken over) tracking link queues its registration; Kuaidi100 aborts a resubscription
        self.registration.accept_jobs_from(self.link_consumer)
        self.link_consumer.function.add_environment("CARRIER_ROUTING", config.carriers.routing_json())
        self.registration.accept_jobs_from(self.worker)
        self.worker.function.add_environment("KUAIDI100_RESUBSCRIBE_AFTER_SECONDS", "1800")
        self.worker.add_local_override(
            "KUAIDI100_RESUBSCRIBE_AFTER_SECONDS", "ORDERTRACK_KUAIDI100_RESUBSCRIBE_AFTER_SECONDS"
        )
        # the delay check asks the provider before flagging a registered shipment stalled
        self.registration.use_providers(self.delay_check)
        self.delay_check.function.add_environment("WEBHOOK_QUEUE_URL", self.queue.queue_url)
        self.queue.grant_send_messages(self.delay_check.function)
