"""Our carrier slugs, how each tracking provider names the same carrier, and which provider
tracks which carrier (the stage's `carriers.routing`).

A carrier key is a slug lower-cased with everything but letters and digits removed, with the
providers' other spellings folded in (`shunfeng`, `SF Express`, `sf-express` -> `sfexpress`), so
every spelling a merchant or a provider uses finds the same row. The codes come from the
providers' own lists (events/providers/<provider>/README.md); a carrier a provider's table lacks is
registered with the provider's auto-detection where it has one (EasyPost, AfterShip, 17TRACK,
Kuaidi100 `autoCom`); Shippo has none, so it needs a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RegistrationProvider(StrEnum):
    """Providers ordertrack registers tracking numbers with (`generic` is push-only)."""

    EASYPOST = "easypost"
    AFTERSHIP = "aftership"
    KUAIDI100 = "kuaidi100"
    SEVENTEENTRACK = "17track"
    SHIPPO = "shippo"


NOT_TRACKED = "none"
"""A route to nobody: the merchant's label provider tracks these (e.g. Shippo labels)."""

CARRIER_ALIASES: dict[str, str] = {
    # other spellings of our carriers (provider codes, pinyin), normalized like carrier_key
    "shunfeng": "sfexpress",
    "sf": "sfexpress",
    "sfexpressapi": "sfexpress",
    "jingdong": "jd",
    "jdexpress": "jd",
    "jdl": "jd",
    "jdlogistics": "jd",
    "youzhengguonei": "chinapost",
    "chinaems": "ems",
    "yuantong": "yto",
    "zhongtong": "zto",
    "ztoexpress": "zto",
    "shentong": "sto",
    "jtexpresscn": "jtexpress",
    "jitu": "jtexpress",
    "huitongkuaidi": "best",
    "bestexpress": "best",
    "debangkuaidi": "deppon",
    "fedexus": "fedex",
    "dhlexpress": "dhl",
    "upsmailinnovations": "ups",
}


def carrier_key(code: str | None) -> str | None:
    if not code:
        return None
    normalized = re.sub(r"[^a-z0-9]", "", code.lower())
    return CARRIER_ALIASES.get(normalized, normalized) or None


@dataclass(frozen=True)
class CarrierCodes:
    easypost: str | None = None  # EasyPost carrier name
    aftership: str | None = None  # AfterShip courier slug
    kuaidi100: str | None = None  # Kuaidi100 company code
    seventeentrack: int | None = None  # 17TRACK carrier key (only keys verified in its carrier list)
    shippo: str | None = None  # Shippo carrier token
    needs_phone: bool = False  # Kuaidi100: 顺丰 wants the recipient's phone with the subscription

    def code(self, provider: RegistrationProvider) -> str | int | None:
        return {
            RegistrationProvider.EASYPOST: self.easypost,
            RegistrationProvider.AFTERSHIP: self.aftership,
            RegistrationProvider.KUAIDI100: self.kuaidi100,
            RegistrationProvider.SEVENTEENTRACK: self.seventeentrack,
            RegistrationProvider.SHIPPO: self.shippo,
        }[provider]


CARRIERS: dict[str, CarrierCodes] = {
    # United States and international express
    "usps": CarrierCodes("USPS", "usps", "usps", 21051, "usps"),
    "ups": CarrierCodes("UPS", "ups", "ups", 100002, "ups"),
    "fedex": CarrierCodes("FedEx", "fedex", "fedex", 100003, "fedex"),
    "dhl": CarrierCodes("DHLExpress", "dhl", "dhl", 100001, "dhl_express"),
    "canadapost": CarrierCodes("CanadaPost", "canada-post", None, None, "canada_post"),
    "royalmail": CarrierCodes("RoyalMail", "royal-mail"),
    "dpd": CarrierCodes("DPD", "dpd"),
    "australiapost": CarrierCodes("AustraliaPost", "australia-post", None, None, "australia_post"),
    # mainland China
    "sfexpress": CarrierCodes(None, "sf-express", "shunfeng", None, None, needs_phone=True),
    "yto": CarrierCodes(None, "yto", "yuantong"),
    "zto": CarrierCodes(None, "zto-express", "zhongtong"),
    "sto": CarrierCodes(None, "sto", "shentong"),
    "yunda": CarrierCodes(None, "yunda", "yunda"),
    "jd": CarrierCodes(None, "jd", "jd"),
    "ems": CarrierCodes(None, "china-ems", "ems"),
    "chinapost": CarrierCodes(None, "china-post", "youzhengguonei", 3011),
    "jtexpress": CarrierCodes(None, None, "jtexpress"),
    "best": CarrierCodes(None, None, "huitongkuaidi"),
    "deppon": CarrierCodes(None, None, "debangkuaidi"),
}

US_CARRIERS = ("usps", "ups", "fedex", "dhl")
CHINESE_CARRIERS = (
    "sf-express",
    "yto",
    "zto",
    "sto",
    "yunda",
    "jd",
    "ems",
    "china-post",
    "jtexpress",
    "best",
    "deppon",
)


PUBLIC_TRACKING_PAGES: dict[str, str] = {
    # the carrier's own public tracking page; `{tracking_number}` is replaced, URL-escaped.
    # usps, ups, fedex, dhl, canadapost, dpd: the `tracking_url` of each courier in
    # github.com/jkeen/tracking_number_data couriers/*.json (commit b79ce4b), DHL's upgraded to https;
    # the others as the carriers' sites link their own tracking results.
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking_number}",
    "ups": "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums={tracking_number}",
    "fedex": "https://www.fedex.com/apps/fedextrack/?tracknumbers={tracking_number}",
    "dhl": "https://www.dhl.com/en/express/tracking.html?brand=DHL&AWB={tracking_number}",
    "canadapost": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={tracking_number}",
    "dpd": "https://www.dpdgroup.com/nl/mydpd/my-parcels/track?lang=en&parcelNumber={tracking_number}",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/{tracking_number}",
    "australiapost": "https://auspost.com.au/mypost/track/#/details/{tracking_number}",
    "sfexpress": "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{tracking_number}",
    "jd": "https://www.jdl.com/orderSearch/?waybillCodes={tracking_number}",
}
"""Carriers without a row have no link: the page then shows the carrier's name and number only."""


def public_tracking_url(carrier: str, tracking_number: str) -> str | None:
    """The carrier's own tracking page for this number, or None when we know of none."""
    pattern = PUBLIC_TRACKING_PAGES.get(carrier_key(carrier) or "")
    if pattern is None or not tracking_number.strip():
        return None
    return pattern.replace("{tracking_number}", quote(tracking_number.strip(), safe=""))


def codes_of(carrier: str) -> CarrierCodes:
    return CARRIERS.get(carrier_key(carrier) or "", CarrierCodes())


class CarrierRouting(BaseModel):
    """`carriers.routing`: carrier slug -> provider, plus the provider of every other carrier."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    routes: dict[str, str] = Field(
        default_factory=lambda: {
            **dict.fromkeys(US_CARRIERS, RegistrationProvider.EASYPOST.value),
            **dict.fromkeys(CHINESE_CARRIERS, RegistrationProvider.KUAIDI100.value),
        },
        description="carrier slug (any spelling) -> easypost | aftership | kuaidi100 | 17track | shippo | none",
    )
    default: str = Field(default=RegistrationProvider.AFTERSHIP.value, description="every other carrier")

    @field_validator("routes")
    @classmethod
    def _known_routes(cls, routes: dict[str, str]) -> dict[str, str]:
        for carrier, provider in routes.items():
            _check_provider(provider, f"routes[{carrier!r}]")
            if not carrier_key(carrier):
                raise ValueError(f"routes: {carrier!r} is not a carrier slug")
        return routes

    @field_validator("default")
    @classmethod
    def _known_default(cls, provider: str) -> str:
        return _check_provider(provider, "default")

    def provider_for(self, carrier: str) -> RegistrationProvider | None:
        """The provider that tracks `carrier`, or None when the stage routes it to nobody."""
        key = carrier_key(carrier)
        by_key = {carrier_key(slug): provider for slug, provider in self.routes.items()}
        chosen = by_key.get(key, self.default)
        return None if chosen == NOT_TRACKED else RegistrationProvider(chosen)


def _check_provider(provider: str, where: str) -> str:
    allowed = {p.value for p in RegistrationProvider} | {NOT_TRACKED}
    if provider not in allowed:
        raise ValueError(f"{where}: {provider!r} is not one of {sorted(allowed)}")
    return provider
