"""17TRACK Tracking API v2.2: `POST /track/v2.2/register`, `POST /track/v2.2/gettrackinfo`
(events/providers/17track/) and `TRACKING_UPDATED` pushes signed with the `sign` header
(events/carriers/17track/README.md)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from infra.local.providers import journeys as j
from infra.local.providers.base import (
    Answer,
    Played,
    ProviderApi,
    Push,
    Request,
    Shipment,
    compact,
    int32_hash,
    json_answer,
    local_iso,
    sample,
    template,
    utc_z,
)

PUSH = sample("carriers/17track/01_in_transit.json")
REGISTERED = sample("providers/17track/register_response.json")
TRACK_INFO = PUSH["data"]["track_info"]
EVENT = TRACK_INFO["tracking"]["providers"][0]["events"][0]
PROVIDER = TRACK_INFO["tracking"]["providers"][0]
MILESTONES = [milestone["key_stage"] for milestone in TRACK_INFO["milestone"]]

CARRIERS: dict[int, tuple[str, str, str]] = {
    21051: ("USPS", "https://www.usps.com/", "US"),
    100001: ("DHL Express", "https://www.dhl.com/", "DE"),
    100002: ("UPS", "http://www.ups.com/", "US"),
    100003: ("FedEx", "https://www.fedex.com/", "US"),
    3011: ("China Post", "http://www.chinapost.com.cn/", "CN"),
}
"""17TRACK carrier keys (events/providers/17track/README.md)."""
DETECTED = {"usps": 21051, "ups": 100002, "fedex": 100003, "dhl": 100001}

STAGES: dict[str, tuple[str, str, str | None, str]] = {
    j.INFO_RECEIVED: (
        "InfoReceived",
        "InfoReceived",
        "InfoReceived",
        "Shipper created a label, the carrier has not received the package yet.",
    ),
    j.PICKED_UP: ("InTransit", "InTransit_PickedUp", "PickedUp", "Pickup Scan"),
    j.DEPARTED: ("InTransit", "InTransit_Departure", "Departure", "Departed from Facility"),
    j.ARRIVED: ("InTransit", "InTransit_Arrival", "Arrival", "Arrived at Facility"),
    j.OUT_FOR_DELIVERY: (
        "OutForDelivery",
        "OutForDelivery_Other",
        "OutForDelivery",
        "Out For Delivery Today",
    ),
    j.DELIVERED: ("Delivered", "Delivered_Other", "Delivered", "DELIVERED"),
    j.RETURNING: ("Exception", "Exception_Returning", "Returning", "Returning package to shipper"),
    j.RETURNED: ("Exception", "Exception_Returned", "Returned", "Returned to shipper"),
    j.PROBLEM: (
        "DeliveryFailure",
        "DeliveryFailure_NoBody",
        None,
        "The receiver was not available for delivery. We'll make a second attempt the next business day.",
    ),
}
"""Stage -> (status, sub_status, event stage (milestone), description)."""
NOT_FOUND = ("NotFound", "NotFound_Other")

ERRORS: dict[str, tuple[int, int, str]] = {
    "bad_key": (401, -18010002, "The security key is invalid."),
    "rate_limit": (429, 429, "Too many requests, please slow down."),
    "unavailable": (503, 503, "Service unavailable."),
    "timeout": (504, 504, "Gateway timeout."),
    "bad_request": (400, -18010001, "The request body must be a JSON array of {number, carrier?}."),
}
"""Whole-request answers: HTTP status, body `code` (17TRACK documents only the status for 429/5xx)."""
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
CARRIER_UNDETECTED = -18019903
INVALID_CARRIER = -18019904  # the simulator's choice: a carrier that is not a 17TRACK key


def signature(body: bytes, key: str) -> str:
    """Lower-case hex SHA-256 of raw body + "/" + the API key (not an HMAC)."""
    return hashlib.sha256(body + b"/" + key.encode("utf-8")).hexdigest()


def _carrier_key(carrier: Any, number: str) -> int | None:
    """The given 17TRACK carrier key, or the detected one when none is given; None when invalid."""
    if carrier in (None, "", 0):
        return DETECTED[j.detect_carrier(number)]
    try:
        return int(carrier)
    except (TypeError, ValueError):
        return None


def rejected(item: dict[str, Any], code: int, message: str) -> dict[str, Any]:
    return {"number": item.get("number"), "tag": item.get("tag"), "error": {"code": code, "message": message}}


def address(place: j.Place | None) -> dict[str, Any]:
    return {
        "country": place.country if place else None,
        "state": place.state if place else None,
        "city": place.city if place else None,
        "street": None,
        "postal_code": place.zip if place else None,
        "coordinates": {"longitude": None, "latitude": None},
    }


class SeventeenTrackApi(ProviderApi):
    name = "17track"
    routes = (
        ("POST", "/track/v2.2/register", "register", "register"),
        ("POST", "/track/v2.2/gettrackinfo", "gettrackinfo", "query"),
    )

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.registered: dict[str, Shipment] = {}  # by number

    def error(self, kind: str, number: str = "") -> Answer:
        status, code, message = ERRORS[kind]
        return json_answer(status, {"code": code, "data": {"errors": [{"code": code, "message": message}]}})

    def authorized(self, request: Request) -> bool:
        key = self.host.api_key(self.name)
        presented = request.headers.get("17token", "")
        return bool(key) and hmac.compare_digest(presented.encode(), key.encode())

    def _items(self, request: Request) -> list[dict[str, Any]] | None:
        try:
            items = request.json()
        except ValueError:
            return None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return None
        return items

    def numbers(self, request: Request) -> list[tuple[str, Any]]:
        return [(str(item.get("number") or ""), item.get("carrier")) for item in self._items(request) or []]

    def _refusal(self, items: list[dict[str, Any]]) -> str | None:
        for item in items:
            kind = self.refused_number(str(item.get("number") or ""))
            if kind in ("rate_limit", "unavailable", "bad_key"):
                return kind
        return None

    def register(self, request: Request, _params: dict[str, str]) -> Answer:
        items = self._items(request)
        if items is None:
            answer = self.error("bad_request")
            self.record("", None, answer, accepted=False)
            return answer
        refusal = self._refusal(items)
        if refusal:
            answer = self.error(refusal)
            for item in items:
                self.record(str(item.get("number") or ""), item.get("carrier"), answer, accepted=False)
            return answer
        accepted: list[dict[str, Any]] = []
        refused: list[dict[str, Any]] = []
        outcomes: list[tuple[dict[str, Any], bool, bool, int]] = []
        for item in items:
            given = str(item.get("number") or "").strip()
            number = j.normalize(given)
            if not number or self.refused_number(number) == "bad_carrier":
                message = "The carrier cannot be detected, please specify the carrier."
                refused.append(rejected(item, CARRIER_UNDETECTED, message))
                outcomes.append((item, False, False, CARRIER_UNDETECTED))
            elif number in self.registered:
                message = (
                    f"The tracking number '{given}' has been registered, don't need to repeat registration."
                )
                refused.append(rejected(item, ALREADY_REGISTERED, message))
                outcomes.append((item, True, True, ALREADY_REGISTERED))
            elif not _carrier_key(item.get("carrier"), number):
                refused.append(rejected(item, INVALID_CARRIER, "The carrier key is invalid."))
                outcomes.append((item, False, False, INVALID_CARRIER))
            else:
                carrier = _carrier_key(item.get("carrier"), number)
                shipment = Shipment(
                    self.name, number, given, carrier, j.journey(self.name, number), self.host.now()
                )
                shipment.extra["tag"] = item.get("tag")
                self.registered[number] = shipment
                if shipment.journey:
                    self.host.play(shipment)
                accepted.append({"origin": 2, "number": given, "tag": item.get("tag"), "carrier": carrier})
                outcomes.append((item, True, False, 0))
        document = template(REGISTERED)
        document["data"] = {"accepted": accepted, "rejected": refused}
        answer = json_answer(200, document)
        for item, ok, duplicate, code in outcomes:
            self.record(
                str(item.get("number") or ""),
                item.get("carrier"),
                answer,
                accepted=ok,
                duplicate=duplicate,
                code=code,
            )
        return answer

    def gettrackinfo(self, request: Request, _params: dict[str, str]) -> Answer:
        items = self._items(request)
        if items is None:
            return self.error("bad_request")
        refusal = self._refusal(items)
        if refusal:
            return self.error(refusal)
        accepted, refused = [], []
        for item in items:
            number = j.normalize(str(item.get("number") or ""))
            shipment = self.registered.get(number)
            if shipment is None:
                message = (
                    f"The tracking number '{item.get('number')}' does not register, please register first."
                )
                refused.append(rejected(item, NOT_REGISTERED, message))
            else:
                accepted.append(self.data(shipment))
        return json_answer(200, {"code": 0, "data": {"accepted": accepted, "rejected": refused}})

    # -- objects ----------------------------------------------------------------------------
    def _event(self, played_stage: str, at: datetime) -> dict[str, Any]:
        _, _, stage, description = STAGES[played_stage]
        place = j.US_ROUTE[played_stage]
        event = template(EVENT)
        event.update(
            time_iso=local_iso(at, place.offset_hours),
            time_utc=utc_z(at),
            description=description,
            location=place.label,
            stage=stage,
            address=address(place),
        )
        return event

    def _milestone(self, key: str, played: Played | None) -> dict[str, Any]:
        if played is None:
            return {"key_stage": key, "time_iso": None, "time_utc": None}
        offset = j.US_ROUTE[played.stage].offset_hours
        return {"key_stage": key, "time_iso": local_iso(played.at, offset), "time_utc": utc_z(played.at)}

    def track_info(self, shipment: Shipment) -> dict[str, Any]:
        scans = shipment.checkpoints(STAGES)
        events = [self._event(played.stage, played.at) for played in reversed(scans)]  # newest first
        if shipment.stage in STAGES:
            status, sub_status = STAGES[shipment.stage][:2]
        else:
            status, sub_status = NOT_FOUND
        first: dict[str | None, Played] = {}
        for played in scans:
            first.setdefault(STAGES[played.stage][2], played)
        now = self.host.now()
        estimate = local_iso(shipment.delivery_estimate(), j.DESTINATION.offset_hours)
        picked_up = first["PickedUp"].at if "PickedUp" in first else None
        info = template(TRACK_INFO)
        info["shipping_info"] = {
            "shipper_address": address(j.ORIGIN),
            "recipient_address": address(j.DESTINATION),
        }
        info["latest_status"] = {"status": status, "sub_status": sub_status, "sub_status_descr": None}
        info["latest_event"] = events[0] if events else None
        info["time_metrics"] = {
            "days_after_order": (now - shipment.registered_at).days,
            "days_of_transit": (now - picked_up).days if picked_up else 0,
            "days_of_transit_done": (now - picked_up).days if picked_up else 0,
            "days_after_last_update": (now - scans[-1].at).days if scans else 0,
            "estimated_delivery_date": {"source": "Official", "from": estimate, "to": estimate},
        }
        info["milestone"] = [self._milestone(key, first.get(key)) for key in MILESTONES]
        name, homepage, country = CARRIERS.get(shipment.carrier, (str(shipment.carrier), None, None))
        provider = template(PROVIDER)
        provider.update(
            provider={
                "key": shipment.carrier,
                "name": name,
                "alias": name,
                "tel": None,
                "homepage": homepage,
                "country": country,
            },
            service_type=None,
            latest_sync_status="Success",
            latest_sync_time=utc_z(now),
            events_hash=int32_hash(events),
            events=events,
        )
        info["misc_info"]["service_type"] = None
        info["tracking"] = {"providers_hash": int32_hash(shipment.carrier), "providers": [provider]}
        return info

    def data(self, shipment: Shipment) -> dict[str, Any]:
        return {
            "number": shipment.given,
            "carrier": shipment.carrier,
            "param": None,
            "tag": shipment.extra.get("tag"),
            "track_info": self.track_info(shipment),
        }

    def build_push(self, shipment: Shipment) -> Push:
        document = {"event": "TRACKING_UPDATED", "data": self.data(shipment)}
        body = compact(document)
        headers = {"Content-Type": "application/json", "sign": signature(body, self.host.secret(self.name))}
        status = document["data"]["track_info"]["latest_status"]["sub_status"]
        return Push(self.host.webhook_url(self.name), body, headers, status, "TRACKING_UPDATED")
