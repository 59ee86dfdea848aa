"""The worker's own queue as its scheduler and retry path (moto SQS)."""

from __future__ import annotations

import json
from typing import Any

from notifications.adapters.sqs_tasks import SqsNotificationTasks
from notifications.models.messages import NotificationTask
from shared.aws_clients import aws_client
from shared.events import OrderEvent


def queues(aws: Any) -> tuple[Any, str, str]:
    sqs = aws_client("sqs")
    return (
        sqs,
        sqs.create_queue(QueueName="tasks")["QueueUrl"],
        sqs.create_queue(QueueName="tasks-dlq")["QueueUrl"],
    )


def test_a_scheduled_event_comes_back_as_a_due_task_with_every_field(aws: Any) -> None:
    sqs, queue_url, dlq_url = queues(aws)
    event = OrderEvent(
        event_id="ord_a:feedback",
        event_type="feedback.invite",
        order_id="ord_a",
        status="delivered",
        occurred_at="2026-11-24T10:00:00.000Z",
        not_before="2026-11-25T10:00:00.000Z",
        details={"feedback_token": "ord_a.x.y"},
    )

    SqsNotificationTasks(sqs, queue_url, dlq_url).schedule(NotificationTask(**event.model_dump()), 0)

    [message] = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    task = NotificationTask.model_validate_json(message["Body"])
    assert task.due is True
    assert task.event() == event
    assert json.loads(message["Body"])["due"] is True


def test_dead_letter_carries_the_reason_as_attributes(aws: Any) -> None:
    sqs, queue_url, dlq_url = queues(aws)

    SqsNotificationTasks(sqs, queue_url, dlq_url).dead_letter(
        '{"x": 1}', "sms: Throttling", ["sms"], "2026-11-24T10:00:00.000Z"
    )

    [message] = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == '{"x": 1}'
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {
        "ordertrack.failure_reason": "sms: Throttling",
        "ordertrack.failed_channels": "sms",
        "ordertrack.failed_at": "2026-11-24T10:00:00.000Z",
    }
