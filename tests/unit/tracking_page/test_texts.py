"""Every status and problem the page can meet has words in every locale."""

from __future__ import annotations

from carriers.models.tracking import TrackingStatus
from orders.models.order import OrderStatus
from tracking_page.texts import (
    LABELS,
    LOCALES,
    NOT_FOUND,
    ORDER_STATUS,
    PROBLEM_BY_REASON,
    PROBLEM_BY_STATUS,
    PROBLEMS,
    TRACKING_STATUS,
)


def test_every_order_and_tracking_status_has_plain_words_in_every_locale() -> None:
    for locale in LOCALES:
        assert set(ORDER_STATUS[locale]) == {status.value for status in OrderStatus}, locale
        assert set(TRACKING_STATUS[locale]) == {status.value for status in TrackingStatus}, locale


def test_every_kind_of_problem_is_explained_in_every_locale_with_the_same_placeholders() -> None:
    kinds = set(PROBLEM_BY_REASON.values()) | set(PROBLEM_BY_STATUS.values()) | {"other"}
    for locale in LOCALES:
        assert set(PROBLEMS[locale]) == kinds, locale
    for kind in kinds:
        placeholders = {
            locale: {part.split("}")[0] for part in PROBLEMS[locale][kind][1].split("{")[1:]}
            for locale in LOCALES
        }
        assert placeholders["en"] == placeholders["zh-CN"], kind


def test_every_label_exists_in_every_locale() -> None:
    assert set(LABELS["en"]) == set(LABELS["zh-CN"])
    assert set(NOT_FOUND) == set(LOCALES)
