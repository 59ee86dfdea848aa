"""Tracking registration: every shipment's tracking number registered with the provider that
tracks its carrier (stage `carriers.routing`), off the request path: a queue with its dead-letter
queue, a worker, and one Secrets Manager secret per provider holding the merchant's API key."""

from __future__ import annotations

import json

from aws_cdk import CfnOutput
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress
from infra.constructs.operations_alerts import grant_alert_publishing
from infra.constructs.queues import WorkQueue
from infra.constructs.storefront_api import LOCAL_SECRET_METADATA_KEY

HANDLER = "carriers.handlers.register_tracking.handler"
REGISTRATION_PROVIDERS: dict[str, tuple[str, str, str]] = {
    # provider -> (logical id prefix, environment prefix, API base URL)
    "easypost": ("EasyPost", "EASYPOST", "https://api.easypost.com"),
    "aftership": ("AfterShip", "AFTERSHIP", "https://api.aftership.com"),
    "kuaidi100": ("Kuaidi100", "KUAIDI100", "https://poll.kuaidi100.com"),
    "17track": ("SeventeenTrack", "SEVENTEENTRACK", "https://api.17track.net"),
    "shippo": ("Shippo", "SHIPPO", "https://api.goshippo.com"),
}
KEY_FIELD = "api_key"
CUSTOMER_FIELD = "customer"


class TrackingRegistration(Construct):
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
        kuaidi100_webhook_secret: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, construct_id)
        carriers = config.carriers
        settings = carriers.registration_worker
        self.api_keys: dict[str, secretsmanager.Secret] = {}
        for provider, (logical, env, _) in REGISTRATION_PROVIDERS.items():
            template = {CUSTOMER_FIELD: "replace-with-your-customer-id"} if provider == "kuaidi100" else {}
            secret = secretsmanager.Secret(
                self,
                f"{logical}ApiKey",
                description=f"The merchant's {provider} API key (JSON field `{KEY_FIELD}`): replace the "
                "generated placeholder with the key from the provider's dashboard",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    secret_string_template=json.dumps(template),
                    generate_string_key=KEY_FIELD,
                    exclude_punctuation=True,
                    password_length=32,
                ),
            )
            pin_logical_id(secret, f"{logical}ApiKey")
            local = {KEY_FIELD: {"env": f"ORDERTRACK_{env}_API_KEY", "default": f"local-{provider}-api-key"}}
            if provider == "kuaidi100":
                local[CUSTOMER_FIELD] = {
                    "env": "ORDERTRACK_KUAIDI100_CUSTOMER",
                    "default": "local-kuaidi100-customer",
                }
            secret.node.default_child.add_metadata(LOCAL_SECRET_METADATA_KEY, local)
            suppress(
                secret,
                "AwsSolutions-SMG4",
                "A provider API key is issued by the provider and entered by the merchant; Secrets "
                "Manager cannot rotate it at the provider.",
            )
            output = CfnOutput(
                self,
                f"{logical}ApiKeySecretArnOutput",
                value=secret.secret_arn,
                description=f"Secrets Manager secret for the {provider} API key: put the key in field `{KEY_FIELD}`",
            )
            output.override_logical_id(f"{logical}ApiKeySecretArn")
            self.api_keys[provider] = secret

        work = WorkQueue(self, "Queue", logical_id="TrackingRegistrationQueue", settings=settings)
        self.queue = work.queue
        self.dlq = work.dlq
        self.kuaidi100_webhook_secret = kuaidi100_webhook_secret
        self.callback_url = f"{http_api.api_endpoint}/v1/webhooks/kuaidi100"

        self.worker = ServiceFunction(
            self,
            "RegisterTracking",
            runtime=runtime,
            name="RegisterTracking",
            handler=HANDLER,
            service_name="carriers",
            description="Registers shipments' tracking numbers with the provider that tracks their carrier",
            settings=settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "OPERATIONS_ALERTS_TOPIC_ARN": operations_alerts.topic_arn,
                "REGISTRATION_QUEUE_URL": self.queue.queue_url,
                "CARRIER_ROUTING": carriers.routing_json(),
                "REGISTRATION_RETRY_BASE_SECONDS": str(carriers.registration_retry_base_seconds),
            },
            local_overrides={"REGISTRATION_RETRY_BASE_SECONDS": "ORDERTRACK_REGISTRATION_RETRY_BASE_SECONDS"},
        )
        self.use_providers(self.worker)
        self.worker.grant_table_read_write_data(orders_table)
        self.worker.consume_queue(self.queue, settings)
        grant_alert_publishing(operations_alerts, self.worker)

    def use_providers(self, function: ServiceFunction) -> None:
        """Give `function` the provider clients: base URLs (the provider simulator's locally), the
        API key secrets, and Kuaidi100's callback URL and salt (our Kuaidi100 webhook secret)."""
        for provider, (_, env, url) in REGISTRATION_PROVIDERS.items():
            function.function.add_environment(f"{env}_API_URL", url)
            function.function.add_environment(f"{env}_API_KEY_SECRET_ARN", self.api_keys[provider].secret_arn)
            function.add_local_override(f"{env}_API_URL", f"ORDERTRACK_{env}_API_URL")
            self.api_keys[provider].grant_read(function.function)
        function.function.add_environment("KUAIDI100_CALLBACK_URL", self.callback_url)
        function.function.add_environment(
            "KUAIDI100_WEBHOOK_SECRET_ARN", self.kuaidi100_webhook_secret.secret_arn
        )
        self.kuaidi100_webhook_secret.grant_read(function.function)

    def accept_jobs_from(self, function: ServiceFunction) -> None:
        function.function.add_environment("REGISTRATION_QUEUE_URL", self.queue.queue_url)
        self.queue.grant_send_messages(function.function)
