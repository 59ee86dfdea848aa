"""A carrier checkpoint as the shipment item keeps it (its `checkpoints` list), and the reference an
order's timeline keeps to it (docs/data-model.md, "Shipment checkpoints and carrier entries").

Every write of a shipment rewrites the whole item and DynamoDB bills it by size, so the shipment's
copy of its checkpoints is stored compactly; the full form (`carriers.models.tracking.Checkpoint
.as_record`) is what every reader gets back (`full_checkpoints`), whichever form is stored:

- short attribute names, one letter each (`STORED_NAMES`, the one place they are defined);
- no empty field: a missing `reason`, `location` or `message` is left out;
- `raw_code` is left out when it is the status itself;
- `provider`, `carrier` and `location` are left out when they are the checkpoint before's (the first
  checkpoint's carrier: when it is the shipment's own carrier); a value that goes back to none is
  stored as a null;
- `received_at` is not kept: it belongs to the tracking number's own copy of the checkpoint
  (`TRACKING#<n>` / `EVENT#...`, read by `carriers.domain.ownership`), which keeps every field.

A list in the full form (written before the compact one) is read as it is: an element holding
`status` is a full record. The list is always written whole, in the order of the checkpoints' own
time, so "the checkpoint before" is the element before, and the shipment's `last_checkpoint_at` is
the last element's time: it is not stored beside the list any more (`last_checkpoint_at`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

FULL_FIELDS = (
    "status",
    "reason",
    "occurred_at",
    "location",
    "message",
    "raw_code",
    "provider",
    "carrier",
    "received_at",
)
"""A checkpoint record in full, in this order."""

STORED_NAMES = {
    "status": "s",
    "occurred_at": "t",
    "reason": "r",
    "location": "l",
    "message": "m",
    "raw_code": "c",
    "provider": "p",
    "carrier": "k",
}
"""Full field name -> the name a compact checkpoint stores it under."""

CARRIED = ("provider", "carrier", "location")
"""Stored only when they differ from the checkpoint before."""


def _start(carrier: str | None) -> dict[str, Any]:
    return {"provider": None, "carrier": carrier, "location": None}


def compact_checkpoints(records: Iterable[Mapping[str, Any]], carrier: str | None) -> list[dict[str, Any]]:
    """Full checkpoint records (in their time order) as the shipment of carrier `carrier` stores them."""
    before = _start(carrier)
    stored = []
    for record in records:
        item: dict[str, Any] = {}
        for name, short in STORED_NAMES.items():
            value = record.get(name)
            if name in CARRIED:
                if value != before[name]:
                    item[short] = value
                before[name] = value
            elif name == "raw_code":
                if value != record.get("status"):
                    item[short] = value
            elif value is not None:
                item[short] = value
        stored.append(item)
    return stored


def full_checkpoints(stored: Iterable[Mapping[str, Any]], carrier: str | None) -> list[dict[str, Any]]:
    """The shipment's stored `checkpoints` (either form; `carrier`: the shipment's) as full records."""
    before = _start(carrier)
    records = []
    for item in stored:
        if "status" in item:  # the full form
            record = {name: item.get(name) for name in FULL_FIELDS}
        else:
            record = {name: item.get(short) for name, short in STORED_NAMES.items()}
            for name in CARRIED:
                short = STORED_NAMES[name]
                record[name] = item[short] if short in item else before[name]
            if STORED_NAMES["raw_code"] not in item:
                record["raw_code"] = record["status"]
            record = {name: record.get(name) for name in FULL_FIELDS}
        before = {name: record[name] for name in CARRIED}
        records.append(record)
    return records


def last_checkpoint_at(shipment: Mapping[str, Any]) -> str | None:
    """A shipment's `last_checkpoint_at` (plain values of its item): as an item written before the
    compact form stores it, else the own time of its last checkpoint (None: no checkpoint yet)."""
    stored = shipment.get("last_checkpoint_at")
    if stored:
        return str(stored)
    checkpoints = shipment.get("checkpoints") or []
    last = checkpoints[-1] if checkpoints else None
    if not isinstance(last, Mapping):
        return None
    moment = last.get("occurred_at") if "status" in last else last.get(STORED_NAMES["occurred_at"])
    return str(moment) if moment else None


REF_LENGTH = 6
"""Hex digits of a checkpoint reference: 24 bits, compared only between checkpoints of one order
with the same status and time (a clash is one in 16 million for each such pair)."""


def checkpoint_ref(shipment_id: str, status: str, at: str, message: object) -> str:
    """A short, stable digest naming one checkpoint of an order's shipments: what an order's
    timeline entry keeps of it, besides its status and time (`at`: the checkpoint's own time as the
    timeline shows it). The message tells apart two checkpoints of one status at one time."""
    text = f"{shipment_id}|{status}|{at}|{message or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:REF_LENGTH]
