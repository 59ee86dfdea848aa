"""Registering every shipment's tracking number with the provider that tracks its carrier.

1. A shipment registers (or takes over) a tracking number: the tracking link's stream record makes
   the link consumer call `request_registration`, which records `pending` on the shipment and
   queues a `register` job (both idempotent: a replayed record finds the shipment registered).
2. The registration worker calls `TrackingRegistrar.process` for each job: the provider's answer
   is `registered` (its "already exists" answers too), a permanent refusal is `failed` with the
   reason and an operations alert, and an outage (429, 5xx, timeout) raises `ProviderUnavailable`
   so the queue redelivers the job with backoff, then dead-letters it (`make redrive`).
3. Kuaidi100 stops tracking a number with an `abort` push: the worker queues a `resubscribe` job;
   "no record in 3 days" is subscribed again 30 minutes later (Kuaidi100's rule), at most
   `MAX_RESUBSCRIPTIONS` times; any other reason marks the registration `failed` and alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from carriers.domain.carrier_catalog import CarrierRouting, RegistrationProvider, codes_of
from carriers.domain.ports import OperationsAlerts
from carriers.models.registration import (
    ProviderAnswer,
    ProviderRequest,
    RegistrationJob,
    TrackingRegistration,
)
from carriers.models.shipment import ShipmentState, TrackingLink
from carriers.models.tracking import parse_time
from orders.models.order import OrderRecord
from shared.clock import isoformat

MAX_RESUBSCRIPTIONS = 3
"""Kuaidi100 subscriptions renewed after `abort` pushes before the registration is `failed`."""
RESUBSCRIBE_AFTER = timedelta(minutes=30)
"""Kuaidi100: subscribe again about half an hour after an `abort` push."""
RESUBSCRIBABLE_ABORTS = ("3天查询无记录",)
"""Kuaidi100's abort reasons worth another subscription: nothing found in 3 days (the parcel may
not have been scanned yet). "60天无变化" (no change in 60 days) and the rest end tracking."""


class ProviderUnavailable(Exception):
    """429, 5xx, a timeout or a refused connection: try again later."""

    def __init__(self, provider: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"{provider}: {detail}")
        self.provider = provider
        self.detail = detail
        self.retry_after = retry_after


class ProviderRejected(Exception):
    """A permanent refusal (bad key, unknown carrier, invalid number): retrying cannot help."""

    def __init__(self, provider: str, code: str, message: str) -> None:
        super().__init__(f"{provider} {code}: {message}")
        self.provider = provider
        self.code = code
        self.message = message

    @property
    def error(self) -> str:
        return f"{self.code}: {self.message}"[:300]


class Deferred(Exception):
    """The job must wait until `until` (UTC): the worker hands it back to the queue till then."""

    def __init__(self, until: datetime) -> None:
        super().__init__(isoformat(until))
        self.until = until


class TrackingProvider(Protocol):
    def register(self, request: ProviderRequest) -> ProviderAnswer: ...

    def query(self, request: ProviderRequest) -> str:
        """The provider's current tracking of a number as one of its webhook payloads (JSON text;
        Kuaidi100: the push's `param`), so it goes through the same normalization as a push."""
        ...


class RegistrationStore(Protocol):
    def link(self, tracking_number: str) -> TrackingLink | None: ...

    def shipments(self, order_id: str) -> list[ShipmentState]: ...

    def order(self, order_id: str) -> OrderRecord | None: ...

    def save_registration(
        self,
        order_id: str,
        shipment_id: str,
        registration: TrackingRegistration,
        *,
        unless_registered: bool = False,
    ) -> bool:
        """Write the shipment's registration; with `unless_registered`, not over a `registered`
        one of the same provider. False when nothing was written (no such shipment, or registered)."""
        ...


class RegistrationQueue(Protocol):
    def request(self, job: RegistrationJob, delay_seconds: int = 0) -> None: ...


class Outcome(StrEnum):
    REGISTERED = "registered"
    ALREADY_REGISTERED = "already_registered"
    FAILED = "failed"
    RESUBSCRIBED = "resubscribed"
    GAVE_UP = "gave_up"
    SUPERSEDED = "superseded"  # the number belongs to another shipment now
    NOT_TRACKED = "not_tracked"  # the stage routes the carrier to nobody
    IGNORED = "ignored"


def provider_request(
    shipment: ShipmentState, order: OrderRecord | None, provider: RegistrationProvider
) -> ProviderRequest:
    codes = codes_of(shipment.carrier)
    phone = None
    if provider is RegistrationProvider.KUAIDI100 and codes.needs_phone and order is not None:
        phone = order.customer.phone
    destination = None
    if order is not None:
        address = order.shipping_address
        destination = " ".join(part for part in (address.region, address.city) if part) or None
    registration = shipment.tracking_registration
    return ProviderRequest(
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier,
        carrier_code=codes.code(provider),
        phone=phone,
        reference=registration.reference if registration else None,
        order_id=shipment.order_id,
        destination=destination,
    )


def request_registration(
    link: TrackingLink,
    store: RegistrationStore,
    queue: RegistrationQueue,
    routing: CarrierRouting,
    now: datetime,
) -> bool:
    """Record `pending` on the link's shipment and queue its registration; False when the stage
    tracks its carrier with nobody, the shipment is registered already, or the number has since
    been taken over by another shipment (link events may arrive late: the newer one registers)."""
    provider = routing.provider_for(link.carrier)
    if provider is None:
        return False
    current = store.link(link.tracking_number)
    if current is not None and (current.order_id, current.shipment_id) != (link.order_id, link.shipment_id):
        return False
    at = isoformat(now)
    pending = TrackingRegistration(provider=provider.value, status="pending", requested_at=at)
    if not store.save_registration(link.order_id, link.shipment_id, pending, unless_registered=True):
        return False
    queue.request(
        RegistrationJob(
            tracking_number=link.tracking_number,
            order_id=link.order_id,
            shipment_id=link.shipment_id,
            requested_at=at,
        )
    )
    return True


def resubscription_job(
    tracking_number: str, reason: str, received_at: datetime, after: timedelta = RESUBSCRIBE_AFTER
) -> RegistrationJob:
    return RegistrationJob(
        kind="resubscribe",
        tracking_number=tracking_number,
        reason=reason,
        requested_at=isoformat(received_at),
        not_before=isoformat(received_at + after),
    )


@dataclass
class TrackingRegistrar:
    store: RegistrationStore
    providers: Mapping[RegistrationProvider, TrackingProvider]
    routing: CarrierRouting
    alerts: OperationsAlerts

    def process(self, job: RegistrationJob, now: datetime) -> Outcome:
        link = self.store.link(job.tracking_number)
        if link is None:
            return Outcome.SUPERSEDED
        if job.kind == "register" and (link.order_id, link.shipment_id) != (job.order_id, job.shipment_id):
            return Outcome.SUPERSEDED  # a newer shipment took the number; its own job registers it
        shipment = next(
            (s for s in self.store.shipments(link.order_id) if s.shipment_id == link.shipment_id), None
        )
        if shipment is None:
            return Outcome.SUPERSEDED
        provider = self.routing.provider_for(shipment.carrier)
        if provider is None:
            return Outcome.NOT_TRACKED
        current = shipment.tracking_registration
        if job.kind == "resubscribe":
            return self._resubscribe(job, shipment, provider, current, now)
        if current is not None and current.status == "registered" and current.provider == provider.value:
            return Outcome.ALREADY_REGISTERED  # a redelivered job
        return self._register(shipment, provider, current, now)

    def _register(
        self,
        shipment: ShipmentState,
        provider: RegistrationProvider,
        current: TrackingRegistration | None,
        now: datetime,
        resubscriptions: int = 0,
    ) -> Outcome:
        order = self.store.order(shipment.order_id)
        request = provider_request(shipment, order, provider)
        base = TrackingRegistration(
            provider=provider.value,
            status="pending",
            requested_at=(current.requested_at if current else None) or isoformat(now),
            resubscriptions=resubscriptions,
        )
        try:
            answer = self.providers[provider].register(request)
        except ProviderRejected as rejected:
            self._fail(shipment, base.model_copy(update={"error": rejected.error}), rejected.error)
            return Outcome.FAILED
        registered = base.model_copy(
            update={"status": "registered", "registered_at": isoformat(now), "reference": answer.reference}
        )
        self.store.save_registration(shipment.order_id, shipment.shipment_id, registered)
        if resubscriptions:
            return Outcome.RESUBSCRIBED
        return Outcome.ALREADY_REGISTERED if answer.already_registered else Outcome.REGISTERED

    def _resubscribe(
        self,
        job: RegistrationJob,
        shipment: ShipmentState,
        provider: RegistrationProvider,
        current: TrackingRegistration | None,
        now: datetime,
    ) -> Outcome:
        if (
            provider is not RegistrationProvider.KUAIDI100
            or current is None
            or current.provider != provider.value
        ):
            return Outcome.IGNORED
        if current.status == "failed":
            return Outcome.IGNORED  # already given up (a redelivered job)
        reason = job.reason or ""
        count = current.resubscriptions
        if not any(marker in reason for marker in RESUBSCRIBABLE_ABORTS) or count >= MAX_RESUBSCRIPTIONS:
            why = (
                f"abort: {reason}"
                if count < MAX_RESUBSCRIPTIONS
                else f"abort after {count} resubscriptions: {reason}"
            )
            self._fail(shipment, current.model_copy(update={"status": "failed", "error": why[:300]}), why)
            return Outcome.GAVE_UP
        if job.not_before is not None and parse_time(job.not_before) > now:
            raise Deferred(parse_time(job.not_before))
        return self._register(shipment, provider, current, now, resubscriptions=count + 1)

    def _fail(self, shipment: ShipmentState, registration: TrackingRegistration, error: str) -> None:
        failed = registration.model_copy(
            update={"status": "failed", "error": error[:300], "registered_at": None}
        )
        self.store.save_registration(shipment.order_id, shipment.shipment_id, failed)
        self.alerts.alert(
            "ordertrack: tracking registration failed",
            {
                "order_id": shipment.order_id,
                "shipment_id": shipment.shipment_id,
                "tracking_number": shipment.tracking_number,
                "carrier": shipment.carrier,
                "provider": registration.provider,
                "error": error[:300],
            },
        )
