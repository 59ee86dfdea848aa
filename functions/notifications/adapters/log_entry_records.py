"""Powertools idempotency records kept on the notification log entry they are about: a "bring your
own persistent store" layer (`BasePersistenceLayer`) for the delivery ledger.

A sent message then costs two writes, both on its entry item (`NOTIFY#<order_id>` /
`ENTRY#<event sort key>#<channel>`): the in-progress claim, and the completion, which also writes
the entry's final fields (`sent` with the message id, or `failed` with the provider's code).

Powertools hashes the idempotency key, so the key alone does not say which entry a delivery is:
the ledger names it for the duration of each call (`delivering`, a context variable; the worker
handles its records one after another). The hashed key is stored on the item too and must match.

The record's attributes sit next to the entry's fields under names of their own, and mean what
the attributes of Powertools' `DynamoDBPersistenceLayer` mean:

| attribute | DynamoDBPersistenceLayer | |
|---|---|---|
| `idempotency_key` | `id` | `notifications.delivery#<hash of [event_id, channel]>` |
| `idempotency_status` | `status` | `INPROGRESS` or `COMPLETED` |
| `idempotency_expiration` | `expiration` | epoch seconds; not a TTL (the entry stays), only read |
| `idempotency_in_progress_expiration` | `in_progress_expiration` | epoch milliseconds |
| `idempotency_data` | `data` | the stored outcome (JSON) |
| `idempotency_validation` | `validation` | payload hash, when payload validation is configured |

The writes keep its semantics: the claim succeeds when the item holds no record, or an expired
one, or an `INPROGRESS` one whose in-progress expiry has passed, and otherwise fails with the
record found; completing and deleting are unconditional. They are updates, not puts, because the
item is also the log entry: a claim keeps a `held` entry's fields, and deleting a claim (the send
raised) removes only the record, or the item when the claim created it, so the log shows what it
showed before.

An abandoned claim (its invocation died) is taken over by the next one, unless SES's `Send` event
recorded on the entry that the email had been accepted (`delivery_confirmations`): then the claim
is completed as sent with SES's message id, and Powertools answers the retry as a replay.

Upgrade: until this layer, records lived in the idempotency table (`legacy_table_name`, same keys,
kept 14 days). A claim that finds no record on its entry reads that table (GetItem, never a
write); a live record there wins: the claim is withdrawn and the legacy record answers (a replay,
or in progress). The fallback can go 14 days after this layer is deployed: by then every legacy
record has expired.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import STATUS_CONSTANTS, DataRecord
from botocore.exceptions import ClientError

from notifications.adapters.delivery_confirmations import ACCEPTED
from notifications.adapters.dynamo_notification_log import entry_fields, entry_key
from notifications.domain.errors import DeliveryOutcomeUnknown
from notifications.domain.model import Channel, NotificationEntry
from shared.dynamo import from_attributes, update_request
from shared.errors import RetryableError
from shared.transient import Backoff, error_code, is_transient, retry_transient

COMPLETION_ATTEMPTS = 8
COMPLETION_BACKOFF = Backoff(base_seconds=0.1, cap_seconds=3.2)
"""Recording a send's outcome: 8 attempts (each after botocore's own retries) over at most about
12 s of full-jitter pauses, well inside the worker's timeout."""

KEY = "idempotency_key"
STATUS = "idempotency_status"
EXPIRY = "idempotency_expiration"
IN_PROGRESS_EXPIRY = "idempotency_in_progress_expiration"
DATA = "idempotency_data"
VALIDATION = "idempotency_validation"
RECORD_ATTRIBUTES = (KEY, STATUS, EXPIRY, IN_PROGRESS_EXPIRY, DATA, VALIDATION)
ENTRY_STATUS = "status"  # the entry's own field: present once anything was logged for the delivery
INPROGRESS = STATUS_CONSTANTS["INPROGRESS"]
# Powertools' DynamoDBPersistenceLayer defaults, as the legacy table was written
LEGACY_KEY, LEGACY_STATUS, LEGACY_EXPIRY = "id", "status", "expiration"
LEGACY_IN_PROGRESS_EXPIRY, LEGACY_DATA = "in_progress_expiration", "data"


class NoEntryForDelivery(RuntimeError):
    """The layer was used outside `delivering(...)`: it cannot tell which entry holds the record."""


@dataclass
class _Delivery:
    entry: NotificationEntry
    completed: Callable[[dict[str, Any]], NotificationEntry]  # the stored response -> the final entry
    created: bool = False  # the claim created the item: nothing was logged for this delivery before


_current: ContextVar[_Delivery | None] = ContextVar("notification_entry_delivery", default=None)


def current_entry_key() -> dict[str, Any] | None:
    """The item key of the entry whose delivery is running (inside `delivering`), else `None`:
    what an email's SES tags name (`delivery_confirmations.tags_for`)."""
    delivery = _current.get()
    return None if delivery is None else entry_key(delivery.entry)


def _condition_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class LogEntryPersistenceLayer(BasePersistenceLayer):
    def __init__(
        self,
        table_name: str,
        client: Any,
        legacy_table_name: str | None = None,
        now: Callable[[], dt.datetime] = dt.datetime.now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`now`: the clock the claim's conditions compare with; Powertools stamps the records it
        hands over with `datetime.now()`, so only tests give another. `sleep`: the pause between
        attempts to record an outcome (tests give one that does not sleep)."""
        super().__init__()
        self._table = table_name
        self._client = client
        self._legacy_table = legacy_table_name
        self._now = now
        self._sleep = sleep

    @contextmanager
    def delivering(
        self, entry: NotificationEntry, completed: Callable[[dict[str, Any]], NotificationEntry]
    ) -> Iterator[None]:
        """Within the block, records are kept on `entry`'s item, and completing one writes
        `completed(<the function's response>)` as the entry."""
        token = _current.set(_Delivery(entry, completed))
        try:
            yield
        finally:
            _current.reset(token)

    def claimed(self, entry: NotificationEntry) -> bool:
        """Whether a delivery's claim (`INPROGRESS`, live or abandoned) is on the entry's item."""
        item = self._client.get_item(
            TableName=self._table,
            Key=entry_key(entry),
            ConsistentRead=True,
            ProjectionExpression="#status",
            ExpressionAttributeNames={"#status": STATUS},
        ).get("Item")
        return bool(item) and item.get(STATUS, {}).get("S") == INPROGRESS

    # -- BasePersistenceLayer -------------------------------------------------------------

    def _get_record(self, idempotency_key: str) -> DataRecord:
        item = self._client.get_item(TableName=self._table, Key=self._item_key(), ConsistentRead=True).get(
            "Item"
        )
        if item is not None and KEY in item:
            return self._record_of(item, idempotency_key)
        legacy = self._legacy_record(idempotency_key)
        if legacy is None:
            raise IdempotencyItemNotFoundError
        return legacy

    def _put_record(self, data_record: DataRecord) -> None:
        delivery = self._delivery()
        now = self._now()
        sets: dict[str, Any] = {
            KEY: data_record.idempotency_key,
            STATUS: data_record.status,
            EXPIRY: data_record.expiry_timestamp,
        }
        removes = [DATA]  # what an expired record answered is not this one's
        if data_record.in_progress_expiry_timestamp is not None:
            sets[IN_PROGRESS_EXPIRY] = data_record.in_progress_expiry_timestamp
        else:
            removes.append(IN_PROGRESS_EXPIRY)
        if self.payload_validation_enabled and data_record.payload_hash:
            sets[VALIDATION] = data_record.payload_hash
        else:
            removes.append(VALIDATION)
        request = update_request(sets, removes)
        request["ExpressionAttributeValues"].update(
            {
                ":now": {"N": str(int(now.timestamp()))},
                ":now_in_millis": {"N": str(int(now.timestamp() * 1000))},
                ":inprogress": {"S": INPROGRESS},
            }
        )
        request["ExpressionAttributeNames"][f"#{ACCEPTED}"] = ACCEPTED
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._item_key(),
                # as DynamoDBPersistenceLayer: no record, an expired one, or an abandoned claim whose
                # send SES did not confirm
                ConditionExpression=(
                    f"attribute_not_exists(#{KEY}) OR #{EXPIRY} < :now OR (#{STATUS} = :inprogress"
                    f" AND attribute_exists(#{IN_PROGRESS_EXPIRY}) AND #{IN_PROGRESS_EXPIRY} < :now_in_millis"
                    f" AND attribute_not_exists(#{ACCEPTED}))"
                ),
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **request,
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            if "Item" not in error.response:
                raise IdempotencyItemAlreadyExistsError() from error
            item = error.response["Item"]  # type: ignore[typeddict-item]
            confirmed = self._confirmed_send(item, data_record.idempotency_key, now)
            if confirmed is not None:
                raise IdempotencyItemAlreadyExistsError(old_data_record=confirmed) from error
            found = self._record_of(item, data_record.idempotency_key)
            self._validate_payload(data_payload=data_record, stored_data_record=found)
            self._save_to_cache(data_record=found)
            raise IdempotencyItemAlreadyExistsError(old_data_record=found) from error
        before = response.get("Attributes") or {}
        delivery.created = not before
        if KEY not in before:
            self._defer_to_legacy(data_record.idempotency_key, delivery)

    def _confirmed_send(
        self, item: dict[str, Any], idempotency_key: str, now: dt.datetime
    ) -> DataRecord | None:
        """An abandoned claim whose email SES confirmed: completed now as sent with SES's message
        id (the record Powertools then answers with); `None` for anything else."""
        values = from_attributes(item)
        found = self._record_of(item, idempotency_key)
        if ACCEPTED not in values or found.status != INPROGRESS:
            return None
        if is_live(INPROGRESS, found.expiry_timestamp, found.in_progress_expiry_timestamp, now):
            return None  # its invocation may still be completing it
        entry = self._delivery().entry
        sent = {"channel": Channel(entry.channel).value, "status": "sent", "message_id": values[ACCEPTED]}
        completed = DataRecord(
            idempotency_key=idempotency_key,
            status=STATUS_CONSTANTS["COMPLETED"],
            expiry_timestamp=found.expiry_timestamp,
            response_data=json.dumps({**sent, "reason": None, "segments": None}),
            payload_hash=found.payload_hash,
        )
        self._update_record(completed)
        return completed

    def _update_record(self, data_record: DataRecord) -> None:
        delivery = self._delivery()
        record: dict[str, Any] = {
            STATUS: data_record.status,
            EXPIRY: data_record.expiry_timestamp,
            DATA: data_record.response_data,
        }
        if self.payload_validation_enabled:
            record[VALIDATION] = data_record.payload_hash
        response = data_record.response_json_as_dict() or {}
        sets, removes = entry_fields(delivery.completed(response))
        request = {
            "TableName": self._table,
            "Key": self._item_key(),
            **update_request({**sets, **record}, removes),
        }

        # The provider has the message: an outcome left unrecorded would be sent again once the
        # claim expires (SMS has no confirmation to complete it from), so a throttled completion
        # is retried here for longer than other writes before the error goes up.
        self._update_persistently(request)

    def delete_record(self, data: dict[str, Any], exception: Exception) -> None:
        """The send raised. A lost answer that the provider will confirm keeps the claim, locked
        for the confirmation's time, so the retry completes it from the provider's word (or, with
        none by then, takes it over and sends); anything else withdraws the claim."""
        if isinstance(exception, DeliveryOutcomeUnknown) and exception.confirm_within_seconds > 0:
            self._hold_for_confirmation(exception.confirm_within_seconds)
            return
        super().delete_record(data, exception)

    def _hold_for_confirmation(self, seconds: int) -> None:
        until = self._now() + dt.timedelta(seconds=seconds)
        request = {
            "TableName": self._table,
            "Key": self._item_key(),
            "UpdateExpression": f"SET #{IN_PROGRESS_EXPIRY} = :until",
            "ConditionExpression": f"#{STATUS} = :inprogress",  # still this delivery's claim
            "ExpressionAttributeNames": {f"#{IN_PROGRESS_EXPIRY}": IN_PROGRESS_EXPIRY, f"#{STATUS}": STATUS},
            "ExpressionAttributeValues": {
                ":until": {"N": str(int(until.timestamp() * 1000))},
                ":inprogress": {"S": INPROGRESS},
            },
        }
        # as a completion: if this write fails, the claim keeps the invocation's own shorter lock
        self._update_persistently(request)

    def _update_persistently(self, request: dict[str, Any]) -> None:
        """`UpdateItem`, with throttling retried `COMPLETION_ATTEMPTS` times before it goes up."""

        def update() -> None:
            try:
                self._client.update_item(**request)
            except ClientError as error:
                if is_transient(error):
                    raise RetryableError(error_code(error)) from error
                raise

        retry_transient(update, attempts=COMPLETION_ATTEMPTS, backoff=COMPLETION_BACKOFF, sleep=self._sleep)

    def _delete_record(self, data_record: DataRecord) -> None:
        self._withdraw(self._delivery())

    # -- the entry item -------------------------------------------------------------------

    def _delivery(self) -> _Delivery:
        delivery = _current.get()
        if delivery is None:
            raise NoEntryForDelivery(
                "idempotency records of deliveries are kept on their entry: use delivering()"
            )
        return delivery

    def _item_key(self) -> dict[str, Any]:
        return entry_key(self._delivery().entry)

    def _record_of(self, item: dict[str, Any], idempotency_key: str) -> DataRecord:
        values = from_attributes(item)
        if values.get(KEY) != idempotency_key:
            raise IdempotencyValidationError(
                "the notification entry holds the record of another idempotency key: "
                f"{values.get(KEY)} instead of {idempotency_key}"
            )
        return DataRecord(
            idempotency_key=idempotency_key,
            status=values[STATUS],
            expiry_timestamp=values[EXPIRY],
            in_progress_expiry_timestamp=values.get(IN_PROGRESS_EXPIRY),
            response_data=values.get(DATA, ""),
            payload_hash=values.get(VALIDATION, ""),
        )

    def _withdraw(self, delivery: _Delivery) -> None:
        """Undo a claim: delete the item it created, or else remove only the record."""
        key = entry_key(delivery.entry)
        if delivery.created:
            try:
                self._client.delete_item(
                    TableName=self._table,
                    Key=key,
                    ConditionExpression="attribute_not_exists(#status)",  # nothing logged since
                    ExpressionAttributeNames={"#status": ENTRY_STATUS},
                )
                return
            except ClientError as error:
                if not _condition_failed(error):
                    raise
        try:
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="REMOVE " + ", ".join(f"#{name}" for name in RECORD_ATTRIBUTES),
                ConditionExpression="attribute_exists(pk)",  # an update would create a missing item
                ExpressionAttributeNames={f"#{name}": name for name in RECORD_ATTRIBUTES},
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    # -- records written before this layer --------------------------------------------------

    def _legacy_record(self, idempotency_key: str, live_at: dt.datetime | None = None) -> DataRecord | None:
        """The legacy table's record of the key; with `live_at`, only one that still holds it then."""
        if self._legacy_table is None:
            return None
        item = self._client.get_item(
            TableName=self._legacy_table, Key={LEGACY_KEY: {"S": idempotency_key}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        values = from_attributes(item)
        status, expiry = values[LEGACY_STATUS], values[LEGACY_EXPIRY]
        lock = values.get(LEGACY_IN_PROGRESS_EXPIRY)
        if live_at is not None and not is_live(status, expiry, lock, live_at):
            return None
        return DataRecord(idempotency_key, status, expiry, lock, values.get(LEGACY_DATA, ""))

    def _defer_to_legacy(self, idempotency_key: str, delivery: _Delivery) -> None:
        """After a claim that found no record on the entry: a live record in the legacy table
        wins (the claim is withdrawn and Powertools handles that record)."""
        legacy = self._legacy_record(idempotency_key, live_at=self._now())
        if legacy is None:
            return
        self._withdraw(delivery)
        raise IdempotencyItemAlreadyExistsError(old_data_record=legacy)


def is_live(status: str, expiry: int | None, lock: int | None, now: dt.datetime) -> bool:
    """Whether a record still holds its key, as the claim's condition judges it: not expired
    (`expiry`, epoch seconds), and not an `INPROGRESS` record whose in-progress lock (`lock`, epoch
    milliseconds) has passed (its invocation died)."""
    if expiry is not None and expiry < int(now.timestamp()):
        return False
    return not (status == INPROGRESS and lock is not None and lock < int(now.timestamp() * 1000))
