"""AfterShip Tracking API, version pinned to 2025-01 (the webhook URL is set to the same version):
`POST /tracking/2025-01/trackings` registers, `GET .../trackings/{id}` queries
(events/providers/aftership/README.md). Header `as-api-key`."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from carriers.adapters.providers._json import compact, document, text
from carriers.adapters.providers.http import ProviderHttp, Reply
from carriers.domain.register_tracking import ProviderRejected
from carriers.models.registration import ProviderAnswer, ProviderRequest

PROVIDER = "aftership"
API_VERSION = "2025-01"
ALREADY_EXISTS = 4003


class AfterShipTrackings:
    def __init__(
        self, http: ProviderHttp, api_key: Callable[[], str], clock: Callable[[], float] = time.time
    ) -> None:
        self._http = http
        self._key = api_key
        self._clock = clock

    def _headers(self) -> dict[str, str]:
        return {"as-api-key": self._key(), "Content-Type": "application/json", "Accept": "application/json"}

    def register(self, request: ProviderRequest) -> ProviderAnswer:
        tracking: dict[str, Any] = {"tracking_number": request.tracking_number}
        if request.carrier_code:
            tracking["slug"] = request.carrier_code  # left out: AfterShip detects the courier
        if request.order_id:
            tracking["order_id"] = request.order_id
        reply = self._http.request(
            "POST",
            f"/tracking/{API_VERSION}/trackings",
            headers=self._headers(),
            body=compact(tracking).encode(),
        )
        body = document(PROVIDER, reply.body)
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        found = data.get("tracking") if isinstance(data.get("tracking"), dict) else data
        if 200 <= reply.status < 300:
            return ProviderAnswer(reference=text(found.get("id"), 64) or None)
        if meta.get("code") == ALREADY_EXISTS:
            return ProviderAnswer(reference=text(found.get("id"), 64) or None, already_registered=True)
        raise _rejected(reply, meta)

    def query(self, request: ProviderRequest) -> str:
        if request.reference:
            path = f"/tracking/{API_VERSION}/trackings/{quote(request.reference, safe='')}"
        else:
            path = f"/tracking/{API_VERSION}/trackings?tracking_numbers={quote(request.tracking_number, safe='')}"
        reply = self._http.request("GET", path, headers=self._headers())
        body = document(PROVIDER, reply.body)
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        if not 200 <= reply.status < 300:
            raise _rejected(reply, meta)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        listed = data.get("trackings")
        tracking = (listed[0] if listed else {}) if isinstance(listed, list) else data
        stamp = hashlib.sha256(compact([tracking.get("id"), tracking.get("updated_at")]).encode()).hexdigest()
        return compact(
            {
                "event": "tracking_update",
                "event_id": f"query-{stamp[:32]}",
                "ts": int(self._clock()),
                "msg": tracking,
            }
        )


def _rejected(reply: Reply, meta: dict[str, Any]) -> ProviderRejected:
    return ProviderRejected(
        PROVIDER, text(meta.get("code") or f"HTTP {reply.status}", 60), text(meta.get("message"))
    )
