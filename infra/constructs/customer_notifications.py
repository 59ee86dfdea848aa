"""Customer notifications: `NotificationQueue`, the send_notifications worker, SES and SMS, alerts topic."""

from __future__ import annotations

from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_ses as ses,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress
from infra.constructs.queues import WorkQueue

HANDLER = "notifications.handlers.send_notifications.handler"
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


class CustomerNotifications(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        config: StageConfig,
        orders_table: dynamodb.ITable,
        idempotency_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.notifications
        work = WorkQueue(self, "NotificationQueue", logical_id="NotificationQueue", settings=settings)
        self.queue = work.queue
        self.dlq = work.dlq

        self.sender_identity = ses.EmailIdentity(
            self, "SenderIdentity", identity=ses.Identity.email(config.sender_email)
        )
        pin_logical_id(self.sender_identity, "SenderEmailIdentity")

        self.operations_alerts = sns.Topic(
            self,
            "OperationsAlerts",
            display_name="ordertrack operations alerts",
            master_key=kms.Alias.from_alias_name(self, "AwsManagedSnsKey", AWS_MANAGED_SNS_KEY),
            enforce_ssl=True,
        )
        pin_logical_id(self.operations_alerts, "OperationsAlerts")
        for address in config.operations_emails:
            # Email subscriptions are confirmed by the recipient (SNS sends a confirmation link).
            self.operations_alerts.add_subscription(subscriptions.EmailSubscription(address))

        self.worker = ServiceFunction(
            self,
            "SendNotifications",
            runtime=runtime,
            name="SendNotifications",
            handler=HANDLER,
            service_name="notifications",
            description="Sends order e-mails (SES) and text messages (SNS) from NotificationQueue",
            settings=settings.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "IDEMPOTENCY_TABLE_NAME": idempotency_table.table_name,
                "SENDER_EMAIL": config.sender_email,
                "SMS_SENDER_ID": config.sms_sender_id,
                "TRACKING_BASE_URL": config.tracking_base_url,
            },
        )
        function = self.worker.function
        self.worker.grant_table_read_data(orders_table)
        self.worker.grant_table_read_write_data(idempotency_table)
        self.sender_identity.grant_send_email(function)
        self.sms_policy = iam.Policy(
            self,
            "SmsPolicy",
            statements=[
                iam.PolicyStatement(
                    actions=["sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"],
                    resources=["*"],
                )
            ],
        )
        self.sms_policy.attach_to_role(self.worker.role)
        suppress(
            self.sms_policy,
            "AwsSolutions-IAM5",
            "Text messages are published straight to phone numbers, which have no ARN, and "
            "sns:CheckIfPhoneNumberIsOptedOut has no resource type, so both need Resource *.",
            applies_to=["Resource::*"],
        )
        self.worker.consume_queue(self.queue, settings)
