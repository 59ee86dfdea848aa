"""Customer notifications: `NotificationQueue` and the send_notifications worker (SES email with a
configuration set, SMS), the operations alerts topic (`infra.constructs.operations_alerts`), and
the suppression list kept from SES bounces and complaints and customers' SMS replies.

Feedback path::

    SES configuration set --BOUNCE, COMPLAINT--> EmailFeedback topic --raw--> SuppressionQueue
    two-way SMS number   --customer replies---> InboundSms topic    --raw-->      |
                                                                     ApplySuppressions -> orders table

Both feedback topics are encrypted with one customer managed key: AWS services can publish to an
encrypted topic only if the key policy lets them use the key, and the AWS managed key
(`alias/aws/sns`) cannot be given to SES or End User Messaging SMS. Delivery from the topics to the
queue needs nothing more on the key (the queue uses SQS managed encryption).

The two-way SMS number itself is set up outside this stack (End User Messaging SMS phone numbers
are bought and registered by hand); point its two-way destination at the `InboundSms` topic.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import QueueConsumerSettings, StageConfig
from infra.constructs.customer_links import CustomerLinks
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import TABLE_INDEX_WILDCARD, suppress
from infra.constructs.operations_alerts import OperationsAlerts
from infra.constructs.queues import WorkQueue
from shared.brand import BRAND_VARIABLE

HANDLER = "notifications.handlers.send_notifications.handler"
SUPPRESSIONS_HANDLER = "notifications.handlers.apply_suppressions.handler"
SES_PRINCIPAL = "ses.amazonaws.com"
SMS_PRINCIPAL = "sms-voice.amazonaws.com"  # AWS End User Messaging SMS (two-way SMS)
KEY_ACTIONS_FOR_PUBLISHERS = ["kms:GenerateDataKey*", "kms:Decrypt"]
SEND_EMAIL_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"]
LOCAL_OVERRIDES = {
    "COLLAPSE_WINDOW_SECONDS": "ORDERTRACK_COLLAPSE_WINDOW_SECONDS",
    "RETRY_BASE_SECONDS": "ORDERTRACK_RETRY_BASE_SECONDS",
    "SES_CONFIRMATION_SECONDS": "ORDERTRACK_SES_CONFIRMATION_SECONDS",
}
"""Worker variables a local run may set (e.g. 0 s windows in tests); on AWS the worker gets
RETRY_BASE_SECONDS from the stage config, the collapse window from NOTIFICATION_POLICY and the
wait for SES's word after a lost answer from its default (notifications.adapters.
delivery_confirmations.CONFIRMATION_SECONDS)."""


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
        customer_links: CustomerLinks,
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

        self.operations = OperationsAlerts(self, "OperationsAlerts", emails=config.operations_emails)
        self.operations_alerts: sns.ITopic = self.operations.topic

        self._build_feedback()

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
                BRAND_VARIABLE: config.effective_brand.as_variable(),
                "NOTIFICATION_POLICY": settings.policy_json(),
                "NOTIFICATION_QUEUE_URL": self.queue.queue_url,
                "NOTIFICATION_DLQ_URL": self.dlq.queue_url,
                "MAX_RECEIVE_COUNT": str(settings.max_receive_count),
                "RETRY_BASE_SECONDS": str(settings.retry_base_seconds),
                "SES_CONFIGURATION_SET": self.configuration_set.configuration_set_name,
            },
            local_overrides=LOCAL_OVERRIDES,
        )
        function = self.worker.function
        # The log, the collapse markers and the suppression and preference items are all in it.
        self.worker.grant_table_read_write_data(orders_table)
        # Read only: delivery records are kept on the log entries; the table still holds those
        # written before (14 days), which the worker honours. Drop it 14 days after that deploy.
        self.worker.grant_table_read_data(idempotency_table)
        # Its own queue for delayed deliveries (collapse windows, quiet hours, retries), and the
        # dead-letter queue for messages it gives up on itself (with a reason attribute).
        self.queue.grant_send_messages(function)
        self.dlq.grant_send_messages(function)
        # Sending with a configuration set is authorized against both the identity and the set.
        iam.Grant.add_to_principal(
            grantee=function,
            actions=SEND_EMAIL_ACTIONS,
            resource_arns=[self.sender_identity.email_identity_arn, self.configuration_set_arn],
        )
        customer_links.grant_to(function, function)
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

        self._build_suppressions(runtime, orders_table)

    def link_tracking_page(self, base_url: str) -> None:
        """Tell the worker where tracking links point (`TRACKING_BASE_URL`); the stack knows the
        storefront API only after this construct exists."""
        self.worker.function.add_environment("TRACKING_BASE_URL", base_url)

    # -- feedback: SES bounces and complaints, SMS replies --------------------------------------

    def _build_feedback(self) -> None:
        self.feedback_key = kms.Key(
            self,
            "FeedbackKey",
            description="Encrypts the EmailFeedback and InboundSms topics (SES and two-way SMS publish to them)",
            enable_key_rotation=True,
        )
        pin_logical_id(self.feedback_key, "NotificationFeedbackKey")

        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        pin_logical_id(self.configuration_set, "NotificationConfigurationSet")
        self.configuration_set_arn = (
            f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:configuration-set/"
            f"{self.configuration_set.configuration_set_name}"
        )

        self.email_feedback = self._feedback_topic("EmailFeedback", "ordertrack email bounces and complaints")
        self._allow_publisher_to_use_key(SES_PRINCIPAL, "ses")
        destination = self.configuration_set.add_event_destination(
            "EmailFeedbackDestination",
            destination=ses.EventDestination.sns_topic(self.email_feedback),
            # Send: SES's word that it accepted a message, which completes a delivery a crash interrupted
            events=[
                ses.EmailSendingEvent.SEND,
                ses.EmailSendingEvent.BOUNCE,
                ses.EmailSendingEvent.COMPLAINT,
            ],
        )
        pin_logical_id(destination, "EmailFeedbackDestination")

        self.inbound_sms = self._feedback_topic("InboundSms", "ordertrack customer SMS replies")
        self._allow_publisher_to_use_key(SMS_PRINCIPAL, "sms-voice")
        self.inbound_sms.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowTwoWaySmsPublish",
                principals=[iam.ServicePrincipal(SMS_PRINCIPAL)],
                actions=["sns:Publish"],
                resources=[self.inbound_sms.topic_arn],
                conditions=self._same_account_source("sms-voice"),
            )
        )

    def _feedback_topic(self, logical_id: str, display_name: str) -> sns.Topic:
        topic = sns.Topic(
            self, logical_id, display_name=display_name, master_key=self.feedback_key, enforce_ssl=True
        )
        pin_logical_id(topic, logical_id)
        return topic

    @staticmethod
    def _same_account_source(service: str) -> dict[str, dict[str, str]]:
        """Confused-deputy guard: only `service` acting for a resource of this account and region."""
        return {
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:{service}:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"},
        }

    def _allow_publisher_to_use_key(self, principal: str, service: str) -> None:
        self.feedback_key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(principal)],
                actions=KEY_ACTIONS_FOR_PUBLISHERS,
                resources=["*"],  # in a key policy, "*" is this key
                conditions=self._same_account_source(service),
            )
        )

    def _build_suppressions(self, runtime: FunctionRuntime, orders_table: dynamodb.ITable) -> None:
        # Every email's SES Send event comes this way (about six an order), besides the rare bounce,
        # complaint or SMS reply: batches of up to 100 gathered for up to 5 s keep the invocations,
        # receives and deletes a fraction of the events; nothing here is waited on by a customer.
        settings = QueueConsumerSettings(batch_size=100, batching_window_seconds=5)
        work = WorkQueue(self, "SuppressionQueue", logical_id="SuppressionQueue", settings=settings)
        self.suppression_queue: sqs.Queue = work.queue
        self.suppression_dlq: sqs.Queue = work.dlq
        for topic in (self.email_feedback, self.inbound_sms):
            subscription = topic.add_subscription(
                subscriptions.SqsSubscription(self.suppression_queue, raw_message_delivery=True)
            )
            pin_logical_id(subscription, f"{topic.node.id}Subscription")

        self.suppressions = ServiceFunction(
            self,
            "ApplySuppressions",
            runtime=runtime,
            name="ApplySuppressions",
            handler=SUPPRESSIONS_HANDLER,
            service_name="notifications",
            description="Keeps the suppression list from SES bounces and complaints and SMS STOP/START replies",
            settings=settings.function,
            environment={"ORDERS_TABLE_NAME": orders_table.table_name},
        )
        orders_table.grant_write_data(self.suppressions.function)
        suppress(
            self.suppressions.role,
            "AwsSolutions-IAM5",
            "A table grant_write_data also covers the table's global secondary indexes, which IAM can "
            "only name with the table ARN followed by /index/*; this function writes base items only.",
            applies_to=[TABLE_INDEX_WILDCARD],
        )
        self.suppressions.consume_queue(self.suppression_queue, settings)
