"""SQS queues as every capability uses them: SQS-managed encryption, TLS only, a dead-letter queue."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import QueueConsumerSettings
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress

DLQ_RETENTION = Duration.days(14)
"""The longest SQS allows: time for an operator to inspect and redrive failed messages."""


def dead_letter_queue(scope: Construct, construct_id: str, logical_id: str) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DLQ_RETENTION,
    )
    pin_logical_id(queue, logical_id)
    return queue


def stream_failure_queue(scope: Construct, logical_id: str, stream_consumer: str) -> sqs.Queue:
    """The on-failure destination of a stream mapping: a dead-letter queue that redrives nowhere."""
    queue = dead_letter_queue(scope, logical_id, logical_id=logical_id)
    suppress(
        queue,
        "AwsSolutions-SQS3",
        f"This queue is itself a dead-letter queue: the on-failure destination of the {stream_consumer} "
        "stream mapping, so it must not redrive anywhere else.",
    )
    return queue


class WorkQueue(Construct):
    """A work queue whose messages move to `dlq` after `max_receive_count` failed receives."""

    def __init__(
        self, scope: Construct, construct_id: str, *, logical_id: str, settings: QueueConsumerSettings
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = dead_letter_queue(self, "Dlq", logical_id=f"{logical_id}Dlq")
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(settings.effective_visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=settings.max_receive_count, queue=self.dlq
            ),
        )
        pin_logical_id(self.queue, logical_id)
