"""17TRACK Tracking API v2.2: `POST /track/v2.2/register` registers, `/gettrackinfo` queries
(events/providers/17track/README.md). Header `17token`; bodies are arrays of numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carriers.adapters.providers._json import compact, document, text
from carriers.adapters.providers.http import ProviderHttp, Reply
from carriers.domain.register_tracking import ProviderRejected, ProviderUnavailable
from carriers.models.registration import ProviderAnswer, ProviderRequest

PROVIDER = "17track"
ALREADY_REGISTERED = -18019901
INTERNAL_ERROR = -18010003


class SeventeenTrackApi:
    def __init__(self, http: ProviderHttp, api_key: Callable[[], str]) -> None:
        self._http = http
        self._key = api_key

    def _call(self, path: str, request: ProviderRequest, *, tag: bool) -> tuple[list[Any], list[Any]]:
        item: dict[str, Any] = {"number": request.tracking_number}
        if request.carrier_code:
            item["carrier"] = request.carrier_code  # left out: 17TRACK detects the carrier
        if tag and request.order_id:
            item["tag"] = request.order_id
        reply = self._http.request(
            "POST",
            path,
            headers={"17token": self._key(), "Content-Type": "application/json"},
            body=compact([item]).encode(),
        )
        body = document(PROVIDER, reply.body)
        code = body.get("code")
        if reply.status != 200 or code not in (0, None):
            if code == INTERNAL_ERROR:
                raise ProviderUnavailable(PROVIDER, "internal error")
            raise _rejected(reply, body)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        accepted = data.get("accepted") if isinstance(data.get("accepted"), list) else []
        rejected = data.get("rejected") if isinstance(data.get("rejected"), list) else []
        return accepted, rejected

    def register(self, request: ProviderRequest) -> ProviderAnswer:
        accepted, rejected = self._call("/track/v2.2/register", request, tag=True)
        if accepted:
            return ProviderAnswer()
        error = _error(rejected)
        if error.get("code") == ALREADY_REGISTERED:
            return ProviderAnswer(already_registered=True)
        raise ProviderRejected(PROVIDER, text(error.get("code"), 60), text(error.get("message")))

    def query(self, request: ProviderRequest) -> str:
        accepted, rejected = self._call("/track/v2.2/gettrackinfo", request, tag=False)
        if not accepted:
            error = _error(rejected)
            raise ProviderRejected(PROVIDER, text(error.get("code"), 60), text(error.get("message")))
        return compact({"event": "TRACKING_UPDATED", "data": accepted[0]})


def _error(rejected: list[Any]) -> dict[str, Any]:
    first = rejected[0] if rejected and isinstance(rejected[0], dict) else {}
    return first.get("error") if isinstance(first.get("error"), dict) else {"code": "rejected", "message": ""}


def _rejected(reply: Reply, body: dict[str, Any]) -> ProviderRejected:
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    errors = data.get("errors") if isinstance(data.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    return ProviderRejected(
        PROVIDER,
        text(body.get("code") or first.get("code") or f"HTTP {reply.status}", 60),
        text(first.get("message") or body.get("message")),
    )
