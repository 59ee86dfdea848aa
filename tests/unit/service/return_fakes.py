"""In-memory receipt transaction, return queue and Replacements port, with the adapters' rules."""

from __future__ import annotations

from service.domain.ports import StaleWrite
from service.domain.return_errors import ReturnStockMissing
from service.models.records import ReturnRecord
from tests.unit.service.fakes import InMemoryService


class InMemoryReturnDesk:
    """The return and the stock move together or not at all, as in the one transaction."""

    def __init__(self, store: InMemoryService, on_hand: dict[str, int]) -> None:
        self.store = store
        self.on_hand = dict(on_hand)
        self.damaged_returns: dict[str, int] = {}
        self.ledger: list[dict[str, object]] = []

    def receive(
        self,
        record: ReturnRecord,
        expected_version: int,
        restock: dict[str, int],
        damaged: dict[str, int],
        *,
        at: str,
        by: str,
        note: str | None,
    ) -> None:
        if self.store.returns_by_id[record.return_id].version != expected_version:
            raise StaleWrite
        missing = sorted(sku for sku in set(restock) | set(damaged) if sku not in self.on_hand)
        if missing:
            raise ReturnStockMissing("no stock item", details={"skus": missing})
        self.store.update_return(record, expected_version)
        for sku in sorted(set(restock) | set(damaged)):
            self.on_hand[sku] += restock.get(sku, 0)
            self.damaged_returns[sku] = self.damaged_returns.get(sku, 0) + damaged.get(sku, 0)
            self.ledger.append(
                {
                    "sku": sku,
                    "reason": "return",
                    "on_hand_delta": restock.get(sku, 0),
                    "not_restocked": damaged.get(sku, 0),
                    "by": by,
                }
            )

    def queue(self, status: str, limit: int, cursor: str | None) -> tuple[list[ReturnRecord], str | None]:
        found = sorted(
            (r for r in self.store.returns_by_id.values() if r.status.value == status),
            key=lambda r: (r.history[-1].at, r.return_id),
        )
        start = int(cursor or 0)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return page, str(start + limit) if more else None


class CountingReplacements:
    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []

    def replace(
        self,
        order_id: str,
        lines: list[tuple[str, int]] | None,
        *,
        reason: str,
        by: str,
        idempotency_key: str,
    ) -> str:
        self.calls.append(
            {"order_id": order_id, "lines": lines, "reason": reason, "by": by, "key": idempotency_key}
        )
        return "rsp_" + idempotency_key.replace(":", "_")
