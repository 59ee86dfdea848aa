# ruff: noqa: RUF001, RUF002  (full-width Chinese punctuation is the intended output)
"""The customer's time: which zone a customer lives in, and an instant told in it with the zone named.

One rule for every message and page (notifications, tracking page, survey page):

1. the customer's preference (the `time_zone` of their notification preferences), when it is a
   zone the runtime knows;
2. else the shipping address: its state or province (`region`, an ISO 3166-2 code such as `WI` /
   `US-WI` or its name, `Wisconsin`) in a country that spans several zones (`shared.region_zones`);
3. else the customer's phone, when `phonenumbers` places it in the shipping country and in exactly
   one zone (a US number's area code, a Russian landline's city code);
4. else the shipping country's zone from tzdata's `zone.tab` (shipped in the `tzdata` package): the
   first zone listed for the country (`zone.tab` lists "the most populous zones first"), or, for a
   country whose first row is an outlying area, the zone most of its people live in (`MAIN_ZONES`);
5. else UTC.

Then `format_customer_time(instant, zone, locale)` tells an instant in that zone and says which:
`Dec 2, 1:21 PM CST` (en), `12月2日 13:21（北京时间）` (zh-CN). A zone without an unambiguous
abbreviation is labelled with its offset: `Dec 2, 1:21 PM UTC+8`, `12月2日 13:21（UTC-6）`.

    zone = customer_zone(preference=prefs.time_zone, country="US", region="WI", phone="+16085550100")
    format_customer_time(delivered_at, zone, "en")     # 'May 15, 8:21 AM CDT'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from importlib import resources
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.region_zones import REGION_TABLES

UTC_ZONE = ZoneInfo("UTC")

# Countries whose first `zone.tab` row is an outlying island or province rather than where most
# people live (Lord Howe Island, Fernando de Noronha, Newfoundland, Kaliningrad, Crimea, ...).
# Each is one of the country's own `zone.tab` zones (checked by the unit tests).
MAIN_ZONES: dict[str, str] = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Names a reader knows better than the tz abbreviation (which is `CST` for China, Taiwan and Macau
# as well as for the US Central zone).
_ZONE_NAMES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "Asia/Shanghai": "北京时间",
        "Asia/Urumqi": "新疆时间",
        "Asia/Hong_Kong": "香港时间",
        "Asia/Macau": "澳门时间",
        "Asia/Taipei": "台北时间",
        "Asia/Tokyo": "日本时间",
        "Asia/Seoul": "韩国时间",
        "Asia/Singapore": "新加坡时间",
        "Europe/London": "英国时间",
    },
    "en": {
        "Asia/Shanghai": "China time",
        "Asia/Urumqi": "Xinjiang time",
        "Asia/Macau": "Macau time",
        "Asia/Taipei": "Taiwan time",
        "Asia/Kolkata": "IST",
    },
}
# CLDR's Chinese names of the North American zones, by the abbreviation tzdata gives them.
_ZH_NORTH_AMERICA: dict[str, str] = {
    "EST": "北美东部标准时间",
    "EDT": "北美东部夏令时间",
    "CST": "北美中部标准时间",
    "CDT": "北美中部夏令时间",
    "MST": "北美山区标准时间",
    "MDT": "北美山区夏令时间",
    "PST": "北美太平洋标准时间",
    "PDT": "北美太平洋夏令时间",
    "AKST": "阿拉斯加标准时间",
    "AKDT": "阿拉斯加夏令时间",
    "HST": "夏威夷标准时间",
}
# Abbreviations that mean different offsets in different places: shown only in the Americas.
_AMBIGUOUS = frozenset({"CST", "CDT", "IST", "IDT"})


class _Address(Protocol):
    @property
    def country(self) -> str: ...
    @property
    def region(self) -> str | None: ...


class _Customer(Protocol):
    @property
    def phone(self) -> str | None: ...


class _Order(Protocol):
    """What `zone_for_order` reads of an order (an `OrderRecord` or its view)."""

    @property
    def shipping_address(self) -> _Address: ...
    @property
    def customer(self) -> _Customer: ...


def customer_zone(
    *,
    preference: str | None = None,
    country: str | None = None,
    region: str | None = None,
    phone: str | None = None,
    country_overrides: Mapping[str, str] | None = None,
) -> ZoneInfo:
    """The zone a customer's times are told in (the rule in the module docstring).

    `country_overrides` (shipping country -> IANA zone) replaces step 4 for the countries it names."""
    for found in (
        _known_zone(preference),
        _region_zone(country, region),
        _phone_zone(country, phone),
        _known_zone((country_overrides or {}).get((country or "").upper())),
        _known_zone(country_zone(country)),
    ):
        if found is not None:
            return found
    return UTC_ZONE


def zone_for_order(
    order: _Order, preference: str | None = None, country_overrides: Mapping[str, str] | None = None
) -> ZoneInfo:
    """`customer_zone` for an order's shipping address and customer phone."""
    address = order.shipping_address
    return customer_zone(
        preference=preference,
        country=address.country,
        region=address.region,
        phone=order.customer.phone,
        country_overrides=country_overrides,
    )


def format_customer_time(
    moment: datetime | str, zone: tzinfo | str, locale: str, *, with_year: bool = False
) -> str:
    """An instant as wall-clock time in `zone`, with the zone named: `Dec 2, 1:21 PM CST` /
    `Dec 2, 2026, 1:21 PM CST` (en), `12月2日 13:21（北京时间）` / `2026年12月2日 13:21（北京时间）`
    (zh-CN). `moment` is an aware datetime or an ISO 8601 string (naive means UTC); `zone` a
    ZoneInfo or an IANA name (unknown: UTC)."""
    local = to_zone(moment, zone)
    label = zone_label(local, locale)
    if locale == "zh-CN":
        return f"{wall_clock(local, locale, with_year=with_year)}（{label}）"
    return f"{wall_clock(local, locale, with_year=with_year)} {label}"


def to_zone(moment: datetime | str, zone: tzinfo | str) -> datetime:
    """`moment` (aware datetime or ISO 8601, naive = UTC) converted to `zone` (a name or a tzinfo)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    target = (_known_zone(zone) or UTC_ZONE) if isinstance(zone, str) else zone
    return moment.astimezone(target)


def wall_clock(local: datetime, locale: str, *, with_year: bool = False) -> str:
    """`11月24日 14:05` / `2026年11月24日 14:05` (zh-CN); `Nov 24, 2:05 PM` / `Nov 24, 2026, 2:05 PM`
    (en): the time as it reads in `local`'s own zone, without naming it."""
    if locale == "zh-CN":
        year = f"{local.year}年" if with_year else ""
        return f"{year}{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    year = f", {local.year}" if with_year else ""
    return f"{_EN_MONTHS[local.month - 1]} {local.day}{year}, {hour}:{local.minute:02d} {meridiem}"


def zone_label(local: datetime, locale: str) -> str:
    """How `local`'s zone is named at that instant: `CDT`, `China time`, `UTC+5:30` (en);
    `北京时间`, `北美中部夏令时间`, `UTC-3` (zh-CN)."""
    key = getattr(local.tzinfo, "key", None)
    named = _ZONE_NAMES.get("zh-CN" if locale == "zh-CN" else "en", {}).get(key or "")
    if named:
        return named
    abbreviation = local.tzname() or ""
    in_americas = bool(key and key.startswith("America/") and key != "America/Havana")
    if locale == "zh-CN":
        return (
            _ZH_NORTH_AMERICA.get(abbreviation)
            if in_americas and abbreviation in _ZH_NORTH_AMERICA
            else _utc_offset(local.utcoffset())
        )
    if abbreviation == "UTC" or (abbreviation.isalpha() and (abbreviation not in _AMBIGUOUS or in_americas)):
        return abbreviation
    return _utc_offset(local.utcoffset())


def country_zone(country: str | None) -> str | None:
    """The shipping country's main zone (step 4 of the rule), or None for a code tzdata lacks."""
    code = (country or "").strip().upper()
    zones = country_zones(code)
    return MAIN_ZONES.get(code) or (zones[0] if zones else None)


def country_zones(country: str) -> tuple[str, ...]:
    """Every zone tzdata's `zone.tab` lists for the country, in its order."""
    return _zone_tab().get(country.strip().upper(), ())


def region_zone(country: str | None, region: str | None) -> str | None:
    """The zone of a state or province (`WI`, `US-WI`, `Wisconsin`, `Québec`), or None when the
    country is not one `shared.region_zones` lists or the region is unknown there."""
    table = _region_index().get((country or "").strip().upper())
    if table is None or not region:
        return None
    return table.get(_key(region.strip().upper().removeprefix((country or "").strip().upper() + "-")))


# -- steps ------------------------------------------------------------------------------------


def _known_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _region_zone(country: str | None, region: str | None) -> ZoneInfo | None:
    return _known_zone(region_zone(country, region))


def _phone_zone(country: str | None, phone: str | None) -> ZoneInfo | None:
    if not phone or not country:
        return None
    import phonenumbers  # deferred: only customers without a usable region get here
    from phonenumbers import timezone as phone_zones

    try:
        number = phonenumbers.parse(phone, country.upper())
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.region_code_for_number(number) != country.upper():
        return None  # a phone from another country says nothing about where the parcel goes
    zones = [z for z in phone_zones.time_zones_for_number(number) if z != phone_zones.UNKNOWN_TIMEZONE]
    return _known_zone(zones[0]) if len(zones) == 1 else None


def _utc_offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _key(text: str) -> str:
    """`Québec` -> `QUEBEC`; `North Ossetia-Alania` -> `NORTHOSSETIAALANIA`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.upper() if ch.isalnum())


@cache
def _zone_tab() -> dict[str, tuple[str, ...]]:
    text = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        zones.setdefault(fields[0], []).append(fields[2])
    return {country: tuple(names) for country, names in zones.items()}


@cache
def _region_index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for country, rows in REGION_TABLES.items():
        table = index.setdefault(country, {})
        for row in rows.strip().splitlines():
            code, names, zone = row.split("|")
            for name in (code, *names.split(";")):
                table[_key(name)] = zone
    return index
