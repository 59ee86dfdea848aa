"""The HTTP API, served locally from the template's ``AWS::ApiGatewayV2`` routes.

Route selection follows API Gateway HTTP APIs: the most specific route wins (literal path
segments over ``{param}`` over greedy ``{proxy+}``, an exact method over ``ANY``), ``$default``
catches the rest, and no match is ``404 {"message":"Not Found"}``. Requests are turned into
payload format 2.0 events and responses translated back per the 2.0 rules: a result with a
``statusCode`` is used as is (``headers``, ``multiValueHeaders``, ``cookies``, ``body``,
``isBase64Encoded``); any other result is a 200 ``application/json`` response whose body is the
result as JSON. A function error is ``500 {"message":"Internal Server Error"}``, a body above
10 MB is ``413``. With a ``CorsConfiguration`` on the API, preflight requests are answered and
CORS headers added as API Gateway does. Before the integration, a matched route passes the stage's
throttle (``infra.local.throttling``, when enabled) and then its authorizer, if it has one
(``infra.local.authorizers``).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote

from infra.local.authorizers import LambdaAuthorizer
from infra.local.functions import FunctionRuntime
from infra.local.http_server import LocalHTTPServer
from infra.local.template import ACCOUNT_ID
from infra.local.throttling import TOO_MANY_REQUESTS, StageThrottle

MAX_BODY_BYTES = 10 * 1024 * 1024
_LOG = logging.getLogger("ordertrack.local")
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "+json", "+xml")
_TEXT_TYPES_EXTRA = ("application/x-www-form-urlencoded", "application/graphql", "application/yaml")


@dataclass(frozen=True)
class Route:
    route_key: str
    function: FunctionRuntime
    method: str = ""
    segments: tuple[str, ...] = ()
    authorizer: LambdaAuthorizer | None = None

    @classmethod
    def parse(
        cls, route_key: str, function: FunctionRuntime, authorizer: LambdaAuthorizer | None = None
    ) -> Route:
        if route_key == "$default":
            return cls(route_key, function, authorizer=authorizer)
        method, _, path = route_key.partition(" ")
        segments = tuple(path.strip("/").split("/")) if path != "/" else ()
        return cls(route_key, function, method.upper(), segments, authorizer)

    @property
    def is_default(self) -> bool:
        return self.route_key == "$default"

    def match(self, method: str, segments: Sequence[str]) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        parameters: dict[str, str] = {}
        for index, template in enumerate(self.segments):
            if template.startswith("{") and template.endswith("+}"):
                rest = segments[index:]
                if not rest:
                    return None
                parameters[template[1:-2]] = unquote("/".join(rest))
                return parameters
            if index >= len(segments):
                return None
            if template.startswith("{") and template.endswith("}"):
                if not segments[index]:
                    return None
                parameters[template[1:-1]] = unquote(segments[index])
            elif template != segments[index]:
                return None
        return parameters if len(segments) == len(self.segments) else None

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Sort key, lower is more specific."""
        greedy = any(segment.endswith("+}") for segment in self.segments)
        literals = sum(1 for segment in self.segments if not segment.startswith("{"))
        return (1 if greedy else 0, -literals, 1 if self.method == "ANY" else 0)


@dataclass
class RouteTable:
    routes: list[Route] = field(default_factory=list)

    def add(self, route: Route) -> None:
        self.routes.append(route)

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        segments = path.strip("/").split("/") if path.strip("/") else []
        matches = [
            (route, parameters)
            for route in self.routes
            if not route.is_default and (parameters := route.match(method, segments)) is not None
        ]
        if matches:
            return min(matches, key=lambda match: match[0].specificity)
        default = next((route for route in self.routes if route.is_default), None)
        return (default, {}) if default is not None else None


@dataclass
class HttpRequest:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"


def is_text(content_type: str) -> bool:
    lowered = content_type.lower()
    return any(marker in lowered for marker in _TEXT_TYPES + _TEXT_TYPES_EXTRA)


def build_event(
    request: HttpRequest, route: Route, path_parameters: Mapping[str, str], api_id: str, domain_name: str
) -> dict[str, Any]:
    """An HTTP API payload format 2.0 event."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", domain_name.rpartition(":")[2] or "80")
    now = time.time()
    request_id = base64.b32encode(uuid.uuid4().bytes).decode().rstrip("=")[:16]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": api_id,
            "domainName": domain_name,
            "domainPrefix": domain_name.split(".")[0].split(":")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if request.query:
        parameters: dict[str, str] = {}
        for name, value in parse_qsl(request.query, keep_blank_values=True):
            parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
        event["queryStringParameters"] = parameters
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if request.body:
        text = None
        if is_text(headers.get("content-type", "")) or "content-type" not in headers:
            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        if text is not None:
            event["body"] = text
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def json_response(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def translate_result(payload: Any) -> HttpResponse:
    """A Lambda result to an HTTP response, by the payload format 2.0 rules."""
    if not (isinstance(payload, dict) and "statusCode" in payload):
        return json_response(200, payload)
    headers: list[tuple[str, str]] = []
    single = {str(name): str(value) for name, value in (payload.get("headers") or {}).items()}
    headers.extend(single.items())
    for name, values in (payload.get("multiValueHeaders") or {}).items():
        if name in single:
            continue
        headers.extend((str(name), str(value)) for value in values or [])
    headers.extend(("Set-Cookie", str(cookie)) for cookie in payload.get("cookies") or [])
    body = payload.get("body")
    if body is None:
        raw = b""
    elif payload.get("isBase64Encoded"):
        raw = base64.b64decode(body)
    else:
        raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    return HttpResponse(int(payload["statusCode"]), headers, raw)


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    allow_credentials: bool = False
    max_age: int | None = None

    @classmethod
    def from_configuration(cls, configuration: Mapping[str, Any] | None) -> Cors | None:
        if not configuration:
            return None
        return cls(
            tuple(configuration.get("AllowOrigins") or ()),
            tuple(method.upper() for method in configuration.get("AllowMethods") or ()),
            tuple(header.lower() for header in configuration.get("AllowHeaders") or ()),
            tuple(configuration.get("ExposeHeaders") or ()),
            bool(configuration.get("AllowCredentials", False)),
            configuration.get("MaxAge"),
        )

    def allowed_origin(self, origin: str | None) -> str | None:
        if origin is None:
            return None
        if "*" in self.allow_origins:
            return "*" if not self.allow_credentials else origin
        return origin if origin in self.allow_origins else None

    def preflight(self, origin: str, requested_method: str, requested_headers: str) -> HttpResponse:
        allowed = self.allowed_origin(origin)
        if allowed is None or not (
            "*" in self.allow_methods or requested_method.upper() in self.allow_methods
        ):
            return HttpResponse(204, [], b"")
        headers = [
            ("Access-Control-Allow-Origin", allowed),
            ("Access-Control-Allow-Methods", ",".join(self.allow_methods)),
        ]
        if requested_headers:
            headers.append(
                ("Access-Control-Allow-Headers", ",".join(self.allow_headers) or requested_headers)
            )
        if self.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(self.max_age)))
        return HttpResponse(204, headers, b"")

    def decorate(self, origin: str | None, response: HttpResponse) -> None:
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return
        response.headers.append(("Access-Control-Allow-Origin", allowed))
        if self.expose_headers:
            response.headers.append(("Access-Control-Expose-Headers", ",".join(self.expose_headers)))
        if self.allow_credentials:
            response.headers.append(("Access-Control-Allow-Credentials", "true"))


LocalRoute = Callable[[str, str, bytes], HttpResponse | None]


class HttpApi:
    """Dispatches requests: local-only routes first, then the template's routes."""

    def __init__(
        self,
        routes: RouteTable,
        api_id: str,
        cors: Cors | None,
        local_routes: LocalRoute,
        throttle: StageThrottle | None = None,
    ) -> None:
        self.routes = routes
        self.api_id = api_id
        self.cors = cors
        self.local_routes = local_routes
        self.throttle = throttle

    def handle(self, request: HttpRequest, domain_name: str) -> HttpResponse:
        local = self.local_routes(request.method, request.path, request.body)
        if local is not None:
            return local
        header_map = {name.lower(): value for name, value in request.headers}
        origin = header_map.get("origin")
        if (
            self.cors is not None
            and request.method == "OPTIONS"
            and origin
            and "access-control-request-method" in header_map
        ):
            return self.cors.preflight(
                origin,
                header_map["access-control-request-method"],
                header_map.get("access-control-request-headers", ""),
            )
        found = self.routes.find(request.method, request.path)
        if found is None:
            response = json_response(404, {"message": "Not Found"})
        else:
            route, parameters = found
            event = build_event(request, route, parameters, self.api_id, domain_name)
            response = self._refusal(route, event) or self._integrate(route, event)
            response.headers.append(("Apigw-Requestid", event["requestContext"]["requestId"]))
        if self.cors is not None:
            self.cors.decorate(origin, response)
        return response

    def _refusal(self, route: Route, event: dict[str, Any]) -> HttpResponse | None:
        """API Gateway's own answer before the integration: throttled (429), then refused by the
        route's authorizer (401, 403, or 500 when the authorizer fails)."""
        if self.throttle is not None and not self.throttle.allow(route.route_key):
            return json_response(429, TOO_MANY_REQUESTS)
        if route.authorizer is not None:
            refusal = route.authorizer.authorize(event)
            if refusal is not None:
                return json_response(refusal.status, refusal.body)
        return None

    @staticmethod
    def _integrate(route: Route, event: dict[str, Any]) -> HttpResponse:
        result = route.function.invoke(event, trigger="http")
        if not result.ok:
            return json_response(500, {"message": "Internal Server Error"})
        try:
            return translate_result(result.payload)
        except (TypeError, ValueError, KeyError):
            return json_response(500, {"message": "Internal Server Error"})


class _Server(LocalHTTPServer):
    """A client that disconnects mid-response is one log line, not a traceback (``LocalHTTPServer``)."""

    server_name_for_log = "api"
    # socketserver's default listen backlog is 5: a burst of storefront clients would be reset
    # before a thread accepts them (API Gateway queues them instead); the kernel caps it at somaxconn
    request_queue_size = 1024
    api: HttpApi | None = None


class HttpApiServer:
    """A threaded HTTP server on 127.0.0.1 in a background thread.

    The port is bound at construction (so the URL is known while the template is resolved);
    requests are served once :meth:`start` is given the :class:`HttpApi`.
    """

    def __init__(self, port: int) -> None:
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, api: HttpApi) -> None:
        self.server.api = api
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server_version = "ordertrack-local"

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._send(json_response(413, {"message": "Request Entity Too Large"}))
            return
        request = HttpRequest(
            method=self.command,
            path=path or "/",
            query=query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        api = self.server.api  # type: ignore[attr-defined]
        self._send(api.handle(request, host))

    def _read_body(self) -> bytes | None:
        """The request body (``Content-Length`` or chunked), or ``None`` when above 10 MB."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        body = b"" if self.command == "HEAD" else response.body
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    # API Gateway hands every method to the routes (`$default` catches those none declares)
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def __getattr__(self, name: str) -> Any:
        # any other method (TRACE, QUERY, ...) goes to the routes too, as API Gateway hands it to
        # `$default`, instead of http.server's own 501 page
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Invocations are logged by the function runtime; access logs would double them."""
