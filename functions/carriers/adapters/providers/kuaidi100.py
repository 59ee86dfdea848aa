"""快递100 (Kuaidi100): a subscription (`POST /poll`) makes Kuaidi100 push to our webhook, signed
with our salt; the real-time query (`POST /poll/query.do`) answers a push's `lastResult`
(events/providers/kuaidi100/README.md). Both are forms with a JSON `param`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from carriers.adapters.providers._json import compact, document, text
from carriers.adapters.providers.http import ProviderHttp
from carriers.domain.register_tracking import ProviderRejected, ProviderUnavailable
from carriers.models.registration import ProviderAnswer, ProviderRequest

PROVIDER = "kuaidi100"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
SUBMITTED = "200"
DUPLICATE = "501"  # 重复订阅: the number is being tracked already
SERVER_ERROR = "500"


def national(phone: str | None) -> str | None:
    """Kuaidi100 wants a mainland number as its 11 digits (ours are stored in E.164)."""
    if not phone:
        return None
    return phone.removeprefix("+86") if phone.startswith("+86") else phone


class Kuaidi100Api:
    def __init__(
        self,
        http: ProviderHttp,
        credentials: Callable[[], tuple[str, str]],  # (key, customer)
        callback_url: str,
        salt: Callable[[], str],  # our Kuaidi100 webhook secret: pushes arrive signed with it
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._callback = callback_url
        self._salt = salt

    def register(self, request: ProviderRequest) -> ProviderAnswer:
        key, _ = self._credentials()
        parameters: dict[str, str] = {
            "callbackurl": self._callback,
            "salt": self._salt(),
            "resultv2": "1",
            "autoCom": "0" if request.carrier_code else "1",
        }
        phone = national(request.phone)
        if phone:
            parameters["phone"] = phone
        param = {
            "company": str(request.carrier_code or ""),
            "number": request.tracking_number,
            "key": key,
            "from": "",
            "to": request.destination or "",
            "parameters": parameters,
        }
        form = urlencode({"schema": "json", "param": compact(param)}).encode()
        body = document(PROVIDER, self._http.request("POST", "/poll", headers=FORM, body=form).body)
        code = text(body.get("returnCode"), 10)
        if code == SUBMITTED and body.get("result") is True:
            return ProviderAnswer()
        if code == DUPLICATE:
            return ProviderAnswer(already_registered=True)
        if code == SERVER_ERROR:
            raise ProviderUnavailable(PROVIDER, "returnCode 500")
        raise ProviderRejected(PROVIDER, code or "no returnCode", text(body.get("message")))

    def query(self, request: ProviderRequest) -> str:
        key, customer = self._credentials()
        param: dict[str, Any] = {
            "com": str(request.carrier_code or ""),
            "num": request.tracking_number,
            "resultv2": "1",
        }
        phone = national(request.phone)
        if phone:
            param["phone"] = phone
        text_param = compact(param)
        sign = hashlib.md5((text_param + key + customer).encode(), usedforsecurity=False).hexdigest().upper()
        form = urlencode({"customer": customer, "sign": sign, "param": text_param}).encode()
        body = document(PROVIDER, self._http.request("POST", "/poll/query.do", headers=FORM, body=form).body)
        if body.get("status") == "200" and body.get("nu"):
            return compact({"status": "polling", "message": "", "lastResult": body})
        # the query's own codes: 500 查询无结果 (nothing yet), 503 bad sign, 400 bad data; none is retried
        code = text(body.get("returnCode") or body.get("status"), 10)
        raise ProviderRejected(PROVIDER, code or "no returnCode", text(body.get("message")))
