"""Daily aggregates in the orders table, spread over write shards, each group applied once.

    aggregate:  pk STATS#<YYYY>#<shard>     sk <YYYY-MM-DD>#<family>  entity stats_aggregate, counters
    checkpoint: pk STATSGROUP#<event id>    sk STATSGROUP             entity stats_checkpoint,
                last_sequence, expires_at

A group of stream records (see `stats.domain.aggregate_batch`) is one `TransactWriteItems`: the
checkpoint's `Put` (condition: it does not exist) and one `ADD` update per aggregate it touches, all
in the write shard its group id hashes to (`AGGREGATE_SHARDS` of them). A group delivered again
finds its checkpoint and the whole transaction is refused; the checkpoint then says up to which
sequence number that group had counted. Checkpoints expire (TTL) after `CHECKPOINT_TTL`, longer
than a stream keeps records (24 hours).

Why shards: every group writes one item per (day, family) it touches; with one item per day and
family, every batch of the whole table's stream would write the day's `NOTIFICATIONS` item. Spread
over `AGGREGATE_SHARDS` items, each takes 1/`AGGREGATE_SHARDS` of those writes.

Transaction conflicts (two batches on the same shard item at once) and throttling are retried here
(`shared.transient.retry_transient`: full-jitter exponential backoff, `ATTEMPTS` times in all) before
`RetryableError` hands the rest of the batch back to the stream (nothing of a refused transaction
was written).

Reads: a year per partition and shard (only the current day's items are written, so the partition
takes no more writes than its items), so a range costs `AGGREGATE_SHARDS` `Query` calls per calendar
year it spans (32 at most for 366 days), never a scan; the counters of one day and family are summed
over the shards by the caller (`stats.domain.kpis.merge`). The aggregates written before shards
existed (pk `STATS#<YYYY-MM>`) are not read.
"""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.dynamo import cancellation_codes
from shared.errors import RetryableError
from shared.transient import Backoff, is_transient, retry_transient
from stats.domain.ports import Counters, DayAggregate

AGGREGATE_ENTITY = "stats_aggregate"
CHECKPOINT_ENTITY = "stats_checkpoint"
CHECKPOINT_TTL = timedelta(days=7)
MAX_ITEMS_PER_TRANSACTION = 100
AGGREGATE_SHARDS = 16
READ_THREADS = 8
ATTEMPTS = 4
BACKOFF = Backoff(base_seconds=0.05, cap_seconds=0.4)


def shard_of(group_id: str) -> int:
    return zlib.crc32(group_id.encode()) % AGGREGATE_SHARDS


def aggregate_key(day: str, family: str, shard: int) -> dict[str, Any]:
    return {"pk": {"S": f"STATS#{day[:4]}#{shard}"}, "sk": {"S": f"{day}#{family}"}}


def checkpoint_key(group_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"STATSGROUP#{group_id}"}, "sk": {"S": "STATSGROUP"}}


def _years(first: date, last: date) -> list[str]:
    return [str(year) for year in range(first.year, last.year + 1)]


class DynamoAggregates:
    max_aggregates_per_group = MAX_ITEMS_PER_TRANSACTION - 1  # one slot for the checkpoint

    def __init__(
        self,
        table_name: str,
        client: Any,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._table = table_name
        self._client = client
        self._now = now or (lambda: datetime.now(UTC))
        self._sleep = sleep
        self._rng = rng or random.Random()

    def apply_group(self, group_id: str, last_sequence: str, counters: Counters) -> str | None:
        expires_at = int((self._now() + CHECKPOINT_TTL).timestamp())
        shard = shard_of(group_id)
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **checkpoint_key(group_id),
                        "entity": {"S": CHECKPOINT_ENTITY},
                        "last_sequence": {"S": last_sequence},
                        "expires_at": {"N": str(expires_at)},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        actions += [
            self._update(day, family, shard, deltas) for (day, family), deltas in sorted(counters.items())
        ]
        if len(actions) > MAX_ITEMS_PER_TRANSACTION:
            raise ValueError(f"a group touches {len(actions) - 1} aggregates; at most 99 fit")

        def attempt() -> str | None:
            try:
                self._client.transact_write_items(TransactItems=actions)
            except ClientError as error:
                if error.response["Error"]["Code"] == "TransactionCanceledException" and cancellation_codes(
                    error
                )[:1] == ["ConditionalCheckFailed"]:
                    return self._covered_by(group_id)  # the checkpoint exists: written before
                if is_transient(error):
                    raise RetryableError(
                        "aggregates stayed busy or throttled; the stream retries the rest of the batch"
                    ) from None
                raise
            return None

        return retry_transient(
            attempt, attempts=ATTEMPTS, backoff=BACKOFF, sleep=self._sleep, rand=self._rng.random
        )

    def _covered_by(self, group_id: str) -> str:
        item = self._client.get_item(TableName=self._table, Key=checkpoint_key(group_id), ConsistentRead=True)
        return str(item["Item"]["last_sequence"]["S"])

    def _update(self, day: str, family: str, shard: int, deltas: Mapping[str, int]) -> dict[str, Any]:
        names = {"#entity": "entity", "#day": "day", "#family": "family"}
        values: dict[str, Any] = {
            ":entity": {"S": AGGREGATE_ENTITY},
            ":day": {"S": day},
            ":family": {"S": family},
        }
        adds = []
        for index, (name, delta) in enumerate(sorted(deltas.items())):
            names[f"#c{index}"] = name
            values[f":c{index}"] = {"N": str(int(delta))}
            adds.append(f"#c{index} :c{index}")
        return {
            "Update": {
                "TableName": self._table,
                "Key": aggregate_key(day, family, shard),
                "UpdateExpression": "SET #entity = :entity, #day = :day, #family = :family ADD "
                + ", ".join(adds),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def read(self, first_day: str, last_day: str) -> Sequence[DayAggregate]:
        """The shards' Queries side by side (they wait on the network; boto3 clients are thread-safe)."""
        from concurrent.futures import ThreadPoolExecutor

        partitions = [
            f"STATS#{year}#{shard}"
            for year in _years(date.fromisoformat(first_day), date.fromisoformat(last_day))
            for shard in range(AGGREGATE_SHARDS)
        ]
        with ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="stats-read") as pool:
            found = pool.map(lambda partition: self._query(partition, first_day, last_day), partitions)
            return [aggregate for shard in found for aggregate in shard]

    def _query(self, partition: str, first_day: str, last_day: str) -> list[DayAggregate]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": {"S": partition},
                ":first": {"S": f"{first_day}#"},
                ":last": {"S": f"{last_day}#~"},
            },
        }
        found = []
        while True:
            response = self._client.query(**request)
            found.extend(_aggregate(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


_RESERVED = frozenset({"pk", "sk", "entity", "day", "family"})


def _aggregate(item: Mapping[str, Any]) -> DayAggregate:
    return DayAggregate(
        day=item["day"]["S"],
        family=item["family"]["S"],
        counters={
            name: int(value["N"]) for name, value in item.items() if name not in _RESERVED and "N" in value
        },
    )
