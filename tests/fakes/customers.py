"""An in-memory `CustomerStore`: the table as a dict of plain items keyed by (pk, sk)."""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from customers.domain.erasure_plan import Redaction
from orders.domain.order_lookups import OrderLookup

Item = dict[str, Any]


class InMemoryCustomerStore:
    def __init__(self, items: Sequence[Item] = ()) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        self.writes: list[str] = []
        self.fail_on_erase_order: int | None = None  # crash on the n-th erase_order call
        self._erase_calls = 0
        for item in items:
            self.put(item)

    def put(self, item: Item) -> None:
        self.items[(item["pk"], item["sk"])] = copy.deepcopy(item)

    def _of(self, entity: str) -> list[Item]:
        return [copy.deepcopy(item) for item in self.items.values() if item.get("entity") == entity]

    def orders(self, customer_id: str, limit: int | None = None) -> tuple[list[Item], bool]:
        found = sorted(
            (o for o in self._of("order") if o["customer"]["id"] == customer_id),
            key=lambda o: o["created_at"],
            reverse=True,
        )
        return (found[:limit], len(found) > limit) if limit is not None else (found, False)

    def order_details(self, order_id: str) -> tuple[Item | None, list[Item]]:
        partition = [copy.deepcopy(i) for (pk, _), i in self.items.items() if pk == f"ORDER#{order_id}"]
        order = next((i for i in partition if i["sk"] == "ORDER"), None)
        hidden = ("pk", "sk", "entity", "version", "request_hash")  # as OrderRecord.to_view()
        view = {k: v for k, v in order.items() if k not in hidden} if order else None
        if view is not None:
            view["shipments"] = [
                {k: v for k, v in i.items() if k not in hidden}
                for i in partition
                if i["sk"].startswith("SHIPMENT#")
            ]
        return view, [i for i in partition if i["sk"] != "ORDER" and not i["sk"].startswith("SHIPMENT#")]

    def feedback(self, order_id: str) -> Item | None:
        return copy.deepcopy(self.items.get((f"FEEDBACK#{order_id}", "FEEDBACK")))

    def notification_items(self, order_id: str) -> list[Item]:
        return [copy.deepcopy(i) for (pk, _), i in self.items.items() if pk == f"NOTIFY#{order_id}"]

    def complaints(self, customer_id: str, limit: int | None = None) -> list[Item]:
        found = sorted(
            (c for c in self._of("complaint") if c["customer_id"] == customer_id),
            key=lambda c: c["opened_at"],
            reverse=True,
        )
        return found[:limit] if limit is not None else found

    def case_items(self, complaint_id: str) -> list[Item]:
        return [
            copy.deepcopy(i)
            for (pk, sk), i in self.items.items()
            if pk == f"COMPLAINT#{complaint_id}" and sk != "COMPLAINT"
        ]

    def preferences(self, customer_id: str) -> Item | None:
        return copy.deepcopy(self.items.get((f"CUSTOMER#{customer_id}", "PREFERENCES")))

    def suppression_ref(self, channel: str, address: str) -> str | None:
        return f"SUPPRESSION#{channel}#{hashlib.sha256(address.strip().lower().encode()).hexdigest()}"

    def suppressions(self, refs: Sequence[str]) -> list[Item]:
        return [
            copy.deepcopy(self.items[(ref, "SUPPRESSION")])
            for ref in refs
            if (ref, "SUPPRESSION") in self.items
        ]

    def erasure(self, customer_id: str) -> Item | None:
        return copy.deepcopy(self.items.get((f"CUSTOMER#{customer_id}", "ERASURE")))

    def save_erasure(self, customer_id: str, record: Item) -> None:
        self.writes.append("erasure")
        self.put({**record, "pk": f"CUSTOMER#{customer_id}", "sk": "ERASURE", "entity": "customer_erasure"})

    def apply(self, redaction: Redaction) -> None:
        item = self.items.get(redaction.key)
        if item is None:
            return
        self.writes.append(f"apply {redaction.key}")
        for path, value in redaction.set.items():
            parent, name = _parent(item, path, create=True)
            parent[name] = copy.deepcopy(value)
        for path in redaction.remove:
            parent, name = _parent(item, path, create=False)
            if parent is not None:
                parent.pop(name, None)
        if redaction.bump_version:
            item["version"] = item.get("version", 0) + 1

    def erase_order(self, redaction: Redaction | None, lookups: Sequence[OrderLookup]) -> None:
        self._erase_calls += 1
        if self._erase_calls == self.fail_on_erase_order:
            raise RuntimeError("interrupted")
        if redaction is not None:
            self.apply(redaction)
        for lookup in lookups:
            self.items.pop(
                (f"LOOKUP#{lookup.kind}#{lookup.key}", f"{lookup.created_at}#{lookup.order_id}"), None
            )

    def delete_preferences(self, customer_id: str) -> None:
        self.writes.append("delete preferences")
        self.items.pop((f"CUSTOMER#{customer_id}", "PREFERENCES"), None)


def _parent(item: Item, path: str, *, create: bool) -> tuple[Any, str]:
    """The container of the last segment of `a.b[2].c` and that segment's name."""
    segments = path.split(".")
    node: Any = item
    for segment in segments[:-1]:
        match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", segment)
        assert match is not None
        name, index = match.group(1), match.group(2)
        if name not in node:
            if not create:
                return None, ""
            node[name] = {}
        node = node[name]
        if index is not None:
            node = node[int(index)]
    last = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", segments[-1])
    assert last is not None
    if last.group(2) is not None:
        return node[last.group(1)], int(last.group(2))  # type: ignore[return-value]
    return node, last.group(1)
