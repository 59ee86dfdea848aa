"""AfterShip (API version 2025-01): `POST /tracking/2025-01/trackings`, `GET .../trackings/{id}`
(events/providers/aftership/) and `tracking_update` pushes in webhook version 2025-01 signed with
`aftership-hmac-sha256` (events/carriers/aftership/README.md, 04_in_transit_2025_01.json)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
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
    local_iso,
    sample,
    template,
    utc_offset,
    utc_z,
)

CREATED = sample("providers/aftership/create_tracking_response.json")
FETCHED = sample("providers/aftership/get_tracking_response.json")
EXISTS = sample("providers/aftership/tracking_exists_response.json")
INVALID_KEY = sample("providers/aftership/invalid_key_response.json")
WEBHOOK = sample("carriers/aftership/04_in_transit_2025_01.json")
API_CHECKPOINT = FETCHED["data"]["checkpoints"][0]
WEBHOOK_CHECKPOINT = WEBHOOK["msg"]["checkpoints"][0]
WEBHOOK_VERSION = "2025-01"

TAGS: dict[str, tuple[str, str, str, str, str]] = {
    j.INFO_RECEIVED: ("InfoReceived", "InfoReceived_001", "Info Received", "Shipping Label Created", "GX"),
    j.PICKED_UP: ("InTransit", "InTransit_002", "Acceptance scan", "Picked up by the carrier", "03"),
    j.DEPARTED: ("InTransit", "InTransit_007", "Departure Scan", "Departed Regional Facility", "T1"),
    j.ARRIVED: ("InTransit", "InTransit_003", "Arrival scan", "Arrived at Regional Facility", "10"),
    j.OUT_FOR_DELIVERY: (
        "OutForDelivery",
        "OutForDelivery_001",
        "Out for Delivery",
        "Out for Delivery",
        "OF",
    ),
    j.DELIVERED: ("Delivered", "Delivered_001", "Delivered", "Delivered, Front Door/Porch", "01"),
    j.RETURNING: ("Exception", "Exception_010", "Returning to sender", "Return to Sender in Progress", "21"),
    j.RETURNED: ("Exception", "Exception_011", "Returned to sender", "Delivered to Sender", "RD"),
    j.PROBLEM: (
        "AttemptFail",
        "AttemptFail_002",
        "Addressee not available",
        "Notice Left (No Authorized Recipient Available)",
        "02",
    ),
}
"""Stage -> (tag, subtag, subtag_message, checkpoint message, raw_tag)."""
NOT_FOUND = ("Expired", "Expired_001", "No information")

ERRORS: dict[str, tuple[int, int, str, str]] = {
    "bad_key": (401, 401, "Invalid API key.", "Unauthorized"),
    "rate_limit": (
        429,
        429,
        "You have exceeded the API call rate limit. The default limit is 10 requests per second.",
        "TooManyRequests",
    ),
    "unavailable": (503, 503, "The service is temporarily unavailable.", "ServiceUnavailable"),
    "timeout": (504, 504, "The request timed out.", "GatewayTimeout"),
    "bad_carrier": (
        400,
        4012,
        "Cannot detect courier. Activate courier at https://admin.aftership.com/settings/couriers.",
        "BadRequest",
    ),
    "bad_request": (400, 4005, "The value of `tracking_number` is invalid.", "BadRequest"),
    "not_found": (404, 4004, "Tracking does not exist.", "NotFound"),
}
"""kind -> (HTTP status, meta.code, meta.message, meta.type)."""


def signature(body: bytes, secret: str) -> str:
    """Standard base64 of HMAC-SHA256(key = the secret as UTF-8, raw body)."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def envelope(status: int, code: int, message: str, kind: str, data: Any) -> Answer:
    return json_answer(status, {"meta": {"code": code, "message": message, "type": kind}, "data": data})


class AfterShipApi(ProviderApi):
    name = "aftership"
    routes = (
        ("POST", "/tracking/2025-01/trackings", "create", "register"),
        ("GET", "/tracking/2025-01/trackings/{id}", "retrieve", "query"),
    )

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.trackings: dict[str, Shipment] = {}  # by id
        self.by_number: dict[tuple[str, str], Shipment] = {}

    def error(self, kind: str, number: str = "") -> Answer:
        if kind == "bad_key":
            return json_answer(401, template(INVALID_KEY))
        status, code, message, meta_type = ERRORS[kind]
        return envelope(status, code, message, meta_type, {})

    def authorized(self, request: Request) -> bool:
        key = self.host.api_key(self.name)
        presented = request.headers.get("as-api-key", "")
        return bool(key) and hmac.compare_digest(presented.encode(), key.encode())

    def numbers(self, request: Request) -> list[tuple[str, Any]]:
        try:
            body = request.json()
        except ValueError:
            return [("", None)]
        body = body if isinstance(body, dict) else {}
        return [(str(body.get("tracking_number") or ""), body.get("slug"))]

    def create(self, request: Request, _params: dict[str, str]) -> Answer:
        try:
            body = request.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        given = str(body.get("tracking_number") or "").strip()
        slug = body.get("slug") or None
        if not given:
            answer = self.error("bad_request")
            self.record(given, slug, answer, accepted=False)
            return answer
        number = j.normalize(given)
        refusal = self.refused_number(number)
        if refusal:
            answer = self.error(refusal)
            self.record(number, slug, answer, accepted=False)
            return answer
        courier = str(slug or j.detect_carrier(number)).lower()
        existing = self.by_number.get((number, courier))
        if existing is not None:
            document = template(EXISTS)
            document["data"]["tracking"] = {
                "id": existing.id,
                "slug": courier,
                "tracking_number": existing.given,
            }
            answer = json_answer(400, document)
            self.record(number, slug, answer, accepted=True, duplicate=True)
            return answer
        shipment = Shipment(self.name, number, given, courier, j.journey(self.name, number), self.host.now())
        shipment.extra.update(
            legacy_id=hex_id(24),
            order_id=body.get("order_id"),
            order_number=body.get("order_number"),
            title=body.get("title") or given,
        )
        self.trackings[shipment.id] = shipment
        self.by_number[(number, courier)] = shipment
        if shipment.journey:
            self.host.play(shipment)
        meta = {"code": 201, "message": "", "type": "Created"}
        answer = json_answer(201, {"meta": meta, "data": self.tracking(shipment)})
        self.record(number, slug, answer, accepted=True)
        return answer

    def retrieve(self, _request: Request, params: dict[str, str]) -> Answer:
        shipment = self.trackings.get(params["id"])
        if shipment is None:
            return self.error("not_found")
        meta = {"code": 200, "message": "", "type": "OK"}
        return json_answer(200, {"meta": meta, "data": self.tracking(shipment)})

    # -- objects ----------------------------------------------------------------------------
    def _tag(self, shipment: Shipment) -> tuple[str, str, str]:
        stage = shipment.stage
        if stage in TAGS:
            return TAGS[stage][:3]
        if stage == j.NOT_FOUND:
            return NOT_FOUND
        return "Pending", "Pending_001", "Pending"

    def _checkpoints(self, shipment: Shipment, webhook: bool) -> list[dict[str, Any]]:
        checkpoints = []
        for played in shipment.checkpoints(TAGS):
            tag, subtag, subtag_message, message, raw_tag = TAGS[played.stage]
            place = j.US_ROUTE[played.stage]
            checkpoint = template(WEBHOOK_CHECKPOINT if webhook else API_CHECKPOINT)
            checkpoint.update(
                slug=shipment.carrier,
                created_at=utc_z(played.at) if webhook else utc_offset(played.at),
                checkpoint_time=local_iso(played.at, place.offset_hours),
                location=f"{place.city.upper()}, {place.state} {place.zip}",
                city=place.city.upper(),
                state=place.state,
                zip=place.zip,
                country_region=place.country_iso3,
                country_region_name=place.country_name,
                message=message,
                tag=tag,
                subtag=subtag,
                subtag_message=subtag_message,
                raw_tag=raw_tag,
            )
            checkpoints.append(checkpoint)
        return checkpoints

    def _fields(self, shipment: Shipment, webhook: bool) -> dict[str, Any]:
        tag, subtag, subtag_message = self._tag(shipment)
        stages = [played.stage for played in shipment.played]
        stamp = utc_z if webhook else utc_offset
        updated = shipment.played[-1].at if shipment.played else shipment.registered_at
        return {
            "id": shipment.id,
            "legacy_id": shipment.extra["legacy_id"],
            "created_at": stamp(shipment.registered_at),
            "updated_at": stamp(updated),
            "tracking_number": shipment.given,
            "slug": shipment.carrier,
            "active": tag not in ("Delivered", "Expired"),
            "tag": tag,
            "subtag": subtag,
            "subtag_message": subtag_message,
            "title": shipment.extra["title"],
            "order_id": shipment.extra["order_id"],
            "order_number": shipment.extra["order_number"],
            "shipment_type": None,
            "signed_by": "J TESTER" if tag == "Delivered" else None,
            "courier_estimated_delivery_date": {
                "estimated_delivery_date": shipment.delivery_estimate().date().isoformat(),
                "estimated_delivery_date_min": None,
                "estimated_delivery_date_max": None,
            },
            "checkpoints": self._checkpoints(shipment, webhook),
            "return_to_sender": j.RETURNING in stages or j.RETURNED in stages,
        }

    def tracking(self, shipment: Shipment) -> dict[str, Any]:
        """The tracking as the API answers it (the create / get response shape)."""
        tracking = template(CREATED["data"])
        tracking.update(self._fields(shipment, webhook=False))
        return tracking

    def webhook_msg(self, shipment: Shipment) -> dict[str, Any]:
        """The tracking as webhook version 2025-01 sends it (the full field set of the sample)."""
        msg = template(WEBHOOK["msg"])
        msg.update(self._fields(shipment, webhook=True))
        at = {played.stage: played.at for played in shipment.played}
        origin, destination = j.ORIGIN, j.DESTINATION
        for side, place in (("origin", origin), ("destination", destination)):
            msg[f"{side}_country_region"] = place.country_iso3
            msg[f"{side}_state"] = place.state
            msg[f"{side}_city"] = place.city.upper()
            msg[f"{side}_postal_code"] = place.zip
            msg[f"{side}_raw_location"] = (
                f"{place.city.upper()}, {place.state}, {place.zip}, {place.country_iso3}"
            )
        picked_up = at.get(j.PICKED_UP)
        delivered = at.get(j.DELIVERED)
        attempted = at.get(j.PROBLEM)
        msg.update(
            courier_destination_country_region=destination.country_iso3,
            order_date=None,
            order_promised_delivery_date=None,
            shipment_pickup_date=local_iso(picked_up, origin.offset_hours)[:19] if picked_up else None,
            shipment_delivery_date=local_iso(delivered, destination.offset_hours)[:19] if delivered else None,
            shipment_type=None,
            tracked_count=len(shipment.played),
            courier_tracking_link=None,
            first_attempted_at=utc_z(attempted or delivered) if attempted or delivered else None,
            failed_delivery_attempts=1 if attempted else 0,
            custom_fields={},
        )
        return msg

    def build_push(self, shipment: Shipment) -> Push:
        tag = self._tag(shipment)[0]
        first_tag = shipment.extra.get("pushed_tag") != tag
        shipment.extra["pushed_tag"] = tag
        document = {
            "event": "tracking_update",
            "event_id": str(uuid.uuid4()),
            "is_tracking_first_tag": first_tag,
            "msg": self.webhook_msg(shipment),
            "ts": int(self.host.now().timestamp()),
        }
        body = compact(document)
        headers = {
            "Content-Type": "application/json",
            "aftership-hmac-sha256": signature(body, self.host.secret(self.name)),
            "as-webhook-version": WEBHOOK_VERSION,
            "User-Agent": f"AfterShipTrackingWebhook/{WEBHOOK_VERSION}",
        }
        return Push(self.host.webhook_url(self.name), body, headers, tag, "tracking_update")
