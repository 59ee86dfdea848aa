"""Typed stock-ledger errors; `shared.http_api` maps every `DomainError` to its status and JSON body."""

from __future__ import annotations

from shared.errors import Conflict, NotFound


class UnknownSku(NotFound):
    """Code `not_found`, like an unknown order."""

    def __init__(self, sku: str) -> None:
        super().__init__(f"No stock record for SKU {sku}.", details={"sku": sku})


class AdjustmentBelowReserved(Conflict):
    """The adjustment would make `on_hand` negative or lower than the units reserved."""

    code = "adjustment_below_reserved"


class ShipmentExceedsReservation(Conflict):
    """A shipment asks for more units of a SKU than the order still has reserved."""

    code = "shipment_exceeds_reservation"


class LedgerDrift(Conflict):
    """Stock counters disagree with the order's reservation (see `python -m inventory.reconcile`)."""

    code = "ledger_drift"
