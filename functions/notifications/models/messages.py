"""The notification queue's records: an SQS message whose body is an `OrderEvent` in JSON."""

from __future__ import annotations

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from shared.events import OrderEvent


class OrderEventMessage(SqsRecordModel):
    body: Json[OrderEvent]  # type: ignore[assignment]
