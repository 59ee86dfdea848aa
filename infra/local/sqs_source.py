"""An SQS event source mapping, with Lambda's documented semantics.

One poller thread per mapping. It receives up to ``BatchSize`` messages, waiting at most
``MaximumBatchingWindowInSeconds`` to fill the batch, and invokes the function with a real SQS
event. Then:

* the function succeeded: every message is deleted;
* the function failed (raised, timed out): no message is deleted; each becomes visible again
  after the queue's visibility timeout and comes back with a higher ``ApproximateReceiveCount``;
* with ``FunctionResponseTypes: [ReportBatchItemFailures]`` the response's
  ``batchItemFailures[].itemIdentifier`` messages are kept and all others deleted. An empty or
  null response or list is complete success; an identifier that is missing, empty or not a
  message id of the batch makes the whole batch a failure, as on AWS.

Messages that do not match ``FilterCriteria`` are deleted without invoking, as on AWS. Redrive to
the DLQ after ``maxReceiveCount`` receives is done by moto itself on receive (moto 5.2.5 moves a
message whose receive count reached ``maxReceiveCount`` to the queue's dead-letter queue instead
of returning it), which is where AWS does it too.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.filtering import matches_any
from infra.local.functions import FunctionRuntime, InvocationResult
from infra.local.template import REGION

_LOG = logging.getLogger("ordertrack.local")
_MAX_RECEIVE = 10


class SqsEventSource:
    def __init__(
        self,
        mapping_id: str,
        function: FunctionRuntime,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        batch_size: int = 10,
        batching_window_s: float = 0.0,
        report_batch_item_failures: bool = False,
        filters: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.mapping_id = mapping_id
        self.function = function
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.batch_size = batch_size
        self.batching_window_s = batching_window_s
        self.report_batch_item_failures = report_batch_item_failures
        self.filters = list(filters)
        self._stop = threading.Event()
        self._enabled = threading.Event()  # like the mapping's `Enabled` flag (UpdateEventSourceMapping)
        self._enabled.set()
        self._holding = False
        self._thread = threading.Thread(target=self._run, name=f"sqs-{mapping_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def disable(self) -> None:
        """Stop delivering (records stay in the queue or stream), as a disabled mapping does."""
        self._enabled.clear()

    def enable(self) -> None:
        self._enabled.set()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():  # never started when the stack failed to start
            self._thread.join(timeout)

    def is_idle(self) -> bool:
        """No batch held by the poller and nothing in the queue: visible, in flight or delayed."""
        if self._holding:
            return False
        return not self._holding and all(count == 0 for count in self._counts().values())

    def pending(self) -> str:
        """What is waiting, for diagnostics ('' when idle)."""
        counts = {name: count for name, count in self._counts().items() if count}
        parts = (["batch held by the poller"] if self._holding else []) + [
            f"{count} {name.removeprefix('ApproximateNumberOfMessages') or 'visible'}"
            for name, count in counts.items()
        ]
        return ", ".join(parts)

    def _counts(self) -> dict[str, int]:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return {name: int(value) for name, value in attributes.items()}

    # -- polling ------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._enabled.is_set():
                self._stop.wait(0.05)
                continue
            try:
                batch = self._gather()
                if batch:
                    self._deliver(batch)
            except (BotoCoreError, ClientError) as error:
                if self._stop.is_set():
                    return
                _LOG.info("poll_error mapping=%s error=%s", self.mapping_id, error)
                self._stop.wait(1.0)
            except Exception:  # noqa: BLE001 - thread boundary: log the bug, keep the mapping polling
                _LOG.exception("poller_bug mapping=%s", self.mapping_id)
                self._stop.wait(1.0)
            finally:
                self._holding = False

    def _receive(self, wait_s: int, count: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(_MAX_RECEIVE, count),
            WaitTimeSeconds=wait_s,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if messages:
            self._holding = True
        return messages

    def _gather(self) -> list[dict[str, Any]]:
        batch = self._receive(1, self.batch_size)
        if not batch or self.batching_window_s <= 0:
            return batch
        window_ends = time.monotonic() + self.batching_window_s
        while len(batch) < self.batch_size and time.monotonic() < window_ends and not self._stop.is_set():
            more = self._receive(0, self.batch_size - len(batch))
            if more:
                batch.extend(more)
            else:
                self._stop.wait(min(0.05, max(0.0, window_ends - time.monotonic())))
        return batch

    # -- delivery -------------------------------------------------------------------------

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        records = [self._record(message) for message in messages]
        wanted = [record for record in records if matches_any(self.filters, _filterable(record))]
        unwanted = [record for record in records if record not in wanted]
        if unwanted:
            self._delete(unwanted)
        if not wanted:
            return
        result = self.function.invoke(
            {"Records": wanted}, trigger="sqs", batch_size=len(wanted), describe=self._describe_for(wanted)
        )
        self._delete(
            [record for record in wanted if record["messageId"] not in self._failed_ids(result, wanted)]
        )

    def _failed_ids(self, result: InvocationResult, records: list[dict[str, Any]]) -> set[str]:
        every_id = {record["messageId"] for record in records}
        if not result.ok:
            return every_id
        if not self.report_batch_item_failures:
            return set()
        failures = batch_item_failures(result.payload, every_id)
        return every_id if failures is None else failures

    def _describe_for(self, records: list[dict[str, Any]]) -> Any:
        def describe(result: InvocationResult) -> str:
            if not result.ok:
                return result.error_type
            if not self.report_batch_item_failures:
                return "ok"
            every_id = {record["messageId"] for record in records}
            failed = batch_item_failures(result.payload, every_id)
            if failed is None:
                return "invalid batchItemFailures, whole batch failed"
            return f"partial {len(failed)} failed" if failed else "ok"

        return describe

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                    for index, record in enumerate(chunk)
                ],
            )

    def _record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": REGION,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record


def batch_item_failures(payload: Any, identifiers: set[str]) -> set[str] | None:
    """Identifiers reported failed, or ``None`` when the response makes the whole batch fail.

    Complete success: a null/empty response, or a null/empty ``batchItemFailures``. Complete
    failure: anything that is not an object, or an item without a valid ``itemIdentifier``.
    """
    if payload is None or payload == {} or payload == "":
        return set()
    if not isinstance(payload, dict):
        return None
    failures = payload.get("batchItemFailures")
    if not failures:
        return set()
    if not isinstance(failures, list):
        return None
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in identifiers:
            return None
        failed.add(identifier)
    return failed


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value.get("DataType"),
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def _filterable(record: Mapping[str, Any]) -> dict[str, Any]:
    """Lambda matches ``body`` as JSON when the body is a JSON object."""
    try:
        body = json.loads(record["body"])
    except (TypeError, ValueError):
        return dict(record)
    return {**record, "body": body} if isinstance(body, dict) else dict(record)
