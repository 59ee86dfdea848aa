"""The pages behind the customer's signed links (tracking_page.page), no API key."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import logger, metrics
from tracking_page import dependencies
from tracking_page.routes import serve


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(event, dependencies.page_services())
