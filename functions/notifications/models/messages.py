"""The notification queue's records: an SQS message whose body is a `NotificationTask` in JSON.

The order-events dispatcher sends plain `OrderEvent`s (a new event: `due` is false); the worker
itself sends the same event back with `due: true`, delayed, when its delivery is due (end of the
burst window, end of the customer's quiet hours).
"""

from __future__ import annotations

from pydantic import Json

from shared.events import OrderEvent
from shared.sqs_records import SqsRecord


class NotificationTask(OrderEvent):
    due: bool = False

    def event(self) -> OrderEvent:
        return OrderEvent.model_validate(self.model_dump(exclude={"due"}))


class NotificationMessage(SqsRecord):
    body: Json[NotificationTask]  # type: ignore[assignment]
