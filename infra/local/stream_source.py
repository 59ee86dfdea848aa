"""A DynamoDB Streams event source mapping, with Lambda's documented semantics.

One poller thread per mapping reads every shard of the stream in order (moto has one shard per
table) and never hands a shard's records to the function out of order, nor starts a batch before
the previous one of the same shard is settled.

Per shard: ``GetRecords`` up to ``BatchSize`` (waiting up to ``MaximumBatchingWindowInSeconds``
for a full batch); records not matching ``FilterCriteria`` are dropped as processed; the rest are
delivered as a real DynamoDB stream event. A batch is settled like this:

* success: the checkpoint moves past the batch;
* ``ReportBatchItemFailures`` with failures: the checkpoint moves to the lowest failed
  ``SequenceNumber`` and the batch is retried from there (an invalid identifier fails the whole
  batch);
* function error with ``BisectBatchOnFunctionError`` and more than one record: the batch is split
  in two halves, settled one after the other (splitting does not use up retries);
* otherwise the batch is retried, with a short exponential back-off, up to
  ``MaximumRetryAttempts`` times (-1: forever); then AWS's on-failure record (condition
  ``RetryAttemptsExhausted``) is sent to ``DestinationConfig.OnFailure`` (SQS queue or SNS topic)
  and the records are skipped. Records older than ``MaximumRecordAgeInSeconds`` are skipped the
  same way with condition ``RecordAgeExceeded``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.filtering import matches_any
from infra.local.functions import FunctionRuntime, InvocationResult
from infra.local.sqs_source import batch_item_failures

_LOG = logging.getLogger("ordertrack.local")
_POLL_INTERVAL_S = 0.1
_MAX_GET_RECORDS = 1000
_MAX_BACKOFF_S = 5.0


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    buffer: deque[dict[str, Any]] = field(default_factory=deque)
    first_buffered_at: float = 0.0


class StreamEventSource:
    def __init__(
        self,
        mapping_id: str,
        function: FunctionRuntime,
        streams: Any,
        stream_arn: str,
        send_on_failure: Callable[[str, dict[str, Any]], None],
        batch_size: int = 100,
        batching_window_s: float = 0.0,
        starting_position: str = "TRIM_HORIZON",
        report_batch_item_failures: bool = False,
        bisect_on_error: bool = False,
        maximum_retry_attempts: int = -1,
        maximum_record_age_s: int = -1,
        on_failure_destination: str | None = None,
        filters: Sequence[Mapping[str, Any]] = (),
        retry_delay_s: float = 0.1,
    ) -> None:
        self.mapping_id = mapping_id
        self.function = function
        self.streams = streams
        self.stream_arn = stream_arn
        self.send_on_failure = send_on_failure
        self.batch_size = batch_size
        self.batching_window_s = batching_window_s
        self.starting_position = starting_position
        self.report_batch_item_failures = report_batch_item_failures
        self.bisect_on_error = bisect_on_error
        self.maximum_retry_attempts = maximum_retry_attempts
        self.maximum_record_age_s = maximum_record_age_s
        self.on_failure_destination = on_failure_destination
        self.filters = list(filters)
        self.retry_delay_s = retry_delay_s
        self._shards: dict[str, _Shard] = {}
        self._stop = threading.Event()
        self._enabled = threading.Event()  # like the mapping's `Enabled` flag (UpdateEventSourceMapping)
        self._enabled.set()
        self._busy = False
        self._last_empty_poll_started = 0.0
        self._thread = threading.Thread(target=self._run, name=f"stream-{mapping_id}", daemon=True)

    def start(self) -> None:
        self._discover_shards()
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

    def is_idle_since(self, moment: float) -> bool:
        """Caught up: a poll that started after ``moment`` found nothing, and nothing is pending."""
        return (
            not self._busy
            and self._last_empty_poll_started > moment
            and all(not shard.buffer for shard in self._shards.values())
        )

    def pending(self) -> str:
        """What is not caught up, for diagnostics ('' when the last poll found nothing)."""
        parts = ["delivering a batch"] if self._busy else []
        buffered = sum(len(shard.buffer) for shard in self._shards.values())
        if buffered:
            parts.append(f"{buffered} records buffered")
        if not self._enabled.is_set():
            parts.append("disabled")
        ago = time.monotonic() - self._last_empty_poll_started
        if ago > 2.0:
            parts.append(f"last empty poll {ago:.1f}s ago")
        return ", ".join(parts)

    # -- polling ------------------------------------------------------------------------

    def _discover_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            if shard["ShardId"] in self._shards:
                continue
            iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard["ShardId"],
                ShardIteratorType=self.starting_position
                if self.starting_position != "AT_TIMESTAMP"
                else "LATEST",
            )["ShardIterator"]
            self._shards[shard["ShardId"]] = _Shard(shard["ShardId"], iterator)

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._enabled.is_set():
                self._stop.wait(0.05)
                continue
            poll_started = time.monotonic()
            delivered = False
            try:
                for shard in list(self._shards.values()):
                    delivered |= self._poll_shard(shard)
            except (BotoCoreError, ClientError) as error:
                if self._stop.is_set():
                    return
                _LOG.info("poll_error mapping=%s error=%s", self.mapping_id, error)
                self._stop.wait(1.0)
                continue
            except Exception:  # noqa: BLE001 - thread boundary: log the bug, keep the mapping polling
                _LOG.exception("poller_bug mapping=%s", self.mapping_id)
                self._stop.wait(1.0)
                continue
            if not delivered:
                if all(not shard.buffer for shard in self._shards.values()):
                    self._last_empty_poll_started = poll_started
                self._stop.wait(_POLL_INTERVAL_S)

    def _poll_shard(self, shard: _Shard) -> bool:
        """Fetch, filter and deliver at most one batch of this shard; True if one was delivered."""
        if shard.iterator is not None and len(shard.buffer) < self.batch_size:
            response = self.streams.get_records(
                ShardIterator=shard.iterator, Limit=min(_MAX_GET_RECORDS, self.batch_size)
            )
            shard.iterator = response.get("NextShardIterator")
            fresh = [self._event_record(raw) for raw in response.get("Records", [])]
            wanted = [record for record in fresh if matches_any(self.filters, record)]
            if wanted and not shard.buffer:
                shard.first_buffered_at = time.monotonic()
            shard.buffer.extend(wanted)
        if not shard.buffer:
            return False
        window_open = time.monotonic() - shard.first_buffered_at < self.batching_window_s
        if len(shard.buffer) < self.batch_size and window_open:
            return False
        batch = [shard.buffer.popleft() for _ in range(min(self.batch_size, len(shard.buffer)))]
        if shard.buffer:
            shard.first_buffered_at = time.monotonic()
        self._busy = True
        try:
            self._settle(shard.shard_id, batch)
        finally:
            self._busy = False
        return True

    # -- settling a batch -------------------------------------------------------------------

    def _settle(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        attempts = 0
        while batch and not self._stop.is_set():
            batch = self._drop_expired(shard_id, batch)
            if not batch:
                return
            result = self.function.invoke(
                {"Records": batch},
                trigger="stream",
                batch_size=len(batch),
                describe=self._describe_for(batch),
            )
            attempts += 1
            retry_from = self._retry_from(result, batch)
            if retry_from is None:
                return
            if not result.ok and self.bisect_on_error and len(batch) > 1:
                middle = len(batch) // 2
                self._settle(shard_id, batch[:middle])
                self._settle(shard_id, batch[middle:])
                return
            batch = batch[retry_from:]
            if 0 <= self.maximum_retry_attempts < attempts:
                self._discard(shard_id, batch, result, attempts, "RetryAttemptsExhausted")
                return
            self._stop.wait(min(self.retry_delay_s * 2 ** (attempts - 1), _MAX_BACKOFF_S))

    def _retry_from(self, result: InvocationResult, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry, or ``None`` when the whole batch succeeded."""
        if not result.ok:
            return 0
        if not self.report_batch_item_failures:
            return None
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
        failed = batch_item_failures(result.payload, set(sequence_numbers))
        if failed is None:
            return 0
        if not failed:
            return None
        return min(sequence_numbers.index(identifier) for identifier in failed)

    def _describe_for(self, batch: list[dict[str, Any]]) -> Callable[[InvocationResult], str]:
        def describe(result: InvocationResult) -> str:
            if not result.ok:
                return result.error_type
            retry_from = self._retry_from(result, batch)
            if retry_from is None:
                return "ok"
            return f"partial {len(batch) - retry_from} failed"

        return describe

    def _drop_expired(self, shard_id: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.maximum_record_age_s < 0:
            return batch
        oldest_allowed = time.time() - self.maximum_record_age_s
        expired = [r for r in batch if r["dynamodb"]["ApproximateCreationDateTime"] < oldest_allowed]
        if expired:
            self._discard(shard_id, expired, None, 0, "RecordAgeExceeded")
        return [record for record in batch if record not in expired]

    def _discard(
        self,
        shard_id: str,
        batch: list[dict[str, Any]],
        result: InvocationResult | None,
        attempts: int,
        condition: str,
    ) -> None:
        _LOG.info(
            "discard function=%s trigger=stream batch=%d condition=%s destination=%s",
            self.function.spec.logical_id,
            len(batch),
            condition,
            self.on_failure_destination or "none",
        )
        if not self.on_failure_destination:
            return
        record = on_failure_record(
            function_arn=self.function.spec.function_arn,
            stream_arn=self.stream_arn,
            shard_id=shard_id,
            batch=batch,
            result=result,
            attempts=attempts,
            condition=condition,
        )
        self.send_on_failure(self.on_failure_destination, record)

    def _event_record(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        record = _json_ready(dict(raw))
        created = raw["dynamodb"].get("ApproximateCreationDateTime")
        if isinstance(created, dt.datetime):
            record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
        record["eventSourceARN"] = self.stream_arn
        return record


def on_failure_record(
    function_arn: str,
    stream_arn: str,
    shard_id: str,
    batch: list[dict[str, Any]],
    result: InvocationResult | None,
    attempts: int,
    condition: str,
) -> dict[str, Any]:
    """The invocation record Lambda sends to a stream mapping's on-failure destination."""
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if result is not None and not result.ok:
        response_context["functionError"] = result.function_error
    return {
        "requestContext": {
            "requestId": result.request_id if result is not None else None,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": response_context,
        "version": "1.0",
        "timestamp": _iso(time.time(), milliseconds=True),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(batch[0]["dynamodb"]["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": _iso(batch[-1]["dynamodb"]["ApproximateCreationDateTime"]),
            "batchSize": len(batch),
            "streamArn": stream_arn,
        },
    }


def _iso(epoch_s: float, milliseconds: bool = False) -> str:
    moment = dt.datetime.fromtimestamp(epoch_s, tz=dt.UTC)
    text = moment.isoformat(timespec="milliseconds" if milliseconds else "seconds")
    return text.replace("+00:00", "Z")


def _json_ready(value: Any) -> Any:
    """boto3 parsed the wire JSON; undo what JSON cannot carry (bytes for B/BS, sets)."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_ready(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    return value


def send_to_destination(clients: Callable[[str], Any]) -> Callable[[str, dict[str, Any]], None]:
    """Deliver an on-failure record to an SQS queue or SNS topic ARN."""

    def send(destination_arn: str, record: dict[str, Any]) -> None:
        body = json.dumps(record)
        service = destination_arn.split(":")[2]
        if service == "sqs":
            sqs = clients("sqs")
            url = sqs.get_queue_url(QueueName=destination_arn.rsplit(":", 1)[1])["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=body)
        elif service == "sns":
            clients("sns").publish(TopicArn=destination_arn, Message=body)
        else:
            _LOG.info("unsupported on-failure destination %s", destination_arn)

    return send
