"""Partial batch responses that count their failed records.

A queue or stream consumer that reports some records failed (`batchItemFailures`) has not failed
as an invocation: Lambda's `Errors` metric stays at zero while those records are retried. Every
consumer therefore answers through `process_partial_batch`, which is Powertools'
`process_partial_response` plus one metric: `FailedRecords` (Count) in the functions' namespace,
dimensions `function_name` and `service` (as Powertools' own `ColdStart` metric), emitted only when
records failed. When every record fails Powertools raises `BatchProcessingError` (the invocation
fails and the whole batch is retried); those records are counted too. The `FailedRecordsAlarm` of
each consumer (infra.constructs.operations_alarms) watches the metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BasePartialBatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.failed_records import FAILED_RECORDS_METRIC, record_failed_records, with_failed_records_counted

__all__ = [
    "FAILED_RECORDS_METRIC",
    "process_partial_batch",
    "record_failed_records",
    "with_failed_records_counted",
]


def process_partial_batch(
    event: dict[str, Any],
    record_handler: Callable[..., Any],
    processor: BasePartialBatchProcessor,
    context: LambdaContext,
) -> PartialItemFailureResponse:
    """`process_partial_response`, and the number of failed records as the `FailedRecords` metric."""
    try:
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    except BatchProcessingError:
        record_failed_records(len(processor.fail_messages), context)
        raise
    record_failed_records(len(response.get("batchItemFailures", [])), context)
    return response
