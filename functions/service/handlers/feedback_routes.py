"""Storefront route listing the survey answers for analysis."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from service.models.feedback_list import FeedbackAnswer, FeedbackAnswerPage
from storefront_api import dependencies

router = APIGatewayHttpRouter()


@router.get(
    "/v1/feedback",
    summary="Survey answers submitted in a range of UTC days, newest first",
    description="`to` is not before `from` and at most 91 days after it (92 days in all; 422 "
    "`validation_failed` otherwise). `max_rating` keeps the answers rated at most that.",
    tags=["Customer service"],
)
def list_feedback(
    from_: Annotated[date, Query(alias="from", description="First UTC day of submission (included).")],
    to: Annotated[date, Query(description="Last UTC day of submission (included); at most 92 days in all.")],
    max_rating: Annotated[int | None, Query(ge=1, le=5, description="Only ratings up to this (1-5).")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="`next_cursor` of the previous page")
    ] = None,
) -> FeedbackAnswerPage:
    from service.domain.feedback_list import checked_query, feedback_answers

    query = checked_query(from_, to, max_rating, limit, cursor)
    found, next_cursor = feedback_answers(query, dependencies.feedback_list())
    return FeedbackAnswerPage(
        answers=[FeedbackAnswer.of(answer) for answer in found], next_cursor=next_cursor
    )
