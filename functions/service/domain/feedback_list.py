"""The survey answers for analysis: a range of submission days (at most `MAX_DAYS`), newest first,
optionally only the ratings up to `max_rating`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from service.models.records import FeedbackRecord
from shared.errors import ValidationFailed

MAX_DAYS = 92


@dataclass(frozen=True)
class FeedbackListQuery:
    first: date
    last: date
    max_rating: int | None
    limit: int
    cursor: str | None


class FeedbackList(Protocol):
    def answers(self, query: FeedbackListQuery) -> tuple[list[FeedbackRecord], str | None]: ...


def _invalid(field: str, issue: str) -> ValidationFailed:
    return ValidationFailed(
        f"Invalid request: {field}.", details=[{"field": field, "issue": issue, "type": "value_error"}]
    )


def checked_query(
    first: date, last: date, max_rating: int | None, limit: int, cursor: str | None
) -> FeedbackListQuery:
    """`to` not before `from` and at most `MAX_DAYS` days after it (both included)."""
    if last < first:
        raise _invalid("query.to", "must not be before `from`")
    if (last - first).days + 1 > MAX_DAYS:
        raise _invalid("query.to", f"the range may span at most {MAX_DAYS} days")
    return FeedbackListQuery(first, last, max_rating, limit, cursor)


def feedback_answers(
    query: FeedbackListQuery, answers: FeedbackList
) -> tuple[list[FeedbackRecord], str | None]:
    return answers.answers(query)
