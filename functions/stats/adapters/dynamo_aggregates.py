"""Daily aggregates in the orders table, each contribution applied once.

    aggregate: pk STATS#<YYYY-MM>        sk <YYYY-MM-DD>#<family>  entity stats_aggregate, counters
    marker:    pk STATSREC#<source id>   sk STATSREC               entity stats_marker, expires_at

A contribution is one `TransactWriteItems`: the marker's `Put` (condition: it does not exist) and one
`ADD` update per aggregate item it touches. A record delivered again finds its marker and the whole
transaction is refused, so nothing is counted twice. Markers expire (TTL) after `MARKER_TTL`,
longer than a stream keeps records (24 hours).

A month per partition keeps a year's report to at most 13 `Query` calls, with no scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shared.dynamo import cancellation_codes
from shared.errors import RetryableError
from stats.domain.ports import DayAggregate

AGGREGATE_ENTITY = "stats_aggregate"
MARKER_ENTITY = "stats_marker"
MARKER_TTL = timedelta(days=7)
MAX_ITEMS_PER_TRANSACTION = 100


def aggregate_key(day: str, family: str) -> dict[str, Any]:
    return {"pk": {"S": f"STATS#{day[:7]}"}, "sk": {"S": f"{day}#{family}"}}


def marker_key(source_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"STATSREC#{source_id}"}, "sk": {"S": "STATSREC"}}


def _months(first: date, last: date) -> list[str]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current.strftime("%Y-%m"))
        current = (current + timedelta(days=32)).replace(day=1)
    return months


class DynamoAggregates:
    def __init__(self, table_name: str, client: Any, now: Any = None) -> None:
        self._table = table_name
        self._client = client
        self._now = now or (lambda: datetime.now(UTC))

    def apply_once(self, source_id: str, counters: Mapping[tuple[str, str], Mapping[str, int]]) -> bool:
        expires_at = int((self._now() + MARKER_TTL).timestamp())
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {
                        **marker_key(source_id),
                        "entity": {"S": MARKER_ENTITY},
                        "expires_at": {"N": str(expires_at)},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        actions += [self._update(day, family, deltas) for (day, family), deltas in sorted(counters.items())]
        if len(actions) > MAX_ITEMS_PER_TRANSACTION:
            raise ValueError(f"a contribution touches {len(actions) - 1} aggregates; at most 99 fit")
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            if cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise RetryableError("aggregates were being changed concurrently; retry the record") from None
        return True

    def _update(self, day: str, family: str, deltas: Mapping[str, int]) -> dict[str, Any]:
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
                "Key": aggregate_key(day, family),
                "UpdateExpression": "SET #entity = :entity, #day = :day, #family = :family ADD "
                + ", ".join(adds),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def read(self, first_day: str, last_day: str) -> Sequence[DayAggregate]:
        aggregates: list[DayAggregate] = []
        for month in _months(date.fromisoformat(first_day), date.fromisoformat(last_day)):
            request: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
                "ExpressionAttributeValues": {
                    ":pk": {"S": f"STATS#{month}"},
                    ":first": {"S": f"{first_day}#"},
                    ":last": {"S": f"{last_day}#~"},
                },
            }
            while True:
                response = self._client.query(**request)
                aggregates.extend(_aggregate(item) for item in response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return aggregates


_RESERVED = frozenset({"pk", "sk", "entity", "day", "family"})


def _aggregate(item: Mapping[str, Any]) -> DayAggregate:
    return DayAggregate(
        day=item["day"]["S"],
        family=item["family"]["S"],
        counters={
            name: int(value["N"]) for name, value in item.items() if name not in _RESERVED and "N" in value
        },
    )
