"""`GET /v1/feedback` input: a range of at most 92 submission days, `to` not before `from`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.domain.feedback_list import MAX_DAYS, checked_query
from shared.errors import ValidationFailed


def test_a_range_of_92_days_is_accepted() -> None:
    first = date(2026, 9, 7)
    query = checked_query(first, first + timedelta(days=MAX_DAYS - 1), 2, 50, None)
    assert (query.first, query.max_rating, query.limit) == (first, 2, 50)
    assert checked_query(first, first, None, 1, "c").cursor == "c"


@pytest.mark.parametrize(
    ("first", "last", "issue"),
    [
        (date(2026, 12, 7), date(2026, 12, 6), "must not be before `from`"),
        (date(2026, 9, 5), date(2026, 12, 6), "the range may span at most 92 days"),
    ],
)
def test_a_reversed_or_longer_range_is_a_422_on_to(first: date, last: date, issue: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        checked_query(first, last, None, 50, None)
    assert raised.value.http_status == 422
    assert raised.value.details == [{"field": "query.to", "issue": issue, "type": "value_error"}]
