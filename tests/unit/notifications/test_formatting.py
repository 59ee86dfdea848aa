# ruff: noqa: RUF001  (full-width Chinese punctuation is the text under test)
"""Money, dates and carrier names as customers read them, per locale."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from notifications.domain.formatting import (
    CARRIER_ALIASES,
    CARRIER_NAMES,
    CURRENCY_SYMBOLS,
    carrier_name,
    format_date,
    format_datetime,
    format_money,
    local_date,
    local_time,
)
from notifications.domain.sms_segments import SmsEncoding, sms_size


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1129.00", "CNY", "zh-CN", "¥1,129.00"),
        ("1129.00", "CNY", "en", "CN¥1,129.00"),
        ("19.9", "USD", "en", "$19.90"),
        ("19.9", "USD", "zh-CN", "US$19.90"),
        ("1500", "JPY", "en", "JP¥1,500"),
        ("50000", "KRW", "en", "KRW 50,000"),
        ("1.5", "BHD", "en", "BHD 1.500"),
        ("79919920.08", "EUR", "en", "€79,919,920.08"),
        ("1.005", "USD", "en", "$1.005"),  # never rounded
        ("12", "XYZ", "zh-CN", "XYZ 12.00"),  # an unknown code: two decimals, code first
    ],
)
def test_money_is_grouped_padded_and_marked_per_locale(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert format_money(amount, currency, locale) == expected


def test_english_currency_symbols_keep_an_sms_in_gsm7() -> None:
    for symbol in CURRENCY_SYMBOLS["en"].values():
        assert sms_size("Total " + symbol + "1.00").encoding is SmsEncoding.GSM7, symbol


@pytest.mark.parametrize(
    ("instant", "zone", "locale", "expected"),
    [
        ("2026-11-24T06:05:00Z", "Asia/Shanghai", "zh-CN", "11月24日 14:05"),
        ("2026-11-24T06:05:00Z", "Asia/Shanghai", "en", "Nov 24, 2:05 PM"),
        ("2026-11-24T06:05:00.120Z", "America/Los_Angeles", "en", "Nov 23, 10:05 PM"),
        ("2026-07-01T12:00:00Z", "America/New_York", "en", "Jul 1, 8:00 AM"),  # summer time
        ("2026-01-01T12:00:00Z", "America/New_York", "en", "Jan 1, 7:00 AM"),
        ("2026-11-24T00:30:00+08:00", "Asia/Shanghai", "en", "Nov 24, 12:30 AM"),
        ("2026-11-24T12:00:00", "UTC", "en", "Nov 24, 12:00 PM"),  # no offset: UTC
        ("2026-11-24T06:05:00Z", "Not/AZone", "zh-CN", "11月24日 06:05"),  # unknown zone: UTC
    ],
)
def test_event_times_are_shown_in_the_customers_zone(
    instant: str, zone: str, locale: str, expected: str
) -> None:
    assert format_datetime(local_time(instant, zone), locale) == expected


def test_times_can_carry_the_year() -> None:
    moment = datetime(2026, 12, 31, 9, 5)
    assert format_datetime(moment, "zh-CN", with_year=True) == "2026年12月31日 09:05"
    assert format_datetime(moment, "en", with_year=True) == "Dec 31, 2026, 9:05 AM"


@pytest.mark.parametrize(
    ("options", "locale", "expected"),
    [
        ({}, "zh-CN", "11月26日（周四）"),
        ({"weekday": False}, "zh-CN", "11月26日"),
        ({"with_year": True, "weekday": False}, "zh-CN", "2026年11月26日"),
        ({}, "en", "Thu, Nov 26"),
        ({"weekday": False}, "en", "Nov 26"),
        ({"with_year": True}, "en", "Thu, Nov 26, 2026"),
    ],
)
def test_dates(options: dict[str, bool], locale: str, expected: str) -> None:
    assert format_date(date(2026, 11, 26), locale, **options) == expected


def test_a_date_is_kept_and_an_instant_becomes_the_local_date() -> None:
    assert local_date("2026-11-26", "America/Los_Angeles") == date(2026, 11, 26)
    assert local_date("2026-11-25T20:00:00Z", "Asia/Shanghai") == date(2026, 11, 26)
    assert local_date("2026-11-25T20:00:00Z", "America/Los_Angeles") == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("sf-express", "顺丰速运", "SF Express"),
        ("jd", "京东物流", "JD Logistics"),
        ("yto", "圆通速递", "YTO Express"),
        ("zto", "中通快递", "ZTO Express"),
        ("sto", "申通快递", "STO Express"),
        ("yunda", "韵达快递", "Yunda Express"),
        ("ems", "EMS", "EMS"),
        ("china-post", "中国邮政", "China Post"),
        ("ups", "UPS", "UPS"),
        ("fedex", "联邦快递", "FedEx"),
        ("usps", "美国邮政", "USPS"),
        ("dhl", "DHL", "DHL"),
        ("SF", "顺丰速运", "SF Express"),  # aliases, any case, underscores
        ("shunfeng", "顺丰速运", "SF Express"),
        ("China_Post", "中国邮政", "China Post"),
        ("correos-express", "correos-express", "correos-express"),  # unknown: as given
    ],
)
def test_carrier_display_names(code: str, zh: str, en: str) -> None:
    assert (carrier_name(code, "zh-CN"), carrier_name(code, "en")) == (zh, en)


def test_every_alias_names_a_known_carrier_and_english_names_are_gsm7() -> None:
    assert set(CARRIER_ALIASES.values()) <= set(CARRIER_NAMES)
    for names in CARRIER_NAMES.values():
        assert set(names) == {"en", "zh-CN"}
        assert sms_size(names["en"]).encoding is SmsEncoding.GSM7


def test_a_date_sent_as_midnight_utc_is_that_date_everywhere() -> None:
    # EasyPost's est_delivery_date and Shippo's eta carry a bare date as midnight UTC
    assert local_date("2025-06-05T00:00:00Z", "America/Chicago") == date(2025, 6, 5)
    assert local_date("2025-06-05T00:00:00+00:00", "Asia/Shanghai") == date(2025, 6, 5)
    # a real instant still moves to the customer's day
    assert local_date("2025-06-05T00:30:00Z", "America/Chicago") == date(2025, 6, 4)


def test_a_time_without_offset_is_already_the_recipients_local_time() -> None:
    # AfterShip's expected_delivery: "recipient's timezone", with or without a time
    assert local_date("2025-05-14T21:00:00", "Asia/Shanghai") == date(2025, 5, 14)
