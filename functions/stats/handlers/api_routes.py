"""Storefront route for the KPI report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from stats.models.api import StatsReport
from storefront_api.dependencies import aggregates

router = APIGatewayHttpRouter()


@router.get(
    "/v1/stats",
    summary="KPIs for a range of UTC days, from the daily aggregates",
    description="`to` is not before `from` and at most 366 days after it (422 `validation_failed` otherwise).",
    tags=["Statistics"],
)
def get_stats(
    from_: Annotated[date, Query(alias="from", description="First UTC day, YYYY-MM-DD (included).")],
    to: Annotated[
        date,
        Query(
            description="Last UTC day, YYYY-MM-DD (included); not before `from`, at most 366 days after it (422)."
        ),
    ],
) -> StatsReport:
    from stats.domain.kpis import stats_for  # first use: the storefront's cold start does not pay for it

    return stats_for(from_.isoformat(), to.isoformat(), aggregates())
