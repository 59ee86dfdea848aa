"""AWS faults injected where AWS produces them: a WSGI middleware in the local moto server process.

``python -m infra.local.moto_server`` wraps moto in :class:`AwsFaults`. It reads the AWS entries of
a fault spec (:mod:`infra.local.faults`: ``<service>.<Operation>=throttle|limit|5xx:<rate>``) and,
for each request they name, draws whether the fault happens. A drawn fault answers the request with
the error AWS returns (:mod:`infra.local.aws_errors`) in the service's wire protocol, without
passing it to moto, so nothing changes: botocore parses it into the same ``ClientError`` code and
retries it as it would on AWS. A ``lost`` fault is the other way round: moto takes the request and
the connection closes before its answer. The answer carries ``x-ordertrack-fault: <service>.<Operation>=<kind>``
(the local Lambda worker logs it) and is counted.

Settings (environment of the moto server process):

* ``ORDERTRACK_LOCAL_FAULTS``: the spec at start (default: none);
* ``ORDERTRACK_LOCAL_FAULTS_SEED``: an integer seed, so a run draws the same faults again.

At run time, ``GET /_ordertrack/faults`` answers ``{"faults": spec, "seed": seed, "injected":
{"<target>=<kind>": n}}``; ``POST /_ordertrack/faults`` with ``{"faults": "<spec>"}`` (and
optionally ``"seed": n``) replaces the spec, ``""`` switching every fault off; a malformed spec is
``400 {"message": ...}`` and changes nothing.

Never faulted: the local endpoints (``/_ordertrack/*``), moto's own (``/moto-api/*``), requests
without a SigV4 signature (moto's internal calls) and requests whose user agent carries
``ordertrack-local-runtime``: the local runtime's own clients (provisioning, event source pollers,
on-failure destinations), which stand for the AWS services themselves, not for our code.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs

from infra.local.aws_errors import Request, error_for, render
from infra.local.faults import LOST, FaultDraw, FaultSpecError, parse

FAULTS_PATH = "/_ordertrack/faults"
FAULT_HEADER = "x-ordertrack-fault"
FAULTS_ENV = "ORDERTRACK_LOCAL_FAULTS"
SEED_ENV = "ORDERTRACK_LOCAL_FAULTS_SEED"
RUNTIME_USER_AGENT = "ordertrack-local-runtime"
"""In the user agent of the local runtime's own boto3 clients (``user_agent_extra``): never faulted."""
REST_MODELS = {"ses": ("sesv2",), "lambda": ("lambda",), "scheduler": ("scheduler",)}
"""Signing name -> the botocore models of its REST APIs, whose operations are found by path."""

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_UNFAULTED_PREFIXES = ("/_ordertrack/", "/moto-api")

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def parse_seed(text: str | None) -> int | None:
    if text is None or not str(text).strip():
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        raise FaultSpecError(f"{SEED_ENV} must be an integer, not {text!r}") from None


class AwsFaults:
    """WSGI middleware: answers the requests a fault is drawn for with AWS's error."""

    def __init__(self, app: App, draw: FaultDraw | None = None) -> None:
        self.app = app
        self.draw = draw or FaultDraw()

    @classmethod
    def from_environment(cls, app: App, environ: Mapping[str, str] = os.environ) -> AwsFaults:
        """Spec and seed from ``ORDERTRACK_LOCAL_FAULTS`` / ``..._SEED`` (``FaultSpecError`` if malformed)."""
        return cls(app, FaultDraw(parse(environ.get(FAULTS_ENV)), seed=parse_seed(environ.get(SEED_ENV))))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == FAULTS_PATH:
            return self._control(environ, start_response)
        faults = self.draw.spec.aws()
        if not faults or path.startswith(_UNFAULTED_PREFIXES):
            return self.app(environ, start_response)
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is None or RUNTIME_USER_AGENT in environ.get("HTTP_USER_AGENT", ""):
            return self.app(environ, start_response)
        region, service = scope.groups()
        if not any(fault.service == service for fault in faults):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = describe(environ, service, region, body)
        fault = self.draw.draw(self.draw.spec.for_request(service, request.operation))
        if fault is None:
            return self.app(environ, start_response)
        if fault.kind == LOST:
            return self._answer_lost(environ, start_response)
        answer = render(request, error_for(request, fault.kind))
        start_response(
            answer.status_line,
            [*answer.headers, (FAULT_HEADER, f"{service}.{request.operation}={fault.kind}")],
        )
        return [answer.body]

    def _answer_lost(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """moto takes the request (it takes effect: an email is accepted, an item written), then the
        connection is closed before the answer: the client reads nothing and botocore raises
        ``ConnectionClosedError``, as when AWS's answer is lost on the way back."""
        answered = self.app(environ, lambda *_: lambda _data: None)
        try:
            for _ in answered:
                pass
        finally:
            close = getattr(answered, "close", None)
            if close is not None:
                close()
        connection = environ.get("werkzeug.socket")
        if connection is not None:
            with contextlib.suppress(OSError):  # already gone
                connection.shutdown(socket.SHUT_RDWR)
        # the server's write of these headers finds the connection gone and drops it quietly
        start_response("500 Internal Server Error", [("Content-Length", "0")])
        return []

    def state(self) -> dict[str, Any]:
        return {"faults": str(self.draw.spec), "seed": self.draw.seed, "injected": self.draw.counts()}

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            try:
                request = json.loads(raw or b"{}")
                if not isinstance(request, dict) or not isinstance(request.get("faults", ""), str):
                    raise FaultSpecError('expected {"faults": "<spec>"} with the spec as a string')
                spec = parse(request.get("faults", ""))
                seed = parse_seed(request["seed"]) if request.get("seed") is not None else None
            except (ValueError, TypeError) as error:  # FaultSpecError and JSONDecodeError are ValueErrors
                return _json(start_response, 400, {"message": str(error)})
            self.draw.replace(spec)
            if "seed" in request:
                self.draw.reseed(seed)
        elif method != "GET":
            return _json(start_response, 405, {"message": "GET or POST"})
        return _json(start_response, 200, self.state())


def _json(start_response: Callable[..., Any], status: int, payload: Any) -> list[bytes]:
    body = json.dumps(payload).encode()
    phrase = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed"}[status]
    start_response(
        f"{status} {phrase}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def describe(environ: Mapping[str, Any], service: str, region: str, body: bytes) -> Request:
    """The operation and protocol of one signed AWS request: ``X-Amz-Target`` (JSON protocols),
    ``Action`` (query protocol) or, for REST APIs, the method and path matched against botocore's
    model of the service (:data:`REST_MODELS`)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return Request(
            service,
            target.rsplit(".", 1)[-1],
            "json",
            region,
            content_type=environ.get("CONTENT_TYPE") or "application/x-amz-json-1.0",
            body=_json_body(body),
        )
    form = parse_qs(environ.get("QUERY_STRING", ""))
    if str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        form.update(parse_qs(body.decode(errors="replace")))
    if "Action" in form:
        version = (form.get("Version") or [""])[0]
        return Request(service, form["Action"][0], "query", region, api_version=version)
    method, path = str(environ.get("REQUEST_METHOD", "GET")), str(environ.get("PATH_INFO", "/"))
    for route_method, pattern, model, operation in _rest_routes(service):
        if route_method == method and pattern.fullmatch(path):
            return Request(service, operation, "rest-json", region, rest_service=model, body=_json_body(body))
    return Request(service, method, "rest-json", region, body=_json_body(body))


def rest_operation(service: str, method: str, path: str) -> str | None:
    """The operation of a REST request signed as `service` (`ses` POST `/v2/email/outbound-emails`
    -> `SendEmail`), or None when no REST model of the service has that route."""
    for route_method, pattern, _model, operation in _rest_routes(service):
        if route_method == method and pattern.fullmatch(path):
            return operation
    return None


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@functools.cache
def _rest_routes(service: str) -> tuple[tuple[str, re.Pattern[str], str, str], ...]:
    """(method, path pattern, model, operation) of the REST APIs signed as ``service``, the most
    specific path (most literal characters) first."""
    if service not in REST_MODELS:
        return ()
    import botocore.session

    session = botocore.session.get_session()
    routes: list[tuple[int, str, re.Pattern[str], str, str]] = []
    for model_name in REST_MODELS[service]:
        model = session.get_service_model(model_name)
        for name in model.operation_names:
            http = model.operation_model(name).http
            uri = str(http.get("requestUri", "/")).split("?", 1)[0]
            parts = re.split(r"(\{[^}]+\})", uri)
            regex = "".join(
                ("[^/]+" if not part.endswith("+}") else ".+") if part.startswith("{") else re.escape(part)
                for part in parts
            )
            literal = sum(len(part) for part in parts if not part.startswith("{"))
            routes.append((literal, str(http.get("method", "POST")), re.compile(regex), model_name, name))
    routes.sort(key=lambda route: -route[0])
    return tuple(route[1:] for route in routes)
