"""Webhook intake: authenticate with the provider's scheme, validate, enqueue. Nothing is parsed
before the signature is verified, and nothing is written when it is not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, ValidationError

from carriers.domain import normalize, signatures
from carriers.domain.date_bounds import bound_dates
from carriers.models.tracking import Provider, TrackingUpdate, WebhookMessage
from carriers.models.webhooks import (
    AfterShipWebhook,
    EasyPostEvent,
    GenericWebhook,
    Kuaidi100Push,
    SeventeenTrackWebhook,
    ShippoWebhook,
)
from shared.errors import DomainError, InvalidRequest, NotFound, Unauthorized, UnsupportedMediaType
from shared.media_types import parse_media_type

if TYPE_CHECKING:  # the ports module imports the order models: not needed at run time here
    from carriers.domain.ports import WebhookQueue

SecretOf = Callable[[Provider], str]


class UnknownProvider(NotFound):
    code = "unknown_provider"


class MalformedWebhook(InvalidRequest):
    code = "malformed_body"


class SignatureInvalid(Unauthorized):
    code = "invalid_signature"


@dataclass(frozen=True)
class WebhookRequest:
    provider: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)  # Shippo's `token`


def provider_of(name: str) -> Provider:
    try:
        return Provider(name)
    except ValueError:
        raise UnknownProvider(f"No webhook for provider {name!r}.", details={"provider": name}) from None


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def media_type_of(provider: Provider) -> str:
    """What each provider sends: Kuaidi100 posts a form, the others JSON."""
    return FORM if provider is Provider.KUAIDI100 else JSON


def check_media_type(provider: Provider, content_type: str | None) -> None:
    """415 unless the request declares the provider's media type (a `charset` parameter is allowed)."""
    media, parameters = parse_media_type(content_type)
    charsets = [value for name, value in parameters if name == "charset"]
    if media != media_type_of(provider) or any(c not in ("utf-8", "utf8") for c in charsets):
        raise UnsupportedMediaType(
            f"{provider.value} webhooks are {media_type_of(provider)} (UTF-8).",
            details={"content_type": (content_type or "")[:100]},
        )


def _kuaidi100_form(body: bytes) -> tuple[str, str | None]:
    try:
        form = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise MalformedWebhook("The body is not a form with a `param` field.") from None
    if not form.get("param"):
        raise MalformedWebhook("The body is not a form with a `param` field.")
    sign = form.get("sign", [None])[0]
    return form["param"][0], sign


def verify(request: WebhookRequest, provider: Provider, secret: str, now: float) -> str:
    """The payload JSON text once the request is proven to come from `provider`."""
    headers = request.headers
    try:
        if provider is Provider.EASYPOST:
            signatures.verify_easypost(request.body, headers.get("x-hmac-signature"), secret)
        elif provider is Provider.AFTERSHIP:
            signatures.verify_aftership(request.body, headers.get("aftership-hmac-sha256"), secret)
        elif provider is Provider.GENERIC:
            signatures.verify_generic(request.body, headers.get("ordertrack-signature"), secret, now)
        elif provider is Provider.SEVENTEENTRACK:
            signatures.verify_seventeentrack(request.body, headers.get("sign"), secret)
        elif provider is Provider.SHIPPO:
            signatures.verify_shippo(request.query.get("token"), secret)
        else:
            param, sign = _kuaidi100_form(request.body)
            signatures.verify_kuaidi100(param, sign, secret)
            return param
    except signatures.SignatureRejected as rejected:
        raise SignatureInvalid(
            "The webhook signature is missing or invalid.", details={"reason": rejected.reason}
        ) from None
    try:
        return request.body.decode()
    except UnicodeDecodeError:
        raise MalformedWebhook("The body is not UTF-8 JSON.") from None


_MODELS = {
    Provider.EASYPOST: (EasyPostEvent, normalize.easypost),
    Provider.AFTERSHIP: (AfterShipWebhook, normalize.aftership),
    Provider.KUAIDI100: (Kuaidi100Push, normalize.kuaidi100),
    Provider.GENERIC: (GenericWebhook, normalize.generic),
    Provider.SEVENTEENTRACK: (SeventeenTrackWebhook, normalize.seventeentrack),
    Provider.SHIPPO: (ShippoWebhook, normalize.shippo),
}


def parse_update(provider: Provider, payload: str, received_at: str) -> TrackingUpdate:
    """The canonical update of a verified payload, with its dates bounded (`date_bounds`)."""
    model, to_update = _MODELS[provider]
    try:
        update = to_update(model.model_validate_json(payload))  # type: ignore[operator]
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            raise MalformedWebhook("The body is not valid JSON.") from None
        details = [
            {"field": ".".join(str(part) for part in problem["loc"]), "issue": problem["msg"]}
            for problem in error.errors()
        ]
        raise MalformedWebhook("The body does not match the provider's format.", details=details) from None
    return bound_dates(update, received_at)


EASYPOST_TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})


SHIPPO_TRACK_EVENTS = frozenset({"track_updated"})


class _EasyPostEnvelope(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    description: str = ""
    mode: str | None = None


class _ShippoEnvelope(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    event: str = ""
    test: bool = False


def event_type_of(provider: Provider, payload: str) -> tuple[str, bool] | None:
    """(event type, test mode) of the providers that send other events to the same URL."""
    try:
        if provider is Provider.EASYPOST:
            easypost = _EasyPostEnvelope.model_validate_json(payload)
            return easypost.description, easypost.mode == "test"
        if provider is Provider.SHIPPO:
            shippo = _ShippoEnvelope.model_validate_json(payload)
            return shippo.event, shippo.test
    except ValidationError:
        return None  # not an event at all: parse_update answers 400 naming what is wrong
    return None


def not_for_tracking(provider: Provider, payload: str, accept_test_mode: bool) -> tuple[str, str] | None:
    """(why, event type) when a verified webhook is acknowledged but not applied; None to apply it.
    EasyPost sends every Event of the account to every webhook URL (batches, payments, refunds, ...)
    and Shippo its transaction and batch events, and both disable or retry endpoints that keep
    failing, so those get a 200, never a 400; so do test-mode events on stages that do not accept
    them."""
    typed = event_type_of(provider, payload)
    if typed is None:
        return None
    event_type, test = typed
    tracking = EASYPOST_TRACKER_EVENTS if provider is Provider.EASYPOST else SHIPPO_TRACK_EVENTS
    if event_type not in tracking:
        return "not_a_tracking_event", event_type[:64]
    if test and not accept_test_mode:
        return "test_mode", event_type[:64]
    return None


@dataclass(frozen=True)
class Accepted:
    """What a verified webhook led to: the queued message and its update, or why it was skipped."""

    message: WebhookMessage | None = None
    update: TrackingUpdate | None = None
    skipped: str | None = None
    event_type: str | None = None


def accept_webhook(
    request: WebhookRequest,
    secret_of: SecretOf,
    queue: WebhookQueue,
    now: float,
    received_at: str,
    *,
    accept_test_mode: bool = True,
) -> Accepted:
    """Verify, validate and enqueue one webhook; raises a `DomainError` (404, 415, 401, 400)
    otherwise. The caller reports `update.ignored` values and skipped events."""
    provider = provider_of(request.provider)
    check_media_type(provider, request.headers.get("content-type"))
    payload = verify(request, provider, secret_of(provider), now)
    skipped = not_for_tracking(provider, payload, accept_test_mode)
    if skipped is not None:
        return Accepted(skipped=skipped[0], event_type=skipped[1])
    update = parse_update(provider, payload, received_at)
    message = WebhookMessage(provider=provider, received_at=received_at, payload=payload)
    queue.enqueue(message)
    return Accepted(message=message, update=update)


ACKNOWLEDGEMENTS: dict[Provider, dict[str, object]] = {
    Provider.KUAIDI100: {"result": True, "returnCode": "200", "message": "成功"},
}
"""Kuaidi100 retries any push not answered with exactly this body."""


def acknowledgement(provider: Provider) -> dict[str, object]:
    return ACKNOWLEDGEMENTS.get(provider, {"received": True})


__all__ = ["Accepted", "DomainError", "WebhookRequest", "accept_webhook", "acknowledgement", "parse_update"]
