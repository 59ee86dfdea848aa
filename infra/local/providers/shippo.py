"""Shippo: `POST /tracks/`, `GET /tracks/{carrier}/{tracking_number}` (events/providers/shippo/)
and `track_updated` pushes to the webhook URL with our secret as `?token=`
(events/carriers/shippo/README.md)."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from infra.local.providers import journeys as j
from infra.local.providers.base import (
    Answer,
    Played,
    ProviderApi,
    Push,
    Request,
    Shipment,
    compact,
    json_answer,
    sample,
    template,
    utc_ms_z,
    utc_z,
)

TRACK = sample("providers/shippo/track_response.json")
INVALID_TOKEN = sample("providers/shippo/invalid_token_response.json")
WEBHOOK = sample("carriers/shippo/03_delivered.json")
EVENT = WEBHOOK["data"]["tracking_history"][0]

CARRIERS = frozenset(
    {
        "usps",
        "ups",
        "fedex",
        "dhl_express",
        "dhl_ecommerce",
        "canada_post",
        "royal_mail",
        "australia_post",
        "ontrac",
        "lasership",
        "purolator",
        "shippo",
    }
)
"""Shippo carrier tokens the simulator knows; Shippo has no carrier detection."""

STAGES: dict[str, tuple[str, str | None, str | None, bool, str]] = {
    j.INFO_RECEIVED: (
        "PRE_TRANSIT",
        "information_received",
        "Information about the package received.",
        False,
        "Shipping label created, awaiting item.",
    ),
    j.PICKED_UP: (
        "TRANSIT",
        "package_accepted",
        "Package has been accepted into the carrier network for delivery.",
        False,
        "Your shipment has been accepted.",
    ),
    j.DEPARTED: (
        "TRANSIT",
        "package_departed",
        "Package has departed from an intermediate location in the carrier network.",
        False,
        "Departed Regional Facility",
    ),
    j.ARRIVED: (
        "TRANSIT",
        "package_arrived",
        "Package has arrived at an intermediate location in the carrier network.",
        False,
        "Arrived at Regional Facility",
    ),
    j.OUT_FOR_DELIVERY: (
        "TRANSIT",
        "out_for_delivery",
        "Package is out for delivery.",
        False,
        "Out for Delivery",
    ),
    j.DELIVERED: (
        "DELIVERED",
        "delivered",
        "Package has been delivered.",
        False,
        "Your shipment has been delivered at the front door.",
    ),
    j.RETURNING: (
        "RETURNED",
        "return_to_sender",
        "Package is un-deliverable and is in the process of being returned to sender.",
        False,
        "Return to sender in progress.",
    ),
    j.RETURNED: (
        "RETURNED",
        "return_to_sender",
        "Package is un-deliverable and is in the process of being returned to sender.",
        False,
        "Delivered to sender.",
    ),
    j.PROBLEM: (
        "TRANSIT",
        "delivery_attempted",
        "Delivery of package has been attempted. Contact carrier to ensure delivery.",
        True,
        "Notice Left (No Authorized Recipient Available)",
    ),
    j.NOT_FOUND: ("UNKNOWN", None, None, False, "The carrier has no record of this tracking number."),
}
"""Stage -> (status, substatus code, substatus text, action_required, status_details)."""

ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "bad_key": (401, INVALID_TOKEN),
    "rate_limit": (429, {"detail": "Request was throttled. Expected available in 1 second."}),
    "unavailable": (503, {"detail": "Service temporarily unavailable, try again later."}),
    "timeout": (504, {"detail": "Gateway timeout."}),
    "not_found": (404, {"detail": "Not found."}),
    "bad_carrier": (400, {"tracking_number": ["Invalid tracking number for the given carrier."]}),
    "bad_request": (400, {"tracking_number": ["This field is required."]}),
}


def place_of(place: j.Place) -> dict[str, Any]:
    return {"city": place.city, "state": place.state, "zip": place.zip, "country": place.country}


class ShippoApi(ProviderApi):
    name = "shippo"
    routes = (
        ("POST", "/tracks", "create", "register"),
        ("GET", "/tracks/{carrier}/{number}", "retrieve", "query"),
    )

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.tracks: dict[tuple[str, str], Shipment] = {}  # by (carrier, number)

    def error(self, kind: str, number: str = "") -> Answer:
        status, document = ERRORS[kind]
        return json_answer(status, template(document))

    def authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        key = self.host.api_key(self.name)
        return (
            scheme == "ShippoToken"
            and bool(key)
            and hmac.compare_digest(token.strip().encode(), key.encode())
        )

    def _fields(self, request: Request) -> dict[str, Any]:
        if request.is_form:
            return request.form()
        try:
            body = request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def numbers(self, request: Request) -> list[tuple[str, Any]]:
        fields = self._fields(request)
        return [(str(fields.get("tracking_number") or ""), fields.get("carrier"))]

    def create(self, request: Request, _params: dict[str, str]) -> Answer:
        fields = self._fields(request)
        given = str(fields.get("tracking_number") or "").strip()
        carrier = str(fields.get("carrier") or "").strip().lower()
        number = j.normalize(given)
        refusal = self.refused_number(number) if given else "bad_request"
        refused = self.error(refusal) if refusal else None
        if refused is None and carrier not in CARRIERS:  # Shippo has no carrier detection
            refused = json_answer(400, {"carrier": [f'"{carrier}" is not a valid choice.']})
        if refused is not None:
            self.record(number, fields.get("carrier"), refused, accepted=False)
            return refused
        existing = self.tracks.get((carrier, number))
        if existing is not None:
            answer = json_answer(200, self.track(existing))
            self.record(number, carrier, answer, accepted=True, duplicate=True)
            return answer
        shipment = Shipment(self.name, number, given, carrier, j.journey(self.name, number), self.host.now())
        shipment.extra["metadata"] = fields.get("metadata")
        self.tracks[(carrier, number)] = shipment
        if shipment.journey:
            self.host.play(shipment)
        answer = json_answer(201, self.track(shipment))
        self.record(number, carrier, answer, accepted=True)
        return answer

    def retrieve(self, _request: Request, params: dict[str, str]) -> Answer:
        number = j.normalize(params["number"])
        refusal = self.refused_number(number)
        if refusal:
            return self.error(refusal)
        shipment = self.tracks.get((params["carrier"].lower(), number))
        if shipment is None:
            return self.error("not_found")
        return json_answer(200, self.track(shipment))

    # -- objects ----------------------------------------------------------------------------
    def _event(self, played: Played) -> dict[str, Any]:
        status, code, text, action, details = STAGES[played.stage]
        place = j.US_ROUTE.get(played.stage)
        event = template(EVENT)
        event.update(
            object_created=utc_ms_z(played.at),
            object_updated=utc_ms_z(played.at),
            object_id=played.id,
            status=status,
            status_details=details,
            status_date=utc_z(played.at),
            substatus={"code": code, "text": text, "action_required": action} if code else None,
            location=place_of(place) if place else None,
        )
        return event

    def track(self, shipment: Shipment) -> dict[str, Any]:
        history = [self._event(played) for played in shipment.checkpoints(STAGES)]  # oldest first
        track = template(TRACK)
        eta = utc_z(shipment.delivery_estimate())
        track.update(
            carrier=shipment.carrier,
            tracking_number=shipment.given,
            address_from=place_of(j.ORIGIN),
            address_to=place_of(j.DESTINATION),
            original_eta=eta,
            eta=eta,
            metadata=shipment.extra.get("metadata"),
            tracking_history=history,
            test=False,
        )
        if history:
            track["tracking_status"] = template(history[-1])
        else:
            track["tracking_status"].update(
                object_created=utc_ms_z(shipment.registered_at),
                object_updated=utc_ms_z(shipment.registered_at),
                object_id=shipment.id,
            )
        return track

    def webhook_url(self) -> str:
        url = self.host.webhook_url(self.name)
        token = quote(self.host.secret(self.name), safe="")
        return f"{url}{'&' if '?' in url else '?'}token={token}"

    def build_push(self, shipment: Shipment) -> Push:
        track = self.track(shipment)
        del track["test"]  # the API's Track has it, the webhook's `data` does not (the samples)
        document = {"event": "track_updated", "test": False, "data": track}
        body = compact(document)
        status = document["data"]["tracking_status"]["status"]
        return Push(self.webhook_url(), body, {"Content-Type": "application/json"}, status, "track_updated")
