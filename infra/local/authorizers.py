"""HTTP API Lambda REQUEST authorizers (``AWS::ApiGatewayV2::Authorizer``), run before a route's
integration as API Gateway runs them.

* Every identity source (``$request.header.NAME``, ``$request.querystring.NAME``) must be present
  and not empty, or the request is answered ``401 {"message":"Unauthorized"}`` without invoking the
  authorizer.
* The authorizer gets the payload format 2.0 authorizer event (the request without its body, plus
  ``type``, ``routeArn`` and ``identitySource``). With simple responses it answers
  ``{"isAuthorized": bool, "context": {...}}``: ``false`` is ``403 {"message":"Forbidden"}``; ``true``
  passes the request on with ``requestContext.authorizer.lambda`` set to the context. A function
  error or any other answer is ``500 {"message":"Internal Server Error"}``.
* With ``AuthorizerResultTtlInSeconds`` above 0 the answer (either way) is cached per identity
  source values for that long, and the authorizer is not invoked again meanwhile.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infra.local.functions import FunctionRuntime
from infra.local.template import ACCOUNT_ID, REGION, TemplateError

UNAUTHORIZED = (401, {"message": "Unauthorized"})
FORBIDDEN = (403, {"message": "Forbidden"})
AUTHORIZER_FAILED = (500, {"message": "Internal Server Error"})
_SOURCES = ("$request.header.", "$request.querystring.")


@dataclass(frozen=True)
class Refusal:
    status: int
    body: dict[str, str]


class LambdaAuthorizer:
    def __init__(
        self,
        name: str,
        function: FunctionRuntime,
        identity_sources: Sequence[str],
        ttl_seconds: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        unsupported = [source for source in identity_sources if not source.startswith(_SOURCES)]
        if unsupported:
            raise TemplateError(
                f"authorizer {name}: identity sources {unsupported} are not supported locally"
            )
        self.name = name
        self.function = function
        self.identity_sources = tuple(identity_sources)
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._cache: dict[tuple[str, ...], tuple[float, bool, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_properties(
        cls,
        name: str,
        properties: Mapping[str, Any],
        function: FunctionRuntime,
        clock: Callable[[], float] = time.monotonic,
    ) -> LambdaAuthorizer:
        if str(properties.get("AuthorizerType")) != "REQUEST":
            raise TemplateError(f"authorizer {name}: only Lambda REQUEST authorizers are supported locally")
        if str(properties.get("AuthorizerPayloadFormatVersion")) != "2.0" or properties.get(
            "EnableSimpleResponses"
        ) not in (True, "true"):
            raise TemplateError(f"authorizer {name}: only payload 2.0 with simple responses is supported")
        return cls(
            name,
            function,
            [str(source) for source in properties.get("IdentitySource") or []],
            int(properties.get("AuthorizerResultTtlInSeconds", 300)),
            clock,
        )

    def authorize(self, event: dict[str, Any]) -> Refusal | None:
        """``None``: the request goes on (``event`` now carries the authorizer's context)."""
        values = self._identity(event)
        if values is None:
            return Refusal(*UNAUTHORIZED)
        cached = self._cached(values)
        if cached is None:
            result = self.function.invoke(self._authorizer_event(event, values), trigger="authorizer")
            answer = result.payload if result.ok else None
            if not (isinstance(answer, dict) and isinstance(answer.get("isAuthorized"), bool)):
                return Refusal(*AUTHORIZER_FAILED)
            context = answer.get("context") or {}
            cached = (bool(answer["isAuthorized"]), dict(context) if isinstance(context, dict) else {})
            if self.ttl_seconds > 0 and self.identity_sources:
                with self._lock:
                    self._cache[values] = (self._clock() + self.ttl_seconds, *cached)
        authorized, context = cached
        if not authorized:
            return Refusal(*FORBIDDEN)
        event["requestContext"]["authorizer"] = {"lambda": context}
        return None

    def _cached(self, values: tuple[str, ...]) -> tuple[bool, dict[str, Any]] | None:
        with self._lock:
            entry = self._cache.get(values)
            if entry is None:
                return None
            expires, authorized, context = entry
            if self._clock() >= expires:
                del self._cache[values]
                return None
            return authorized, context

    def _identity(self, event: Mapping[str, Any]) -> tuple[str, ...] | None:
        headers = event.get("headers") or {}
        query = event.get("queryStringParameters") or {}
        values = []
        for source in self.identity_sources:
            if source.startswith("$request.header."):
                value = headers.get(source.removeprefix("$request.header.").lower())
            else:
                value = query.get(source.removeprefix("$request.querystring."))
            if not value:
                return None
            values.append(str(value))
        return tuple(values)

    @staticmethod
    def _authorizer_event(event: Mapping[str, Any], values: tuple[str, ...]) -> dict[str, Any]:
        context = event["requestContext"]
        method, path = context["http"]["method"], context["http"]["path"]
        authorizer_event = {
            key: copy.deepcopy(value)
            for key, value in event.items()
            if key not in ("body", "isBase64Encoded")
        }
        authorizer_event.update(
            type="REQUEST",
            routeArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{context['apiId']}/{context['stage']}/{method}{path}",
            identitySource=list(values),
        )
        return authorizer_event
