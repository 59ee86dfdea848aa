"""What the customer view, export and erasure need from storage (adapter: DynamoDB; fake in tests).

Items are plain values as stored, with their `pk` and `sk` (a `Redaction` names its item by them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from customers.domain.erasure_plan import Redaction
from orders.domain.order_lookups import OrderLookup

Item = dict[str, Any]


class CustomerStore(Protocol):
    def orders(self, customer_id: str, limit: int | None = None) -> tuple[list[Item], bool]:
        """The customer's order items (timeline entries as `TimelineEntry` reads them), newest first (every one when `limit` is None), and whether
        more were left out."""
        ...

    def order_details(self, order_id: str) -> tuple[Item | None, list[Item]]:
        """One read of the order's partition: the order as `GET /v1/orders/{id}` shows it (with its
        shipments and carrier entries in full), and its other items (returns, their tally) as stored."""
        ...

    def feedback(self, order_id: str) -> Item | None: ...

    def notification_items(self, order_id: str) -> list[Item]:
        """The order's notification log entries and its markers item."""
        ...

    def complaints(self, customer_id: str, limit: int | None = None) -> list[Item]:
        """The customer's complaints (cases), newest first."""
        ...

    def case_items(self, complaint_id: str) -> list[Item]:
        """The other items of the case's partition (notes, replies or messages kept as items of
        their own, if the cases capability keeps them so)."""
        ...

    def preferences(self, customer_id: str) -> Item | None: ...

    def suppression_ref(self, channel: str, address: str) -> str | None:
        """The key of the suppression item of an address (None: not an address of the channel)."""
        ...

    def suppressions(self, refs: Sequence[str]) -> list[Item]: ...

    def erasure(self, customer_id: str) -> Item | None:
        """The customer's erasure record (its marker and audit item), if any."""
        ...

    def save_erasure(self, customer_id: str, record: Item) -> None: ...

    def apply(self, redaction: Redaction) -> None:
        """The redaction, if its item still exists."""
        ...

    def erase_order(self, redaction: Redaction | None, lookups: Sequence[OrderLookup]) -> None:
        """The order's redaction and the deletion of its contact lookups, in one transaction."""
        ...

    def delete_preferences(self, customer_id: str) -> None: ...
