"""The Replacements port (docs/reshipments.md) for other capabilities: exceptions' reship action,
returns' exchanges. The same domain function as `POST /v1/orders/{order_id}/reshipments`."""

from __future__ import annotations

from orders.domain.reshipments import ReshipmentAsked, ReshipmentPorts, open_reshipment


class OrderReplacements:
    def __init__(self, ports: ReshipmentPorts) -> None:
        self._ports = ports

    def replace(
        self,
        order_id: str,
        lines: list[tuple[str, int]] | None,
        *,
        reason: str,
        by: str,
        idempotency_key: str,
    ) -> str:
        asked = ReshipmentAsked(lines=lines, reason=reason, by=by)
        return open_reshipment(order_id, asked, idempotency_key, self._ports).reshipment.reshipment_id
