"""EasyPost: `POST /v2/trackers`, `GET /v2/trackers/{id}` (events/providers/easypost/) and the
`tracker.created` / `tracker.updated` Event pushes signed with `X-Hmac-Signature`
(events/carriers/easypost/README.md)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from typing import Any

from infra.local.providers import journeys as j
from infra.local.providers.base import (
    Answer,
    ProviderApi,
    Push,
    Request,
    Shipment,
    compact,
    hex_id,
    json_answer,
    sample,
    template,
    utc_ms_z,
    utc_z,
)

TRACKER = sample("providers/easypost/tracker_response.json")
EVENT = sample("carriers/easypost/03_delivered.json")
INVALID_KEY = sample("providers/easypost/error_invalid_key_response.json")
INVALID_REQUEST = sample("providers/easypost/error_invalid_request_response.json")
CARRIERS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHLExpress"}
SIGNED_BY = "John Tester"
USER_ID = "user_5e1fd1c1b9b44c2a9f3e6b7d8c9a0b1c"

DETAILS: dict[str, tuple[str, str, str]] = {
    j.INFO_RECEIVED: ("pre_transit", "status_update", "Pre-Shipment Info Sent to {carrier}"),
    j.LABEL_CREATED: ("pre_transit", "label_created", "Shipping Label Created"),
    j.PICKED_UP: ("in_transit", "received_at_origin_facility", "Accepted at {carrier} Origin Facility"),
    j.ARRIVED_ORIGIN: ("in_transit", "arrived_at_facility", "Arrived at Facility"),
    j.DEPARTED: ("in_transit", "departed_facility", "Departed Facility"),
    j.ARRIVED: ("in_transit", "arrived_at_facility", "Arrived at Facility"),
    j.ARRIVED_LOCAL: ("in_transit", "arrived_at_facility", "Arrived at Post Office"),
    j.OUT_FOR_DELIVERY: ("out_for_delivery", "out_for_delivery", "Out for Delivery"),
    j.DELIVERED: ("delivered", "arrived_at_destination", "Delivered"),
    j.RETURNING: ("return_to_sender", "return", "Return to Sender"),
    j.RETURNED: ("return_to_sender", "return", "Returned to Sender"),
    j.PROBLEM: ("failure", "delivery_exception", "Delivery Exception: No Access to Delivery Location"),
}
"""Stage -> (status, status_detail, message) of EasyPost's test trackers (USPS texts)."""
FINALIZED = frozenset({"delivered", "return_to_sender", "failure"})

ERRORS: dict[str, tuple[int, dict[str, Any]]] = {
    "bad_key": (401, INVALID_KEY),
    "bad_carrier": (422, INVALID_REQUEST),
    "rate_limit": (429, {"error": {"code": "RATE_LIMITED", "message": "Too many requests.", "errors": []}}),
    "unavailable": (
        503,
        {
            "error": {
                "code": "SERVICE.UNAVAILABLE",
                "message": "Service temporarily unavailable.",
                "errors": [],
            }
        },
    ),
    "timeout": (504, {"error": {"code": "TIMEOUT", "message": "The request timed out.", "errors": []}}),
    "not_found": (
        404,
        {
            "error": {
                "code": "NOT_FOUND",
                "message": "The requested resource could not be found.",
                "errors": [],
            }
        },
    ),
    "bad_request": (
        422,
        {
            "error": {
                "code": "PARAMETER.REQUIRED",
                "message": "Missing required parameter: tracker[tracking_code].",
                "errors": [{"field": "tracking_code", "message": "cannot be blank"}],
            }
        },
    ),
}


def signature(body: bytes, secret: str) -> str:
    """`hmac-sha256-hex=` + hex HMAC-SHA256(key = UTF-8 of NFKD(secret), raw body)."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def location(place: j.Place | None) -> dict[str, Any]:
    """A TrackingLocation (all null for the pre-shipment record, as EasyPost's test trackers have)."""
    return {
        "object": "TrackingLocation",
        "city": place.city.upper() if place else None,
        "state": place.state if place else None,
        "country": place.country if place else None,
        "zip": place.zip if place else None,
    }


class EasyPostApi(ProviderApi):
    name = "easypost"
    routes = (
        ("POST", "/v2/trackers", "create", "register"),
        ("GET", "/v2/trackers/{id}", "retrieve", "query"),
    )

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.trackers: dict[str, Shipment] = {}  # by id
        self.by_code: dict[tuple[str, str], Shipment] = {}

    def error(self, kind: str, number: str = "") -> Answer:
        status, document = ERRORS[kind]
        return json_answer(status, template(document))

    def authorized(self, request: Request) -> bool:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user = base64.b64decode(credentials, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return False
        key = self.host.api_key(self.name)
        return bool(key) and hmac.compare_digest(user.encode(), key.encode())

    def _tracker_fields(self, request: Request) -> dict[str, Any]:
        if request.is_form:
            form = request.form()
            return {name[8:-1]: value for name, value in form.items() if name.startswith("tracker[")}
        body = request.json()
        fields = body.get("tracker") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise ValueError("no tracker")
        return fields

    def numbers(self, request: Request) -> list[tuple[str, Any]]:
        try:
            fields = self._tracker_fields(request)
        except ValueError:
            return [("", None)]
        return [(str(fields.get("tracking_code") or ""), fields.get("carrier"))]

    def create(self, request: Request, _params: dict[str, str]) -> Answer:
        try:
            fields = self._tracker_fields(request)
        except ValueError:
            fields = {}
        code = str(fields.get("tracking_code") or "").strip()
        given_carrier = fields.get("carrier") or None
        if not code:
            answer = self.error("bad_request")
            self.record(code, given_carrier, answer, accepted=False)
            return answer
        number = j.normalize(code)
        refusal = self.refused_number(number)
        if refusal:
            answer = self.error(refusal)
            self.record(number, given_carrier, answer, accepted=False)
            return answer
        carrier = str(given_carrier or CARRIERS[j.detect_carrier(number)])
        existing = self.by_code.get((number, carrier.lower()))
        if existing is not None:
            answer = json_answer(200, self.tracker(existing))
            self.record(number, given_carrier, answer, accepted=True, duplicate=True)
            return answer
        shipment = Shipment(
            self.name,
            number,
            code,
            carrier,
            j.journey(self.name, number),
            self.host.now(),
            id="trk_" + hex_id(),
        )
        self.trackers[shipment.id] = shipment
        self.by_code[(number, carrier.lower())] = shipment
        if shipment.journey:  # the tracker is created at its first stage; tracker.created pushes it
            shipment.play_next(shipment.registered_at)
            self.host.play(shipment, advance=False)
        answer = json_answer(200, self.tracker(shipment))
        self.record(number, given_carrier, answer, accepted=True)
        return answer

    def retrieve(self, _request: Request, params: dict[str, str]) -> Answer:
        shipment = self.trackers.get(params["id"])
        if shipment is None:
            return self.error("not_found")
        return json_answer(200, self.tracker(shipment))

    # -- objects ----------------------------------------------------------------------------
    def _status(self, shipment: Shipment) -> tuple[str, str]:
        stage = shipment.stage
        if stage in DETAILS:
            return DETAILS[stage][0], DETAILS[stage][1]
        return "unknown", "unknown"

    def tracker(self, shipment: Shipment) -> dict[str, Any]:
        status, status_detail = self._status(shipment)
        carrier_name = shipment.carrier
        details = []
        for played in shipment.checkpoints(DETAILS):
            detail_status, detail, message = DETAILS[played.stage]
            place = j.US_ROUTE[played.stage]
            details.append(
                {
                    "object": "TrackingDetail",
                    "message": message.format(carrier=carrier_name),
                    "description": "",
                    "status": detail_status,
                    "status_detail": detail,
                    "datetime": utc_z(played.at),
                    "source": carrier_name,
                    "carrier_code": "",
                    "tracking_location": location(None if played.stage == j.INFO_RECEIVED else place),
                }
            )
        tracker = template(TRACKER)
        updated = shipment.played[-1].at if shipment.played else shipment.registered_at
        public = base64.urlsafe_b64encode(f"v1:{shipment.id}".encode()).decode().rstrip("=")
        tracker.update(
            id=shipment.id,
            mode="test",
            tracking_code=shipment.given,
            status=status,
            status_detail=status_detail,
            created_at=utc_z(shipment.registered_at),
            updated_at=utc_z(updated),
            signed_by=SIGNED_BY if status == "delivered" else None,
            est_delivery_date=utc_z(shipment.delivery_estimate()),
            carrier=carrier_name,
            tracking_details=details,
            finalized=status in FINALIZED,
            is_return=status == "return_to_sender",
            public_url=f"https://track.easypost.com/{public}",
        )
        delivered = next((p.at for p in shipment.played if p.stage == j.DELIVERED), None)
        tracker["carrier_detail"] = {
            **template(EVENT["result"]["carrier_detail"]),
            "service": TRACKER["carrier_detail"]["service"],
            "container_type": None,
            "est_delivery_date_local": shipment.delivery_estimate().date().isoformat(),
            "est_delivery_time_local": None,
            "origin_location": f"{j.ORIGIN.city.upper()} {j.ORIGIN.state}, {j.ORIGIN.zip}",
            "origin_tracking_location": location(j.ORIGIN),
            "destination_location": f"{j.DESTINATION.city.upper()} {j.DESTINATION.state}, {j.DESTINATION.zip}",
            "destination_tracking_location": location(j.DESTINATION),
            "guaranteed_delivery_date": None,
            "alternate_identifier": None,
            "initial_delivery_attempt": utc_z(delivered) if delivered else None,
        }
        return tracker

    def build_push(self, shipment: Shipment) -> Push:
        created = not shipment.extra.get("pushed")
        status = self._status(shipment)[0]
        previous = shipment.extra.get("pushed_status", status)
        shipment.extra.update(pushed=True, pushed_status=status)
        url = self.host.webhook_url(self.name)
        now = utc_ms_z(self.host.now())
        event = template(EVENT)
        event.update(
            description="tracker.created" if created else "tracker.updated",
            mode="test",
            previous_attributes={} if created else {"status": previous},
            created_at=now,
            pending_urls=[url],
            completed_urls=[],
            updated_at=now,
            id="evt_" + hex_id(),
            user_id=USER_ID,
            status="pending",
            object="Event",
            result=self.tracker(shipment),
        )
        body = compact(event)
        headers = {
            "Content-Type": "application/json",
            "X-Hmac-Signature": signature(body, self.host.secret(self.name)),
            "User-Agent": "EasyPost WebHook Agent 1.0",
        }
        return Push(url, body, headers, status, event["description"])
