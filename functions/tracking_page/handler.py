"""`GET /track/{token}`: the customer's tracking page (tracking_page.page), no API key."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.aws_clients import aws_client
from shared.link_keys import link_keys
from shared.observability import logger, metrics
from tracking_page.dynamo_read_model import DynamoTrackingReadModel
from tracking_page.page import serve_tracking_page
from tracking_page.read_model import TrackingReadModel
from tracking_page.settings import TrackingPageSettings


@cache
def dependencies() -> tuple[Callable[[], Iterable[str]], TrackingReadModel]:
    settings = TrackingPageSettings()  # type: ignore[call-arg]
    read_model = DynamoTrackingReadModel(settings.orders_table_name, aws_client("dynamodb"))
    return (lambda: link_keys(settings.link_signing_secret_arn).accepted), read_model


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve_tracking_page(event, *dependencies())
