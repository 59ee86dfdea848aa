"""The orders-by-status index (`gsi2`), spread over write shards.

An order is indexed under `gsi2pk` = `STATUS#<name>#<shard>`, its shard a stable hash of its order
id (`STATUS_INDEX_SHARDS` of them), so the orders of one status (every new order is `received`) do
not all write one partition. `<name>` is the status itself, except for the statuses a carrier moves
an order through one after the other (`STATUS_GROUPS`): they share the group's name, so those moves
change no index key and write nothing to the index (a key change is a delete and a put, 2 write
units). Readers query every shard of the name and merge by `gsi2sk` (`<created_at>#<order_id>`);
a reader of a grouped status keeps only the orders in that status. Every writer of `gsi2pk` for
orders goes through `status_partition`; this module is the one place that knows the shard count
and the groups.

Orders indexed under a grouped status's own name (before the groups existed) are read too
(`status_partitions`) until their next status change re-indexes them. Orders indexed before shards
existed (`STATUS#<status>`) are not found by status until their next status change re-indexes them.
"""

from __future__ import annotations

import zlib

STATUS_INDEX = "gsi2"
STATUS_INDEX_SHARDS = 16
ON_THE_WAY = "on_the_way"
STATUS_GROUPS = {"shipped": ON_THE_WAY, "in_transit": ON_THE_WAY, "out_for_delivery": ON_THE_WAY}
"""Status -> the name it is indexed under, when not its own."""


def status_shard(order_id: str) -> int:
    return zlib.crc32(order_id.encode()) % STATUS_INDEX_SHARDS


def index_name(status: str) -> str:
    return STATUS_GROUPS.get(status, status)


def status_partition(status: str, order_id: str) -> str:
    """The `gsi2pk` of order `order_id` while in `status`."""
    return f"STATUS#{index_name(status)}#{status_shard(order_id)}"


def status_partitions(status: str) -> list[str]:
    """Every `gsi2pk` an order in `status` may have: the shards of its name, then, for a grouped
    status, the shards of its own name (where orders indexed before the groups still are)."""
    names = [index_name(status)] + ([status] if status in STATUS_GROUPS else [])
    return [f"STATUS#{name}#{shard}" for name in names for shard in range(STATUS_INDEX_SHARDS)]


def is_grouped(status: str) -> bool:
    """Whether the index entries read for `status` may include orders in other statuses."""
    return status in STATUS_GROUPS
