"""Before the delay check flags a registered shipment `stalled`, it asks the shipment's provider
once (EasyPost `GET /v2/trackers/{id}`, AfterShip get tracking, Kuaidi100 real-time query, ...).
The answer is one of the provider's webhook payloads, so it is queued for the tracking worker and
goes through the same validation, normalization, ordering and de-duplication as a push. Only when
the provider knows of checkpoints newer than the shipment's last one is the flag held back: once the
worker has applied them, the next run finds the deadline ahead and re-arms the watch; a watch asked
about once is flagged the next time if the deadline is still past."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from carriers.domain.carrier_catalog import RegistrationProvider
from carriers.domain.intake import parse_update
from carriers.domain.ports import WebhookQueue
from carriers.domain.register_tracking import (
    ProviderRejected,
    ProviderUnavailable,
    TrackingProvider,
    provider_request,
)
from carriers.models.shipment import ShipmentState
from carriers.models.tracking import Provider, WebhookMessage, parse_time
from orders.models.order import OrderRecord
from shared.clock import isoformat
from shared.errors import DomainError
from shared.observability import logger


@dataclass
class ProviderCheck:
    providers: Mapping[RegistrationProvider, TrackingProvider]
    queue: WebhookQueue

    def found_newer(self, shipment: ShipmentState, order: OrderRecord | None, now: datetime) -> bool:
        """True when the provider reported checkpoints newer than the shipment's last (queued)."""
        registration = shipment.tracking_registration
        if registration is None or registration.status != "registered":
            return False
        provider = RegistrationProvider(registration.provider)
        try:
            payload = self.providers[provider].query(provider_request(shipment, order, provider))
            received_at = isoformat(now)
            update = parse_update(Provider(provider.value), payload, received_at)
        except (ProviderUnavailable, ProviderRejected, DomainError) as error:
            logger.warning("provider query failed", provider=provider.value, error=type(error).__name__)
            return False
        last = _utc(shipment.last_checkpoint_at or shipment.created_at)
        newer = [c for c in update.checkpoints if c.occurred_at.astimezone(UTC) > last]
        logger.info("provider queried before flagging", provider=provider.value, newer=len(newer))
        if not newer:
            return False
        self.queue.enqueue(
            WebhookMessage(provider=Provider(provider.value), received_at=received_at, payload=payload)
        )
        return True


def _utc(value: str) -> datetime:
    moment = parse_time(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
