"""Registering tracking numbers with their provider: the queue's job, what a provider is asked and
answers, and the registration recorded on the shipment (`tracking_registration`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RegistrationStatus = Literal["pending", "registered", "failed"]


class TrackingRegistration(BaseModel):
    """The shipment's `tracking_registration`, as `GET /v1/orders/{order_id}` shows it."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    provider: str
    status: RegistrationStatus
    registered_at: str | None = None
    error: str | None = Field(default=None, description="Why the provider refused it (failed only).")
    # internal: not in the public view
    reference: str | None = None  # the provider's own id (EasyPost tracker id, AfterShip tracking id)
    requested_at: str | None = None
    resubscriptions: int = 0  # Kuaidi100: subscriptions renewed after an `abort` push

    def public(self) -> dict[str, object]:
        return self.model_dump(include={"provider", "status", "registered_at", "error"})


class RegistrationJob(BaseModel):
    model_config = ConfigDict(defer_build=True)

    """A message of the registration queue.

    `register`: a shipment registered (or took over) its tracking number; `resubscribe`: the
    provider stopped tracking it (Kuaidi100 `abort`), with the provider's reason, not before
    `not_before` (Kuaidi100 asks for about 30 minutes)."""

    kind: Literal["register", "resubscribe"] = "register"
    tracking_number: str
    order_id: str | None = None  # register: the shipment that wants the number tracked
    shipment_id: str | None = None
    reason: str | None = None
    requested_at: str
    not_before: str | None = None


class ProviderRequest(BaseModel):
    """What a provider adapter needs to register or query one tracking number."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    tracking_number: str
    carrier: str  # our slug
    carrier_code: str | int | None  # the provider's code; None: its auto-detection
    phone: str | None = None  # Kuaidi100: the recipient's phone where the carrier requires it
    reference: str | None = None  # the provider's id from the registration (queries)
    order_id: str | None = None  # sent as the provider's order / metadata field
    destination: str | None = None  # "region city" of the shipping address (Kuaidi100 `to`)


class ProviderAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    reference: str | None = None
    already_registered: bool = False
