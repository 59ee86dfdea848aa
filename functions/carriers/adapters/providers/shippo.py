"""Shippo Tracks: `POST /tracks/` registers a number for the `track_updated` webhook,
`GET /tracks/{carrier}/{number}` queries (events/providers/shippo/README.md).
Header `Authorization: ShippoToken <token>`. Shippo has no carrier auto-detection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from carriers.adapters.providers._json import compact, document, text
from carriers.adapters.providers.http import ProviderHttp, Reply
from carriers.domain.register_tracking import ProviderRejected
from carriers.models.registration import ProviderAnswer, ProviderRequest

PROVIDER = "shippo"


class ShippoTracks:
    def __init__(self, http: ProviderHttp, api_key: Callable[[], str]) -> None:
        self._http = http
        self._key = api_key

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"ShippoToken {self._key()}", "Content-Type": "application/json"}

    def _carrier(self, request: ProviderRequest) -> str:
        if not request.carrier_code:
            raise ProviderRejected(
                PROVIDER, "carrier_not_supported", f"no Shippo carrier token for {request.carrier!r}"
            )
        return str(request.carrier_code)

    def register(self, request: ProviderRequest) -> ProviderAnswer:
        body: dict[str, Any] = {"carrier": self._carrier(request), "tracking_number": request.tracking_number}
        if request.order_id:
            body["metadata"] = request.order_id[:100]
        reply = self._http.request("POST", "/tracks/", headers=self._headers(), body=compact(body).encode())
        _track(reply)
        return ProviderAnswer()

    def query(self, request: ProviderRequest) -> str:
        path = f"/tracks/{quote(self._carrier(request), safe='')}/{quote(request.tracking_number, safe='')}"
        track = _track(self._http.request("GET", path, headers=self._headers()))
        return compact({"event": "track_updated", "test": False, "data": track})


def _track(reply: Reply) -> dict[str, Any]:
    body = document(PROVIDER, reply.body)
    if 200 <= reply.status < 300:
        return body
    detail = body.get("detail") or next(
        (f"{name}: {value}" for name, value in body.items() if isinstance(value, list | str)), ""
    )
    raise ProviderRejected(PROVIDER, f"HTTP {reply.status}", text(detail))
