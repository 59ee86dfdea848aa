"""Patches applied to moto before the local moto server starts serving.

Imported only inside the moto server process (``python -m infra.local.moto_server``); nothing
here runs in tests that use moto in-process.

1. DynamoDB transactions are linearizable
   ------------------------------------------
   Measured on moto 5.2.5 in server mode (a threaded werkzeug server): 40 threads each running a
   ``TransactWriteItems`` that decrements a counter of 50 under ``ConditionExpression: n > 0``
   got 52-54 successes, while plain conditional ``UpdateItem`` got exactly 50. Two causes, both
   in ``DynamoDBBackend.transact_write_items``:

   * requests run concurrently and nothing serialises the read-check-write sequence of one
     transaction against another (two threads both see ``n = 1`` and both decrement);
   * to roll back a cancelled transaction moto replaces the *whole table object* with a deep
     copy taken before the transaction started, silently discarding every write other threads
     committed in between.

   Fix: one process-wide re-entrant lock held for the whole of every DynamoDB and DynamoDB
   Streams request (``DynamoHandler.call_action`` and ``DynamoDBStreamsHandler.call_action``).
   Every operation, reads included, is then atomic and they appear in one total order, which is
   what DynamoDB guarantees for transactions (serializable isolation) and for single-item writes.
   Reads are serialised too so a ``Query`` never observes half of a transaction and a stream
   reader never sees records of a transaction that is then rolled back. A local server handles a
   handful of requests at a time, so the lost parallelism is immaterial.

2. DynamoDB transaction cost does not grow with the table
   -----------------------------------------------------
   Measured on moto 5.2.5: each ``TransactWriteItems`` deep-copies every table it touches before
   running (10 ms per transaction on an empty table, 51 ms at 2,000 items, 225 ms at 10,000).
   The copy exists only to roll back. We replace it with an *undo log of the touched items*:

   * before the transaction runs we save, for every item key the transaction names (``Put``
     ``Item`` keys, ``Update``/``Delete``/``ConditionCheck`` ``Key``), a deep copy of that one
     item (or "absent"), plus the length of each touched table's stream shard;
   * ``copy.deepcopy`` as seen by ``moto.dynamodb.models`` returns a ``Table`` unchanged, so
     moto's own snapshot costs nothing and its "restore" assigns the same live table back;
   * if moto raises anything (``TransactionCanceledException``, validation errors) we put each
     saved item back (or remove it if it was absent) and truncate the stream shards to their
     saved length, so a cancelled transaction leaves neither items nor stream records behind.

   Secondary indexes in moto are computed from the base items at query time, so restoring the
   base items restores the indexes. The lock from (1) guarantees nobody observes the
   intermediate state. ``update_item`` still deep-copies the one item it updates (needed for the
   stream's old image); that cost is per item, not per table.

3. Outbox timestamps
   -----------------
   SES v1 ``SendEmail``/``SendRawEmail``/``SendTemplatedEmail`` and SES v2 ``SendEmail`` all end
   up in ``ses_backends[account][region].sent_messages`` (v2 delegates to the v1 backend); SNS
   SMS (``Publish`` with ``PhoneNumber``) lands in ``sns_backends[account][region].sms_messages``.
   Neither records when it was sent, so the message classes get a ``sent_at`` attribute.

4. Bounded shard iterators
   -----------------------
   moto keeps every DynamoDB Streams shard iterator ever issued (each ``GetRecords`` issues a new
   one); a stream poller running for hours would grow without bound. We keep the newest 10,000.
"""

from __future__ import annotations

import copy
import functools
import threading
import time
from typing import Any

DYNAMODB_LOCK = threading.RLock()
_MAX_SHARD_ITERATORS = 10_000
_applied = False


def apply() -> None:
    """Apply every patch once (idempotent)."""
    global _applied
    if _applied:
        return
    _serialise_dynamodb_requests()
    _replace_transaction_snapshot_with_undo_log()
    _timestamp_outbox_messages()
    _bound_shard_iterators()
    _applied = True


def _serialise_dynamodb_requests() -> None:
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    for handler in (DynamoHandler, DynamoDBStreamsHandler):
        original = handler.call_action

        @functools.wraps(original)
        def call_action(self: Any, _original: Any = original) -> Any:
            with DYNAMODB_LOCK:
                return _original(self)

        handler.call_action = call_action  # type: ignore[method-assign]


class _CopyWithoutTables:
    """Stands in for the ``copy`` module inside ``moto.dynamodb.models``: tables are not copied."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _replace_transaction_snapshot_with_undo_log() -> None:
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import Table

    dynamodb_models.copy = _CopyWithoutTables(Table)  # type: ignore[assignment]
    backend_type = dynamodb_models.DynamoDBBackend
    original = backend_type.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with DYNAMODB_LOCK:
            undo = _UndoLog.capture(self, transact_items)
            try:
                original(self, transact_items)
            except BaseException:
                undo.roll_back()
                raise

    backend_type.transact_write_items = transact_write_items  # type: ignore[method-assign]


class _UndoLog:
    """The prior state of exactly the items (and stream shards) one transaction touches."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, saved item or None)
        self.stream_lengths: list[tuple[Any, int]] = []

    @classmethod
    def capture(cls, backend: Any, transact_items: list[dict[str, Any]]) -> _UndoLog:
        from moto.dynamodb.models.dynamo_type import DynamoType

        undo = cls()
        seen_tables: set[int] = set()
        for entry in transact_items:
            for operation, body in entry.items():
                table = backend.tables.get(body.get("TableName")) if isinstance(body, dict) else None
                if table is None:
                    continue
                source = body.get("Item") if operation == "Put" else body.get("Key")
                if not isinstance(source, dict) or table.hash_key_attr not in source:
                    continue
                hash_key = DynamoType(source[table.hash_key_attr])
                range_key = None
                if table.range_key_attr is not None:
                    if table.range_key_attr not in source:
                        continue
                    range_key = DynamoType(source[table.range_key_attr])
                current = table.get_item(hash_key, range_key)
                saved = copy.deepcopy(current) if current is not None else None
                undo.items.append((table, hash_key, range_key, saved))
                if id(table) not in seen_tables and table.stream_shard is not None:
                    seen_tables.add(id(table))
                    undo.stream_lengths.append((table.stream_shard, len(table.stream_shard.items)))
        return undo

    def roll_back(self) -> None:
        for table, hash_key, range_key, saved in reversed(self.items):
            if range_key is None:
                if saved is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = saved
            elif saved is None:
                if hash_key in table.items:
                    table.items[hash_key].pop(range_key, None)
            else:
                table.items[hash_key][range_key] = saved
        for shard, length in self.stream_lengths:
            del shard.items[length:]


def _timestamp_outbox_messages() -> None:
    from moto.ses import models as ses_models
    from moto.sns import models as sns_models

    for message_type in (
        ses_models.Message,
        ses_models.RawMessage,
        ses_models.TemplateMessage,
        ses_models.BulkTemplateMessage,
        sns_models.SMS,
    ):
        original_init = message_type.__init__

        @functools.wraps(original_init)
        def __init__(self: Any, *args: Any, _original: Any = original_init, **kwargs: Any) -> None:
            _original(self, *args, **kwargs)
            self.sent_at = time.time()

        message_type.__init__ = __init__  # type: ignore[method-assign]


def _bound_shard_iterators() -> None:
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    original = DynamoDBStreamsBackend.get_records

    @functools.wraps(original)
    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        result = original(self, iterator_arn, limit)
        excess = len(self.shard_iterators) - _MAX_SHARD_ITERATORS
        if excess > 0:
            for stale in list(self.shard_iterators)[:excess]:
                del self.shard_iterators[stale]
        return result

    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]
