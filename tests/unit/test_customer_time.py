# ruff: noqa: RUF001  (full-width Chinese punctuation is the text under test)
"""The customer's zone (preference, else address region, else phone, else country) and an instant
told in it with the zone named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from shared import customer_time
from shared.customer_time import (
    MAIN_ZONES,
    country_zone,
    country_zones,
    customer_zone,
    format_customer_time,
    region_zone,
    zone_for_order,
)
from shared.region_zones import REGION_TABLES

# fixed instants: one in northern summer, one in northern winter
SUMMER = datetime(2025, 5, 15, 13, 21, tzinfo=UTC)
WINTER = datetime(2026, 12, 2, 19, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # the preference wins over everything the order says
        (
            {"preference": "Asia/Tokyo", "country": "US", "region": "WI", "phone": "+16085550100"},
            "Asia/Tokyo",
        ),
        # an unknown preference is ignored, not an error
        ({"preference": "Mars/Olympus_Mons", "country": "US", "region": "WI"}, "America/Chicago"),
        # the address's state, by code, ISO 3166-2 code or name
        ({"country": "US", "region": "WI"}, "America/Chicago"),
        ({"country": "us", "region": "US-CA"}, "America/Los_Angeles"),
        ({"country": "US", "region": " wisconsin "}, "America/Chicago"),
        ({"country": "CA", "region": "Québec"}, "America/Toronto"),
        ({"country": "AU", "region": "WA"}, "Australia/Perth"),
        ({"country": "BR", "region": "Amazonas"}, "America/Manaus"),
        ({"country": "MX", "region": "Nuevo León"}, "America/Monterrey"),
        ({"country": "RU", "region": "Novosibirsk Oblast"}, "Asia/Novosibirsk"),
        # the region beats the phone (the parcel goes to the address)
        ({"country": "US", "region": "NY", "phone": "+16085550100"}, "America/New_York"),
        # no usable region: the phone's area code, when it is in the shipping country
        ({"country": "US", "region": "Nowhere", "phone": "+16085550100"}, "America/Chicago"),
        ({"country": "US", "phone": "+13105550100"}, "America/Los_Angeles"),
        # a phone of another country says nothing about the address
        ({"country": "US", "phone": "+8613800138000"}, "America/New_York"),
        # a phone that spans zones (a Chinese mobile is in one zone; a Russian mobile is not)
        ({"country": "RU", "phone": "+79161234567"}, "Europe/Moscow"),
        # else the country's zone from zone.tab
        ({"country": "CN"}, "Asia/Shanghai"),
        ({"country": "DE"}, "Europe/Berlin"),
        ({"country": "AU"}, "Australia/Sydney"),
        ({"country": "BR", "region": "??"}, "America/Sao_Paulo"),
        # a region in a one-zone country is not needed
        ({"country": "CN", "region": "广东省"}, "Asia/Shanghai"),
        # nothing known: UTC
        ({}, "UTC"),
        ({"country": "ZZ"}, "UTC"),
    ],
)
def test_customer_zone_follows_preference_then_address_then_phone_then_country(
    kwargs: dict[str, str], expected: str
) -> None:
    assert customer_zone(**kwargs).key == expected


def test_a_country_override_replaces_only_the_country_step() -> None:
    overrides = {"US": "America/Chicago"}
    assert customer_zone(country="US", country_overrides=overrides).key == "America/Chicago"
    assert customer_zone(country="US", region="CA", country_overrides=overrides).key == "America/Los_Angeles"


def test_zone_for_order_reads_the_shipping_address_and_the_phone() -> None:
    @dataclass
    class Address:
        country: str
        region: str | None

    @dataclass
    class Customer:
        phone: str | None

    @dataclass
    class Order:
        shipping_address: Address
        customer: Customer

    order = Order(Address("US", None), Customer("+14145550100"))  # Milwaukee
    assert zone_for_order(order).key == "America/Chicago"
    assert zone_for_order(order, preference="Europe/Paris").key == "Europe/Paris"


@pytest.mark.parametrize(
    ("moment", "zone", "locale", "expected"),
    [
        # an AfterShip `delivered` at 2025-05-15 13:21 UTC, for a customer in Wisconsin
        (SUMMER, "America/Chicago", "en", "May 15, 8:21 AM CDT"),
        (WINTER, "America/Chicago", "en", "Dec 2, 1:21 PM CST"),
        (WINTER, "America/Chicago", "zh-CN", "12月2日 13:21（北美中部标准时间）"),
        (WINTER, "Asia/Shanghai", "zh-CN", "12月3日 03:21（北京时间）"),
        # China's tz abbreviation is also CST: English names it instead
        (WINTER, "Asia/Shanghai", "en", "Dec 3, 3:21 AM China time"),
        (SUMMER, "Europe/London", "en", "May 15, 2:21 PM BST"),
        (SUMMER, "Europe/Berlin", "zh-CN", "5月15日 15:21（UTC+2）"),
        (SUMMER, "Asia/Kolkata", "zh-CN", "5月15日 18:51（UTC+5:30）"),
        (SUMMER, "America/Sao_Paulo", "en", "May 15, 10:21 AM UTC-3"),  # tzdata says "-03"
        (SUMMER, "Asia/Jerusalem", "en", "May 15, 4:21 PM UTC+3"),  # IDT is ambiguous
        (SUMMER, "UTC", "en", "May 15, 1:21 PM UTC"),
        (SUMMER, "Not/AZone", "en", "May 15, 1:21 PM UTC"),
        ("2025-05-15T13:21:00Z", ZoneInfo("America/Denver"), "en", "May 15, 7:21 AM MDT"),
        ("2025-05-15T21:21:00+08:00", "Asia/Shanghai", "zh-CN", "5月15日 21:21（北京时间）"),
        ("2025-05-15T13:21:00", "America/New_York", "en", "May 15, 9:21 AM EDT"),  # naive = UTC
    ],
)
def test_an_instant_is_told_in_the_zone_and_names_it(
    moment: datetime | str, zone: str | ZoneInfo, locale: str, expected: str
) -> None:
    assert format_customer_time(moment, zone, locale) == expected


def test_the_year_is_shown_when_asked() -> None:
    assert format_customer_time(WINTER, "America/Chicago", "en", with_year=True) == "Dec 2, 2026, 1:21 PM CST"
    assert (
        format_customer_time(WINTER, "Asia/Shanghai", "zh-CN", with_year=True)
        == "2026年12月3日 03:21（北京时间）"
    )


def test_a_customer_in_wisconsin_never_sees_unlabelled_utc() -> None:
    zone = customer_zone(country="US", region="Wisconsin")
    told = format_customer_time("2025-05-15T13:21:00Z", zone, "en")
    assert told == "May 15, 8:21 AM CDT"
    assert "UTC" not in told


# -- the data is tzdata's -----------------------------------------------------------------------


def test_country_zones_come_from_tzdata_zone_tab() -> None:
    assert country_zones("CN") == ("Asia/Shanghai", "Asia/Urumqi")
    assert country_zone("us") == "America/New_York"  # zone.tab's first row for the US
    assert country_zone("XX") is None


@pytest.mark.parametrize(("country", "zone"), sorted(MAIN_ZONES.items()))
def test_every_main_zone_override_is_one_of_the_countrys_own_zones(country: str, zone: str) -> None:
    assert zone in country_zones(country)


# Territories listed under the US by postal code have their own rows in zone.tab.
TERRITORIES = {"PR": "PR", "GU": "GU", "VI": "VI", "AS": "AS", "MP": "MP"}


@pytest.mark.parametrize("country", sorted(REGION_TABLES))
def test_every_region_zone_is_a_zone_tzdata_lists_for_that_country(country: str) -> None:
    for row in REGION_TABLES[country].strip().splitlines():
        code, _names, zone = row.split("|")
        owner = TERRITORIES.get(code, country) if country == "US" else country
        assert zone in country_zones(owner), (country, code, zone)
        assert region_zone(country, code) == zone


def test_region_tables_are_only_for_countries_tzdata_splits() -> None:
    assert all(len(country_zones(country)) > 1 for country in REGION_TABLES)
    assert customer_time.region_zone("FR", "Ile-de-France") is None
