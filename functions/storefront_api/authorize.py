"""The storefront API key authorizer: an HTTP API Lambda REQUEST authorizer (payload 2.0, simple
responses) in front of every storefront route.

API Gateway calls it only for a request that carries an `x-api-key` (a request without one is
answered 401 without calling it) and caches its answer per key, so a refused call costs neither
the storefront function nor, within the cache time, this one. It answers `{"isAuthorized": true}`
when the key is the storefront key (or the previous one during a rotation), and
`{"isAuthorized": false}` otherwise, which API Gateway turns into a 403.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerEventV2,
    APIGatewayAuthorizerResponseV2,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.api_keys import API_KEY_HEADER, is_accepted_key
from shared.observability import logger
from storefront_api import authorizer_dependencies as dependencies


def authorize(presented: str | None, accepted: list[str]) -> APIGatewayAuthorizerResponseV2:
    authorized = is_accepted_key(presented, accepted)
    if not authorized:
        logger.warning("storefront API key refused")  # never the key itself
    return APIGatewayAuthorizerResponseV2(authorize=authorized)


@logger.inject_lambda_context(clear_state=True)
@event_source(data_class=APIGatewayAuthorizerEventV2)
def handler(event: APIGatewayAuthorizerEventV2, context: LambdaContext) -> dict[str, Any]:
    return authorize(event.headers.get(API_KEY_HEADER), dependencies.accepted_api_keys()).asdict()
