"""The SQS record of a Lambda event, as the queue consumers' `BatchProcessor(model=...)` validates it.

Each consumer subclasses `SqsRecord` and types `body` as `Json[<its message model>]`. The fields and
their types are those of Powertools' `SqsRecordModel` (AWS's SQS event for Lambda); this model
exists because importing `SqsRecordModel` loads and builds every event model of Powertools' parser
(API Gateway, S3, Kinesis, ...), which cost each consumer's cold start about 0.4x an `import boto3`
(`make bench`, section 1). Records are validated the same way: a record that is not an SQS record is
reported as a failed item, like a body that does not match the message model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class SqsAttributes(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ApproximateReceiveCount: str
    ApproximateFirstReceiveTimestamp: datetime
    SenderId: str
    SentTimestamp: datetime
    MessageDeduplicationId: str | None = None
    MessageGroupId: str | None = None
    SequenceNumber: str | None = None
    AWSTraceHeader: str | None = None
    DeadLetterQueueSourceArn: str | None = None


class SqsRecord(BaseModel):
    model_config = ConfigDict(defer_build=True)

    messageId: str
    receiptHandle: str
    body: Any  # a subclass declares `body: Json[Message]`
    attributes: SqsAttributes
    messageAttributes: dict[str, dict[str, Any]]
    md5OfBody: str
    md5OfMessageAttributes: str | None = None
    eventSource: Literal["aws:sqs"]
    eventSourceARN: str
    awsRegion: str
