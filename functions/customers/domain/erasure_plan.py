"""What erasing a customer's personal data changes in each kind of item (docs/customer-data.md).

Pure: each function takes an item as stored (plain values) and answers the `Redaction` that
erases it, or None when nothing personal is left on it (already erased: a re-run writes nothing).
Orders keep their amounts, lines, statuses and times (the KPIs read them); free text a customer or
an operator wrote about them is replaced by `[erased]`; contact details are removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REDACTED = "[erased]"
ORDER_CUSTOMER_FIELDS = ("name", "email", "phone")
ADDRESS_KEPT = (
    "country",
)  # the shipping country: the KPIs and carriers' zones use it, nobody is found by it
TIMELINE_TEXT = ("reason", "note", "payment_reference")
"""Free text in the details of an order's own timeline entries (a cancellation's reason, a
reviewer's note); carrier entries hold the carrier's checkpoint, not the customer's words."""
COMPLAINT_TEXT = ("description", "resolution")
COMPLAINT_THREADS = ("notes", "replies", "messages", "history")
THREAD_TEXT = ("text", "body", "note", "message", "comment")
RETURN_TEXT = ("reason", "refund_reason", "notes", "note")


@dataclass(frozen=True)
class Redaction:
    """SET `set` (attribute paths such as `timeline[2].details.note`) and REMOVE `remove` on the
    item `key` if it still exists; `bump_version`: add one to `version` (order writers check it)."""

    key: tuple[str, str]
    set: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    bump_version: bool = False


def _key(item: Mapping[str, Any]) -> tuple[str, str]:
    return str(item["pk"]), str(item["sk"])


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != "" and value != REDACTED


def order_redaction(item: Mapping[str, Any], at: str) -> Redaction | None:
    """The customer's name, email and phone removed, the address cut to its country, `erased_at`
    set, free text in the order's own timeline entries redacted."""
    if item.get("erased_at"):
        return None
    customer = item.get("customer") or {}
    removes = tuple(f"customer.{name}" for name in ORDER_CUSTOMER_FIELDS if name in customer)
    address = item.get("shipping_address") or {}
    sets: dict[str, Any] = {
        "erased_at": at,
        "shipping_address": {name: address[name] for name in ADDRESS_KEPT if name in address},
    }
    for index, entry in enumerate(item.get("timeline") or []):
        details = entry.get("details") if isinstance(entry, Mapping) else None
        if not isinstance(details, Mapping) or str(entry.get("by", "")).startswith("carrier"):
            continue
        for name in TIMELINE_TEXT:
            if _text(details.get(name)):
                sets[f"timeline[{index}].details.{name}"] = REDACTED
    return Redaction(_key(item), sets, removes, bump_version=True)


def return_redaction(item: Mapping[str, Any]) -> Redaction | None:
    """The customer's reason text and every note of its history (codes, lines, refunds stay)."""
    sets = {name: REDACTED for name in RETURN_TEXT if _text(item.get(name))}
    for index, entry in enumerate(item.get("history") or []):
        if isinstance(entry, Mapping) and _text(entry.get("note")):
            sets[f"history[{index}].note"] = REDACTED
    return Redaction(_key(item), sets) if sets else None


def feedback_redaction(item: Mapping[str, Any]) -> Redaction | None:
    """The comment (ratings, NPS and categories stay: the KPIs count them)."""
    return Redaction(_key(item), {"comment": REDACTED}) if _text(item.get("comment")) else None


def complaint_redaction(item: Mapping[str, Any]) -> Redaction | None:
    """The description and resolution, and the text of every note, reply or message of the case
    (in lists on the case, or items of their own in its partition)."""
    sets = {name: REDACTED for name in (*COMPLAINT_TEXT, *THREAD_TEXT) if _text(item.get(name))}
    for thread in COMPLAINT_THREADS:
        for index, entry in enumerate(item.get(thread) or []):
            if isinstance(entry, Mapping):
                for name in THREAD_TEXT:
                    if _text(entry.get(name)):
                        sets[f"{thread}[{index}].{name}"] = REDACTED
    return Redaction(_key(item), sets) if sets else None


def notification_redaction(item: Mapping[str, Any]) -> Redaction | None:
    """A log entry's (masked) recipient, and those of the scheduled entries on the markers item.
    No rendered message is stored (the log keeps the template and locale only)."""
    removes = ["recipient"] if "recipient" in item else []
    removes += [
        f"{name}.recipient"
        for name, value in sorted(item.items())
        if name.startswith("scheduled_") and isinstance(value, Mapping) and "recipient" in value
    ]
    return Redaction(_key(item), remove=tuple(removes)) if removes else None


def suppression_redaction(item: Mapping[str, Any]) -> Redaction | None:
    """A suppression stays (the customer must still not be messaged there), keyed by the hash of
    the address only: its masked `recipient` goes."""
    return Redaction(_key(item), remove=("recipient",)) if "recipient" in item else None
