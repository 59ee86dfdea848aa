# ruff: noqa: RUF001  (full-width Chinese punctuation is what Kuaidi100 sends)
"""快递100 (Kuaidi100): `POST /poll` (订阅), `POST /poll/query.do` (实时查询)
(events/providers/kuaidi100/) and the form pushes `param=<json>&sign=<MD5(param + salt)>` to each
subscription's own callbackurl (events/carriers/kuaidi100/README.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs, urlencode

from infra.local.providers import journeys as j
from infra.local.providers.base import (
    EVENTS,
    Answer,
    ProviderApi,
    Push,
    Request,
    Shipment,
    china_time,
    json_answer,
    sample,
    template,
)

SUBSCRIBED = sample("providers/kuaidi100/subscribe_response.json")
DUPLICATE = sample("providers/kuaidi100/duplicate_subscription_response.json")
INVALID_KEY = sample("providers/kuaidi100/invalid_key_response.json")
UNKNOWN_COMPANY = sample("providers/kuaidi100/unknown_company_response.json")
ABORT = sample("providers/kuaidi100/abort_push_param.json")
QUERY = sample("providers/kuaidi100/query_response.json")
PUSH = json.loads(parse_qs((EVENTS / "carriers/kuaidi100/01_in_transit.txt").read_text("utf-8"))["param"][0])
ABORT_MESSAGES = {j.ABORT_NO_RECORD: "3天查询无记录", j.ABORT_NO_CHANGE: "60天无变化"}

SHENZHEN = ("CN440305000000", "广东,深圳市,南山区", "113.93,22.53", "guang dong,shen zhen shi,nan shan qu")
SHENZHEN_HUB = ("CN440300000000", "广东,深圳市", "114.06,22.54", "guang dong,shen zhen shi")
SHANGHAI = (
    "CN310115000000",
    "上海,上海市,浦东新区",
    "121.54,31.22",
    "shang hai,shang hai shi,pu dong xin qu",
)
STAGES: dict[str, tuple[str, str, str, str, tuple[str, str, str, str]]] = {
    j.INFO_RECEIVED: ("【深圳市南山区公司】 商家已下单，等待快递员揽收", "揽收", "101", "1", SHENZHEN),
    j.PICKED_UP: ("【深圳市南山区公司】 已揽收", "揽收", "103", "1", SHENZHEN),
    j.DEPARTED: ("【深圳转运中心】 已发出 下一站 【上海转运中心】", "在途", "1002", "0", SHENZHEN_HUB),
    j.ARRIVED: ("【上海浦东转运中心】 已收入", "在途", "1001", "0", SHANGHAI),
    j.OUT_FOR_DELIVERY: (
        "【上海市浦东新区公司】 派件中 派件人: 王师傅（示例） 电话: 138****0000",
        "派件",
        "5",
        "5",
        SHANGHAI,
    ),
    j.DELIVERED: (
        "【上海市浦东新区公司】 已签收 签收人: 本人签收 感谢使用，期待再次为您服务",
        "签收",
        "301",
        "3",
        SHANGHAI,
    ),
    j.RETURNING: ("【上海市浦东新区公司】 快件已退回 退回原因: 收件人拒收", "退回", "6", "6", SHANGHAI),
    j.RETURNED: ("【深圳市南山区公司】 退件已签收 签收人: 寄件人", "退签", "4", "4", SHENZHEN),
    j.PROBLEM: ("【上海市浦东新区公司】 收件人电话无法接通，派件异常", "疑难", "206", "2", SHANGHAI),
}
"""Stage -> (context, state name (resultv2=1), statusCode (resultv2=4), state, place)."""
SHUTDOWN = frozenset({j.DELIVERED, j.RETURNED})
SIGNED = frozenset({j.DELIVERED, j.RETURNED})
COMPANIES = (("SF", "shunfeng"), ("YT", "yuantong"), ("JT", "jtexpress"), ("ZTO", "zhongtong"))

POLL_ERRORS: dict[str, tuple[int, str, str]] = {
    "rate_limit": (200, "500", "服务器错误（系统繁忙，请稍后重试）"),
    "unavailable": (503, "500", "服务器错误"),
    "timeout": (504, "500", "服务器错误（超时）"),
    "bad_carrier": (200, "702", "POLL:识别不到该单号对应的快递公司"),
    "bad_request": (200, "700", UNKNOWN_COMPANY["message"]),
}
QUERY_ERRORS: dict[str, tuple[int, str, str]] = {
    "bad_key": (200, "503", "验证签名失败"),
    "rate_limit": (200, "500", "查询无结果，请隔段时间再查"),
    "no_result": (200, "500", "查询无结果，请隔段时间再查"),
    "unavailable": (503, "501", "服务器错误"),
    "timeout": (504, "501", "服务器错误（超时）"),
    "bad_carrier": (200, "400", "找不到对应公司"),
    "bad_request": (200, "400", "提交的数据不完整"),
}
"""The real-time query API's own return codes (HTTP status, returnCode, message)."""


def md5_sign(text: str) -> str:
    """Upper-case hex MD5 of the UTF-8 text (Kuaidi100's `sign`, not an HMAC)."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def failure(status: int, code: str, message: str) -> Answer:
    return json_answer(status, {"result": False, "returnCode": code, "message": message})


def _param(request: Request) -> dict[str, Any] | None:
    try:
        param = json.loads(request.form().get("param", ""))
    except ValueError:
        return None
    return param if isinstance(param, dict) else None


class Kuaidi100Api(ProviderApi):
    name = "kuaidi100"
    routes = (
        ("POST", "/poll", "subscribe", "register"),
        ("POST", "/poll/query.do", "query", "query"),
    )

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.subscriptions: dict[str, list[Shipment]] = {}  # by number, oldest first

    def error(self, kind: str, number: str = "") -> Answer:
        if kind == "bad_key":
            return json_answer(200, template(INVALID_KEY))
        return failure(*POLL_ERRORS[kind])

    def authorized(self, request: Request) -> bool:
        """The subscription's `param.key` (a body that is not a subscription is answered 700 later);
        the query is authenticated by its sign (in `query`)."""
        if request.path.rstrip("/") != "/poll":
            return True
        param = _param(request)
        key = self.host.api_key(self.name)
        if param is None:
            return True
        return bool(key) and hmac.compare_digest(str(param.get("key") or "").encode(), key.encode())

    def numbers(self, request: Request) -> list[tuple[str, Any]]:
        param = _param(request) or {}
        return [(str(param.get("number") or ""), param.get("company") or None)]

    def _answer(
        self, number: str, company: Any, answer: Answer, accepted: bool, duplicate: bool = False
    ) -> Answer:
        self.record(number, company, answer, accepted=accepted, duplicate=duplicate)
        return answer

    def subscribe(self, request: Request, _params: dict[str, str]) -> Answer:
        param = _param(request)
        if param is None:
            return self._answer("", None, self.error("bad_request"), False)
        given = str(param.get("number") or "").strip()
        company = str(param.get("company") or "").strip().lower()
        parameters = param.get("parameters") if isinstance(param.get("parameters"), dict) else {}
        number = j.normalize(given)
        auto = str(parameters.get("autoCom", "0")) == "1"
        refusal = self.refused_number(number) if number else "bad_request"
        if refusal == "bad_carrier" and not (auto or not company):
            refusal = "bad_request"  # a given company that does not have the number: 700
        if refusal is None and not parameters.get("callbackurl"):
            refusal = "bad_request"
        if refusal is None and not company:
            if not auto:
                refusal = "bad_request"
            else:
                company = next((c for prefix, c in COMPANIES if number.startswith(prefix)), "yuantong")
        phone = parameters.get("phone") or param.get("phone")
        if refusal is None and company == "shunfeng" and not phone:
            refusal = "bad_request"  # 顺丰 needs the sender's or recipient's phone
        if refusal:
            return self._answer(number, param.get("company") or None, self.error(refusal), False)
        earlier = self.subscriptions.setdefault(number, [])
        if earlier and not earlier[-1].ended:
            return self._answer(number, company, json_answer(200, template(DUPLICATE)), True, duplicate=True)
        shipment = Shipment(
            self.name, number, given, company, j.journey(self.name, number, len(earlier)), self.host.now()
        )
        shipment.extra.update(
            callbackurl=str(parameters["callbackurl"]),
            salt=str(parameters.get("salt") or ""),
            resultv2=str(parameters.get("resultv2") or "0"),
        )
        earlier.append(shipment)
        if shipment.journey:
            self.host.play(shipment)
        return self._answer(
            number, param.get("company") or None, json_answer(200, template(SUBSCRIBED)), True
        )

    def query(self, request: Request, _params: dict[str, str]) -> Answer:
        form = request.form()
        param_text = form.get("param", "")
        customer = self.host.api_key("kuaidi100_customer")
        expected = md5_sign(param_text + self.host.api_key(self.name) + customer)
        signed = hmac.compare_digest(form.get("sign", "").upper().encode(), expected.encode())
        if not customer or form.get("customer") != customer or not signed:
            return failure(*QUERY_ERRORS["bad_key"])
        try:
            param = json.loads(param_text)
            number = j.normalize(str(param["num"]))
        except (ValueError, KeyError, TypeError):
            return failure(*QUERY_ERRORS["bad_request"])
        refusal = self.refused_number(number)
        if refusal:
            return failure(*QUERY_ERRORS[refusal])
        subscriptions = self.subscriptions.get(number) or []
        shipment = subscriptions[-1] if subscriptions else None
        if shipment is None or not shipment.checkpoints(STAGES):
            return failure(*QUERY_ERRORS["no_result"])
        result = template(QUERY)
        result.update(self._last_result(shipment, str(param.get("resultv2") or "0")))
        return json_answer(200, result)

    # -- objects ----------------------------------------------------------------------------
    def _data(self, shipment: Shipment, resultv2: str) -> list[dict[str, Any]]:
        data = []
        for played in reversed(shipment.checkpoints(STAGES)):  # newest first
            context, name, code, _, (area_code, area_name, center, pinyin) = STAGES[played.stage]
            moment = china_time(played.at)
            item: dict[str, Any] = {"context": context, "time": moment, "ftime": moment}
            if resultv2 in ("1", "4"):
                item.update(status=name, areaCode=area_code, areaName=area_name)
            if resultv2 == "4":
                item.update(statusCode=code, location=area_name, areaCenter=center, areaPinYin=pinyin)
            data.append(item)
        return data

    def _last_result(self, shipment: Shipment, resultv2: str) -> dict[str, Any]:
        scans = shipment.checkpoints(STAGES)
        state = STAGES[scans[-1].stage][3] if scans else "0"
        return {
            "message": "ok",
            "state": state,
            "status": "200",
            "condition": "F00",
            "ischeck": "1" if scans and scans[-1].stage in SIGNED else "0",
            "com": shipment.carrier,
            "nu": shipment.given,
            "data": self._data(shipment, resultv2),
        }

    def push_param(self, shipment: Shipment) -> dict[str, Any]:
        stage = shipment.stage
        if stage == j.ABORT_NO_RECORD:
            param = template(ABORT)
            param["lastResult"].update(nu=shipment.given, com=shipment.carrier)
            return param
        param = template(PUSH)
        param.update(
            status="abort" if stage in ABORT_MESSAGES else "shutdown" if stage in SHUTDOWN else "polling",
            billstatus="got",
            message=ABORT_MESSAGES.get(stage or "", ""),
        )
        param["lastResult"] = self._last_result(shipment, shipment.extra["resultv2"])
        return param

    def build_push(self, shipment: Shipment) -> Push:
        param = self.push_param(shipment)
        if param["status"] != "polling":
            shipment.ended = True  # shutdown or abort: a new subscription of the number is accepted
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        fields = [("param", text)]
        if shipment.extra["salt"]:
            fields.append(("sign", md5_sign(text + shipment.extra["salt"])))
        body = urlencode(fields).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status = f"{param['status']}/{param['lastResult']['state']}"
        return Push(shipment.extra["callbackurl"], body, headers, status, param["status"], acknowledged)


def acknowledged(status: int, body: bytes) -> bool:
    """Kuaidi100 counts a push as received only when answered `{"result": true, ...}`."""
    if not 200 <= status < 300:
        return False
    try:
        return json.loads(body).get("result") is True
    except (ValueError, AttributeError):
        return False
