# ruff: noqa: RUF001, RUF002  (full-width Chinese punctuation is the intended output)
"""Money, dates and carrier names the way a customer reads them, for each message locale.

Small on purpose (no Babel): two locales, the currencies a shop is likely to sell in, the carriers
a shop is likely to use. Anything unknown falls back to a plain, unambiguous form: the ISO currency
code before the amount, the carrier code as the storefront sent it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.customer_time import wall_clock
from shared.iso_codes import CURRENCY_MINOR_UNITS

# currency -> symbol placed before the amount (CLDR's narrow choices, kept unambiguous per locale).
# English SMS must stay GSM-7: no symbol outside that alphabet (€ is in its extension table).
CURRENCY_SYMBOLS: dict[str, dict[str, str]] = {
    "en": {
        "USD": "$",
        "CNY": "CN¥",
        "EUR": "€",
        "GBP": "£",
        "JPY": "JP¥",
        "HKD": "HK$",
        "TWD": "NT$",
        "CAD": "CA$",
        "AUD": "A$",
        "SGD": "S$",
    },
    "zh-CN": {
        "CNY": "¥",
        "USD": "US$",
        "EUR": "€",
        "GBP": "£",
        "JPY": "JP¥",
        "HKD": "HK$",
        "TWD": "NT$",
        "CAD": "CA$",
        "AUD": "AU$",
        "SGD": "S$",
    },
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZH_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# carrier code (as registered with a shipment, lower case) -> display name per locale
CARRIER_NAMES: dict[str, dict[str, str]] = {
    "sf-express": {"en": "SF Express", "zh-CN": "顺丰速运"},
    "jd": {"en": "JD Logistics", "zh-CN": "京东物流"},
    "yto": {"en": "YTO Express", "zh-CN": "圆通速递"},
    "zto": {"en": "ZTO Express", "zh-CN": "中通快递"},
    "sto": {"en": "STO Express", "zh-CN": "申通快递"},
    "yunda": {"en": "Yunda Express", "zh-CN": "韵达快递"},
    "ems": {"en": "EMS", "zh-CN": "EMS"},
    "china-post": {"en": "China Post", "zh-CN": "中国邮政"},
    "jtexpress": {"en": "J&T Express", "zh-CN": "极兔速递"},
    "best": {"en": "BEST Express", "zh-CN": "百世快递"},
    "deppon": {"en": "Deppon Express", "zh-CN": "德邦快递"},
    "ups": {"en": "UPS", "zh-CN": "UPS"},
    "fedex": {"en": "FedEx", "zh-CN": "联邦快递"},
    "usps": {"en": "USPS", "zh-CN": "美国邮政"},
    "dhl": {"en": "DHL", "zh-CN": "DHL"},
    "cainiao": {"en": "Cainiao", "zh-CN": "菜鸟"},
    "hongkong-post": {"en": "Hongkong Post", "zh-CN": "香港邮政"},
    "tnt": {"en": "TNT", "zh-CN": "TNT"},
    "dpd": {"en": "DPD", "zh-CN": "DPD"},
    "gls": {"en": "GLS", "zh-CN": "GLS"},
    "aramex": {"en": "Aramex", "zh-CN": "Aramex"},
    "royal-mail": {"en": "Royal Mail", "zh-CN": "英国皇家邮政"},
    "canada-post": {"en": "Canada Post", "zh-CN": "加拿大邮政"},
    "australia-post": {"en": "Australia Post", "zh-CN": "澳大利亚邮政"},
    "japan-post": {"en": "Japan Post", "zh-CN": "日本邮政"},
    "yamato": {"en": "Yamato Transport", "zh-CN": "雅玛多运输"},
    "sagawa": {"en": "Sagawa Express", "zh-CN": "佐川急便"},
}
# other spellings of the same carriers (aggregators' slugs, pinyin codes)
CARRIER_ALIASES: dict[str, str] = {
    "sf": "sf-express",
    "sfexpress": "sf-express",
    "shunfeng": "sf-express",
    "jdl": "jd",
    "jd-logistics": "jd",
    "jingdong": "jd",
    "yuantong": "yto",
    "zhongtong": "zto",
    "shentong": "sto",
    "china-ems": "ems",
    "chinapost": "china-post",
    "youzhengguonei": "china-post",
    "jt-express": "jtexpress",
    "jtexpress-cn": "jtexpress",
    "jtexpress-china": "jtexpress",
    "jitu": "jtexpress",
    "huitongkuaidi": "best",
    "bestexpress": "best",
    "best-express": "best",
    "debangwuliu": "deppon",
    "dhl-express": "dhl",
}


def format_money(amount: str | Decimal, currency: str, locale: str) -> str:
    """`1129`, `CNY` -> `¥1,129.00` (zh-CN), `CN¥1,129.00` (en); `KRW 50,000` when no symbol is known.

    Padded to the currency's minor units, never rounded (a price with more decimals keeps them)."""
    value = Decimal(amount)
    digits = CURRENCY_MINOR_UNITS.get(currency, 2)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < digits:
        value = value.quantize(Decimal(1).scaleb(-digits))
    grouped = f"{value:,}"
    symbol = CURRENCY_SYMBOLS.get(locale, {}).get(currency)
    return symbol + grouped if symbol else currency + " " + grouped


def zone(name: str) -> tzinfo:
    """The IANA zone `name`; UTC when it is unknown (a message with a UTC time beats no message)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_instant(value: str) -> datetime:
    """An ISO 8601 time (`2026-11-24T06:05:00Z`, with an offset, or naive = UTC) as an aware datetime."""
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_datetime(moment: datetime, locale: str, *, with_year: bool = False) -> str:
    """`11月24日 14:05` / `2026年11月24日 14:05` (zh-CN); `Nov 24, 2:05 PM` / `Nov 24, 2026, 2:05 PM` (en).

    The time is shown as it is in `moment`'s own zone, without naming it: what a customer reads is
    `shared.customer_time.format_customer_time`, which names the zone."""
    return wall_clock(moment, locale, with_year=with_year)


def format_date(day: date, locale: str, *, with_year: bool = False, weekday: bool = True) -> str:
    """`11月26日（周四）` / `2026年11月26日` (zh-CN); `Thu, Nov 26` / `Nov 26, 2026` (en)."""
    if locale == "zh-CN":
        text = (f"{day.year}年" if with_year else "") + f"{day.month}月{day.day}日"
        return text + f"（{_ZH_WEEKDAYS[day.weekday()]}）" if weekday else text
    text = f"{_EN_MONTHS[day.month - 1]} {day.day}" + (f", {day.year}" if with_year else "")
    return f"{_EN_WEEKDAYS[day.weekday()]}, {text}" if weekday else text


def local_time(value: str, time_zone: str) -> datetime:
    """An ISO 8601 instant as wall-clock time in the IANA zone `time_zone`."""
    return parse_instant(value).astimezone(zone(time_zone))


def local_date(value: str, time_zone: str) -> date:
    """A carrier's estimated date as the customer reads it: a date (`2026-11-26`) as it is; a time
    without an offset (already the recipient's local time, as AfterShip gives it) on its own date;
    midnight UTC (`2026-11-26T00:00:00Z`: how EasyPost's `est_delivery_date` and Shippo's `eta`
    carry a bare date) as that date, not the evening before in the Americas; any other instant on
    its date in `time_zone`."""
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.date()
    if moment.utcoffset() == timedelta(0) and moment.time() == time(0):
        return moment.date()
    return moment.astimezone(zone(time_zone)).date()


def carrier_code(code: str) -> str:
    """The carrier's key in `CARRIER_NAMES` (aliases resolved), or the code as given, trimmed."""
    key = code.strip().lower().replace("_", "-")
    return CARRIER_ALIASES.get(key, key)


def carrier_name(code: str, locale: str) -> str:
    """`sf-express` -> `顺丰速运` (zh-CN) / `SF Express` (en); an unknown code is shown as given."""
    names = CARRIER_NAMES.get(carrier_code(code))
    if names is None:
        return code.strip()
    return names.get(locale) or names["en"]
