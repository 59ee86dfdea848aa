"""The storefront HTTP API: one Lambda function behind API Gateway (HTTP API, payload 2.0)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from customers.handlers.api_routes import router as customers_router
from delivery_exceptions.handlers.api_routes import router as exceptions_router
from inventory.handlers.api_routes import router as inventory_router
from notifications.handlers.api_routes import router as notifications_router
from orders.handlers.api_routes import router as orders_router
from orders.handlers.reshipment_routes import router as reshipment_router
from service.handlers.api_routes import router as service_router
from service.handlers.case_routes import router as case_router
from service.handlers.feedback_routes import router as feedback_router
from service.handlers.return_routes import router as return_router
from shared.http_api import build_resolver, storefront_guard
from shared.observability import logger, metrics
from shared.openapi_contract import complete
from stats.handlers.alert_routes import router as alerts_router
from stats.handlers.api_routes import router as stats_router
from storefront_api.contract import ERRORS, LINKS, SUCCESSES
from storefront_api.contract import PUBLIC_PATHS as PUBLIC_ROUTES
from storefront_api.dependencies import accepted_api_keys

PUBLIC_PATHS = frozenset({"/openapi.json", "/docs"})

app = build_resolver(
    title="ordertrack storefront API",
    version="1.0.0",
    description=(
        "Place orders, read their tracking timeline and notifications, manage stock and customer "
        "notification preferences, handle feedback, complaints and returns, and read the service KPIs. "
        'Authenticate with `x-api-key`. Every error is `{"error": {"code", "message", "details"}}`.'
    ),
    complete_document=lambda document: complete(
        document, errors=ERRORS, successes=SUCCESSES, public_paths=PUBLIC_ROUTES, links=LINKS
    ),
    paths_served_elsewhere=PUBLIC_ROUTES,
)
app.include_router(orders_router)
app.include_router(reshipment_router)
app.include_router(inventory_router)
app.include_router(stats_router)
app.include_router(notifications_router)
app.include_router(service_router)
app.include_router(customers_router)
app.include_router(case_router)
app.include_router(exceptions_router)
app.include_router(alerts_router)
app.include_router(feedback_router)
app.include_router(return_router)


@storefront_guard(
    accepted_keys=accepted_api_keys,
    public_paths=PUBLIC_PATHS,
    methods_of=app.methods_of,  # type: ignore[attr-defined]
)
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
