"""The `OperationsAlerts` topic: where every alarm and every operations alert goes, and the email
addresses (`operations_emails` in the stage config) it reaches.

It is encrypted with its own customer managed key (rotated yearly). The AWS managed SNS key
(`alias/aws/sns`) would not do: its key policy cannot be changed, and CloudWatch alarms can only
publish to an encrypted topic whose key lets `cloudwatch.amazonaws.com` call `kms:GenerateDataKey*`
and `kms:Decrypt` (Amazon SNS developer guide, "Key management": compatibility between event
sources from AWS services and encrypted topics). The functions that publish alerts are given the
topic with `grant_publish`, which covers the key too. Email delivery needs nothing on the key.

The topic's access policy (it replaces SNS's default policy, which it must, to refuse publishing
without TLS) lets CloudWatch publish on behalf of this account's alarms only; the functions publish
with their roles. Amazon SES publishes nothing to this topic (its bounce and complaint events go to
`EmailFeedback`), so neither policy names SES.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constructs.lambda_function import ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress

CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
KEY_ACTIONS_FOR_ALARMS = ["kms:Decrypt", "kms:GenerateDataKey*"]


def grant_alert_publishing(topic: sns.ITopic, publisher: ServiceFunction) -> None:
    """Let `publisher` publish to the alerts topic: sns:Publish on it and, as the topic is encrypted,
    kms:GenerateDataKey* and kms:Decrypt on its key (`grant_publish`)."""
    topic.grant_publish(publisher.function)
    suppress(
        publisher.role,
        "AwsSolutions-IAM5",
        "Publishing to a KMS-encrypted SNS topic needs kms:GenerateDataKey* on the topic's key (SNS "
        "asks for a data key of the type it needs); the grant names that one key only.",
        applies_to=["Action::kms:GenerateDataKey*"],
    )


def allow_this_accounts_alarms(sid: str, actions: Sequence[str], resource: str) -> iam.PolicyStatement:
    """A resource policy statement for CloudWatch acting for an alarm of this account and region
    only (the confused-deputy guard: aws:SourceAccount and aws:SourceArn)."""
    return iam.PolicyStatement(
        sid=sid,
        principals=[iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
        actions=list(actions),
        resources=[resource],
        conditions={
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {
                "aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"
            },
        },
    )


class OperationsAlerts(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, emails: Sequence[str]) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the OperationsAlerts topic (CloudWatch alarms and functions publish to it)",
            enable_key_rotation=True,
        )
        pin_logical_id(self.key, "OperationsAlertsKey")
        # in a key policy, the resource "*" is this key
        self.key.add_to_resource_policy(
            allow_this_accounts_alarms("AllowCloudWatchAlarmsToUseTheKey", KEY_ACTIONS_FOR_ALARMS, "*")
        )

        self.topic = sns.Topic(
            self,
            "Topic",
            display_name="ordertrack operations alerts",
            master_key=self.key,
            enforce_ssl=True,
        )
        pin_logical_id(self.topic, "OperationsAlerts")
        self.topic.add_to_resource_policy(
            allow_this_accounts_alarms(
                "AllowCloudWatchAlarmsToPublish", ["sns:Publish"], self.topic.topic_arn
            )
        )
        for address in emails:
            # SNS emails each address a confirmation link; alerts reach it once it is followed.
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
