"""The failed-records metric every queue and stream consumer emits with its partial batch response."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.observability import metrics
from shared.partial_batches import FAILED_RECORDS_METRIC, process_partial_batch
from tests.factories import load_event


@dataclass(frozen=True)
class FakeContext:
    function_name: str = "Ordertrack-ReserveStockFunction-AbC123"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:ReserveStock"
    aws_request_id: str = "req-1"


def batch_of(*message_ids: str) -> dict[str, Any]:
    [sample] = load_event("sqs/reservation_requested.json")["Records"]
    records = []
    for message_id in message_ids:
        record = copy.deepcopy(sample)
        record["messageId"] = message_id
        records.append(record)
    return {"Records": records}


def fail_messages(*failing: str) -> Any:
    def handle(record: SQSRecord) -> str:
        if record.message_id in failing:
            raise ValueError("cannot process this record")
        return record.message_id

    return handle


def emitted_metrics(output: str) -> list[dict[str, Any]]:
    """The EMF documents printed to stdout (one JSON object per line)."""
    documents = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [document for document in documents if "_aws" in document]


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(metrics, "service", "inventory")
    return "inventory"


def test_failed_records_are_counted_for_the_function(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a batch of three where two records fail
    event = batch_of("m-1", "m-2", "m-3")

    # When it is processed
    response = process_partial_batch(
        event, fail_messages("m-1", "m-3"), BatchProcessor(event_type=EventType.SQS), FakeContext()
    )

    # Then the two are reported back to Lambda and counted once, for this function and service
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-3"}]}
    [document] = emitted_metrics(capsys.readouterr().out)
    assert document[FAILED_RECORDS_METRIC] == [2]  # Powertools writes the values as a list
    assert document["function_name"] == FakeContext.function_name
    assert document["service"] == "inventory"
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == metrics.namespace
    assert directive["Metrics"] == [{"Name": FAILED_RECORDS_METRIC, "Unit": "Count"}]
    assert sorted(directive["Dimensions"][0]) == ["function_name", "service"]


def test_a_batch_without_failures_emits_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    response = process_partial_batch(
        batch_of("m-1", "m-2"), fail_messages(), BatchProcessor(event_type=EventType.SQS), FakeContext()
    )

    assert response == {"batchItemFailures": []}
    assert emitted_metrics(capsys.readouterr().out) == []


def test_a_batch_where_every_record_failed_is_counted_and_still_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(BatchProcessingError):  # Powertools: the invocation fails, the batch returns
        process_partial_batch(
            batch_of("m-1", "m-2"),
            fail_messages("m-1", "m-2"),
            BatchProcessor(event_type=EventType.SQS),
            FakeContext(),
        )

    [document] = emitted_metrics(capsys.readouterr().out)
    assert document[FAILED_RECORDS_METRIC] == [2]  # Powertools writes the values as a list
