"""The HTTP edge shared by API functions: one resolver factory, the one place where domain
errors become HTTP responses, storefront authentication and the request size limit.

Authentication and the size limit run *before* routing and validation (as Lambda handler
decorators), so an unauthenticated or oversized request is refused without touching anything.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.middleware_factory import lambda_handler_decorator
from aws_lambda_powertools.shared.json_encoder import Encoder

from shared.api_keys import API_KEY_HEADER, is_accepted_key
from shared.errors import (
    DomainError,
    MalformedJson,
    PayloadTooLarge,
    RetryableError,
    Unauthorized,
    UnknownParameter,
    UnsupportedMediaType,
)
from shared.media_types import parse_media_type
from shared.observability import logger

MAX_BODY_BYTES = 256 * 1024
JSON = "application/json"


def _serialize(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, cls=Encoder)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    return Response(
        status_code=status,
        content_type=JSON,
        body=_serialize(error_body(code, message, details)),
    )


def _domain_error_response(error: DomainError) -> Response:
    return error_response(error.http_status, error.code, error.message, error.details)


RETRY_AFTER_SECONDS = 1


def _unavailable_response(error: Exception) -> Response:
    """A transaction cancelled by a conflict or throttling (`RetryableError`), or throttling left
    once botocore's retries are spent: nothing was written (a transaction is all or nothing; a
    throttled request is not applied), so the caller may retry: a 503 in the envelope with
    `Retry-After`, never Lambda's bare 500."""
    from shared.observability import logger
    from shared.transient import error_code, is_transient

    if not isinstance(error, RetryableError) and not is_transient(error):
        raise error
    logger.warning("temporarily unavailable", reason=error_code(error))
    response = error_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "A dependency is busy; nothing was changed. Retry after the Retry-After header's seconds.",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _field_path(location: Iterable[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        source, rest = parts[0], parts[1:]
        return ".".join(rest) if source == "body" and rest else ".".join([source, *rest])
    return ".".join(parts)


def _validation_error_response(error: RequestValidationError) -> Response:
    problems = list(error.errors())
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", "The request body is not valid JSON.")
    details = [
        {
            "field": _field_path(problem.get("loc", ())),
            "issue": problem.get("msg", "invalid value"),
            "type": problem.get("type", "value_error"),
        }
        for problem in problems
    ]
    fields = ", ".join(sorted({detail["field"] for detail in details}))
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed", f"Invalid request: {fields}.", details
    )


def _refuse_unknown_query_parameters(app: APIGatewayHttpResolver, next_middleware: Callable[..., Any]) -> Any:
    """A query parameter the route does not declare is a 400 naming it, never silently ignored
    (a misspelt filter would otherwise return everything)."""
    route = app.context.get("_route")
    event = app.current_event
    if route is not None and event.http_method.upper() not in app.methods_of(event.path):  # type: ignore[attr-defined]
        route = None  # no documented route matched (the not-found handler answers 404 or 405)
    if route is not None and route.include_in_schema:
        declared = {parameter.alias for parameter in route.dependant.query_params}
        unknown = sorted(set(app.current_event.query_string_parameters or {}) - declared)
        if unknown:
            raise UnknownParameter(
                f"Unknown query parameter: {', '.join(unknown)}.",
                details=[
                    {"field": f"query.{name}", "issue": "not a parameter of this route"} for name in unknown
                ],
            )
    return next_middleware(app)


def route_methods(paths: Mapping[str, Iterable[str]]) -> Callable[[str], list[str]]:
    """A lookup: the methods listed for the path template a path matches (none: no such route).
    The templates are compiled once, not on every request."""
    table = [
        (
            re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))),
            sorted(method.upper() for method in methods if method.lower() in _HTTP_METHODS),
        )
        for template, methods in paths.items()
    ]

    def methods_of(path: str) -> list[str]:
        return next((methods for pattern, methods in table if pattern.fullmatch(path)), [])

    return methods_of


_HTTP_METHODS = frozenset({"get", "put", "post", "patch", "delete", "head", "options"})


def documented_paths(app: APIGatewayHttpResolver) -> dict[str, set[str]]:
    """The methods of each path the resolver documents (its routes with `include_in_schema`),
    read from the route table: the same paths as the generated document, without generating it."""
    paths: dict[str, set[str]] = {}
    for route in app._static_routes + app._dynamic_routes:  # Powertools keeps no public list
        if route.include_in_schema:
            paths.setdefault(route.openapi_path, set()).add(route.method)
    return paths


def _swagger_page(spec: dict[str, Any]) -> str:
    """Powertools' Swagger UI page for a document, with its bundled script and style inlined."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    assets = Path(swagger_ui.__file__).parent
    return swagger_ui.generate_swagger_html(
        json.dumps(spec, ensure_ascii=False).replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        swagger_base_url="",
        oauth2_config=None,
    )


def build_resolver(
    title: str,
    version: str,
    description: str,
    complete_document: Callable[[dict[str, Any]], dict[str, Any]] = lambda document: document,
    paths_served_elsewhere: Mapping[str, Mapping[str, Any]] | None = None,
) -> APIGatewayHttpResolver:
    """An HTTP API (payload 2.0) resolver with request validation from the pydantic models, the
    OpenAPI document at `/openapi.json` (generated, then passed through `complete_document` once per
    container), Swagger UI of the same document at `/docs`, and the error mapping.

    The document is generated on the first request for it, never at import or for other routes:
    Powertools' OpenAPI models and the JSON schemas of every route are what a cold start would
    otherwise pay for. `paths_served_elsewhere` (the paths `complete_document` adds, keyed like an
    OpenAPI `paths` object) count as routes for `methods_of` (405 instead of 404, body checks)."""
    app = APIGatewayHttpResolver(enable_validation=True, serializer=_serialize)
    app.exception_handler(DomainError)(_domain_error_response)
    app.exception_handler(RequestValidationError)(_validation_error_response)
    app.exception_handler(Exception)(_unavailable_response)  # re-raises all but the transient
    app.use(middlewares=[_refuse_unknown_query_parameters])

    document: list[dict[str, Any]] = []
    lookup: list[Callable[[str], list[str]]] = []

    def contract() -> dict[str, Any]:
        if not document:
            from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

            app.configure_openapi(
                title=title,
                version=version,
                description=description,
                security_schemes={"storefrontKey": APIKey(name=API_KEY_HEADER, in_=APIKeyIn.header)},
                security=[{"storefrontKey": []}],
            )
            document.append(complete_document(json.loads(app.get_openapi_json_schema())))
        return document[0]

    def methods_of(path: str) -> list[str]:
        if not lookup:
            paths = documented_paths(app)
            for template, operations in (paths_served_elsewhere or {}).items():
                paths.setdefault(template, set()).update(operations)
            lookup.append(route_methods(paths))
        return lookup[0](path)

    app.methods_of = methods_of  # type: ignore[attr-defined]  # for storefront_guard and the middleware

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document():
        return Response(status_code=200, content_type=JSON, body=_serialize(contract()))

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        return Response(status_code=200, content_type="text/html", body=_swagger_page(contract()))

    @app.not_found
    def route_not_found(_: Exception) -> Response:
        allowed = methods_of(app.current_event.path)
        if allowed:
            response = error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                f"This route answers {', '.join(allowed)} only.",
                details={"allowed": allowed},
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(HTTPStatus.NOT_FOUND, "route_not_found", "No such route.")

    return app


def _as_http_response(error: DomainError) -> dict[str, Any]:
    return {
        "statusCode": error.http_status,
        "headers": {"Content-Type": JSON},
        "body": _serialize(error_body(error.code, error.message, error.details)),
        "isBase64Encoded": False,
    }


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return value
    return None


def check_api_key(presented: str | None, accepted: Iterable[str]) -> None:
    """Constant-time comparison of the presented key against every accepted key."""
    if not presented:
        raise Unauthorized("Missing API key: send it in the x-api-key header.")
    if not is_accepted_key(presented, accepted):
        raise Unauthorized("Invalid API key.")


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _method(event: dict[str, Any]) -> str:
    return str(((event.get("requestContext") or {}).get("http") or {}).get("method", "")).upper()


def _json_media_type(content_type: str | None) -> bool:
    """`application/json`, with no parameter or `charset=utf-8` (any case, any spacing)."""
    media, parameters = parse_media_type(content_type)
    return media == JSON and all(name == "charset" and value == "utf-8" for name, value in parameters)


def check_json_body(event: dict[str, Any]) -> dict[str, Any]:
    """A write's body must be UTF-8 JSON, declared `application/json` (415 otherwise). A body API
    Gateway passed base64-encoded is decoded here, so what the routes see is always text: bytes that
    are not UTF-8 are a 400 `malformed_json` instead of a crash deep in the resolver."""
    body = event.get("body")
    if not body or _method(event) not in BODY_METHODS:
        return event
    if not _json_media_type(_header(event, "content-type")):
        raise UnsupportedMediaType(
            "Send the body as application/json (UTF-8).",
            details={"content_type": (_header(event, "content-type") or "")[:100]},
        )
    if not event.get("isBase64Encoded"):
        return event
    try:
        text = base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise MalformedJson("The request body is not valid UTF-8 JSON.") from None
    return {**event, "body": text, "isBase64Encoded": False}


def check_body_size(event: dict[str, Any]) -> None:
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
    if size > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"The request body is {size} bytes; the limit is {MAX_BODY_BYTES} bytes.",
            details={"limit_bytes": MAX_BODY_BYTES, "size_bytes": size},
        )


def storefront_guard(
    accepted_keys: Callable[[], Iterable[str]],
    public_paths: frozenset[str],
    methods_of: Callable[[str], list[str]] = lambda path: list(BODY_METHODS),
) -> Callable[..., Any]:
    """Handler decorator: 401 without a valid `x-api-key`, 413 above the body limit, 415 for a body
    that is not JSON and 400 for one that is not UTF-8, all before any routing or validation, so a
    refused request changes nothing."""

    @lambda_handler_decorator
    def guard(handler: Callable[..., Any], event: dict[str, Any], context: Any) -> Any:
        path = event.get("rawPath") or event.get("path") or ""
        try:
            if path not in public_paths:
                check_api_key(_header(event, API_KEY_HEADER), accepted_keys())
            check_body_size(event)
            if _method(event) in methods_of(path):  # otherwise the resolver answers 404 or 405
                event = check_json_body(event)
        except DomainError as error:
            logger.warning("request refused at the edge", code=error.code, path=path)
            return _as_http_response(error)
        return handler(event, context)

    return guard
