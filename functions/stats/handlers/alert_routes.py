"""Storefront route listing the stored operations alerts."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from stats.models.alerts import SINCE_PATTERN, AlertPage, AlertView
from storefront_api import dependencies

router = APIGatewayHttpRouter()


@router.get(
    "/v1/alerts",
    summary="Operations alerts (overdue complaints, low stock, stalled shipments, ...), newest first",
    description="The alerts sent to the OperationsAlerts topic by the functions, kept for 90 days.",
    tags=["Statistics"],
)
def list_alerts(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="`next_cursor` of the previous page")
    ] = None,
    since: Annotated[
        str | None,
        Query(
            pattern=SINCE_PATTERN,
            description="Only alerts raised at or after this time: ISO 8601 (a date, or a date and "
            "time; UTC without an offset; a day that does not exist is a 422). Default and earliest: "
            "92 days ago.",
        ),
    ] = None,
) -> AlertPage:
    from stats.domain.alerts import alerts_since, parse_since

    found, next_cursor = alerts_since(
        parse_since(since), limit, cursor, dependencies.alert_log(), dependencies.clock()
    )
    return AlertPage(
        alerts=[AlertView.model_validate(alert.__dict__) for alert in found], next_cursor=next_cursor
    )
