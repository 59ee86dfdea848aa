"""The orders-by-status index (`gsi2`), spread over write shards.

An order is indexed under `gsi2pk` = `STATUS#<status>#<shard>`, its shard a stable hash of its
order id (`STATUS_INDEX_SHARDS` of them), so the orders of one status (every new order is
`received`) do not all write one partition. Readers query every shard of a status and merge by
`gsi2sk` (`<created_at>#<order_id>`). Every writer of `gsi2pk` for orders goes through
`status_partition`; this module is the one place that knows the shard count.

Orders indexed before shards existed (`STATUS#<status>`) are not found by status until their next
status change re-indexes them.
"""

from __future__ import annotations

import zlib

STATUS_INDEX = "gsi2"
STATUS_INDEX_SHARDS = 16


def status_shard(order_id: str) -> int:
    return zlib.crc32(order_id.encode()) % STATUS_INDEX_SHARDS


def status_partition(status: str, order_id: str) -> str:
    """The `gsi2pk` of order `order_id` while in `status`."""
    return f"STATUS#{status}#{status_shard(order_id)}"


def status_partitions(status: str) -> list[str]:
    """Every `gsi2pk` an order in `status` may have, shard by shard."""
    return [f"STATUS#{status}#{shard}" for shard in range(STATUS_INDEX_SHARDS)]
