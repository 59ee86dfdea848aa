"""Patches applied to moto before the local moto server starts serving.

Imported by the moto server process (``python -m infra.local.moto_server``), which applies them
all. Tests that use moto in-process apply only those that change how fast moto answers, never
what it answers (``apply_speedups``: 2, 7 and 11).

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

5. The SES mailbox simulator publishes configuration-set events
   ------------------------------------------------------------
   Measured on moto 5.2.5: ``SendEmail``/``SendRawEmail`` (v1) and ``SendEmail`` (v2) accept
   ``ConfigurationSetName`` and ignore it, so a configuration set's event destinations never hear
   of a message; the only feedback moto publishes goes to the older *identity* notification
   topics (``__process_sns_feedback__``: a fixed sample body, chosen by the substring ``bounce``
   anywhere in any recipient). moto also keeps one event destination per configuration set
   (``config_set_event_destination[name]``): a second destination replaces the first.

   We record every destination of a set (as declared: ``Enabled``, ``MatchingEventTypes``,
   ``SNSDestination.TopicARN``) and, after SES v1 ``SendEmail``/``SendRawEmail``/
   ``SendTemplatedEmail`` or v2 ``SendEmail`` with a ``ConfigurationSetName`` succeeded (the
   message is in the outbox as before), publish what AWS's mailbox simulator would cause, in the
   SES *event publishing* format (``eventType`` and ``mail`` with ``tags."ses:configuration-set"``,
   per https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html and
   ``-examples.html``; ``events/sns/`` holds samples), to each *enabled* SNS destination whose
   ``MatchingEventTypes`` name the event type (compared ignoring case and ``_``, so ``bounce``
   and ``BOUNCE`` both match):

   * ``Send`` for every message;
   * ``bounce@simulator.amazonses.com``: ``Bounce``, ``Permanent``/``General``, status 5.1.1,
     ``smtp; 550 5.1.1 user unknown`` (no ``Delivery``);
   * ``suppressionlist@simulator.amazonses.com``: ``Bounce``, ``Permanent``/``OnSuppressionList``;
   * ``complaint@simulator.amazonses.com``: ``Delivery``, then ``Complaint`` (feedback type
     ``abuse``);
   * ``success@``, ``ooto@`` (the out-of-office reply goes to the sender's mailbox, not to event
     destinations) and every other address: ``Delivery`` (the local outbox "delivers" them).

   Labels are honoured as on AWS (``bounce+order-42@simulator.amazonses.com`` bounces), and the
   ``bounce``/``complaint`` objects name the recipient exactly as it was addressed. Events are
   published through moto's SNS backend in-process and synchronously (on AWS they follow within
   seconds), so subscriptions deliver as for any ``Publish`` (raw delivery to SQS included). A
   destination whose topic does not exist or is FIFO gets nothing, and the send still succeeds,
   as on AWS. ``SendBulkTemplatedEmail`` publishes nothing.

6. EventBridge rule targets receive the whole event (:mod:`infra.local.moto_eventbridge`).

7. Stream records are answered as JSON at once
   --------------------------------------------
   moto 5.2 answers DynamoDB Streams ``GetRecords`` through its generic response serializer, which
   walks the botocore shape of every attribute value of every image: measured with py-spy during
   the hot-SKU race, about 180 ms per ``GetRecords`` of order images, all of it under the DynamoDB
   lock of (1), so every table request waited behind it. The records are already in DynamoDB JSON
   (moto's ``StreamRecord``), so ``GetRecords`` answers ``json.dumps`` of them, with
   ``ApproximateCreationDateTime`` in epoch seconds as the JSON protocol carries timestamps.
   The item operations of DynamoDB itself (``GetItem``, ``Query``, ``BatchGetItem``, the writes)
   went the same way (the next largest share of the lock's time): their results are plain DynamoDB
   JSON once moto's ``dynamo_to_dict`` has run, so they are answered with ``json.dumps`` too
   (binary values base64-encoded, as the JSON protocol carries blobs). Errors keep moto's serializer.

8. The server finds a request's service once per host
   ---------------------------------------------------
   moto's server (``DomainDispatcherApplication.get_backend_for_host``, moto 5.2.5) decides which
   service a request is for by listing moto's package directory (``os.listdir`` and an
   ``os.path.isdir`` per entry) and then matching the host against every service's URL patterns,
   on every request and under the dispatcher's lock: measured with py-spy during the hot-SKU race,
   about 14% of the server's busy time. The answer depends only on the host, so it is kept per
   host (a handful: one per service and region the stack calls).

9. cognito-idp answers ``RevokeToken`` (:mod:`infra.local.moto_cognito`): the console's sign-out.

10. A Query reads only its candidates
    ---------------------------------
   moto 5.2.5's ``Table.query`` starts from ``Table.all_items()``, which lists *and sorts* every
   item of the table, on every Query, base table and index alike: measured with the console page
   benchmark (``benchmarks/console_pages.py``), about 150 ms per Query at 10,000 orders on a loaded
   2-core machine, so a page of 40 index and key reads took seconds. While a Query runs (under the
   DynamoDB lock of (1), so no other request sees it) the table's ``all_items`` answers:

   * for a base-table Query, the items of its one partition (``Table.items[hash key]``), in range
     key order: what the original keeps after filtering the sorted list by hash key;
   * for an index Query, the items whose index partition key has the queried value, unsorted: the
     original keeps exactly those (it compares every item's key attributes with the condition) and
     re-sorts them by the index keys and then the table keys (``sorted_items``), a total order, so
     the starting order is immaterial. The items are found through a map of each index's partition
     key values to their items, built on the first Query of the index after any request that may
     have written (every DynamoDB action but the reads: ``GetItem``, ``BatchGetItem``, ``Query``,
     ``Scan``, the ``Describe``/``List`` actions), so a Query never sees a stale map.

   The answer (items, order, ``Count``, ``ScannedCount``, ``LastEvaluatedKey``) is unchanged
   (``tests/local_runtime/test_moto_patches.py`` compares it with stock moto's).

11. A projection converts only the attributes it names
    --------------------------------------------------
    moto 5.2.5's ``Item.project`` converts the *whole* item to plain Python
    (``Item.to_regular_json``, a deep copy of every attribute) once per projected path, then picks
    the path out of it. A keys-only index projects 4 to 6 key attributes, so every item a Query of
    such an index returns was converted 4 to 6 times, its timeline and lines included: measured
    with the console page benchmark, about 1 ms per order item at 10,000 orders, most of a review
    page's time. ``project`` now converts, per path, only the top-level attribute the path starts
    with (a list path ``a[1].b`` starts with ``a``), freshly each time as before, and picks the path
    out of that with moto's own ``find_nested_key`` and ``merge_dicts``: the same projection, item
    for item (``tests/local_runtime/test_moto_patches.py`` compares the two).

12. Long-lived objects leave the cyclic garbage collector's scans
    -------------------------------------------------------------
    The server holds every table item as moto objects (about 300 Python objects per order), so a
    full (generation 2) collection walks millions of objects: measured with the console page
    benchmark at 10,000 orders, pauses of 300 to 700 ms, every few seconds of Queries, with every
    request waiting (the p95 of the Today page was 770 ms against a p50 of 240). After each full
    collection the survivors are moved to the permanent generation (``gc.freeze()``), so the next
    full collections walk only what was allocated since. Reference counting still frees every
    object that is no longer referenced; only reference cycles created before a freeze and dropped
    after it stay allocated, which a server that lives for one test run or one ``make dev`` affords.

13. An index Query reads the index's entries, not the whole items
    -------------------------------------------------------------
    moto 5.2.5's ``Table.query`` on an index walks the whole items: it sums each candidate's full
    size (``Item.size``, a walk of every attribute) for the 1 MB page limit and deep-copies every
    item it returns before projecting it to the index's attributes. An order item is about 2 KB of
    nested timeline and lines, so a keys-only index Query paid for all of it: measured with the
    console page benchmark at 10,000 orders, about 8 ms per Query of a status partition of 13
    orders against 4 ms for a base-table Query of the same size, and the Today and review pages
    run 16 of them. For an index that projects ``KEYS_ONLY`` or ``INCLUDE``, the candidates of (10)
    are now projected to the index's attributes first (moto's own ``SecondaryIndex.project``, which
    the original applies to its results anyway). Items, order, counts and keys are unchanged
    (``tests/local_runtime/test_moto_patches.py`` compares them with stock moto's). The one
    difference is where a page ends when its items pass 1 MB: at 1 MB of index entries, as
    DynamoDB counts an index Query's reads, rather than at 1 MB of whole items.
"""

from __future__ import annotations

import base64
import copy
import email
import email.policy
import functools
import json
import re
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import formataddr, getaddresses, parseaddr
from typing import Any

from infra.local.moto_cognito import accept_revoke_token
from infra.local.moto_eventbridge import deliver_whole_events

DYNAMODB_LOCK = threading.RLock()
_MAX_SHARD_ITERATORS = 10_000
_applied = False


_fast_applied = False


def apply() -> None:
    """Apply every patch once (idempotent)."""
    global _applied
    if _applied:
        return
    _serialise_dynamodb_requests()
    apply_speedups()
    _timestamp_outbox_messages()
    _bound_shard_iterators()
    _publish_configuration_set_events()
    deliver_whole_events()
    accept_revoke_token()
    _remember_backends_by_host()
    _query_only_candidates()
    _freeze_survivors_of_full_collections()
    _applied = True


def _freeze_survivors_of_full_collections() -> None:
    """(12) After each generation-2 collection, `gc.freeze()` what survived."""
    import gc

    def after_full_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info.get("generation") == 2:
            gc.freeze()

    if after_full_collection.__qualname__ not in {getattr(c, "__qualname__", "") for c in gc.callbacks}:
        gc.callbacks.append(after_full_collection)


def _remember_backends_by_host() -> None:
    """(8) `get_backend_for_host` answers from a per-host memo after its first answer."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    if getattr(original, "ordertrack_memo", False):
        return
    found: dict[str | None, Any] = {}

    @functools.wraps(original)
    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host not in found:
            found[host] = original(self, host)
        return found[host]

    get_backend_for_host.ordertrack_memo = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def _query_only_candidates() -> None:
    """(10) Under the lock of (1): a Query's `all_items` lists only what it can answer from."""
    import inspect

    from moto.dynamodb.models.table import Table

    original = Table.query
    if getattr(original, "ordertrack_candidates", False):
        return
    parameters = inspect.signature(original)

    def partition(table: Any, hash_key: Any) -> list[Any]:
        found = table.items.get(hash_key)
        if found is None:
            return []
        if not table.range_key_attr:
            return [found]
        return sorted(found.values(), key=lambda item: item.range_key)

    def unsorted(table: Any) -> list[Any]:
        if table.range_key_attr:
            return [item for items in table.items.values() for item in items.values()]
        return list(table.items.values())

    def index_partition(table: Any, index_name: str, conditions: Any) -> list[Any] | None:
        """The items whose index partition key has the queried value (None: not a one-attribute key)."""
        if not conditions or len(conditions) != 1:
            return None
        attribute, value = conditions[0]
        key = (id(table), index_name, attribute)
        cached = _INDEX_MAPS.get(key)
        if cached is None or cached[0] != _WRITES.generation or cached[1] is not table:
            buckets: dict[Any, list[Any]] = {}
            for item in unsorted(table):
                found = item.attrs.get(attribute)
                if found:
                    buckets.setdefault(found, []).append(item)
            cached = (_WRITES.generation, table, buckets)
            _INDEX_MAPS[key] = cached
        return list(cached[2].get(value, []))

    def index_entries(table: Any, index_name: str, items: list[Any]) -> list[Any]:
        """(13) The items as a keys-only or include index holds them (whole items for ALL)."""
        for index in table.all_indexes():
            if index.name == index_name:
                kind = (index.projection or {}).get("ProjectionType")
                return [index.project(item) for item in items] if kind in ("KEYS_ONLY", "INCLUDE") else items
        return items  # an unknown index: the original refuses the Query

    @functools.wraps(original)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = parameters.bind(self, *args, **kwargs).arguments
        if arguments.get("index_name"):
            candidates = index_partition(self, arguments["index_name"], arguments.get("hash_key_conditions"))
            if candidates is not None:
                candidates = index_entries(self, arguments["index_name"], candidates)
            self.all_items = (lambda: unsorted(self)) if candidates is None else (lambda: candidates)
        elif arguments.get("hash_key") is not None:
            self.all_items = lambda: partition(self, arguments["hash_key"])
        try:
            return original(self, *args, **kwargs)
        finally:
            self.__dict__.pop("all_items", None)

    query.ordertrack_candidates = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    _count_writes()


class _Writes:
    generation = 0


_WRITES = _Writes()
_INDEX_MAPS: dict[tuple[int, str, str], tuple[int, Any, dict[Any, list[Any]]]] = {}
_READ_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})


def _count_writes() -> None:
    """(10) Every DynamoDB request that may write moves the generation on, inside the lock of (1)."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    @functools.wraps(original)
    def call_action(self: Any, _original: Any = original) -> Any:
        action = str(self._get_action())
        reads = action in _READ_ACTIONS or action.startswith(("Describe", "List"))
        with DYNAMODB_LOCK:
            try:
                return _original(self)
            finally:
                if not reads:
                    _WRITES.generation += 1

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def apply_speedups() -> None:
    """Only the patches that change how fast moto answers, never what it answers: (2), (7) and (11).
    The integration tests apply them to moto in process too (once, idempotent)."""
    global _fast_applied
    if _fast_applied:
        return
    _replace_transaction_snapshot_with_undo_log()
    _answer_stream_records_as_json()
    _project_only_named_attributes()
    _fast_applied = True


_LIST_PATH = re.compile(r"(.+)\[(\d+)\]$")
"""How moto's ``find_nested_key`` reads a list element in a path segment (``name[1]``)."""


def projected_item(item: Any, projection_expressions: list[list[str]]) -> Any:
    """(11) What moto's ``Item.project`` answers, converting only the attributes the paths start with."""
    from moto.dynamodb.models.dynamo_type import (  # the names moto's own `project` uses
        Item,
        deserializer,
        find_nested_key,
        merge_dicts,
        serializer,
    )

    result: dict[str, Any] = {}
    for expression in projection_expressions:
        first = expression[0]
        names = {first}
        listed = _LIST_PATH.match(first)
        if listed:
            names.add(listed.group(1))
        named = {
            name: deserializer.deserialize(item.attrs[name].to_regular_json())
            for name in names
            if name in item.attrs
        }
        merge_dicts(result, find_nested_key(expression, named))
    return Item(hash_key=item.hash_key, range_key=item.range_key, attrs=serializer.serialize(result)["M"])


def _project_only_named_attributes() -> None:
    """(11) `Item.project` converts only the top-level attributes its paths name."""
    from moto.dynamodb.models.dynamo_type import Item

    if getattr(Item.project, "ordertrack_named", False):
        return
    original = Item.project

    @functools.wraps(original)
    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        return projected_item(self, projection_expressions)

    project.ordertrack_named = True  # type: ignore[attr-defined]
    project.ordertrack_original = original  # type: ignore[attr-defined]
    Item.project = project  # type: ignore[method-assign]


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


# -- 7. stream records answered as JSON at once -------------------------------------------------


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.timestamp()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _answer_stream_records_as_json() -> None:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def get_records(self: Any) -> str:
        limit = self._get_param("Limit")
        result = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
        return json.dumps(result, default=_wire_value)

    DynamoDBStreamsHandler.get_records = get_records  # type: ignore[method-assign]

    from moto.dynamodb.responses import DynamoHandler

    global _moto_serialized
    original_serialized = _moto_serialized = DynamoHandler.serialized

    @functools.wraps(original_serialized)
    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if self._get_action() not in _ITEM_ACTIONS or not isinstance(result, dict):
            return original_serialized(self, action_result)
        headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
        return 200, headers, json.dumps(result, default=_wire_value)

    DynamoHandler.serialized = serialized  # type: ignore[method-assign]


_moto_serialized: Any = None


def moto_dynamodb_serializer() -> Any:
    """moto's own ``DynamoHandler.serialized``, patched or not (the reference in the tests of 7)."""
    from moto.dynamodb.responses import DynamoHandler

    return _moto_serialized or DynamoHandler.serialized


_ITEM_ACTIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }
)


def _wire_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return _epoch_seconds(value)


# -- 5. the SES mailbox simulator publishes configuration-set events -------------------------

SIMULATOR_DOMAIN = "simulator.amazonses.com"
_DESTINATIONS_ATTRIBUTE = "ordertrack_event_destinations"  # on SESBackend: set name -> destinations
_DELIVERED = "delivered"
_BOUNCED = "bounced"
_SUPPRESSED = "suppressed"
_COMPLAINED = "complained"
_OUTCOME_BY_MAILBOX = {"bounce": _BOUNCED, "suppressionlist": _SUPPRESSED, "complaint": _COMPLAINED}
_REPORTING_MTA = "a8-70.smtp-out.amazonses.com"


def simulated_outcome(address: str) -> str:
    """What the SES mailbox simulator does with ``address`` (labels such as ``bounce+x@`` count):
    ``bounced``, ``suppressed``, ``complained`` or ``delivered`` (any other address)."""
    local, _, domain = parseaddr(address)[1].rpartition("@")
    if domain.lower() != SIMULATOR_DOMAIN:
        return _DELIVERED
    return _OUTCOME_BY_MAILBOX.get(local.split("+", 1)[0].lower(), _DELIVERED)


def _publish_configuration_set_events() -> None:
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse
    from moto.sesv2.responses import SESV2Response

    original_create = SESBackend.create_configuration_set_event_destination

    @functools.wraps(original_create)
    def create_configuration_set_event_destination(
        self: Any, configuration_set_name: str, event_destination: dict[str, Any]
    ) -> None:
        original_create(self, configuration_set_name, event_destination)
        _event_destinations(self).setdefault(configuration_set_name, []).append(
            copy.deepcopy(event_destination)
        )

    original_delete = SESBackend.delete_configuration_set

    @functools.wraps(original_delete)
    def delete_configuration_set(self: Any, configuration_set_name: str) -> None:
        original_delete(self, configuration_set_name)
        _event_destinations(self).pop(configuration_set_name, None)

    SESBackend.create_configuration_set_event_destination = create_configuration_set_event_destination  # type: ignore[method-assign]
    SESBackend.delete_configuration_set = delete_configuration_set  # type: ignore[method-assign]

    for action in ("send_email", "send_raw_email", "send_templated_email"):
        original_v1 = getattr(EmailResponse, action)

        @functools.wraps(original_v1)
        def send_v1(self: Any, _original: Any = original_v1) -> Any:
            result = _original(self)
            tags = {tag["Name"]: tag["Value"] for tag in self._get_param("Tags", None) or []}
            publish_sending_events(
                self.current_account,
                self.region,
                self._get_param("ConfigurationSetName"),
                result.result["MessageId"],
                tags,
            )
            return result

        setattr(EmailResponse, action, send_v1)

    original_v2 = SESV2Response.send_email

    @functools.wraps(original_v2)
    def send_v2(self: Any) -> str:
        result: str = original_v2(self)
        request = json.loads(self.body)
        tags = {tag["Name"]: tag["Value"] for tag in request.get("EmailTags") or []}
        publish_sending_events(
            self.current_account,
            self.region,
            request.get("ConfigurationSetName"),
            json.loads(result)["MessageId"],
            tags,
        )
        return result

    SESV2Response.send_email = send_v2  # type: ignore[method-assign]


def _event_destinations(backend: Any) -> dict[str, list[dict[str, Any]]]:
    destinations: dict[str, list[dict[str, Any]]] | None = getattr(backend, _DESTINATIONS_ATTRIBUTE, None)
    if destinations is None:
        destinations = {}
        setattr(backend, _DESTINATIONS_ATTRIBUTE, destinations)
    return destinations


def publish_sending_events(
    account: str, region: str, configuration_set: str | None, message_id: str, tags: dict[str, str]
) -> None:
    """Publish the events of one accepted message to its configuration set's SNS destinations."""
    from moto.ses.models import ses_backends

    if not configuration_set:
        return
    backend = ses_backends[account][region]
    if configuration_set not in backend.config_sets:
        return
    destinations = [
        (_event_type_names(destination), topic)
        for destination in _event_destinations(backend).get(configuration_set, [])
        if _enabled(destination) and (topic := _sns_topic_arn(destination))
    ]
    message = next((m for m in reversed(backend.sent_messages) if getattr(m, "id", None) == message_id), None)
    if not destinations or message is None:
        return
    mail = _mail_object(backend, message, configuration_set, tags)
    for event in simulated_events(mail):
        wanted = _normalized_event_type(event["eventType"])
        for names, topic in destinations:
            if wanted in names:
                _publish_to_topic(topic, event)


def simulated_events(mail: dict[str, Any], now: float | None = None) -> list[dict[str, Any]]:
    """The event publishing records the mailbox simulator causes for one message (``mail`` is the
    record's ``mail`` object): ``Send``, then ``Delivery``, ``Bounce`` and ``Complaint`` as its
    recipients call for, each naming its recipients as they were addressed."""
    now = time.time() if now is None else now
    at = _iso(now)
    by_outcome: dict[str, list[str]] = {}
    for recipient in mail["destination"]:
        by_outcome.setdefault(simulated_outcome(recipient), []).append(recipient)
    events: list[dict[str, Any]] = [{"eventType": "Send", "mail": mail, "send": {}}]
    delivered = by_outcome.get(_DELIVERED, []) + by_outcome.get(_COMPLAINED, [])
    if delivered:
        delivery = {
            "timestamp": at,
            "processingTimeMillis": max(0, round((now - _parse_iso(mail["timestamp"])) * 1000)),
            "recipients": delivered,
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": _REPORTING_MTA,
        }
        events.append({"eventType": "Delivery", "mail": mail, "delivery": delivery})
    if by_outcome.get(_BOUNCED):
        events.append(
            _bounce_event(
                mail,
                at,
                "General",
                by_outcome[_BOUNCED],
                status="5.1.1",
                diagnostic="smtp; 550 5.1.1 user unknown",
                reporting_mta=f"dsn; {_REPORTING_MTA}",
            )
        )
    if by_outcome.get(_SUPPRESSED):
        events.append(
            _bounce_event(
                mail,
                at,
                "OnSuppressionList",
                by_outcome[_SUPPRESSED],
                status="5.1.1",
                diagnostic="Amazon SES has suppressed sending to this address because it has a recent "
                "history of bouncing as an invalid address.",
                reporting_mta="dns; amazonses.com",
            )
        )
    if by_outcome.get(_COMPLAINED):
        complaint = {
            "feedbackId": _feedback_id(),
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": r} for r in by_outcome[_COMPLAINED]],
            "timestamp": at,
            "userAgent": "Amazon SES Mailbox Simulator",
            "complaintFeedbackType": "abuse",
            "arrivalDate": at,
        }
        events.append({"eventType": "Complaint", "mail": mail, "complaint": complaint})
    return events


def _bounce_event(
    mail: dict[str, Any],
    at: str,
    sub_type: str,
    recipients: list[str],
    status: str,
    diagnostic: str,
    reporting_mta: str,
) -> dict[str, Any]:
    bounce = {
        "bounceType": "Permanent",
        "bounceSubType": sub_type,
        "bouncedRecipients": [
            {"emailAddress": r, "action": "failed", "status": status, "diagnosticCode": diagnostic}
            for r in recipients
        ],
        "timestamp": at,
        "feedbackId": _feedback_id(),
        "reportingMTA": reporting_mta,
    }
    return {"eventType": "Bounce", "mail": mail, "bounce": bounce}


def _mail_object(backend: Any, message: Any, configuration_set: str, tags: dict[str, str]) -> dict[str, Any]:
    """The ``mail`` object of an event record for a message moto accepted."""
    from moto.ses.models import RawMessage

    source = str(message.source or "")
    sender = parseaddr(source)[1]
    domain = sender.rpartition("@")[2].lower()
    identity = sender if sender in backend.email_identities else domain
    if isinstance(message, RawMessage):
        headers, common = _raw_headers(message.raw_data)
        recipients = _plain_addresses(message.destinations)
    else:
        destinations = message.destinations or {}
        to = list(destinations.get("ToAddresses", []))
        cc = list(destinations.get("CcAddresses", []))
        recipients = _plain_addresses([*to, *cc, *destinations.get("BccAddresses", [])])
        subject = getattr(message, "subject", None)
        fields = [("From", source), ("To", ", ".join(to)), ("Cc", ", ".join(cc)), ("Subject", subject)]
        headers = [{"name": n, "value": v} for n, v in fields if v] + [
            {"name": "MIME-Version", "value": "1.0"}
        ]
        common = {"from": [source], "to": to, **({"cc": cc} if cc else {})}
        if subject is not None:
            common["subject"] = subject
    return {
        "timestamp": _iso(getattr(message, "sent_at", None) or time.time()),
        "source": source,
        "sourceArn": f"arn:aws:ses:{backend.region_name}:{backend.account_id}:identity/{identity}",
        "sendingAccountId": backend.account_id,
        "messageId": message.id,
        "destination": recipients,
        "headersTruncated": False,
        "headers": headers,
        "commonHeaders": {**common, "messageId": message.id},
        "tags": {
            **{name: [value] for name, value in tags.items()},
            "ses:configuration-set": [configuration_set],
            "ses:from-domain": [domain],
        },
    }


def _raw_headers(raw_data: str) -> tuple[list[dict[str, str]], dict[str, Any]]:
    parsed = email.message_from_string(raw_data, policy=email.policy.compat32)
    headers = [{"name": name, "value": str(value)} for name, value in parsed.items() if name.lower() != "bcc"]
    common: dict[str, Any] = {}
    for field in ("from", "to", "cc", "reply-to"):
        values = parsed.get_all(field)
        if values:
            key = "replyTo" if field == "reply-to" else field
            common[key] = [formataddr(pair) for pair in getaddresses([str(v) for v in values])]
    for field, key in (("subject", "subject"), ("date", "date"), ("return-path", "returnPath")):
        if parsed.get(field) is not None:
            common[key] = str(parsed[field])
    return headers, common


def _plain_addresses(addresses: Iterable[str]) -> list[str]:
    """Each recipient once, as addressed but without a display name."""
    seen: set[str] = set()
    plain: list[str] = []
    for address in addresses:
        value = parseaddr(address)[1] or address
        if value.lower() not in seen:
            seen.add(value.lower())
            plain.append(value)
    return plain


def _enabled(destination: dict[str, Any]) -> bool:
    return str(destination.get("Enabled", False)).lower() == "true"


def _sns_topic_arn(destination: dict[str, Any]) -> str | None:
    sns = destination.get("SNSDestination") or destination.get("SnsDestination") or {}
    arn = sns.get("TopicARN") or sns.get("TopicArn")
    return str(arn) if arn else None


def _normalized_event_type(name: str) -> str:
    """``bounce`` (CloudFormation, SES v1), ``BOUNCE`` (SES v2) and ``Bounce`` (records) compare
    equal, as do ``renderingFailure`` and ``RENDERING_FAILURE``."""
    return name.replace("_", "").lower()


def _event_type_names(destination: dict[str, Any]) -> set[str]:
    return {_normalized_event_type(str(name)) for name in destination.get("MatchingEventTypes") or []}


def _publish_to_topic(topic_arn: str, event: dict[str, Any]) -> None:
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    if len(parts) != 6:
        return
    region, account = parts[3], parts[4]
    backend = sns_backends[account][region]
    topic = backend.topics.get(topic_arn)
    if topic is None or topic.fifo_topic:  # SES cannot publish there either; the send stands
        return
    backend.publish(json.dumps(event), arn=topic_arn)


def _feedback_id() -> str:
    from moto.ses.utils import get_random_message_id

    return get_random_message_id()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
