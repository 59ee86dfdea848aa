"""Operations alerts kept in the orders table as well as sent to the `OperationsAlerts` topic, so
`GET /v1/alerts` can list them, newest first (docs/kpis.md, "Stored alerts").

    alert   pk ALERTS#<YYYY-MM>   sk <at>#<alert_id>   entity alert, alert_id, at, source, subject,
            details (a map of scalars), expires_at (TTL: `ALERT_TTL` after `at`)

One partition per month: the listing reads the months from the newest back to `since`, one `Query`
each (never a scan). Alerts are rare (one per overdue complaint, low-stock crossing, stalled
shipment or failed tracking registration), so a month's partition is small.

No PII: `details` keeps scalar values only, drops every key that names personal data (name, email,
phone, address, customer...) and cuts strings to `MAX_TEXT` characters.

Order of the two writes: the item first, then the topic, which is published even when the item
could not be written. Either failure raises to the caller, whose own retry (the overdue flag or the
low-stock claim undone, the record handed back) sends the alert again: the alert is never lost,
and one whose first attempt failed half-way is stored or sent twice (at least once, as SNS is).
Callers that commit their state before alerting (the delay check, the registration worker) do not
retry the alert; for them the message still reaches the topic when the item write fails.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from shared.clock import isoformat
from shared.dynamo import decode_cursor, encode_cursor, from_attributes, to_attributes
from shared.month_partitions import months_back, newest_first

ALERT_TTL = timedelta(days=90)
ENTITY = "alert"
MAX_TEXT = 500
PARTITION_PREFIX = "ALERTS#"
_KEYS = {"pk", "sk"}
_PERSONAL = ("name", "email", "phone", "address", "customer", "recipient", "mobile")


def alert_id() -> str:
    return "alr_" + secrets.token_hex(10)


def safe_details(details: Mapping[str, object]) -> dict[str, Any]:
    """Scalars only, no key that names personal data, strings cut to `MAX_TEXT`."""
    kept: dict[str, Any] = {}
    for key, value in details.items():
        if any(word in key.lower() for word in _PERSONAL):
            continue
        if isinstance(value, bool | int | float) or value is None:
            kept[key] = value
        elif isinstance(value, str):
            kept[key] = value[:MAX_TEXT]
    return kept


def month_partition(moment: datetime) -> str:
    return f"{PARTITION_PREFIX}{moment.astimezone(UTC):%Y-%m}"


@dataclass(frozen=True)
class StoredAlert:
    alert_id: str
    at: str
    source: str
    subject: str
    details: dict[str, Any]


class DynamoAlertLog:
    """Writes and reads the alert items. `now` and `new_id` are injected (tests freeze them)."""

    def __init__(
        self,
        table_name: str,
        client: Any,
        now: Callable[[], datetime],
        new_id: Callable[[], str] = alert_id,
    ) -> None:
        self._table = table_name
        self._client = client
        self._now = now
        self._new_id = new_id

    def record(self, source: str, subject: str, details: Mapping[str, object]) -> StoredAlert:
        now = self._now()
        alert = StoredAlert(self._new_id(), isoformat(now), source, subject[:200], safe_details(details))
        item = {
            "pk": month_partition(now),
            "sk": f"{alert.at}#{alert.alert_id}",
            "entity": ENTITY,
            "alert_id": alert.alert_id,
            "at": alert.at,
            "source": alert.source,
            "subject": alert.subject,
            "details": alert.details,
            "expires_at": int((now + ALERT_TTL).timestamp()),
        }
        self._client.put_item(TableName=self._table, Item=to_attributes(item))
        return alert

    def newest(self, since: datetime, limit: int, cursor: str | None) -> tuple[list[StoredAlert], str | None]:
        """Alerts at or after `since`, newest first, `limit` at most, after `cursor`."""
        floor = isoformat(since)
        items, last_key = newest_first(
            self._client,
            [PARTITION_PREFIX + month for month in months_back(self._now(), since)],
            lambda partition: {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND sk >= :floor",
                "ExpressionAttributeValues": {":pk": {"S": partition}, ":floor": {"S": floor}},
            },
            partition_key="pk",
            key_names=_KEYS,
            limit=limit,
            start=decode_cursor(cursor, _KEYS) if cursor else None,
        )
        return [_alert(item) for item in items], encode_cursor(last_key)


def _alert(item: dict[str, Any]) -> StoredAlert:
    plain = from_attributes(item)
    return StoredAlert(
        alert_id=plain["alert_id"],
        at=plain["at"],
        source=plain.get("source", ""),
        subject=plain.get("subject", ""),
        details=dict(plain.get("details") or {}),
    )


class AlertRecorder(Protocol):
    def record(self, source: str, subject: str, details: Mapping[str, object]) -> StoredAlert: ...


class AlertSink(Protocol):
    def alert(self, subject: str, details: dict[str, object]) -> None: ...


class AlertPublisher(Protocol):
    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> None: ...


class RecordedAlerts:
    """An `OperationsAlerts` port (`alert(subject, details)`) that stores the alert, then publishes
    it with `inner`."""

    def __init__(self, log: AlertRecorder, source: str, inner: AlertSink) -> None:
        self._log, self._source, self._inner = log, source, inner

    def alert(self, subject: str, details: dict[str, object]) -> None:
        try:
            self._log.record(self._source, subject, details)
        finally:  # published even when the item could not be written; the error still raises
            self._inner.alert(subject, details)


class RecordedAlertPublisher:
    """The inventory's `AlertPublisher` port (`publish(subject, message, attributes)`), stored
    first, then published with `inner`."""

    def __init__(self, log: AlertRecorder, source: str, inner: AlertPublisher) -> None:
        self._log, self._source, self._inner = log, source, inner

    def publish(self, subject: str, message: str, attributes: dict[str, str]) -> None:
        try:
            self._log.record(self._source, subject, {**attributes, "message": message})
        finally:  # published even when the item could not be written; the error still raises
            self._inner.publish(subject, message, attributes)
