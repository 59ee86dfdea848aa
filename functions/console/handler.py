"""The operations console's pages (console.routes), behind a Cognito session."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from console import dependencies
from shared.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from console.routes import serve  # first request: Jinja2 and the pages load with it

    return serve(event, dependencies.console_services())
