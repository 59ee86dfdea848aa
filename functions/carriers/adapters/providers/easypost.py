"""EasyPost Trackers: `POST /v2/trackers` registers, `GET /v2/trackers/{id}` queries
(events/providers/easypost/README.md). HTTP Basic authentication, the API key as user name."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from carriers.adapters.providers._json import compact, document, text
from carriers.adapters.providers.http import ProviderHttp, Reply
from carriers.domain.register_tracking import ProviderRejected
from carriers.models.registration import ProviderAnswer, ProviderRequest

PROVIDER = "easypost"


class EasyPostTrackers:
    def __init__(self, http: ProviderHttp, api_key: Callable[[], str]) -> None:
        self._http = http
        self._key = api_key

    def _headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self._key()}:".encode()).decode()
        return {
            "Authorization": f"Basic {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def _create(self, request: ProviderRequest) -> dict[str, Any]:
        tracker: dict[str, Any] = {"tracking_code": request.tracking_number}
        if request.carrier_code:
            tracker["carrier"] = request.carrier_code  # left out: EasyPost detects the carrier
        reply = self._http.request(
            "POST", "/v2/trackers", headers=self._headers(), body=compact({"tracker": tracker}).encode()
        )
        return _tracker(reply)

    def register(self, request: ProviderRequest) -> ProviderAnswer:
        tracker = self._create(request)
        # EasyPost answers an existing tracker for the same code and carrier: registered either way
        return ProviderAnswer(reference=text(tracker.get("id"), 64) or None)

    def query(self, request: ProviderRequest) -> str:
        if request.reference:
            reply = self._http.request("GET", f"/v2/trackers/{request.reference}", headers=self._headers())
            tracker = _tracker(reply)
        else:
            tracker = self._create(request)  # answers the existing tracker
        stamp = hashlib.sha256(compact([tracker.get("id"), tracker.get("updated_at")]).encode()).hexdigest()
        return compact(
            {
                "id": f"evt_query_{stamp[:24]}",
                "object": "Event",
                "description": "tracker.updated",
                "mode": tracker.get("mode"),
                "result": tracker,
            }
        )


def _tracker(reply: Reply) -> dict[str, Any]:
    body = document(PROVIDER, reply.body)
    if 200 <= reply.status < 300 and body.get("object") == "Tracker":
        return body
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    raise ProviderRejected(
        PROVIDER, text(error.get("code") or f"HTTP {reply.status}", 60), text(error.get("message"))
    )
