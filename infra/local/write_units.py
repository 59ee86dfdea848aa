"""DynamoDB write units as DynamoDB bills them, computed from item images (no moto, no boto3).

Sources (read 2026-12-06):

* item size -- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html:
  attribute name bytes + value bytes; strings and binaries by their (raw) byte length; numbers
  1 byte per two significant digits + 1; null and boolean 1 byte; lists and maps 3 bytes + 1 byte
  per element + the elements;
* write units -- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html:
  one unit per started 1 KB; ``PutItem`` and ``UpdateItem`` bill the larger of the old and the new
  item, ``DeleteItem`` the deleted item; a write whose condition fails still consumes units (the
  existing item's size, at least one); ``BatchWriteItem`` bills each item on its own;
  ``TransactWriteItems`` bills two units per started 1 KB of each item it names (a
  ``ConditionCheck`` included), whether it commits or is cancelled;
* secondary indexes -- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
  (write considerations): a write that puts an item into an index costs one index write, one that
  removes it one, one that changes an index key two (a delete and a put), one that changes only
  projected attributes one, and nothing when the index entry does not change. Index writes are
  sized by the projected entry and are not transactional (indexes are updated asynchronously).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KB = 1024
TRANSACTION_FACTOR = 2

Image = Mapping[str, Mapping[str, Any]]
"""An item in DynamoDB JSON: ``{"pk": {"S": "ORDER#1"}, "total": {"N": "12.5"}}``."""


def number_size(text: str) -> int:
    digits = text.strip().lstrip("+-").lower().split("e")[0].replace(".", "")
    significant = digits.strip("0")
    return math.ceil(len(significant) / 2) + 1


def _binary_size(value: Any) -> int:
    if isinstance(value, bytes | bytearray):
        return len(value)
    try:
        return len(base64.b64decode(str(value), validate=True))
    except ValueError:
        return len(str(value).encode())


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value (without its name)."""
    kind, content = next(iter(value.items()))
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return number_size(str(content))
    if kind == "B":
        return _binary_size(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(member).encode()) for member in content)
    if kind == "NS":
        return sum(number_size(str(member)) for member in content)
    if kind == "BS":
        return sum(_binary_size(member) for member in content)
    if kind == "L":
        return 3 + sum(1 + value_size(member) for member in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(member) for name, member in content.items())
    raise ValueError(f"not a DynamoDB attribute value: {value!r}")


def item_size(item: Image | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def units_for(size: int) -> int:
    """Write units of one write of ``size`` bytes: one per started KB, at least one."""
    return max(1, math.ceil(size / KB))


@dataclass(frozen=True)
class IndexSpec:
    name: str
    hash_key: str
    range_key: str | None
    projection: str = "ALL"
    non_key_attributes: tuple[str, ...] = ()

    def key(self, item: Image | None) -> tuple[Any, ...] | None:
        """The item's key in this index, or None when the item is not in the (sparse) index."""
        if not item or self.hash_key not in item:
            return None
        if self.range_key is not None and self.range_key not in item:
            return None
        return (_scalar(item[self.hash_key]), _scalar(item[self.range_key]) if self.range_key else None)

    def entry(self, item: Image | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        if self.key(item) is None:
            return None
        assert item is not None
        if self.projection == "ALL":
            return dict(item)
        wanted = {*table_keys, self.hash_key, *([self.range_key] if self.range_key else [])}
        if self.projection == "INCLUDE":
            wanted |= set(self.non_key_attributes)
        return {name: value for name, value in item.items() if name in wanted}


@dataclass(frozen=True)
class TableSpec:
    name: str
    hash_key: str
    range_key: str | None = None
    indexes: tuple[IndexSpec, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.hash_key, *([self.range_key] if self.range_key else []))


@dataclass(frozen=True)
class Charge:
    """Write units billed to the table (``index`` None) or one of its indexes, in one partition."""

    table: str
    index: str | None
    partition: str
    units: int


@dataclass
class WriteCost:
    charges: list[Charge] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(charge.units for charge in self.charges)


def _scalar(value: Mapping[str, Any]) -> str:
    kind, content = next(iter(value.items()))
    return str(content) if kind != "B" else f"B:{content}"


def write_cost(
    table: TableSpec,
    old: Image | None,
    new: Image | None,
    *,
    key: Image | None = None,
    transactional: bool = False,
    failed: bool = False,
    check_only: bool = False,
) -> WriteCost:
    """What one item write costs. ``old``/``new`` are the item before and after (None: absent);
    ``failed``: the condition failed or the transaction was cancelled (nothing was written);
    ``check_only``: a transaction's ``ConditionCheck`` (billed like a write, writes nothing)."""
    factor = TRANSACTION_FACTOR if transactional else 1
    source = old or new or key or {}
    partition = _scalar(source[table.hash_key]) if table.hash_key in source else "?"
    if failed or check_only:
        return WriteCost([Charge(table.name, None, partition, factor * units_for(item_size(old)))])
    charges = [Charge(table.name, None, partition, factor * units_for(max(item_size(old), item_size(new))))]
    for index in table.indexes:
        charges += _index_charges(table, index, old, new)
    return WriteCost(charges)


def _index_charges(table: TableSpec, index: IndexSpec, old: Image | None, new: Image | None) -> list[Charge]:
    old_key, new_key = index.key(old), index.key(new)
    old_entry, new_entry = index.entry(old, table.keys), index.entry(new, table.keys)

    def charge(item_key: tuple[Any, ...], size: int) -> Charge:
        return Charge(table.name, index.name, str(item_key[0]), units_for(size))

    if old_key is None and new_key is None:
        return []
    if old_key is None:
        assert new_key is not None
        return [charge(new_key, item_size(new_entry))]
    if new_key is None:
        return [charge(old_key, item_size(old_entry))]
    if old_key != new_key:
        return [charge(old_key, item_size(old_entry)), charge(new_key, item_size(new_entry))]
    if old_entry == new_entry:
        return []
    return [charge(new_key, max(item_size(old_entry), item_size(new_entry)))]
